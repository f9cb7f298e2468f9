"""The Markdown of the agenda's replies: an import's outcome and a day's programme."""

from __future__ import annotations

from itertools import groupby

from bot.replies import markdown as md
from bot.replies.render import (
    attendance_of,
    conference_label,
    day_label,
    in_room,
    planned_by,
    plural,
)
from bot.replies.values import AgendaImported, AgendaShown, AgendaTalk, PlanRecorded, PlanShown

#: Warnings listed in a reply; the rest are counted.
_WARNINGS_SHOWN = 10


def agenda_imported(done: AgendaImported) -> str:
    verb = "would fill" if done.dry_run else "filled"
    head = (
        f"{'Dry run: ' if done.dry_run else ''}{md.file_name(done.file_name)}: "
        f"{plural(done.talks, 'talk')} for {conference_label(done.conference)}"
    )
    counts = (
        f"{plural(done.created, 'new session')}, {verb} in {plural(done.filled_in, 'session')} "
        f"already noted or imported, {done.unchanged:,} unchanged."
    )
    lines = [head, counts]
    lines.extend(
        f"- {md.title(session)} is {md.title(programme)} in the programme"
        for session, programme in done.near_titles
    )
    lines.extend(f"- {md.escape(warning)}" for warning in done.warnings[:_WARNINGS_SHOWN])
    if len(done.warnings) > _WARNINGS_SHOWN:
        lines.append(f"- and {plural(len(done.warnings) - _WARNINGS_SHOWN, 'more warning')}")
    if done.dry_run:
        lines.append("Nothing was changed.")
    else:
        lines.append("See the day with `/memo agenda today` or `/memo agenda 2025-09-25`.")
    return "\n".join(lines)


def agenda_shown(shown: AgendaShown) -> str:
    label = conference_label(shown.conference)
    if shown.when == "now":
        head = f"**Running now** · {label}"
        if not shown.talks:
            nothing = "Nothing is running now."
            if not shown.upcoming:
                return f"{head}\n{nothing} No talk of the programme is still to come."
            return "\n".join([head, f"{nothing} Next:", *_slots(shown.upcoming)])
    elif shown.when == "next":
        head = f"**Next** · {label}"
        if not shown.talks:
            return f"{head}\nNo talk of the programme is still to come."
    else:
        head = f"**Programme of {day_label(shown.day)}** · {label}"
        if not shown.talks:
            return (
                f"{head}\nNo talks on {day_label(shown.day)}. Import the programme with "
                "`/memo agenda import` (an .ics, schedule JSON or CSV file)."
            )
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
        head = f"You already plan to attend {title}."
    else:
        head = f"You plan to attend {title}."
    lines = [head]
    if recorded.starts_at is not None and recorded.ends_at is not None:
        lines.append(
            f"{day_label(recorded.starts_at.date())} · "
            f"{recorded.starts_at:%H:%M}–{recorded.ends_at:%H:%M}{in_room(recorded.room)}"
        )
    else:
        lines.append(f"{day_label(recorded.session.day)} · not in the programme")
    if recorded.typed_title is not None:
        lines.append(f"_Matched “{md.escape(recorded.typed_title)}” to this existing session._")
    lines.append("_Untitled notes during that slot go to it; `/memo plan` shows your day._")
    return "\n".join(lines)


def plan_shown(shown: PlanShown) -> str:
    head = f"**Your day** · {day_label(shown.day)} · {conference_label(shown.conference)}"
    if not shown.talks:
        return (
            f"{head}\nNo talks planned or attended today. "
            "`/memo plan [Session title]` plans one; `/memo agenda` shows the programme."
        )
    return "\n".join([head, *_slots(shown.talks)])
