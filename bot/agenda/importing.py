"""`/memo agenda import`, `memo-bot agenda import`: a programme becomes the conference's sessions.

The file is read and checked before any transaction; then, in one transaction,
each talk fills in the session it matches (``bot.agenda.matching``) or becomes a
new one, and the conference takes the programme's time zone and dates and
becomes the channel's current one (a team imports the programme of the
conference it is going to). A dry run says the same without writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from zoneinfo import ZoneInfo

from bot.agenda import render
from bot.agenda.entries import Programme
from bot.agenda.matching import Changes, match
from bot.agenda.reading import read_programme
from bot.commands.declaration import Command, Core
from bot.conferences import MAX_CONFERENCE_NAME_LENGTH, canonical_time_zone
from bot.context import Context
from bot.i18n import _
from bot.invocation import Invocation
from bot.notefiles.decode import Unreadable
from bot.replies.values import (
    AgendaImported,
    ConferenceView,
    ProblemCode,
    Reply,
    Visibility,
    refuse,
)
from bot.titles import display_title, title_key
from storage import conferences as conference_store
from storage import programme as programme_store
from storage.records import ConferenceRecord


@dataclass(frozen=True, slots=True)
class ImportAgenda(Command):
    """Import a conference programme (iCalendar, CSV or schedule JSON) into the channel."""

    file_name: str = ""
    content: bytes | None = None
    #: The conference it is the programme of; None: the name the file gives, else the current.
    conference: str | None = None
    dry_run: bool = False


def run_import(core: Core, invocation: Invocation, command: ImportAgenda) -> Reply:
    """Read the file, then store it in one transaction of its own (or only plan it)."""
    if command.content is None:
        return refuse(
            ProblemCode.NO_FILE,
            _(
                "Attach the programme to import (.ics, schedule JSON or CSV): on "
                "Discord `/memo agenda import file:`, on Slack `/memo agenda import` opens "
                "a form to upload it, or run `memo-bot agenda import FILE`."
            ),
            "file",
        )
    name = command.file_name or _("the file")
    # Read once in UTC to refuse a bad file before any transaction; a file with times in
    # no zone (CSV) is read again in the programme's or the conference's zone inside it.
    first = read_programme(name, command.content, UTC, core.import_max_bytes)
    if isinstance(first, Unreadable):
        refused = first.message + " " + _("Nothing was changed.")
        return refuse(ProblemCode.UNREADABLE_FILE, refused, "file")
    if command.dry_run:
        return core.read(invocation, lambda ctx: _apply(ctx, command, first, write=False))
    return core.write_alone(
        invocation, command, lambda ctx: _apply(ctx, command, first, write=True)
    )


def _apply(ctx: Context, command: ImportAgenda, first: Programme, *, write: bool) -> Reply:
    warnings: list[str] = list(first.warnings)
    zone_name = _programme_zone(first, warnings)
    conference = _conference(ctx, _name(command, first), zone_name, write=write)
    zone = ZoneInfo(zone_name or (conference.time_zone if conference else ctx.default_time_zone))
    programme = first
    if first.floating and zone.key != "UTC":
        again = read_programme(command.file_name, command.content or b"", zone)
        assert not isinstance(again, Unreadable)  # the same bytes read fine in UTC
        programme = again
    existing = programme_store.conference_sessions(ctx.tx, conference.id) if conference else []
    changes = match(programme.entries, existing, zone)
    warnings.extend(changes.warnings)
    days = sorted({entry.start.astimezone(zone).date() for entry in programme.entries})
    if write and conference is not None:
        _store(ctx, conference, changes)
        conference = conference_store.activate(
            ctx.tx, conference.id, ctx.now, time_zone=zone.key, starts_on=days[0], ends_on=days[-1]
        )
        ctx.set_conference(conference)
    view = ConferenceView(
        conference.name if conference else _name(command, first) or "",
        zone.key,
        days[0],
        days[-1],
    )
    data = AgendaImported(
        file_name=command.file_name,
        dry_run=not write,
        conference=view,
        talks=len(programme.entries),
        created=len(changes.new),
        filled_in=changes.filled_in,
        unchanged=changes.unchanged,
        near_titles=tuple((n.session_title, n.programme_title) for n in changes.near),
        warnings=tuple(warnings),
    )
    return Reply(render.agenda_imported(data), Visibility.PRIVATE, data)


def _store(ctx: Context, conference: ConferenceRecord, changes: Changes) -> None:
    programme_store.set_slots(ctx.tx, changes.updated)
    for key in changes.moved_keys:
        ctx.learn(ctx.known.sessions.forget, (conference.id, key))
    programme_store.add_sessions(
        ctx.tx,
        channel_id=ctx.writable_channel().id,
        conference_id=conference.id,
        sessions=changes.new,
        now=ctx.now,
    )


def _programme_zone(programme: Programme, warnings: list[str]) -> str | None:
    """The IANA zone the file names, if it is one we know."""
    if programme.time_zone is None:
        return None
    known = canonical_time_zone(programme.time_zone)
    if known is None:
        warnings.append(
            _("the file's time zone “%(zone)s” is not an IANA name; kept the conference's")
            % {"zone": programme.time_zone[:40]}
        )
    return known


def _name(command: ImportAgenda, programme: Programme) -> str | None:
    typed = command.conference or programme.name
    return display_title(typed)[:MAX_CONFERENCE_NAME_LENGTH] if typed else None


def _conference(
    ctx: Context, name: str | None, zone: str | None, *, write: bool
) -> ConferenceRecord | None:
    """The conference the programme is for: named (found, or made), else the current one.

    The channel's unnamed conference takes the name, like `/memo conference` does, so
    sessions noted before anyone named it are matched. A dry run creates nothing.
    """
    current = ctx.conference()
    if name is None:
        return ctx.working_conference() if write else current
    key = title_key(name)
    channel = ctx.channel if not write else ctx.writable_channel()
    existing = conference_store.find_conference(ctx.tx, channel.id, key) if channel else None
    if existing is not None or not write:
        if (
            existing is None
            and current is not None
            and current.name_key == conference_store.UNNAMED
        ):
            return current
        return existing
    if current is not None and current.name_key == conference_store.UNNAMED:
        return conference_store.activate(ctx.tx, current.id, ctx.now, name=name, name_key=key)
    inherited = current.time_zone if current is not None else ctx.default_time_zone
    return conference_store.ensure_conference(
        ctx.tx, ctx.writable_channel().id, name, key, zone or inherited, ctx.now
    )
