"""When a chat platform takes the app away from a workspace: uninstalled, or its access revoked.

The workspace's memos stay: nobody can read them without the app, and a reinstall
finds them. What cannot go on is posting, so every channel's daily digest is turned
off, saying why and since when; whoever reinstalls sees it in `/memo digest` and
turns it back on with `/memo digest at ...`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import Connection

from storage import digests as digest_store

logger = logging.getLogger(__name__)


class Removal(Enum):
    """What happened, as `/memo digest` tells it (``{day}``: the UTC date it happened)."""

    UNINSTALLED = "the app was uninstalled from this workspace on {day}"
    ACCESS_REVOKED = "the app's access to this workspace was revoked on {day}"

    @property
    def overrides_other_reasons(self) -> bool:
        """An uninstall is the reason to show even over an earlier one the bot gave
        (a revoked token, a channel it was removed from): it is what a reinstall undoes."""
        return self is Removal.UNINSTALLED


def stop_digests(
    tx: Connection,
    platform: str,
    workspace_ids: Sequence[str],
    removal: Removal,
    at: datetime,
    now: datetime,
) -> int:
    """Turn off the digests of the workspaces' channels; returns how many were on (or changed).

    A setting changed after ``at`` is left alone: the platform may deliver its news
    late or twice, after someone reinstalled the app and turned the digest back on.
    """
    stopped = digest_store.stop_in_workspaces(
        tx,
        platform,
        workspace_ids,
        removal.value.format(day=f"{at.astimezone(UTC):%Y-%m-%d}"),
        now,
        unchanged_since=at,
        replacing_reasons=removal.overrides_other_reasons,
    )
    logger.info(
        "digests stopped: platform=%s workspaces=%s because %s: %d",
        platform,
        ",".join(workspace_ids),
        removal.name.lower(),
        stopped,
    )
    return stopped
