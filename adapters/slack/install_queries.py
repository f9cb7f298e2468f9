"""Slack installs in our database: OAuth states, each workspace's org, uninstalled tokens.

slack_sdk's SQLAlchemy stores save and find installations in tables our migrations
create (``adapters.slack.tables``). This module holds what those stores lack: a state
consumed by one statement that says whether it did, states that expire, are purged
and are capped in number, the Enterprise Grid org each workspace is in, and the
tokens of an uninstalled app deleted as of the moment Slack said so.

Times in slack_sdk's tables are naive UTC (its ``DateTime`` columns have no time
zone); the functions here take aware datetimes and convert them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection, Table, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from adapters.slack.tables import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES, SlackTeam
from storage.models import table_of

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
_ORG_WIDE_TEAMS = (
    select(SlackTeam.team_id)
    .where(
        SlackTeam.enterprise_id == bindparam("enterprise_id"),
        SlackTeam.is_enterprise_install.is_(True),
    )
    .order_by(SlackTeam.team_id)
)


@dataclass(frozen=True, slots=True)
class Org:
    """Where a workspace's requests come from: its Enterprise Grid org, if any, and whether
    the org-wide install serves it (else its own workspace install does)."""

    enterprise_id: str | None = None
    is_enterprise_install: bool = False


@dataclass(frozen=True, slots=True)
class Install:
    """One installation of the app: a workspace's (``team_id``), or an org's (``team_id``
    None, ``enterprise_id`` set: an org-wide install)."""

    enterprise_id: str | None
    team_id: str | None


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


def teams_served(tx: Connection, install: Install) -> list[str]:
    """The workspaces ``install`` serves, as far as their requests told: a workspace
    install its own; an org-wide install those that said so."""
    if install.team_id is not None:
        return [install.team_id]
    return list(tx.scalars(_ORG_WIDE_TEAMS, {"enterprise_id": install.enterprise_id}))


def delete_tokens(tx: Connection, client_id: str, install: Install, before: datetime) -> int:
    """Delete ``install``'s saved installations and bot tokens made before ``before``.

    A workspace install is found by its team id alone (Slack's team ids are unique
    across orgs, and an event may leave the org out); an org-wide one by its org.
    Anything saved from ``before`` on is a reinstall and stays. Returns the rows deleted.
    """
    deleted = 0
    for table in (SLACK_BOTS, SLACK_INSTALLATIONS):
        deleted += tx.execute(
            delete(table).where(
                table.c.client_id == client_id,
                *_install_rows(table, install),
                table.c.installed_at < _naive(before),
            )
        ).rowcount
    return deleted


def _install_rows(table: Table, install: Install) -> Sequence[ColumnElement[bool]]:
    if install.team_id is not None:
        return (table.c.team_id == install.team_id,)
    return (table.c.enterprise_id == install.enterprise_id, table.c.team_id.is_(None))


def _naive(moment: datetime) -> datetime:
    """The naive UTC datetime slack_sdk's columns hold."""
    return moment.astimezone(UTC).replace(tzinfo=None)
