"""Workspaces, channels and members: where a request comes from and who sent it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Channel, Member, Workspace
from storage.upsert import insert_or_ignore


def find_channel(
    session: Session, platform: str, workspace_external_id: str, channel_external_id: str
) -> Channel | None:
    return session.scalar(
        select(Channel)
        .join(Workspace, Channel.workspace_id == Workspace.id)
        .where(
            Workspace.platform == platform,
            Workspace.external_id == workspace_external_id,
            Channel.external_id == channel_external_id,
        )
    )


def ensure_channel(
    session: Session,
    platform: str,
    workspace_external_id: str,
    channel_external_id: str,
    now: datetime,
) -> Channel:
    """The channel, creating it and its workspace on first use."""
    channel = find_channel(session, platform, workspace_external_id, channel_external_id)
    if channel is not None:
        return channel
    insert_or_ignore(
        session,
        Workspace,
        {"platform": platform, "external_id": workspace_external_id, "created_at": now},
        ("platform", "external_id"),
    )
    workspace_id = session.scalar(
        select(Workspace.id).where(
            Workspace.platform == platform, Workspace.external_id == workspace_external_id
        )
    )
    insert_or_ignore(
        session,
        Channel,
        {
            "workspace_id": workspace_id,
            "external_id": channel_external_id,
            "last_memo_number": 0,
            "created_at": now,
        },
        ("workspace_id", "external_id"),
    )
    channel = find_channel(session, platform, workspace_external_id, channel_external_id)
    assert channel is not None
    return channel


def find_member(session: Session, workspace_id: int, external_id: str) -> Member | None:
    return session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.external_id == external_id)
    )


def ensure_member(
    session: Session, workspace_id: int, external_id: str, display_name: str, now: datetime
) -> Member:
    """The member, created on first use; the display name follows what the platform says now."""
    member = find_member(session, workspace_id, external_id)
    if member is None:
        insert_or_ignore(
            session,
            Member,
            {
                "workspace_id": workspace_id,
                "external_id": external_id,
                "display_name": display_name,
                "created_at": now,
            },
            ("workspace_id", "external_id"),
        )
        member = find_member(session, workspace_id, external_id)
        assert member is not None
    if member.display_name != display_name:
        member.display_name = display_name
    return member


def take_memo_number(session: Session, channel_id: int) -> int:
    """The next memo number of a channel; the row lock serialises concurrent adds."""
    number = session.scalar(
        update(Channel)
        .where(Channel.id == channel_id)
        .values(last_memo_number=Channel.last_memo_number + 1)
        .returning(Channel.last_memo_number)
    )
    assert isinstance(number, int)
    return number
