"""`/memo threads [on|off]`: whether the channel's memos go in one thread per session, and
what the platform last refused when the bot delivered there.

Threads are on for every channel until someone turns them off; with off, each memo is
announced as a message of its own in the channel (edits, deletes and undo still follow
it). The setting applies to memos announced from then on: a session's thread already
started stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    InTransaction,
    Option,
    OptionKind,
    Usage,
)
from bot.commands.text import Rejected
from bot.context import Context
from bot.i18n import N_
from bot.replies import render
from bot.replies.values import ProblemCode, Reply, ThreadsShown, Visibility
from storage import threads as thread_store

_SWITCHES = {"on": True, "off": False}
_USAGE = N_(
    "Say `/memo threads on` or `/memo threads off` (or `/memo threads` to see the setting)."
)


@dataclass(frozen=True, slots=True)
class ChannelThreads(Command):
    """Show the channel's setting (``on`` None), or turn threads on or off."""

    on: bool | None = None


def channel_threads(ctx: Context, command: ChannelThreads) -> Reply:
    if ctx.channel is None:  # a channel the bot has stored nothing for yet: the default
        data = ThreadsShown(on=True, changed=False, problem=None, problem_at=None)
        return Reply(render.threads_shown(data), Visibility.PRIVATE, data)
    if command.on is not None:
        thread_store.set_threads(ctx.tx, ctx.writable_channel().id, command.on)
    settings = thread_store.settings(ctx.tx, ctx.channel.id)
    data = ThreadsShown(
        on=settings.threads,
        changed=command.on is not None,
        problem=settings.delivery_problem,
        problem_at=settings.delivery_problem_at,
    )
    return Reply(render.threads_shown(data), Visibility.PRIVATE, data)


def _parse(rest: str) -> ChannelThreads | Rejected:
    word = rest.strip().lower()
    if not word:
        return ChannelThreads()
    if word not in _SWITCHES:
        return Rejected(ProblemCode.BAD_ARGUMENTS, _USAGE, "on")
    return ChannelThreads(on=_SWITCHES[word])


def _from_options(turn: str | None = None) -> ChannelThreads | Rejected:
    return _parse(turn or "")


THREADS = CommandDeclaration(
    "threads",
    ChannelThreads,
    N_("Show or set whether each session's memos go in a thread of their own"),
    InTransaction(channel_threads),
    _from_options,
    options=(
        Option(
            "turn",
            OptionKind.CHOICE,
            N_("on: one thread per session; off: one message per memo (leave out to see it)"),
            choices=(("on", "on"), ("off", "off")),
        ),
    ),
    parse=_parse,
    usage=Usage(
        "/memo threads [on|off]",
        N_(
            "Show or set whether each session's memos go in one thread in this channel "
            "(on by default), and the last problem the bot had posting here."
        ),
    ),
    writes=lambda command: command.on is not None,
)
