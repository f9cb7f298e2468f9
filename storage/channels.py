"""Workspaces, channels and members: where a request comes from and who sent it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CTE, Connection, bindparam, exists, func, select, update

from storage.driver_sql import Prepared
from storage.models import Channel, Member, Memo, Workspace, table_of
from storage.records import ChannelRecord, MemberRecord
from storage.upsert import insert_or_ignore

_FIND_CHANNEL = (
    select(Channel.id, Channel.workspace_id)
    .join(Workspace, Channel.workspace_id == Workspace.id)
    .where(
        Workspace.platform == bindparam("platform"),
        Workspace.external_id == bindparam("workspace"),
        Channel.external_id == bindparam("channel"),
    )
)
_FIND_WORKSPACE = select(Workspace.id).where(
    Workspace.platform == bindparam("platform"), Workspace.external_id == bindparam("workspace")
)
_FIND_MEMBER = select(Member.id, Member.external_id, Member.display_name).where(
    Member.workspace_id == bindparam("workspace_id"), Member.external_id == bindparam("user")
)
_MEMBERS_NAMED = select(Member.id).where(
    Member.workspace_id == bindparam("workspace_id"),
    func.lower(Member.display_name) == func.lower(bindparam("name")),
)
_WROTE_IN_CHANNEL = exists().where(
    Memo.channel_id == bindparam("channel_id"), Memo.author_id == Member.id
)
_CHANNEL_AUTHOR = select(Member.id).where(
    Member.workspace_id == bindparam("workspace_id"),
    Member.external_id == bindparam("user"),
    _WROTE_IN_CHANNEL,
)
_CHANNEL_AUTHORS_NAMED = select(Member.id).where(
    Member.workspace_id == bindparam("workspace_id"),
    func.lower(Member.display_name) == func.lower(bindparam("name")),
    _WROTE_IN_CHANNEL,
)
_RENAME_MEMBER = (
    update(Member).where(Member.id == bindparam("member_id")).values(display_name=bindparam("name"))
)
#: On every write command of a member this process knows (``member_id``, ``name``).
_NAMING_MEMBER = (
    update(Member)
    .where(Member.id == bindparam("member_id"), Member.display_name != bindparam("name"))
    .values(display_name=bindparam("name"))
)
_NAME_MEMBER = Prepared(_NAMING_MEMBER)
_TAKE_MEMO_NUMBERS = Prepared(  # on every `/memo add`
    update(Channel)
    .where(Channel.id == bindparam("channel_id"))
    .values(last_memo_number=Channel.last_memo_number + bindparam("count"))
    .returning(Channel.last_memo_number)
)
_LANGUAGE = Prepared(  # on every command that answers in words
    select(Channel.language).where(Channel.id == bindparam("channel_id"))
)


def find_workspace(tx: Connection, platform: str, workspace_external_id: str) -> int | None:
    """The workspace's id, if the bot has stored anything for it."""
    return tx.execute(
        _FIND_WORKSPACE, {"platform": platform, "workspace": workspace_external_id}
    ).scalar_one_or_none()


def find_channel(
    tx: Connection, platform: str, workspace_external_id: str, channel_external_id: str
) -> ChannelRecord | None:
    row = tx.execute(
        _FIND_CHANNEL,
        {"platform": platform, "workspace": workspace_external_id, "channel": channel_external_id},
    ).first()
    return ChannelRecord.from_row(row) if row else None


def ensure_channel(
    tx: Connection,
    platform: str,
    workspace_external_id: str,
    channel_external_id: str,
    now: datetime,
) -> ChannelRecord:
    """The channel, creating it and its workspace on first use."""
    channel = find_channel(tx, platform, workspace_external_id, channel_external_id)
    if channel is not None:
        return channel
    insert_or_ignore(
        tx,
        table_of(Workspace),
        {"platform": platform, "external_id": workspace_external_id, "created_at": now},
        ("platform", "external_id"),
    )
    workspace_id = tx.execute(
        _FIND_WORKSPACE, {"platform": platform, "workspace": workspace_external_id}
    ).scalar_one()
    insert_or_ignore(
        tx,
        table_of(Channel),
        {
            "workspace_id": workspace_id,
            "external_id": channel_external_id,
            "last_memo_number": 0,
            "created_at": now,
        },
        ("workspace_id", "external_id"),
    )
    channel = find_channel(tx, platform, workspace_external_id, channel_external_id)
    assert channel is not None
    return channel


