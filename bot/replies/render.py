"""The Markdown of every reply, written once for all adapters.

User text (titles, memo text, names) always goes through ``bot.replies.markdown``
so it renders as typed; everything else here is our own markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import groupby
from operator import attrgetter

from bot.commands.text import MAX_SHOWN_MEMOS
from bot.i18n import N_, _, counted, day_label, format_number
from bot.outbound import INVITE_FIX, PERMISSION_FIX
from bot.replies import markdown as md
from bot.replies.values import (
    AgendaTalk,
    AttendanceRecorded,
    CommandHelp,
    ConferenceSet,
    ConferencesListed,
    ConferenceView,
    DigestSettingShown,
    DigestShown,
    ExportReady,
    HelpShown,
    HomeShown,
    ImportDone,
    MemoAnnounced,
    MemoChanged,
    MemoSaved,
    MemosShown,
    MemoView,
    SearchHit,
    SearchResults,
    SessionListing,
    SessionMemos,
    SessionSummary,
    SessionThreadStarted,
    SessionView,
    TalkPickNeeded,
    ThreadsShown,
)

__all__ = ["day_label"]  # said here for the modules that render with these helpers


def memo_count(count: int) -> str:
    return counted(count, "%(count)s memo", "%(count)s memos")


def session_count(count: int) -> str:
    return counted(count, "%(count)s session", "%(count)s sessions")


def conference_label(conference: ConferenceView) -> str:
    parts = [md.bold(conference.name)] if conference.name else []
    parts.append(md.escape(conference.time_zone))
    if conference.starts_on and conference.ends_on:
        parts.append(days_label(conference.starts_on, conference.ends_on))
    return " · ".join(parts)


def days_label(first: date, last: date) -> str:
    """``Thu 2025-09-25 to Fri 2025-09-26``, or the one day."""
    if first == last:
        return day_label(first)
    return _("%(first)s to %(last)s") % {"first": day_label(first), "last": day_label(last)}


def conference_name(name: str) -> str:
    """A conference's name in bold, or what stands for the one a channel never named."""
    return md.bold(name) if name else _("_the unnamed conference_")


def in_other_conference(conference: str) -> str:
    """The line a reply about a session of a conference other than the current one ends with."""
    return _("_From %(conference)s, not this channel's current conference._") % {
        "conference": conference_name(conference)
    }


def same_title_elsewhere(conferences: tuple[str, ...]) -> str:
    """The line a new session's reply has when other conferences have that title too."""
    names = ", ".join(conference_name(name) for name in conferences)
    return counted(
        len(conferences),
        "_A new session of this conference; %(names)s has one of this title too. "
        "To write there, make it current with `/memo conference` and its name._",
        "_A new session of this conference; %(names)s have one of this title too. "
        "To write there, make it current with `/memo conference` and its name._",
        names=names,
    )


def session_line(session: SessionView) -> str:
    """One list item: full title, day, memo count, who went."""
    parts = [md.title(session.title), day_label(session.day), memo_count(session.memo_count)]
    if session.attendees:
        names = ", ".join(md.escape(name) for name in session.attendees)
        parts.append(_("attended by %(names)s") % {"names": names})
    return "- " + " · ".join(parts)


def memo_item(memo: MemoView) -> str:
    """A memo as a list item: id, author, local time, then its text."""
    stamp = f"{memo.local_created_at:%H:%M}" + (_(" (edited)") if memo.edited else "")
    text = md.indent_continuation(md.note(memo.text))
    return f"- **#{memo.number}** {md.escape(memo.author_name)}, {stamp}: {text}"


def _noted(author_name: str, session_title: str, number: int) -> str:
    return _("%(author)s noted in %(session)s · #%(number)s") % {
        "author": md.bold(author_name),
        "session": md.title(session_title),
        "number": number,
    }


def memo_announced(memo: MemoAnnounced) -> str:
    """The channel's message about a new memo: who, where, and the note as a quote."""
    head = _noted(memo.author_name, memo.session_title, memo.number)
    if memo.edited:
        head += _(" (edited)")
    return f"{head}\n{md.quote(md.note(memo.text))}"


#: Longest thread name Discord takes (Slack threads have no name).
THREAD_NAME_LENGTH = 100


def thread_name(session_title: str) -> str:
    """A session's thread's name: its title, cut to what platforms take."""
    if len(session_title) <= THREAD_NAME_LENGTH:
        return session_title
    return session_title[: THREAD_NAME_LENGTH - 1] + "…"


