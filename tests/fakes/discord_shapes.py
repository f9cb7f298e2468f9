"""Payload shapes the fake Discord sends, as Discord's developer documentation gives them.

Kept apart from the server (tests/fakes/discord.py) so each shape can be read against
its page: users and guild members (resources/user, resources/guild), channels by type
(resources/channel), an interaction's place (interactions/receiving-and-responding:
``context``, ``member`` or ``user``, ``app_permissions``, ``authorizing_integration_owners``)
and a modal's submission (components/reference: every component carries an ``id``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

JsonDict = dict[str, Any]


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


#: A field left out of a payload altogether (``set_user(user_id, global_name=ABSENT)``),
#: as opposed to sent as null.
ABSENT: Final = _Absent()

# Channel types (resources/channel, "Channel Types").
GUILD_TEXT, DM, GUILD_VOICE, GROUP_DM = 0, 1, 2, 3
GUILD_ANNOUNCEMENT, ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD = 5, 10, 11, 12
THREAD_TYPES = frozenset({ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})

# Interaction context types (interactions/receiving-and-responding).
GUILD_CONTEXT, BOT_DM_CONTEXT, PRIVATE_CHANNEL_CONTEXT = 0, 1, 2

# Permission bits (topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
#: What a freshly invited bot may do in a text channel: view, send, embed, attach, read history.
APP_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
#: ``app_permissions`` in (group) DMs with other users, and in a DM with the bot itself.
PRIVATE_CHANNEL_APP_PERMISSIONS = ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE
BOT_DM_APP_PERMISSIONS = PRIVATE_CHANNEL_APP_PERMISSIONS | USE_EXTERNAL_EMOJIS

# Component types (components/reference).
ACTION_ROW, TEXT_INPUT, LABEL = 1, 4, 18


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Person:
    """Who a user is on Discord. ``global_name`` may be None (not set) or ABSENT (left out)."""

    id: int
    username: str
    global_name: str | _Absent | None


@dataclass
class Membership:
    """A person in a guild: a nickname (None: none set) and role ids (known or not)."""

    nick: str | None = None
    roles: tuple[int, ...] = ()


@dataclass
class Channel:
    """A channel the fake knows. ``guild_id`` None for DMs and group DMs."""

    id: int
    type: int
    guild_id: int | None
    name: str | None = None
    position: int = 0
    parent_id: int | None = None
    owner_id: int | None = None
    #: DMs and group DMs: who is in it (for a DM with the bot, the person only).
    recipients: tuple[int, ...] = ()
    #: What the bot may not do here (permission bits its member is denied).
    denied: int = 0
    extra: JsonDict = field(default_factory=dict)

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES


def user_payload(person: Person) -> JsonDict:
    payload: JsonDict = {
        "id": str(person.id),
        "username": person.username,
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
    }
    if not isinstance(person.global_name, _Absent):
        payload["global_name"] = person.global_name
    return payload


def member_payload(user: JsonDict, membership: Membership, permissions: int) -> JsonDict:
    """A guild member as an interaction carries it: with ``user`` and ``permissions``."""
    return {
        "user": user,
        "nick": membership.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(role) for role in membership.roles],
        "joined_at": now_iso(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
        "permissions": str(permissions),
    }


def channel_payload(
    channel: Channel, bot_user_id: int, recipients: Sequence[JsonDict] = ()
) -> JsonDict:
    """The channel object of its type, as in the documentation's examples."""
    if channel.type == DM:
        return {
            "id": str(channel.id),
            "type": DM,
            "last_message_id": None,
            "flags": 0,
            "recipients": list(recipients),
        }
    if channel.type == GROUP_DM:
        return {
            "id": str(channel.id),
            "type": GROUP_DM,
            "name": channel.name,
            "icon": None,
            "owner_id": str(channel.owner_id),
            "last_message_id": None,
            "flags": 0,
            "recipients": list(recipients),
        }
    payload: JsonDict = {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name or f"channel-{channel.position}",
        "parent_id": str(channel.parent_id) if channel.parent_id else None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }
    if channel.is_thread:
        payload.update(
            owner_id=str(channel.owner_id),
            message_count=1,
            member_count=2,
            total_message_sent=1,
            thread_metadata={
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": now_iso(),
                "locked": False,
                "create_timestamp": now_iso(),
            },
        )
    else:
        overwrites = []
        if channel.denied:
            overwrites.append(
                {"id": str(bot_user_id), "type": 1, "allow": "0", "deny": str(channel.denied)}
            )
        payload.update(
            position=channel.position, permission_overwrites=overwrites, nsfw=False, topic=None
        )
    if channel.type == GUILD_VOICE:
        payload.update(bitrate=64000, user_limit=0, rtc_region=None, video_quality_mode=1)
    payload.update(channel.extra)
    return payload


def context_type(channel: Channel | None) -> int:
    """Where an interaction comes from: a server, a DM with the bot, or another (group) DM."""
    if channel is None or channel.guild_id is not None:
        return GUILD_CONTEXT
    return BOT_DM_CONTEXT if channel.type == DM else PRIVATE_CHANNEL_CONTEXT


def modal_submission(modal: Mapping[str, Any], values: Mapping[str, str]) -> list[JsonDict]:
    """What Discord sends back when someone submits ``modal`` (the ``data`` of a type 9
    callback): its layout (action rows or labels), each component with an ``id`` (the
    one the bot set, else the next number not used in the modal, in order) and each
    text input's ``custom_id`` and ``value`` (the typed one, else what it was pre-filled
    with, else "")."""
    components: list[JsonDict] = modal["components"]
    used = {component["id"] for component in _walk(components) if component.get("id")}
    free = (number for number in itertools.count(1) if number not in used)

    def answer(component: Mapping[str, Any]) -> JsonDict:
        given = component.get("id") or next(free)
        kind = component["type"]
        if kind == ACTION_ROW:
            return {
                "type": kind,
                "id": given,
                "components": [answer(c) for c in component["components"]],
            }
        if kind == LABEL:
            return {"type": kind, "id": given, "component": answer(component["component"])}
        custom_id = component["custom_id"]
        value = values.get(custom_id, component.get("value") or "")
        return {"type": kind, "id": given, "custom_id": custom_id, "value": value}

    return [answer(component) for component in components]


def _walk(components: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for component in components:
        yield component
        yield from _walk(component.get("components", []))
        if "component" in component:
            yield from _walk([component["component"]])
