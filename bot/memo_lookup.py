"""Handler for `/memo show #4 #5`: memos by the ids the bot prints (a digest lists them)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.commands.declaration import Command, CommandDeclaration, InTransaction
from bot.context import Context
from bot.i18n import N_
from bot.replies import render
from bot.replies.from_records import memo_view
from bot.replies.values import MemosShown, Reply, Visibility
from storage import memos as memo_store


@dataclass(frozen=True, slots=True)
class ShowMemos(Command):
    """Memos of the channel by the ids the bot prints (``/memo show #4 #5``)."""

    numbers: tuple[int, ...]


def show_memos(ctx: Context, command: ShowMemos) -> Reply:
    """This channel's memos with those ids, in the order asked; ids are per channel, so
    another channel's memo is never found here, and a deleted one is named, not shown."""
    found = (
        {
            item.memo.number: item
            for item in memo_store.by_numbers(ctx.tx, ctx.channel.id, command.numbers)
        }
        if ctx.channel is not None
        else {}
    )
    asked = [found[number] for number in command.numbers if number in found]
    data = MemosShown(
        memos=tuple(
            memo_view(item.memo, item.session_title, ZoneInfo(item.time_zone))
            for item in asked
            if item.memo.deleted_at is None
        ),
        deleted=tuple(item.memo.number for item in asked if item.memo.deleted_at is not None),
        missing=tuple(number for number in command.numbers if number not in found),
    )
    return Reply(render.memos_shown(data), Visibility.PRIVATE, data)


#: `/memo show` with memo ids instead of a title: the show declaration's variant.
SHOW_MEMOS = CommandDeclaration(
    "show", ShowMemos, N_("Memos by their ids"), InTransaction(show_memos), ShowMemos
)
