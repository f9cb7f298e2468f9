"""Handler for `/memo conferences`: every conference of the channel and what each holds."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.declaration import Command, CommandDeclaration, InTransaction, Usage
from bot.context import Context
from bot.i18n import N_
from bot.replies import render
from bot.replies.from_records import conference_view
from bot.replies.values import ConferenceEntry, ConferencesListed, Reply, Visibility
from storage import conferences as conference_store


@dataclass(frozen=True, slots=True)
class ListConferences(Command):
    """Every conference of the channel, the current one first."""


def list_conferences(ctx: Context, command: ListConferences) -> Reply:
    """The channel's conferences with their sessions and memos; the unnamed one a channel
    starts with only while it is current or holds sessions."""
    entries: list[ConferenceEntry] = []
    if ctx.channel is not None:
        tallies = conference_store.conference_tallies(ctx.tx, ctx.channel.id)
        records = conference_store.channel_conferences(ctx.tx, ctx.channel.id)
        for position, record in enumerate(records):
            tally = tallies.get(record.id)
            if record.name_key == conference_store.UNNAMED and position and tally is None:
                continue
            entries.append(
                ConferenceEntry(
                    conference_view(record),
                    sessions=tally.sessions if tally else 0,
                    memos=tally.memos if tally else 0,
                    first_day=tally.first_day if tally else None,
                    last_day=tally.last_day if tally else None,
                    current=position == 0,
                )
            )
    data = ConferencesListed(tuple(entries))
    return Reply(render.conferences_listed(data), Visibility.PRIVATE, data)


def _parse(rest: str) -> ListConferences:
    """Anything after the word is ignored: there is nothing to choose."""
    return ListConferences()


CONFERENCES = CommandDeclaration(
    "conferences",
    ListConferences,
    N_("Every conference of this channel: dates, sessions, memos"),
    InTransaction(list_conferences),
    ListConferences,
    parse=_parse,
    usage=Usage(
        "/memo conferences",
        N_(
            "Every conference of this channel: its dates, time zone, sessions and memos, "
            "and which one is current."
        ),
    ),
)