def find_member(tx: Connection, workspace_id: int, external_id: str) -> MemberRecord | None:
    row = tx.execute(_FIND_MEMBER, {"workspace_id": workspace_id, "user": external_id}).first()
    return MemberRecord.from_row(row) if row else None


def members_named(tx: Connection, workspace_id: int, name: str) -> list[int]:
    """Ids of the workspace's members whose display name is ``name``, ignoring case."""
    return list(tx.scalars(_MEMBERS_NAMED, {"workspace_id": workspace_id, "name": name}))


def channel_authors(
    tx: Connection, channel: ChannelRecord, *, user: str | None = None, name: str | None = None
) -> list[int]:
    """Ids of the members who wrote memos in ``channel`` with this platform id or this
    display name (ignoring case).

    Only authors of the channel: whether someone wrote in another channel, or is
    in the workspace at all, is none of this channel's business.
    """
    where = {"workspace_id": channel.workspace_id, "channel_id": channel.id}
    if user is not None:
        return list(tx.scalars(_CHANNEL_AUTHOR, {**where, "user": user}))
    return list(tx.scalars(_CHANNEL_AUTHORS_NAMED, {**where, "name": name or ""}))


def ensure_member(
    tx: Connection, workspace_id: int, external_id: str, display_name: str, now: datetime
) -> MemberRecord:
    """The member, created on first use; the display name follows what the platform says now."""
    member = find_member(tx, workspace_id, external_id)
    if member is None:
        insert_or_ignore(
            tx,
            table_of(Member),
            {
                "workspace_id": workspace_id,
                "external_id": external_id,
                "display_name": display_name,
                "created_at": now,
            },
            ("workspace_id", "external_id"),
        )
        member = find_member(tx, workspace_id, external_id)
        assert member is not None
    if member.display_name != display_name:
        tx.execute(_RENAME_MEMBER, {"member_id": member.id, "name": display_name})
        member = MemberRecord(member.id, member.external_id, display_name)
    return member


def naming_member() -> CTE:
    """PostgreSQL: ``name_member`` as a CTE to attach to another statement (parameters
    ``member_id`` and ``name``): the member's name is then set in that round trip."""
    return _NAMING_MEMBER.cte("named")


def name_member(tx: Connection, member_id: int, display_name: str) -> None:
    """Give the member the name the platform says now; writes nothing when it has it already
    (whichever process last renamed them)."""
    _NAME_MEMBER.run(tx, {"member_id": member_id, "name": display_name})


def take_memo_number(tx: Connection, channel_id: int) -> int:
    """The next memo number of a channel; the row lock serialises concurrent adds."""
    return take_memo_numbers(tx, channel_id, 1).start


def take_memo_numbers(tx: Connection, channel_id: int, count: int) -> range:
    """The next ``count`` memo numbers of a channel, taken in one statement (an import)."""
    last = _TAKE_MEMO_NUMBERS.scalar(tx, {"channel_id": channel_id, "count": count})
    assert isinstance(last, int)
    return range(last - count + 1, last + 1)


def language_setting(tx: Connection, channel_id: int) -> str:
    """The channel's `/memo language`: ``ko``, ``en`` or ``auto``.

    Read on each command rather than kept with the channel's cached record: another
    process may have changed it a moment ago.
    """
    setting = _LANGUAGE.scalar(tx, {"channel_id": channel_id})
    assert isinstance(setting, str), f"no channel {channel_id}"
    return setting


def set_language(tx: Connection, channel_id: int, setting: str) -> bool:
    """Sets the channel's language; whether it changed."""
    table = table_of(Channel)
    changed = tx.execute(
        update(table)
        .where(table.c.id == channel_id, table.c.language != setting)
        .values(language=setting)
    )
    return changed.rowcount > 0
