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
from bot.replies import markdown as md
from bot.replies.values import (
    AttendanceRecorded,
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
    ThreadsShown,
)


def day_label(day: date) -> str:
    """``Thu 2025-09-25``: the weekday helps at a multi-day conference."""
    return f"{day:%a} {day.isoformat()}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {nouns or noun + 's'}"


def conference_label(conference: ConferenceView) -> str:
    parts = [md.bold(conference.name)] if conference.name else []
    parts.append(md.escape(conference.time_zone))
    if conference.starts_on and conference.ends_on:
        parts.append(days_label(conference.starts_on, conference.ends_on))
    return " · ".join(parts)


def days_label(first: date, last: date) -> str:
    """``Thu 2025-09-25 to Fri 2025-09-26``, or the one day."""
    return day_label(first) if first == last else f"{day_label(first)} to {day_label(last)}"


def conference_name(name: str) -> str:
    """A conference's name in bold, or what stands for the one a channel never named."""
    return md.bold(name) if name else "_the unnamed conference_"


def in_other_conference(conference: str) -> str:
    """The line a reply about a session of a conference other than the current one ends with."""
    return f"_From {conference_name(conference)}, not this channel's current conference._"


def same_title_elsewhere(conferences: tuple[str, ...]) -> str:
    """The line a new session's reply has when other conferences have that title too."""
    names = ", ".join(conference_name(name) for name in conferences)
    return (
        f"_A new session of this conference; {names} "
        f"{'has' if len(conferences) == 1 else 'have'} one of this title too. "
        "To write there, make it current with `/memo conference` and its name._"
    )


def session_line(session: SessionView) -> str:
    """One list item: full title, day, memo count, who went."""
    parts = [md.title(session.title), day_label(session.day), plural(session.memo_count, "memo")]
    if session.attendees:
        parts.append("attended by " + ", ".join(md.escape(name) for name in session.attendees))
    return "- " + " · ".join(parts)


def memo_item(memo: MemoView) -> str:
    """A memo as a list item: id, author, local time, then its text."""
    stamp = f"{memo.local_created_at:%H:%M}" + (" (edited)" if memo.edited else "")
    text = md.indent_continuation(md.escape(memo.text))
    return f"- **#{memo.number}** {md.escape(memo.author_name)}, {stamp}: {text}"


def _noted(author_name: str, session_title: str, number: int) -> str:
    return f"{md.bold(author_name)} noted in {md.title(session_title)} · #{number}"


def memo_announced(memo: MemoAnnounced) -> str:
    """The channel's message about a new memo: who, where, and the note as a quote."""
    head = _noted(memo.author_name, memo.session_title, memo.number)
    if memo.edited:
        head += " (edited)"
    return f"{head}\n{md.quote(md.escape(memo.text))}"


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
    if shown.on:
        state = "Each session's memos go in one thread in this channel."
    else:
        state = "Each memo is announced as a message of its own in this channel."
    lines = [f"Threads are {'on' if shown.on else 'off'}{' now' if shown.changed else ''}. {state}"]
    if shown.problem is not None and shown.problem_at is not None:
        when = f"{shown.problem_at:%Y-%m-%d %H:%M} UTC"
        lines.append(f"Last delivery problem ({when}): {md.escape(shown.problem)}")
    return "\n".join(lines)


def memo_saved(saved: MemoSaved) -> str:
    memo = saved.memo
    lines = [_noted(memo.author_name, saved.session.title, memo.number)]
    if not saved.session.in_current_conference:  # the session picked or last active in
        lines.append(in_other_conference(saved.session.conference))
    if saved.same_title_elsewhere:
        lines.append(same_title_elsewhere(saved.same_title_elsewhere))
    if saved.typed_title is not None:
        lines.append(f"_Matched “{md.escape(saved.typed_title)}” to this existing session._")
    elif saved.from_recent_session:
        lines.append("_Added to the session you were last active in._")
    if saved.thread_link is not None:
        lines.append(md.link("Open the session's thread", saved.thread_link))
    # The quote goes last: a line after it would be read as part of the quote.
    lines.append(md.quote(md.escape(memo.text)))
    return "\n".join(lines)