def session_thread_started(started: SessionThreadStarted) -> str:
    """The session's parent message: its title and day, then its first memo; the session's
    later memos are posted in the thread under it."""
    head = f"{md.title(started.session_title)} · {day_label(started.day)}"
    return f"{head}\n{memo_announced(started.first)}"


def threads_shown(shown: ThreadsShown) -> str:
    state = {
        (True, False): _("Threads are on. Each session's memos go in one thread in this channel."),
        (True, True): _(
            "Threads are on now. Each session's memos go in one thread in this channel."
        ),
        (False, False): _(
            "Threads are off. Each memo is announced as a message of its own in this channel."
        ),
        (False, True): _(
            "Threads are off now. Each memo is announced as a message of its own in this channel."
        ),
    }[(shown.on, shown.changed)]
    lines = [state]
    if shown.problem is not None and shown.problem_at is not None:
        when = f"{shown.problem_at:%Y-%m-%d %H:%M} UTC"
        lines.append(
            _("Last delivery problem (%(when)s): %(problem)s")
            % {"when": when, "problem": md.escape(shown.problem)}
        )
    return "\n".join(lines)


def memo_saved(saved: MemoSaved) -> str:
    memo = saved.memo
    lines = [_noted(memo.author_name, saved.session.title, memo.number)]
    if not saved.session.in_current_conference:  # the session picked or last active in
        lines.append(in_other_conference(saved.session.conference))
    if saved.same_title_elsewhere:
        lines.append(same_title_elsewhere(saved.same_title_elsewhere))
    if saved.typed_title is not None:
        lines.append(matched(saved.typed_title))
    elif saved.running_talk is not None:
        lines.append(_(_RUNNING_TALK[saved.running_talk]))
    elif saved.from_recent_session:
        lines.append(_("_Added to the session you were last active in._"))
    if saved.thread_link is not None:
        lines.append(md.link(_("Open the session's thread"), saved.thread_link))
    # The quote goes last: a line right after it would be read as part of the quote.
    lines.append(md.quote(md.note(memo.text)))
    if saved.channel_refused:  # after a blank line, which ends the quote
        lines += ["", channel_refused(saved.channel_fix)]
    return "\n".join(lines)


def channel_refused(fix: str | None) -> str:
    """One line to the person whose memo is stored while the channel did not get the last
    announcement as it should: what fixes it, and where the details are."""
    if fix == INVITE_FIX:
        return _(
            "_Stored, but this channel did not get the last announcement: `/invite` the bot "
            "here. Details: `/memo threads`._"
        )
    if fix is not None and fix.startswith(PERMISSION_FIX):
        return _(
            "_Stored, but this channel did not get the last announcement as it should: give "
            "the bot the permission %(permission)s here. Details: `/memo threads`._"
        ) % {"permission": md.escape(fix.removeprefix(PERMISSION_FIX))}
    return _(
        "_Stored, but this channel did not get the last announcement. Details: `/memo threads`._"
    )


_RUNNING_TALK = {
    "yours": N_("_Added to your talk running now (you planned or attended it)._"),
    "running": N_("_Added to the talk running now._"),
    "picked": N_("_Added to the talk you picked._"),
}


def talk_pick_needed(needed: TalkPickNeeded) -> str:
    """The question, numbered: the console answers with a number, the others click."""
    running = len(needed.choices) + needed.more
    lines = [
        counted(
            running,
            "%(count)s talk is running now. Which one is this note for?",
            "%(count)s talks are running now. Which one is this note for?",
        )
    ]
    for number, choice in enumerate(needed.choices, start=1):
        lines.append(
            f"{number}. {md.title(choice.title)}{in_room(choice.room)} · "
            f"{choice.starts_at:%H:%M}–{choice.ends_at:%H:%M}"
        )
    if needed.more:
        lines.append(
            counted(
                needed.more,
                "_%(count)s more talk running too: for one of those, write "
                "`/memo add [Session title] note`._",
                "_%(count)s more talks running too: for one of those, write "
                "`/memo add [Session title] note`._",
            )
        )
    lines.append(_("_Nothing is saved until you pick one._"))
    return "\n".join(lines)


def matched(typed_title: str) -> str:
    return _("_Matched “%(typed)s” to this existing session._") % {"typed": md.escape(typed_title)}


