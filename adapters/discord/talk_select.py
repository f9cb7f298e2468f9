"""The select under the question "which running talk is this note for?", and reading a pick.

The select's ``custom_id`` names the waiting note; each option's value is a talk's
session id. Picks are read from every component interaction the client receives
(``MemoClient.on_interaction``), not from a view kept in memory, so a pick still
works after a restart or in another process; the core checks everything the pick
claims (the note is this person's, in this channel, still open, the talk offered).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import discord

from bot.i18n import _
from bot.memos import PickTalk
from bot.replies.values import TalkPickNeeded

_CUSTOM_ID = re.compile(r"memo:pick_talk:([0-9]{1,18})")
_VALUE = re.compile(r"[0-9]{1,18}")
#: Discord's limits: characters in an option's label and description, options in a select.
LABEL_LIMIT = 100
MAX_OPTIONS = 25


def talk_select(question: TalkPickNeeded) -> discord.ui.View:
    """A view holding the select, stopped: discord.py then sends it without keeping it."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Select(
            custom_id=f"memo:pick_talk:{question.pending}",
            placeholder=_("Which talk is this note for?"),
            options=[
                discord.SelectOption(
                    label=f"{number}. {choice.title}"[:LABEL_LIMIT],
                    value=str(choice.session_id),
                    description=_where(choice.room, choice.starts_at, choice.ends_at),
                )
                for number, choice in enumerate(question.choices[:MAX_OPTIONS], start=1)
            ],
        )
    )
    view.stop()
    return view


def picked(interaction: discord.Interaction) -> PickTalk | None:
    """The pick a component interaction stands for; None when it is not one of ours."""
    data: Mapping[str, object] = interaction.data or {}
    match = _CUSTOM_ID.fullmatch(str(data.get("custom_id", "")))
    values = data.get("values")
    if match is None or not isinstance(values, list) or len(values) != 1:
        return None
    value = str(values[0])
    if not _VALUE.fullmatch(value):
        return None
    return PickTalk(int(match.group(1)), int(value))


def _where(room: str | None, starts_at: object, ends_at: object) -> str:
    when = f"{starts_at:%H:%M}–{ends_at:%H:%M}"
    return (f"{room} · {when}" if room else when)[:LABEL_LIMIT]