def attendance_recorded(recorded: AttendanceRecorded) -> str:
    session = recorded.session
    if recorded.already:
        head = f"You were already down as attending {md.title(session.title)}."
    else:
        head = f"You are down as attending {md.title(session.title)}."
    lines = [head, session_line(session)]
    if not session.in_current_conference:  # picked from a list
        lines.append(in_other_conference(session.conference))
    if recorded.same_title_elsewhere:
        lines.append(same_title_elsewhere(recorded.same_title_elsewhere))
    if recorded.typed_title is not None:
        lines.append(f"_Matched “{md.escape(recorded.typed_title)}” to this existing session._")
    return "\n".join(lines)


def session_listing(listing: SessionListing) -> str:
    """The sessions of a day or of a conference; with ``sessions all``, the channel's other
    conferences follow, each under its own head line."""
    label = conference_label(listing.conference)
    if not listing.is_current:
        label += " · not the current conference"
    if listing.day is None:
        head = f"**All sessions** · {label}"
        empty = "No sessions yet."
    else:
        head = f"**Sessions on {day_label(listing.day)}** · {label}"
        empty = f"No sessions on {day_label(listing.day)}."
    lines = [head, *(session_line(session) for session in listing.sessions)]
    if not listing.sessions:
        lines = [head, f"{empty} Start one with `/memo add [Session title] note`."]
    blocks = ["\n".join(lines)]
    for other in listing.other_conferences:
        head = f"**Also in this channel** · {conference_label(other.conference)}"
        blocks.append("\n".join([head, *(session_line(session) for session in other.sessions)]))
        if not other.sessions:
            blocks[-1] += "\nNo sessions."
    # A blank line ends each list: a line right after an item would continue the item.
    return "\n\n".join(blocks)


def conferences_listed(listed: ConferencesListed) -> str:
    """One item per conference of the channel: name, time zone, dates, what it holds."""
    if not listed.conferences:
        return (
            "This channel follows no conference yet. Name one with "
            "`/memo conference DEVRIVER 2025 Asia/Seoul`."
        )
    lines = [f"**Conferences of this channel** · {plural(len(listed.conferences), 'conference')}"]
    for entry in listed.conferences:
        conference = entry.conference
        parts = [conference_name(conference.name), md.escape(conference.time_zone)]
        if conference.starts_on and conference.ends_on:
            parts.append(days_label(conference.starts_on, conference.ends_on))
        elif entry.first_day and entry.last_day:
            parts.append("sessions " + days_label(entry.first_day, entry.last_day))
        parts += [plural(entry.sessions, "session"), plural(entry.memos, "memo")]
        if entry.current:
            parts.append("**current**")
        lines.append("- " + " · ".join(parts))
    footer = (
        '`/memo sessions all` lists every session; `/memo sessions conference "Name"` one '
        "conference's; `/memo conference` and a name makes it current."
    )
    return "\n".join(lines) + "\n\n" + footer


def attendance_line(session: SessionView) -> str:
    """ "Attended by alice, bob · 12 memos": who went and how much they wrote."""
    return attendance_of(session.attendees, session.memo_count)


def attendance_of(attendees: tuple[str, ...], memo_count: int) -> str:
    attended = (
        "Attended by " + ", ".join(md.escape(name) for name in attendees)
        if attendees
        else "No attendees yet"
    )
    return f"{attended} · {plural(memo_count, 'memo')}"