def attendance_recorded(recorded: AttendanceRecorded) -> str:
    session = recorded.session
    if recorded.already:
        head = _("You were already down as attending %(session)s.")
    else:
        head = _("You are down as attending %(session)s.")
    head %= {"session": md.title(session.title)}
    lines = [head, session_line(session)]
    if not session.in_current_conference:  # picked from a list
        lines.append(in_other_conference(session.conference))
    if recorded.same_title_elsewhere:
        lines.append(same_title_elsewhere(recorded.same_title_elsewhere))
    if recorded.typed_title is not None:
        lines.append(matched(recorded.typed_title))
    return "\n".join(lines)


def session_listing(listing: SessionListing) -> str:
    """The sessions of a day or of a conference; with ``sessions all``, the channel's other
    conferences follow, each under its own head line."""
    label = conference_label(listing.conference)
    if not listing.is_current:
        label += _(" · not the current conference")
    if listing.day is None:
        head = _("**All sessions** · %(conference)s") % {"conference": label}
        empty = _("No sessions yet.")
    else:
        day = day_label(listing.day)
        head = _("**Sessions on %(day)s** · %(conference)s") % {"day": day, "conference": label}
        empty = _("No sessions on %(day)s.") % {"day": day}
    lines = [head, *(session_line(session) for session in listing.sessions)]
    if not listing.sessions:
        lines = [head, f"{empty} " + _("Start one with `/memo add [Session title] note`.")]
    blocks = ["\n".join(lines)]
    for other in listing.other_conferences:
        head = _("**Also in this channel** · %(conference)s") % {
            "conference": conference_label(other.conference)
        }
        blocks.append("\n".join([head, *(session_line(session) for session in other.sessions)]))
        if not other.sessions:
            blocks[-1] += "\n" + _("No sessions.")
    # A blank line ends each list: a line right after an item would continue the item.
    return "\n\n".join(blocks)


def conferences_listed(listed: ConferencesListed) -> str:
    """One item per conference of the channel: name, time zone, dates, what it holds."""
    if not listed.conferences:
        return _(
            "This channel follows no conference yet. Name one with "
            "`/memo conference DEVRIVER 2025 Asia/Seoul`."
        )
    count = counted(len(listed.conferences), "%(count)s conference", "%(count)s conferences")
    lines = [_("**Conferences of this channel** · %(count)s") % {"count": count}]
    for entry in listed.conferences:
        conference = entry.conference
        parts = [conference_name(conference.name), md.escape(conference.time_zone)]
        if conference.starts_on and conference.ends_on:
            parts.append(days_label(conference.starts_on, conference.ends_on))
        elif entry.first_day and entry.last_day:
            days = days_label(entry.first_day, entry.last_day)
            parts.append(_("sessions %(days)s") % {"days": days})
        parts += [session_count(entry.sessions), memo_count(entry.memos)]
        if entry.current:
            parts.append(_("**current**"))
        lines.append("- " + " · ".join(parts))
    footer = _(
        '`/memo sessions all` lists every session; `/memo sessions conference "Name"` one '
        "conference's; `/memo conference` and a name makes it current."
    )
    return "\n".join(lines) + "\n\n" + footer


def attendance_line(session: SessionView) -> str:
    """ "Attended by alice, bob · 12 memos": who went and how much they wrote."""
    return attendance_of(session.attendees, session.memo_count)


def attendance_of(attendees: tuple[str, ...], memos: int) -> str:
    attended = (
        _("Attended by %(names)s") % {"names": ", ".join(md.escape(name) for name in attendees)}
        if attendees
        else _("No attendees yet")
    )
    return f"{attended} · {memo_count(memos)}"


def in_room(room: str | None) -> str:
    """`` · Room`` (nothing when the programme gives no room)."""
    return f" · {md.escape(room)}" if room else ""


def planned_by(names: tuple[str, ...]) -> str:
    """`` · planned by A, B`` (nothing when nobody planned the talk)."""
    if not names:
        return ""
    return " · " + _("planned by %(names)s") % {"names": ", ".join(md.escape(n) for n in names)}


def session_memos(shown: SessionMemos) -> str:
    session = shown.session
    head = f"**{md.title(session.title)}** · {day_label(session.day)}"
    lines = [head, attendance_line(session)]
    if not session.in_current_conference:
        lines.append(in_other_conference(session.conference))
    if not shown.memos:
        lines.append(_("No memos yet. Add one with `/memo add [Session title] note`."))
    lines.extend(memo_item(memo) for memo in shown.memos)
    return "\n".join(lines)


