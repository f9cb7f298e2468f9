"""The Markdown of the agenda's replies: an import's outcome and a day's programme."""

from __future__ import annotations

from itertools import groupby

from bot.i18n import _, counted, day_label, format_number
from bot.replies import markdown as md
from bot.replies.render import (
    attendance_of,
    conference_label,
    in_room,
    matched,
    planned_by,
    session_count,
)
from bot.replies.values import AgendaImported, AgendaShown, AgendaTalk, PlanRecorded, PlanShown

#: Warnings listed in a reply; the rest are counted.
_WARNINGS_SHOWN = 10


def agenda_imported(done: AgendaImported) -> str:
    head = counted(
        done.talks,
        "%(file)s: %(count)s talk for %(conference)s",
        "%(file)s: %(count)s talks for %(conference)s",
        file=md.file_name(done.file_name),
        conference=conference_label(done.conference),
    )
    if done.dry_run:
        head = _("Dry run: ") + head
    values = {
        "created": counted(done.created, "%(count)s new session", "%(count)s new sessions"),
        "filled": session_count(done.filled_in),
        "unchanged": format_number(done.unchanged),
    }
    if done.dry_run:
        counts = _(
            "%(created)s, would fill in %(filled)s already noted or imported, "
            "%(unchanged)s unchanged."
        )
    else:
        counts = _(
            "%(created)s, filled in %(filled)s already noted or imported, %(unchanged)s unchanged."
        )
    counts %= values
    lines = [head, counts]
    lines.extend(
        "- "
        + _("%(session)s is %(programme)s in the programme")
        % {"session": md.title(session), "programme": md.title(programme)}
        for session, programme in done.near_titles
    )
    lines.extend(f"- {md.escape(warning)}" for warning in done.warnings[:_WARNINGS_SHOWN])
    if len(done.warnings) > _WARNINGS_SHOWN:
        more = len(done.warnings) - _WARNINGS_SHOWN
        lines.append(
            "- " + counted(more, "and %(count)s more warning", "and %(count)s more warnings")
        )
    if done.dry_run:
        lines.append(_("Nothing was changed."))
    else:
        lines.append(_("See the day with `/memo agenda today` or `/memo agenda 2025-09-25`."))
    return "\n".join(lines)


def agenda_shown(shown: AgendaShown) -> str:
    label = conference_label(shown.conference)
    if shown.when == "now":
        head = _("**Running now** · %(conference)s") % {"conference": label}
        if not shown.talks:
            nothing = _("Nothing is running now.")
            if not shown.upcoming:
                return f"{head}\n{nothing} " + _("No talk of the programme is still to come.")
            return "\n".join([head, f"{nothing} " + _("Next:"), *_slots(shown.upcoming)])
    elif shown.when == "next":
        head = _("**Next** · %(conference)s") % {"conference": label}
        if not shown.talks:
            return f"{head}\n" + _("No talk of the programme is still to come.")
    else:
        day = day_label(shown.day)
        head = _("**Programme of %(day)s** · %(conference)s") % {"day": day, "conference": label}
        if not shown.talks:
            return f"{head}\n" + _(
                "No talks on %(day)s. Import the programme with "
                "`/memo agenda import` (an .ics, schedule JSON or CSV file)."
            ) % {"day": day}
    return "\n".join([head, *_slots(shown.talks)])


def _slots(talks: tuple[AgendaTalk, ...]) -> list[str]:
    """Talks under a line per slot (start–end), one item per room."""
    lines = []
    for (starts, ends), together in groupby(talks, key=lambda t: (t.starts_at, t.ends_at)):
        lines.append(f"**{starts:%H:%M}–{ends:%H:%M}** · {day_label(starts.date())}")
        lines.extend(_talk(talk) for talk in together)
    return lines


def _talk(talk: AgendaTalk) -> str:
    room = f"{md.escape(talk.room)} · " if talk.room else ""
    speakers = f" · {md.escape(talk.speakers)}" if talk.speakers else ""
    tally = attendance_of(talk.attendees, talk.memo_count)
    return f"- {room}{md.title(talk.title)}{speakers}\n  {tally}{planned_by(talk.planned_by)}"


def plan_recorded(recorded: PlanRecorded) -> str:
    title = md.title(recorded.session.title)
    if recorded.already:
        head = _("You already plan to attend %(title)s.") % {"title": title}
    else:
        head = _("You plan to attend %(title)s.") % {"title": title}
    lines = [head]
    if recorded.starts_at is not None and recorded.ends_at is not None:
        lines.append(
            f"{day_label(recorded.starts_at.date())} · "
            f"{recorded.starts_at:%H:%M}–{recorded.ends_at:%H:%M}{in_room(recorded.room)}"
        )
    else:
        lines.append(f"{day_label(recorded.session.day)} · " + _("not in the programme"))
    if recorded.typed_title is not None:
        lines.append(matched(recorded.typed_title))
    lines.append(_("_Untitled notes during that slot go to it; `/memo plan` shows your day._"))
    return "\n".join(lines)


def plan_shown(shown: PlanShown) -> str:
    head = _("**Your day**") + f" · {day_label(shown.day)} · {conference_label(shown.conference)}"
    if not shown.talks:
        return f"{head}\n" + _(
            "No talks planned or attended today. "
            "`/memo plan [Session title]` plans one; `/memo agenda` shows the programme."
        )
    return "\n".join([head, *_slots(shown.talks)])