def session_memos(shown: SessionMemos) -> str:
    session = shown.session
    head = f"**{md.title(session.title)}** · {day_label(session.day)}"
    lines = [head, attendance_line(session)]
    if not session.in_current_conference:
        lines.append(in_other_conference(session.conference))
    if not shown.memos:
        lines.append("No memos yet. Add one with `/memo add [Session title] note`.")
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
    lines.extend(f"_#{number} is deleted._" for number in shown.deleted)
    lines.extend(f"_There is no memo #{number} in this channel._" for number in shown.missing)
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
            "No memos yet. Add one with `/memo add [Session title] note`."
            if not summary.session.memo_count
            else "Its memos have no text to summarize yet."
        )
    for point in summary.points:
        credit = ", ".join(md.escape(name) for name in point.authors)
        lines.append(f"- {md.escape(point.text)} · {credit}")
    lines.append(attendance_line(summary.session))
    return "\n".join(lines)


def memo_changed(changed: MemoChanged) -> str:
    memo = changed.memo
    head = {
        "edited": f"Edited #{memo.number} in {md.title(memo.session_title)}:",
        "deleted": f"Deleted #{memo.number} from {md.title(memo.session_title)}. "
        "`/memo undo` brings it back.",
        "restored": f"Restored #{memo.number} in {md.title(memo.session_title)}:",
    }[changed.action]
    if changed.action == "deleted":
        return head
    return "\n".join([head, md.quote(md.escape(memo.text))])


def conference_set(result: ConferenceSet) -> str:
    conference = result.conference
    if result.created is None:
        if not conference.name:
            return (
                f"This channel has no conference set; times are shown in "
                f"{md.escape(conference.time_zone)}. Set one with "
                "`/memo conference DEVRIVER 2025 Asia/Seoul`."
            )
        return f"This channel's conference: {conference_label(conference)}"
    verb = "is now" if result.created else "is again"
    lines = [f"This channel's conference {verb} {conference_label(conference)}."]
    if result.adopted_sessions:
        verb = "is" if result.adopted_sessions == 1 else "are"
        lines.append(
            f"{plural(result.adopted_sessions, 'session')} noted before it had a name "
            f"{verb} now part of it."
        )
    return "\n".join(lines)


def help_shown(shown: HelpShown) -> str:
    lines = []
    if shown.unknown is not None:
        unknown = shown.unknown.replace("`", "")
        lines.append(f"There is no `/memo {unknown}` command. Here is what there is:")
    else:
        lines.append("**memo-bot** keeps this channel's conference session notes in one place.")
    lines.extend(f"- `{command.usage}`: {command.summary}" for command in shown.commands)
    return "\n".join(lines)


def excerpt(text: str, limit: int = 120) -> str:
    """The first line of a memo, cut to ``limit`` characters, for lists of many memos."""
    first_line = text.strip().split("\n", 1)[0]
    return first_line if len(first_line) <= limit else first_line[: limit - 1] + "…"


def home_shown(shown: HomeShown) -> str:
    lines = ["**Your recent memos**"]
    if not shown.memos:
        lines.append("None yet. In a channel, type `/memo add [Session title] note`.")
    for item in shown.memos:
        memo = item.memo
        lines.append(
            f"- **#{memo.number}** in channel {md.escape(item.channel_id)} · "
            f"{md.title(memo.session_title)} · {memo.local_created_at:%Y-%m-%d %H:%M}: "
            f"{md.escape(excerpt(memo.text))}"
        )
    lines.append("**Sessions you attended**")
    if not shown.sessions:
        lines.append("None yet.")
    lines.extend(
        f"{session_line(item.session)} · in channel {md.escape(item.channel_id)}"
        for item in shown.sessions
    )
    return "\n".join(lines)


def digest_title(shown: DigestShown) -> str:
    """ "DEVRIVER 2025 Day 2 session memos · Fri 2025-09-26", the shape people title these posts;
    "Sessions of Fri 2025-09-26" for a day whose sessions belong to several conferences."""
    if shown.conference is None:
        return f"Sessions of {day_label(shown.day)}"
    name = f"{shown.conference.name} " if shown.conference.name else ""
    number = f"Day {shown.day_number} " if shown.day_number else ""
    return f"{name}{number}session memos · {day_label(shown.day)}"