def memos_shown(shown: MemosShown) -> str:
    """The memos under their session and day, then a line for each id with none to show."""
    lines = []
    heading = None
    for memo in shown.memos:
        day = memo.local_created_at.date()
        if (memo.session_title, day) != heading:
            heading = (memo.session_title, day)
            lines.append(f"**{md.title(memo.session_title)}** · {day_label(day)}")
        lines.append(memo_item(memo))
    lines.extend(_("_#%(number)s is deleted._") % {"number": number} for number in shown.deleted)
    lines.extend(
        _("_There is no memo #%(number)s in this channel._") % {"number": number}
        for number in shown.missing
    )
    return "\n".join(lines)


def session_summary(summary: SessionSummary) -> str:
    """The title, at most five key points with who noted each, then who went and how many memos.

    Nothing else of the memos: the points are the summary.
    """
    lines = [f"**{md.title(summary.session.title)}**"]
    if not summary.session.in_current_conference:
        lines.append(in_other_conference(summary.session.conference))
    if not summary.points:
        lines.append(
            _("No memos yet. Add one with `/memo add [Session title] note`.")
            if not summary.session.memo_count
            else _("Its memos have no text to summarize yet.")
        )
    for point in summary.points:
        credit = ", ".join(md.escape(name) for name in point.authors)
        lines.append(f"- {md.escape(point.text)} · {credit}")
    lines.append(attendance_line(summary.session))
    return "\n".join(lines)


def memo_changed(changed: MemoChanged) -> str:
    memo = changed.memo
    head = {
        "edited": _("Edited #%(number)s in %(session)s:"),
        "deleted": _("Deleted #%(number)s from %(session)s. `/memo undo` brings it back."),
        "restored": _("Restored #%(number)s in %(session)s:"),
    }[changed.action] % {"number": memo.number, "session": md.title(memo.session_title)}
    if changed.action == "deleted":
        return head
    return "\n".join([head, md.quote(md.note(memo.text))])


def conference_set(result: ConferenceSet) -> str:
    conference = result.conference
    if result.created is None:
        if not conference.name:
            return _(
                "This channel has no conference set; times are shown in "
                "%(time_zone)s. Set one with "
                "`/memo conference DEVRIVER 2025 Asia/Seoul`."
            ) % {"time_zone": md.escape(conference.time_zone)}
        return _("This channel's conference: %(conference)s") % {
            "conference": conference_label(conference)
        }
    if result.created:
        head = _("This channel's conference is now %(conference)s.")
    else:
        head = _("This channel's conference is again %(conference)s.")
    lines = [head % {"conference": conference_label(conference)}]
    if result.adopted_sessions:
        lines.append(
            counted(
                result.adopted_sessions,
                "%(count)s session noted before it had a name is now part of it.",
                "%(count)s sessions noted before it had a name are now part of it.",
            )
        )
    return "\n".join(lines)


def help_shown(shown: HelpShown) -> str:
    lines = []
    if shown.unknown is not None:
        unknown = shown.unknown.replace("`", "")
        lines.append(
            _("There is no `/memo %(word)s` command. Here is what there is:") % {"word": unknown}
        )
    else:
        lines.append(_("**memo-bot** keeps this channel's conference session notes in one place."))
    lines.extend(help_line(command) for command in shown.commands)
    return "\n".join(lines)


def help_line(command: CommandHelp) -> str:
    """``- `/memo add ...` (`추가`): Save a note.``: the other words alone, so they read as
    words for the command rather than commands to type as they are."""
    aliases = ", ".join(f"`{alias}`" for alias in command.aliases)
    return f"- `{command.usage}`" + (f" ({aliases})" if aliases else "") + f": {_(command.summary)}"


def excerpt(text: str, limit: int = 120) -> str:
    """The first line of a memo, cut to ``limit`` characters, for lists of many memos."""
    first_line = text.strip().split("\n", 1)[0]
    return first_line if len(first_line) <= limit else first_line[: limit - 1] + "…"


