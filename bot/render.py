"""The Markdown of every reply, written once for all adapters.

User text (titles, memo text, names) always goes through ``bot.markdown``
so it renders as typed; everything else here is our own markup.
"""

from __future__ import annotations

from datetime import date

from bot import markdown as md
from bot.reply import (
    AttendanceRecorded,
    ConferenceSet,
    ConferenceView,
    HelpShown,
    HomeShown,
    MemoChanged,
    MemoSaved,
    MemoView,
    SessionListing,
    SessionMemos,
    SessionView,
)


def day_label(day: date) -> str:
    """``Thu 2025-09-25``: the weekday helps at a multi-day conference."""
    return f"{day:%a} {day.isoformat()}"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def conference_label(conference: ConferenceView) -> str:
    parts = [md.bold(conference.name)] if conference.name else []
    parts.append(md.escape(conference.time_zone))
    if conference.starts_on and conference.ends_on:
        if conference.starts_on == conference.ends_on:
            parts.append(day_label(conference.starts_on))
        else:
            parts.append(f"{day_label(conference.starts_on)} to {day_label(conference.ends_on)}")
    return " · ".join(parts)


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


def memo_saved(saved: MemoSaved) -> str:
    memo = saved.memo
    where = md.title(saved.session.title)
    lines = [f"{md.bold(memo.author_name)} noted in {where} · #{memo.number}"]
    if saved.typed_title is not None:
        lines.append(f"_Matched “{md.escape(saved.typed_title)}” to this existing session._")
    elif saved.from_recent_session:
        lines.append("_Added to the session you were last active in._")
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
    if recorded.typed_title is not None:
        lines.append(f"_Matched “{md.escape(recorded.typed_title)}” to this existing session._")
    return "\n".join(lines)


def session_listing(listing: SessionListing) -> str:
    if listing.day is None:
        head = f"**All sessions** · {conference_label(listing.conference)}"
        empty = "No sessions yet."
    else:
        head = f"**Sessions on {day_label(listing.day)}** · {conference_label(listing.conference)}"
        empty = f"No sessions on {day_label(listing.day)}."
    if not listing.sessions:
        return f"{head}\n{empty} Start one with `/memo add [Session title] note`."
    return "\n".join([head, *(session_line(session) for session in listing.sessions)])


def session_memos(shown: SessionMemos) -> str:
    session = shown.session
    head = f"**{md.title(session.title)}** · {day_label(session.day)}"
    attended = (
        "Attended by " + ", ".join(md.escape(name) for name in session.attendees)
        if session.attendees
        else "No attendees yet"
    )
    lines = [head, f"{attended} · {plural(session.memo_count, 'memo')}"]
    if not shown.memos:
        lines.append("No memos yet. Add one with `/memo add [Session title] note`.")
    lines.extend(memo_item(memo) for memo in shown.memos)
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
    lines.append("Coming soon: " + ", ".join(f"`/memo {name}`" for name in shown.reserved) + ".")
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