def digest(shown: DigestShown) -> str:
    """The day's post: a title, a block per session, a footer with the totals."""
    title = md.bold(digest_title(shown))
    if not shown.sessions:
        return f"{title}\nNo memos or attendance on {day_label(shown.day)}."
    blocks = [title]
    for session in shown.sessions:
        who = ", ".join(md.escape(name) for name in session.attendees) or "no one recorded"
        head = (
            f"**{md.title(session.title)}** · attended by {who} · "
            f"{plural(session.memo_count, 'memo')}"
        )
        if session.thread_link is not None:  # every memo of the session, in its thread
            head += f" · {md.link('thread', session.thread_link)}"
        lines = [head]
        lines.extend(f"- {md.escape(point)}" for point in session.points)
        if session.memo_count > len(session.points):
            lines.append(f"_All of them: {_show_commands(session.numbers)}_")
        blocks.append("\n".join(lines))
    if shown.programme_talks:
        blocks.append(_not_covered(shown))
    blocks.append(
        f"_{plural(len(shown.sessions), 'session')} · "
        f"{plural(shown.people, 'person', 'people')} · {plural(shown.memos, 'memo')}_"
    )
    return "\n\n".join(blocks)


def _not_covered(shown: DigestShown) -> str:
    """The day's programme talks nobody attended or noted, by time and room, and the counts."""
    covered = shown.programme_talks - len(shown.not_covered)
    head = (
        f"**Not covered** · {plural(len(shown.not_covered), 'talk')} of "
        f"{shown.programme_talks:,} in the programme ({covered:,} covered)"
    )
    lines = [head]
    for talk in shown.not_covered:
        room = f" · {md.escape(talk.room)}" if talk.room else ""
        lines.append(
            f"- {talk.starts_at:%H:%M}–{talk.ends_at:%H:%M}{room} · {md.title(talk.title)}"
        )
    if not shown.not_covered:
        lines.append("Every talk of the day was attended or noted.")
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
        return (
            "The daily digest is off. Turn it on with `/memo digest at 18:30` "
            "(in the conference's time zone) or `/memo digest at 18:30 Asia/Seoul`."
        )
    days = {"mon-fri": "Monday to Friday", "all": "every day", "conference": "conference days"}
    when = (
        f"{days.get(shown.days or 'all', shown.days)} at {shown.post_at:%H:%M} "
        f"{md.escape(shown.time_zone or '')}"
    )
    if not shown.enabled:
        reason = f" ({md.escape(shown.disabled_reason)})" if shown.disabled_reason else ""
        return (
            f"The daily digest is off{reason}; it was set for {when}. "
            "`/memo digest at HH:MM` turns it back on."
        )
    upcoming = (
        f"Next: {shown.next_post:%a %Y-%m-%d %H:%M}." if shown.next_post else "No day left to post."
    )
    return f"The daily digest is on: {when}. {upcoming}"


def export_ready(data: ExportReady, file_name: str) -> str:
    """What the person who asked for an export reads next to the file."""
    what = md.bold(data.conference) if data.conference else "This channel's memos"
    when = f" · {day_label(data.day)}" if data.day else ""
    done = f"{what}{when}: {export_counts(data)}, in `{file_name}`."
    return "\n".join([done, left_out(data)]) if data.not_exported else done


def left_out(data: ExportReady) -> str:
    """The conferences an export of one did not write, and how to get every one."""
    names = ", ".join(conference_name(name) for name in data.not_exported)
    return f"Not in this file: {names}. `/memo export all` writes every conference."


def export_counts(data: ExportReady) -> str:
    """``1 day, 5 sessions, 23 memos``"""
    return ", ".join(
        (plural(data.posts, "day"), plural(data.sessions, "session"), plural(data.memos, "memo"))
    )