def home_shown(shown: HomeShown) -> str:
    lines = [_("**Your recent memos**")]
    if not shown.memos:
        lines.append(_("None yet. In a channel, type `/memo add [Session title] note`."))
    for item in shown.memos:
        memo = item.memo
        where = _("in channel %(channel)s") % {"channel": md.escape(item.channel_id)}
        lines.append(
            f"- **#{memo.number}** {where} · "
            f"{md.title(memo.session_title)} · {memo.local_created_at:%Y-%m-%d %H:%M}: "
            f"{md.escape(excerpt(memo.text))}"
        )
    lines.append(_("**Sessions you attended**"))
    if not shown.sessions:
        lines.append(_("None yet."))
    lines.extend(
        f"{session_line(item.session)} · "
        + _("in channel %(channel)s") % {"channel": md.escape(item.channel_id)}
        for item in shown.sessions
    )
    return "\n".join(lines)


def digest_title(shown: DigestShown) -> str:
    """ "DEVRIVER 2025 Day 2 session memos · Fri 2025-09-26", the shape people title these posts;
    "Sessions of Fri 2025-09-26" for a day whose sessions belong to several conferences."""
    day = day_label(shown.day)
    if shown.conference is None:
        return _("Sessions of %(day)s") % {"day": day}
    name = shown.conference.name
    if shown.day_number:
        number = {"day_number": shown.day_number, "day": day}
        if name:
            return _("%(conference)s Day %(day_number)s session memos · %(day)s") % {
                "conference": name,
                **number,
            }
        return _("Day %(day_number)s session memos · %(day)s") % number
    if name:
        return _("%(conference)s session memos · %(day)s") % {"conference": name, "day": day}
    return _("session memos · %(day)s") % {"day": day}


def digest(shown: DigestShown) -> str:
    """The day's post: a title, a block per session, a footer with the totals."""
    title = md.bold(digest_title(shown))
    if not shown.sessions:
        empty = f"{title}\n" + _("No memos or attendance on %(day)s.") % {
            "day": day_label(shown.day)
        }
        return "\n\n".join([empty, _planned(shown.planned)]) if shown.planned else empty
    blocks = [title]
    for session in shown.sessions:
        who = ", ".join(md.escape(name) for name in session.attendees) or _("no one recorded")
        head = (
            f"**{md.title(session.title)}** · "
            + _("attended by %(names)s") % {"names": who}
            + f" · {memo_count(session.memo_count)}"
        )
        if session.thread_link is not None:  # every memo of the session, in its thread
            head += " · " + md.link(_("thread"), session.thread_link)
        lines = [head]
        lines.extend(f"- {md.escape(point)}" for point in session.points)
        if session.memo_count > len(session.points):
            lines.append(
                _("_All of them: %(commands)s_") % {"commands": _show_commands(session.numbers)}
            )
        blocks.append("\n".join(lines))
    if shown.planned:
        blocks.append(_planned(shown.planned))
    if shown.programme_talks:
        blocks.append(_not_covered(shown))
    people = counted(shown.people, "%(count)s person", "%(count)s people")
    blocks.append(f"_{session_count(len(shown.sessions))} · {people} · {memo_count(shown.memos)}_")
    return "\n\n".join(blocks)


def _planned(talks: tuple[AgendaTalk, ...]) -> str:
    """The day's talks someone planned to attend, with who, and what came of it."""
    lines = [_("**Planned**") + " · " + counted(len(talks), "%(count)s talk", "%(count)s talks")]
    for talk in talks:
        noted = " · " + (memo_count(talk.memo_count) if talk.memo_count else _("no memos"))
        lines.append(
            f"- {talk.starts_at:%H:%M}–{talk.ends_at:%H:%M}{in_room(talk.room)} · "
            f"{md.title(talk.title)}"
            f"{planned_by(talk.planned_by)}{noted}"
        )
    return "\n".join(lines)


def _not_covered(shown: DigestShown) -> str:
    """The day's programme talks nobody attended, planned or noted, by time and room, and
    the counts."""
    covered = shown.programme_talks - len(shown.not_covered)
    head = counted(
        len(shown.not_covered),
        "**Not covered** · %(count)s talk of %(total)s in the programme (%(covered)s covered)",
        "**Not covered** · %(count)s talks of %(total)s in the programme (%(covered)s covered)",
        total=format_number(shown.programme_talks),
        covered=format_number(covered),
    )
    lines = [head]
    for talk in shown.not_covered:
        lines.append(
            f"- {talk.starts_at:%H:%M}–{talk.ends_at:%H:%M}{in_room(talk.room)} · "
            f"{md.title(talk.title)}"
        )
    if not shown.not_covered:
        lines.append(_("Every talk of the day was attended, planned or noted."))
    return "\n".join(lines)


