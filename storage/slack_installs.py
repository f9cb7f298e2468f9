"""Slack installs in our database: OAuth states, each workspace's org, uninstalled tokens.

slack_sdk's SQLAlchemy stores save and find installations in tables our migrations
create (``storage.models``). This module holds what those stores lack: a state
consumed by one statement that says whether it did, states that expire, are purged
and are capped in number, and the Enterprise Grid org each workspace is in.

Times in slack_sdk's tables are naive UTC (its ``DateTime`` columns have no time
zone); the functions here take aware datetimes and convert them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import (
    SLACK_OAUTH_STATES,
    SlackTeam,
    table_of,
)

_STATES = SLACK_OAUTH_STATES.c
_PURGE_EXPIRED = delete(SLACK_OAUTH_STATES).where(_STATES.expire_at <= bindparam("now"))
_COUNT_STATES = select(func.count()).select_from(SLACK_OAUTH_STATES)
# One statement finds and removes the state, so of two callbacks racing with one state only
# one gets it back (a select, then a delete, let both through).
_CONSUME = (
    delete(SLACK_OAUTH_STATES)
    .where(_STATES.state == bindparam("state"), _STATES.expire_at > bindparam("now"))
    .returning(_STATES.id)
)
_TEAM = select(SlackTeam.enterprise_id, SlackTeam.is_enterprise_install).where(
    SlackTeam.team_id == bindparam("team_id")
)


@dataclass(frozen=True, slots=True)
class Org:
    """Where a workspace's requests come from: its Enterprise Grid org, if any, and whether
    the org-wide install serves it (else its own workspace install does)."""

    enterprise_id: str | None = None
    is_enterprise_install: bool = False


def issue_state(tx: Connection, state: str, expire_at: datetime, now: datetime, most: int) -> bool:
    """Store a new OAuth state unless ``most`` unexpired ones are waiting; True if stored.

    Expired states are purged first, so the table never holds more than ``most``
    states plus those that expired since the last issue.
    """
    tx.execute(_PURGE_EXPIRED, {"now": _naive(now)})
    if tx.execute(_COUNT_STATES).scalar_one() >= most:
        return False
    tx.execute(SLACK_OAUTH_STATES.insert(), {"state": state, "expire_at": _naive(expire_at)})
    return True


def consume_state(tx: Connection, state: str, now: datetime) -> bool:
    """Remove an unexpired state; True only for the one caller that removed it."""
    return tx.execute(_CONSUME, {"state": state, "now": _naive(now)}).first() is not None


def org_of(tx: Connection, team_id: str) -> Org:
    """What the workspace's last request said about its org (nothing known: no org)."""
    row = tx.execute(_TEAM, {"team_id": team_id}).first()
    return Org(row.enterprise_id, row.is_enterprise_install) if row else Org()


def remember_org(tx: Connection, team_id: str, org: Org, now: datetime) -> None:
    """Record (or update) the org a request from ``team_id`` named."""
    insert = postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert
    values = {
        "enterprise_id": org.enterprise_id,
        "is_enterprise_install": org.is_enterprise_install,
    }
    tx.execute(
        insert(table_of(SlackTeam))
        .values(team_id=team_id, seen_at=now, **values)
        .on_conflict_do_update(index_elements=["team_id"], set_={**values, "seen_at": now})
    )


def _naive(moment: datetime) -> datetime:
    """The naive UTC datetime slack_sdk's columns hold."""
    return moment.astimezone(UTC).replace(tzinfo=None)
