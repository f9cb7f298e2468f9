"""The app manifests people create the Slack app from agree with what the code listens for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.slack.app import EVENTS_PATH, REDIRECT_PATH, SCOPES
from adapters.slack.listeners import COMMAND, SAVE_SHORTCUT
from adapters.slack.uninstalls import APP_UNINSTALLED, TOKENS_REVOKED

MANIFESTS = sorted(
    (Path(__file__).resolve().parents[3] / "adapters" / "slack").glob("manifest*.json")
)


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_the_manifest_matches_the_code(path: Path) -> None:
    manifest = json.loads(path.read_text())
    features, settings = manifest["features"], manifest["settings"]

    assert [command["command"] for command in features["slash_commands"]] == [COMMAND]
    assert features["slash_commands"][0]["should_escape"] is False
    assert [s["callback_id"] for s in features["shortcuts"]] == [SAVE_SHORTCUT]
    assert features["app_home"]["home_tab_enabled"] is True
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(SCOPES)
    assert settings["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        APP_UNINSTALLED,
        TOKENS_REVOKED,
    ]
    assert settings["interactivity"]["is_enabled"] is True
    if settings["socket_mode_enabled"]:
        assert "url" not in features["slash_commands"][0]
    else:
        for url in (
            features["slash_commands"][0]["url"],
            settings["event_subscriptions"]["request_url"],
            settings["interactivity"]["request_url"],
            settings["interactivity"]["message_menu_options_url"],
        ):
            assert url.endswith(EVENTS_PATH)
        assert manifest["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)


def test_both_manifests_exist() -> None:
    assert [path.name for path in MANIFESTS] == ["manifest.json", "manifest.socket-mode.json"]