def _show_commands(numbers: tuple[int, ...]) -> str:
    """`/memo show #3 #5 #8`: a command that shows exactly these memos, as printed (split in
    several when there are more than one command takes)."""
    chunks = [
        numbers[start : start + MAX_SHOWN_MEMOS]
        for start in range(0, len(numbers), MAX_SHOWN_MEMOS)
    ]
    return ", ".join(
        "`/memo show " + " ".join(f"#{number}" for number in chunk) + "`" for chunk in chunks
    )


def digest_setting(shown: DigestSettingShown) -> str:
    if shown.post_at is None:
        return _(
            "The daily digest is off. Turn it on with `/memo digest at 18:30` "
            "(in the conference's time zone) or `/memo digest at 18:30 Asia/Seoul`."
        )
    days = {
        "mon-fri": _("Monday to Friday"),
        "all": _("every day"),
        "conference": _("conference days"),
    }
    when = _("%(days)s at %(time)s %(time_zone)s") % {
        "days": days.get(shown.days or "all", shown.days),
        "time": f"{shown.post_at:%H:%M}",
        "time_zone": md.escape(shown.time_zone or ""),
    }
    if not shown.enabled:
        reason = f" ({md.escape(shown.disabled_reason)})" if shown.disabled_reason else ""
        return _(
            "The daily digest is off%(reason)s; it was set for %(when)s. "
            "`/memo digest at HH:MM` turns it back on."
        ) % {"reason": reason, "when": when}
    upcoming = (
        _("Next: %(day)s %(time)s.")
        % {"day": day_label(shown.next_post.date()), "time": f"{shown.next_post:%H:%M}"}
        if shown.next_post
        else _("No day left to post.")
    )
    return _("The daily digest is on: %(when)s.") % {"when": when} + f" {upcoming}"


def export_ready(data: ExportReady, file_name: str) -> str:
    """What the person who asked for an export reads next to the file."""
    what = md.bold(data.conference) if data.conference else _("This channel's memos")
    when = f" · {day_label(data.day)}" if data.day else ""
    done = _("%(what)s: %(counts)s, in `%(file)s`.") % {
        "what": what + when,
        "counts": export_counts(data),
        "file": file_name,
    }
    return "\n".join([done, left_out(data)]) if data.not_exported else done


def left_out(data: ExportReady) -> str:
    """The conferences an export of one did not write, and how to get every one."""
    names = ", ".join(conference_name(name) for name in data.not_exported)
    return _("Not in this file: %(names)s. `/memo export all` writes every conference.") % {
        "names": names
    }


def export_counts(data: ExportReady) -> str:
    """``1 day, 5 sessions, 23 memos``"""
    days = counted(data.posts, "%(count)s day", "%(count)s days")
    return ", ".join((days, session_count(data.sessions), memo_count(data.memos)))


def search_results(results: SearchResults) -> str:
    """A head line, one list item per hit, then how many more there are."""
    query = md.escape(results.query)
    if not results.hits:
        return _("No memos in this channel match %(query)s.") % {"query": query}
    head = counted(
        results.total,
        "**%(count)s memo match** %(query)s",
        "**%(count)s memos match** %(query)s",
        query=query,
    )
    lines = [head, *(search_hit(hit) for hit in results.hits)]
    more = results.total - len(results.hits)
    if more > 0:
        lines.append(
            _(
                '_%(more)s more. Narrow it down with `in:"Session"`, `by:@person` or '
                "`day:YYYY-MM-DD`._"
            )
            % {"more": format_number(more)}
        )
    return "\n".join(lines)


def search_hit(hit: SearchHit) -> str:
    """``- [Title] · author · day · #id: …snippet with **matches**…``"""
    stamp = day_label(hit.local_created_at.date()) + (_(" (edited)") if hit.edited else "")
    return (
        f"- {md.title(hit.session_title)} · {md.escape(hit.author_name)} · {stamp} · "
        f"#{hit.number}: {emphasised(hit.snippet, hit.marks)}"
    )


