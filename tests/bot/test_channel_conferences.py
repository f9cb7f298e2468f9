"""A channel holds many conferences: listing them, their sessions, finding a session by
title across them, and exporting all of them; on both databases, through the real core."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pyromark
import pytest

from bot.notefiles.reading import ImportPosts
from bot.replies.values import (
    ConferencesListed,
    ExportReady,
    ImportDone,
    MemoSaved,
    Problem,
    ProblemCode,
    Reply,
    SearchResults,
    SessionListing,
    SessionMemos,
)
from tests.chat import Chat

SAMPLES = Path(__file__).parent.parent / "samples"
#: A name that tries Markdown, a mass mention and a link at once.
HOSTILE = "*Conf* @everyone <!channel> [x](https://evil.example) _y_"


def _listed(reply: Reply) -> ConferencesListed:
    assert isinstance(reply.data, ConferencesListed), reply.markdown
    return reply.data


def _listing(reply: Reply) -> SessionListing:
    assert isinstance(reply.data, SessionListing), reply.markdown
    return reply.data


def _problem(reply: Reply) -> ProblemCode:
    assert isinstance(reply.data, Problem), reply.markdown
    return reply.data.code


def _shown_text(markdown: str) -> str:
    """What a reader sees once the Markdown is rendered: its text, tags dropped."""
    return html.unescape(re.sub(r"<[^>]*>", "", pyromark.html(markdown)))


def _two_years(chat: Chat) -> None:
    """DEVRIVER 2024 with two sessions, then DEVRIVER 2025 (current) with one."""
    chat.say("alice", "conference DEVRIVER 2024 Asia/Seoul 2024-09-26 2024-09-27")
    chat.say("alice", "add [Keynote] 작년 키노트")
    chat.say("bob", "add [Kafka 세션] 작년 카프카")
    chat.wait(days=1)
    chat.say("alice", "conference DEVRIVER 2025 UTC")
    chat.say("alice", "add [Envoy] 올해 엔보이")
    chat.say("bob", "add [Envoy] 두 번째")


def test_conferences_lists_each_with_dates_time_zone_counts_and_the_current_one(
    chat: Chat,
) -> None:
    _two_years(chat)

    reply = chat.say("reader", "conferences")

    entries = _listed(reply).conferences
    assert [(e.conference.name, e.current) for e in entries] == [
        ("DEVRIVER 2025", True),
        ("DEVRIVER 2024", False),
    ]
    assert [(e.sessions, e.memos) for e in entries] == [(1, 2), (2, 2)]
    assert entries[1].conference.time_zone == "Asia/Seoul"
    assert str(entries[1].conference.starts_on) == "2024-09-26"
    assert entries[0].first_day == entries[0].last_day  # no dates set: its sessions' day
    items = re.findall(r"<li>(.*?)</li>", pyromark.html(reply.markdown), re.DOTALL)
    assert len(items) == 2 and "sessions all" not in items[1], "the footer is not in the list"
    lines = reply.markdown.splitlines()
    assert lines[1].startswith("- **DEVRIVER 2025** · UTC · sessions ")
    assert lines[1].endswith("1 session · 2 memos · **current**")
    assert lines[2] == (
        "- **DEVRIVER 2024** · Asia/Seoul · Thu 2024-09-26 to Fri 2024-09-27 · 2 sessions · 2 memos"
    )


def test_a_new_channel_has_no_conferences_and_is_told_how_to_name_one(chat: Chat) -> None:
    reply = chat.say("reader", "conferences")

    assert _listed(reply).conferences == ()
    assert "`/memo conference DEVRIVER 2025 Asia/Seoul`" in reply.markdown


def test_another_channels_conferences_are_never_listed(chat: Chat) -> None:
    _two_years(chat)
    for other in (
        chat.elsewhere(channel="C2"),
        chat.elsewhere(workspace="T2"),
        chat.elsewhere(platform="discord"),
    ):
        other.say("mallory", "conference Mallory Con UTC")
        other.say("mallory", "add [Keynote] 남의 메모")

        names = [
            e.conference.name for e in _listed(other.say("mallory", "conferences")).conferences
        ]
        assert names == ["Mallory Con"]
        everything = other.say("mallory", "sessions all")
        assert "DEVRIVER" not in everything.markdown and "작년" not in everything.markdown
        assert _problem(other.say("mallory", 'sessions conference "DEVRIVER 2024"')) is (
            ProblemCode.NO_SUCH_CONFERENCE
        )
        assert _problem(other.say("mallory", "export DEVRIVER 2024")) is (
            ProblemCode.NO_SUCH_CONFERENCE
        )
        exported = other.say("mallory", "export all txt")
        assert exported.attachment is not None
        assert "작년" not in exported.attachment.content.decode()
    assert [e.conference.name for e in _listed(chat.say("reader", "conferences")).conferences] == [
        "DEVRIVER 2025",
        "DEVRIVER 2024",
    ]


def test_sessions_all_lists_every_conference_current_first(chat: Chat) -> None:
    _two_years(chat)

    listing = _listing(chat.say("reader", "sessions all"))

    assert listing.conference.name == "DEVRIVER 2025"
    assert [s.title for s in listing.sessions] == ["Envoy"]
    assert [
        (group.conference.name, [s.title for s in group.sessions])
        for group in listing.other_conferences
    ] == [("DEVRIVER 2024", ["Keynote", "Kafka 세션"])]
    markdown = chat.say("reader", "sessions all").markdown
    assert markdown.index("DEVRIVER 2025") < markdown.index("[Envoy]")
    assert markdown.index("[Envoy]") < markdown.index("DEVRIVER 2024") < markdown.index("[Keynote]")
    rendered = pyromark.html(markdown)
    items = re.findall(r"<li>(.*?)</li>", rendered, re.DOTALL)
    assert len(items) == 3 and not any("DEVRIVER" in item for item in items), rendered


@pytest.mark.parametrize(
    "typed", ['"DEVRIVER 2024"', "[DEVRIVER 2024]", "devriver 2024", "“DEVRIVER 2024”"]
)
def test_sessions_of_one_conference_by_its_name(chat: Chat, typed: str) -> None:
    _two_years(chat)

    reply = chat.say("reader", f"sessions conference {typed}")

    listing = _listing(reply)
    assert (listing.conference.name, listing.is_current, listing.day) == (
        "DEVRIVER 2024",
        False,
        None,
    )
    assert [s.title for s in listing.sessions] == ["Keynote", "Kafka 세션"]
    assert listing.other_conferences == ()
    assert "not the current conference" in reply.markdown.splitlines()[0]


def test_sessions_of_an_unknown_or_unnamed_conference_are_refused(chat: Chat) -> None:
    _two_years(chat)

    assert _problem(chat.say("reader", 'sessions conference "Nope"')) is (
        ProblemCode.NO_SUCH_CONFERENCE
    )
    assert _problem(chat.say("reader", "sessions conference")) is ProblemCode.MISSING_TITLE
    assert _problem(chat.say("reader", 'sessions conference ""')) is ProblemCode.MISSING_TITLE


def test_a_title_of_another_conference_is_found_and_its_conference_named(chat: Chat) -> None:
    _two_years(chat)

    shown = chat.say("reader", "show [kafka 세션]")
    summary = chat.say("reader", "summary [Kafka 세션]")
    found = chat.say("reader", "search 카프카 in:[Kafka 세션]")

    assert isinstance(shown.data, SessionMemos) and shown.data.session.conference == "DEVRIVER 2024"
    assert [memo.text for memo in shown.data.memos] == ["작년 카프카"]
    note = "_From **DEVRIVER 2024**, not this channel's current conference._"
    assert note in shown.markdown.splitlines()
    assert note in summary.markdown.splitlines()
    assert isinstance(found.data, SearchResults) and found.data.total == 1
    # The current conference's own session of a title comes first, without a note.
    chat.say("alice", "add [Keynote] 올해 키노트")
    current = chat.say("reader", "show [Keynote]")
    assert isinstance(current.data, SessionMemos)
    assert [memo.text for memo in current.data.memos] == ["올해 키노트"]
    assert "not this channel's current conference" not in current.markdown


def test_writing_to_a_title_of_another_conference_starts_it_here_and_says_where_the_other_is(
    chat: Chat,
) -> None:
    """Each year has its [Keynote]: this year's notes must not land in last year's."""
    _two_years(chat)

    added = chat.say("carol", "add [Keynote] 올해 키노트")
    attended = chat.say("dave", "attend [Kafka 세션]")

    assert isinstance(added.data, MemoSaved) and added.data.session.conference == "DEVRIVER 2025"
    assert added.data.same_title_elsewhere == ("DEVRIVER 2024",)
    assert "**DEVRIVER 2024** has one of this title too" in added.markdown
    assert "**DEVRIVER 2024** has one of this title too" in attended.markdown
    listing = _listing(chat.say("reader", "sessions all"))
    assert [s.title for s in listing.sessions] == ["Envoy", "Keynote", "Kafka 세션"]
    last_year = [(s.title, s.memo_count) for s in listing.other_conferences[0].sessions]
    assert last_year == [("Keynote", 1), ("Kafka 세션", 1)]
    again = chat.say("carol", "add [Keynote] 두 번째")
    assert isinstance(again.data, MemoSaved) and again.data.same_title_elsewhere == ()
    assert "of this title too" not in again.markdown


def test_the_same_title_in_two_other_conferences_is_asked_about_and_nothing_changes(
    chat: Chat,
) -> None:
    for year in ("2023", "2024"):
        chat.say("alice", f"conference DEVRIVER {year} UTC")
        chat.say("alice", f"add [Keynote] {year}년 키노트")
        chat.wait(days=1)
    assert len(_listing(chat.say("reader", "sessions all")).other_conferences) == 1
    chat.say("alice", "conference DEVRIVER 2025 UTC")
    before = chat.say("reader", "sessions all").markdown

    replies = {
        text: chat.say("carol", text)
        for text in ("show [Keynote]", "summary [Keynote]", "search 키노트 in:[Keynote]")
    }

    for text, reply in replies.items():
        assert _problem(reply) is ProblemCode.AMBIGUOUS_SESSION, text
        assert "**DEVRIVER 2024**" in reply.markdown and "**DEVRIVER 2023**" in reply.markdown
        assert reply.markdown.index("DEVRIVER 2024") < reply.markdown.index("DEVRIVER 2023")
    assert chat.say("reader", "sessions all").markdown == before
    # Making one of them current answers the question.
    chat.say("alice", "conference DEVRIVER 2023")
    shown = chat.say("reader", "show [Keynote]").data
    assert isinstance(shown, SessionMemos)
    assert [memo.text for memo in shown.memos] == ["2023년 키노트"]


def test_a_hostile_conference_name_shows_as_typed_everywhere_it_is_listed(chat: Chat) -> None:
    chat.say("alice", f"conference {HOSTILE} UTC")
    chat.say("alice", "add [Keynote] 메모")
    chat.say("alice", "conference Plain 2025 UTC")

    replies = [
        chat.say("reader", "conferences"),
        chat.say("reader", "sessions all"),
        chat.say("reader", f"sessions conference [{HOSTILE}]"),
        chat.say("reader", "show [Keynote]"),
        chat.say("reader", "export"),
        chat.say("reader", f"export [{HOSTILE}]"),
    ]

    for reply in replies:
        assert HOSTILE in _shown_text(reply.markdown), reply.markdown
        assert "<a " not in pyromark.html(reply.markdown), "no link hides in the name"


def test_export_all_writes_every_conference_newest_day_first(chat: Chat) -> None:
    _two_years(chat)

    reply = chat.say("reader", "export all txt")

    assert isinstance(reply.data, ExportReady) and reply.attachment is not None
    assert (reply.data.posts, reply.data.sessions, reply.data.memos) == (2, 3, 4)
    assert reply.data.not_exported == ()
    text = reply.attachment.content.decode()
    assert text.index("올해 엔보이") < text.index("작년 키노트") < text.index("작년 카프카")
    assert "DEVRIVER 2025" in text and "DEVRIVER 2024" in text
    assert reply.attachment.name == "memos.txt"


def test_export_of_the_current_conference_names_the_ones_left_out(chat: Chat) -> None:
    _two_years(chat)
    chat.say("alice", "conference Empty Con UTC")  # no memos: nothing left out
    chat.say("alice", "conference DEVRIVER 2025")

    reply = chat.say("reader", "export")

    assert isinstance(reply.data, ExportReady) and reply.attachment is not None
    assert "작년" not in reply.attachment.content.decode()
    assert reply.data.not_exported == ("DEVRIVER 2024",)
    assert reply.markdown.splitlines()[-1] == (
        "Not in this file: **DEVRIVER 2024**. `/memo export all` writes every conference."
    )
    named = chat.say("reader", "export [DEVRIVER 2024]")
    assert isinstance(named.data, ExportReady) and named.data.not_exported == ("DEVRIVER 2025",)


def test_exporting_a_conference_without_memos_names_the_ones_that_have_some(chat: Chat) -> None:
    _two_years(chat)
    chat.say("alice", "conference Empty Con UTC")

    reply = chat.say("reader", "export")
    named = chat.say("reader", "export [Empty Con]")

    assert _problem(reply) is ProblemCode.NOTHING_TO_EXPORT and reply.attachment is None
    assert "**DEVRIVER 2025**, **DEVRIVER 2024** have some" in reply.markdown
    assert "`/memo export all`" in reply.markdown
    assert named.markdown == reply.markdown


def test_export_all_with_nothing_writes_no_file(chat: Chat) -> None:
    assert _problem(chat.say("reader", "export all")) is ProblemCode.NOTHING_TO_EXPORT
    chat.say("alice", "conference DEVRIVER 2025 UTC")
    chat.say("alice", "add [Envoy] 지울 메모")
    chat.say("alice", "delete 1")

    reply = chat.say("reader", "export all")

    assert _problem(reply) is ProblemCode.NOTHING_TO_EXPORT
    assert reply.attachment is None


def test_a_conference_named_all_is_exported_by_its_name_in_brackets(chat: Chat) -> None:
    chat.say("alice", "conference [All] UTC")
    chat.say("alice", "add [Envoy] 올 콘퍼런스")
    chat.say("alice", "conference Other UTC")
    chat.say("alice", "add [Kafka] 다른 콘퍼런스")

    named = chat.say("reader", "export [All] txt")

    assert named.attachment is not None
    assert "올 콘퍼런스" in named.attachment.content.decode()
    assert "다른 콘퍼런스" not in named.attachment.content.decode()


def test_three_imported_blogs_are_three_conferences_and_every_session_is_listed(
    chat: Chat,
) -> None:
    imported = 0
    for sample in ("blog-notes.txt", "blog-notes-english.txt", "blog-notes-terse.txt"):
        reply = chat.run("alice", ImportPosts(sample, (SAMPLES / sample).read_bytes()))
        assert isinstance(reply.data, ImportDone), reply.markdown
        imported += reply.data.session_count

    listing = _listing(chat.say("reader", "sessions all"))
    conferences = _listed(chat.say("reader", "conferences")).conferences

    listed = len(listing.sessions) + sum(len(g.sessions) for g in listing.other_conferences)
    assert listed == imported == 16 + 5 + 12
    names = [entry.conference.name for entry in conferences]
    assert sorted(names) == ["DEVRIVER 2025", "Harborline Conf 2025", "KODECON 2026"]
    assert [entry.sessions for entry in conferences] == [
        len(listing.sessions),
        *(len(group.sessions) for group in listing.other_conferences),
    ]
    assert [entry.current for entry in conferences] == [True, False, False]
    exported = chat.say("reader", "export all txt")
    assert isinstance(exported.data, ExportReady) and exported.data.sessions == 33
