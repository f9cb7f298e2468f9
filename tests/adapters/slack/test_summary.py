"""/memo summary on Slack with a model: acknowledged at once, answered via response_url."""

from __future__ import annotations

import pytest

from bot.core import MemoBot
from tests.adapters.slack.conftest import BOB, Slack, block_text, bold_text
from tests.fakes.openai import FakeOpenAI

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


@pytest.fixture
def bot(model_bot: MemoBot) -> MemoBot:
    """The adapter's fixture runs on the core whose summaries a (fake) model writes."""
    return model_bot


async def _note(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 기존 Nginx + Lua 게이트웨이, 라우트 3,400개")
    await slack.command_json(f"add [{ENVOY}] > p99 latency 210ms → 45ms", user=BOB)


@pytest.mark.asyncio
async def test_the_models_summary_comes_through_the_response_url(
    slack: Slack,
    fake_openai: FakeOpenAI,
) -> None:
    await _note(slack)
    fake_openai.complete_with_points(("p99 latency 210ms → 45ms", [2]))

    status, body = await slack.command(f"summary [{ENVOY}]")
    assert status == 200 and body in ("", "{}"), "acknowledged with nothing to show yet"
    (response,) = await slack.fake.async_wait_for("response_url")
    assert response.params["response_type"] == "ephemeral"
    shown = block_text(response.params)
    assert shown.startswith(f"[{ENVOY}]")
    assert bold_text(response.params)[0] == f"[{ENVOY}]"
    assert "p99 latency 210ms → 45ms · Bob" in shown
    assert "3,400" not in shown


@pytest.mark.asyncio
async def test_slack_is_answered_before_the_model_and_the_fallback_follows(
    slack: Slack,
    fake_openai: FakeOpenAI,
) -> None:
    await _note(slack)
    fake_openai.hang_next()

    status, body = await slack.command(f"summary [{ENVOY}]")
    assert status == 200 and body in ("", "{}")
    assert len(fake_openai.calls) <= 1, "the model has not answered"
    (response,) = await slack.fake.async_wait_for("response_url")
    assert len(fake_openai.calls) == 1
    assert "210ms → 45ms" in block_text(response.params)


@pytest.mark.asyncio
async def test_a_summary_of_an_unknown_session_also_arrives_via_response_url(
    slack: Slack,
) -> None:
    status, body = await slack.command("summary [아무도 안 들은 세션]")
    assert status == 200 and body in ("", "{}")
    (response,) = await slack.fake.async_wait_for("response_url")
    assert "No session called [아무도 안 들은 세션]" in block_text(response.params)