def emphasised(text: str, marks: tuple[tuple[int, int], ...]) -> str:
    """``text`` escaped, with the marked parts in bold (each part escaped on its own)."""
    pieces, position = [], 0
    for start, end in marks:
        pieces.append(md.escape(text[position:start]))
        pieces.append(md.bold(text[start:end]))
        position = end
    pieces.append(md.escape(text[position:]))
    return "".join(pieces)


#: Warnings listed in an import's reply; the rest are counted.
MAX_IMPORT_WARNINGS = 10
#: Posts listed per conference in an import's reply (a dry run lists all).
MAX_IMPORT_POSTS_LISTED = 10


def import_summary_line(
    posts: int, sessions: int, lines: int, warnings: int, *, dry_run: bool
) -> str:
    """The one-line summary: ``3 posts, 16 sessions, 333 lines imported; 0 warnings``."""
    counts = {
        "posts": counted(posts, "%(count)s post", "%(count)s posts"),
        "sessions": session_count(sessions),
        "lines": counted(lines, "%(count)s line", "%(count)s lines"),
        "warnings": counted(warnings, "%(count)s warning", "%(count)s warnings"),
    }
    if dry_run:
        return _("%(posts)s, %(sessions)s, %(lines)s would be imported; %(warnings)s") % counts
    return _("%(posts)s, %(sessions)s, %(lines)s imported; %(warnings)s") % counts


def import_done(done: ImportDone) -> str:
    """The summary; the conferences with their posts (for a dry run, with each post's
    sessions too); which conference is current; then the first warnings."""
    summary = import_summary_line(
        len(done.posts), done.session_count, done.lines, len(done.warnings), dry_run=done.dry_run
    )
    head = f"{md.file_name(done.file_name)}: {summary}"
    if not done.dry_run and (done.updated or done.removed or done.unchanged):
        head += _(
            " (%(created)s memos new, %(updated)s updated, %(removed)s removed, "
            "%(unchanged)s unchanged)"
        ) % {
            "created": format_number(done.created),
            "updated": format_number(done.updated),
            "removed": format_number(done.removed),
            "unchanged": format_number(done.unchanged),
        }
    blocks = [head, "\n".join(_imported_conferences(done))]
    current = _current_after_import(done)
    if current:
        blocks.append(current)
    warnings = [f"- ⚠ {md.escape(warning)}" for warning in done.warnings[:MAX_IMPORT_WARNINGS]]
    more = len(done.warnings) - MAX_IMPORT_WARNINGS
    if more > 0:
        warnings.append(
            "_" + counted(more, "%(count)s more warning", "%(count)s more warnings") + "._"
        )
    if warnings:
        blocks.append("\n".join(warnings))
    return "\n\n".join(block for block in blocks if block)


def _imported_conferences(done: ImportDone) -> Iterator[str]:
    """Conference → posts (→ sessions, for a dry run), as a nested list."""
    for conference, grouped in groupby(done.posts, key=attrgetter("conference")):
        posts = list(grouped)
        days = sorted(post.day for post in posts)
        span = days_label(days[0], days[-1])
        name = md.bold(conference) if conference else _("the channel's conference")
        yield f"- {name} · {span} · " + counted(len(posts), "%(count)s post", "%(count)s posts")
        listed = posts if done.dry_run else posts[:MAX_IMPORT_POSTS_LISTED]
        for post in listed:
            title = f" · {md.escape(post.title)}" if post.title else ""
            yield f"  - {day_label(post.day)}{title} · {session_count(len(post.sessions))}"
            if done.dry_run:
                yield from (
                    f"    - {md.title(session.title)} · "
                    + counted(session.lines, "%(count)s line", "%(count)s lines")
                    for session in post.sessions
                )
        if len(posts) > len(listed):
            more = counted(len(posts) - len(listed), "%(count)s more post", "%(count)s more posts")
            yield f"  - _{more}_"


def _current_after_import(done: ImportDone) -> str:
    if done.dry_run:
        first = next((post.conference for post in done.posts if post.conference), "")
        if not first:
            return ""
        return _(
            "%(conference)s would become the channel's current conference if it follows "
            "none yet; a channel that follows one keeps it."
        ) % {"conference": md.bold(first)}
    if done.current_conference is None:
        return ""
    if done.became_current:
        return _("%(conference)s is now the channel's current conference.") % {
            "conference": md.bold(done.current_conference)
        }
    return _("The channel's current conference stays %(conference)s.") % {
        "conference": md.bold(done.current_conference)
    }
