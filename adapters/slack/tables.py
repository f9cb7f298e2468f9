"""Slack's own tables, on storage's shared metadata so our migrations create them.

The platform declares them (``adapters.slack.PLATFORM.tables``); ``migrations/env.py``
loads every registered platform's tables before comparing models and migrations.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, table_of

# Slack's OAuth installations and states, kept by slack_sdk's SQLAlchemy stores. slack_sdk
# builds these tables, so they match what its stores query; they live on our metadata so our
# migrations create them, and `alembic check` fails when a slack_sdk upgrade changes them.
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, "slack_installations"
)
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)
# slack_sdk's states table has no index; a state is looked up (and consumed) by its value,
# and expired ones are purged by their expiry.
Index(None, SLACK_OAUTH_STATES.c.state, unique=True)
Index(None, SLACK_OAUTH_STATES.c.expire_at)


class SlackTeam(Base):
    """Which Enterprise Grid org a Slack workspace is in, and whether an org-wide install serves it.

    Every request from a workspace names its org (``enterprise_id``) and install kind
    (``is_enterprise_install``), and Bolt finds the token with them. A digest has no
    request, and an org-wide install's token is stored for the org, not for any workspace:
    this keeps what the workspace's last request said, so the digest finds the same token,
    and an uninstall of an org-wide install knows which workspaces it served.
    """

    __tablename__ = "slack_teams"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32), index=True)
    is_enterprise_install: Mapped[bool]
    seen_at: Mapped[datetime]


#: Every table Slack keeps its state in.
TABLES = (SLACK_INSTALLATIONS, SLACK_BOTS, SLACK_OAUTH_STATES, table_of(SlackTeam))
