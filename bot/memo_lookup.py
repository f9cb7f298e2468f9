"""Handler for `/memo show #4 #5`: memos by the ids the bot prints (a digest lists them)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.context import Context
from bot.grammar import ShowMemos
from bot.replies import render
from bot.replies.from_records import memo_view
from bot.replies.values import MemosShown, Reply, Visibility
from storage import memos as memo_store


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