def search_results(results: SearchResults) -> str:
    """A head line, one list item per hit, then how many more there are."""
    query = md.escape(results.query)
    if not results.hits:
        return f"No memos in this channel match {query}."
    head = f"**{plural(results.total, 'memo')} match** {query}"
    lines = [head, *(search_hit(hit) for hit in results.hits)]
    more = results.total - len(results.hits)
    if more > 0:
        lines.append(
            f'_{more:,} more. Narrow it down with `in:"Session"`, `by:@person` or '
            "`day:YYYY-MM-DD`._"
        )
    return "\n".join(lines)


def search_hit(hit: SearchHit) -> str:
    """``- [Title] · author · day · #id: …snippet with **matches**…``"""
    stamp = day_label(hit.local_created_at.date()) + (" (edited)" if hit.edited else "")
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
    verb = "would be imported" if dry_run else "imported"
    return (
        f"{plural(posts, 'post')}, {plural(sessions, 'session')}, "
        f"{plural(lines, 'line')} {verb}; {plural(warnings, 'warning')}"
    )


def import_done(done: ImportDone) -> str:
    """The summary; the conferences with their posts (for a dry run, with each post's
    sessions too); which conference is current; then the first warnings."""
    summary = import_summary_line(
        len(done.posts), done.session_count, done.lines, len(done.warnings), dry_run=done.dry_run
    )
    head = f"{md.file_name(done.file_name)}: {summary}"
    if not done.dry_run and (done.updated or done.removed or done.unchanged):
        head += (
            f" ({done.created:,} memos new, {done.updated:,} updated, {done.removed:,} removed, "
            f"{done.unchanged:,} unchanged)"
        )
    blocks = [head, "\n".join(_imported_conferences(done))]
    current = _current_after_import(done)
    if current:
        blocks.append(current)
    warnings = [f"- ⚠ {md.escape(warning)}" for warning in done.warnings[:MAX_IMPORT_WARNINGS]]
    more = len(done.warnings) - MAX_IMPORT_WARNINGS
    if more > 0:
        warnings.append(f"_{plural(more, 'more warning')}._")
    if warnings:
        blocks.append("\n".join(warnings))
    return "\n\n".join(block for block in blocks if block)


def _imported_conferences(done: ImportDone) -> Iterator[str]:
    """Conference → posts (→ sessions, for a dry run), as a nested list."""
    for conference, grouped in groupby(done.posts, key=attrgetter("conference")):
        posts = list(grouped)
        days = sorted(post.day for post in posts)
        span = day_label(days[0]) + (f" to {day_label(days[-1])}" if len(days) > 1 else "")
        name = md.bold(conference) if conference else "the channel's conference"
        yield f"- {name} · {span} · {plural(len(posts), 'post')}"
        listed = posts if done.dry_run else posts[:MAX_IMPORT_POSTS_LISTED]
        for post in listed:
            title = f" · {md.escape(post.title)}" if post.title else ""
            yield f"  - {day_label(post.day)}{title} · {plural(len(post.sessions), 'session')}"
            if done.dry_run:
                yield from (
                    f"    - {md.title(session.title)} · {plural(session.lines, 'line')}"
                    for session in post.sessions
                )
        if len(posts) > len(listed):
            yield f"  - _{plural(len(posts) - len(listed), 'more post')}_"


def _current_after_import(done: ImportDone) -> str:
    if done.dry_run:
        first = next((post.conference for post in done.posts if post.conference), "")
        if not first:
            return ""
        return (
            f"{md.bold(first)} would become the channel's current conference if it follows "
            "none yet; a channel that follows one keeps it."
        )
    if done.current_conference is None:
        return ""
    if done.became_current:
        return f"{md.bold(done.current_conference)} is now the channel's current conference."
    return f"The channel's current conference stays {md.bold(done.current_conference)}."
