"""Importing a programme and showing it: merging with noted sessions, re-import, now and next."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from markdown_it import MarkdownIt

from bot.agenda.importing import ImportAgenda
from bot.notefiles.reading import ImportPosts
from bot.replies.values import (
    AgendaImported,
    AgendaShown,
    ConferenceSet,
    DigestShown,
    MemoSaved,
    Problem,
    ProblemCode,
    Reply,
    SessionListing,
)
from tests.chat import Chat

SAMPLES = Path(__file__).parent.parent / "samples"
ICS = (SAMPLES / "agenda.ics").read_bytes()
CSV = (SAMPLES / "agenda.csv").read_bytes()
SCHEDULE = (SAMPLES / "agenda.schedule.json").read_bytes()
NOTES = (SAMPLES / "blog-notes.txt").read_bytes()
KAFKA = "Kafka 없이 만든 이벤트 파이프라인"
ONBOARDING = "신입 개발자 온보딩 자동화"
NOTED_SPEECH = "음성인식 모델 경량화와 온디바이스 배포"
PROGRAMME_SPEECH = "음성 인식 모델 경량화와 온디바이스 배포"


def _import(chat: Chat, content: bytes, name: str = "agenda.ics", **options: object) -> Reply:
    return chat.run("alice", ImportAgenda(name, content, **options))  # type: ignore[arg-type]


def _imported(reply: Reply) -> AgendaImported:
    assert isinstance(reply.data, AgendaImported), reply.markdown
    return reply.data


def _agenda(chat: Chat, when: str = "") -> AgendaShown:
    shown = chat.say("bob", f"agenda {when}".strip()).data
    assert isinstance(shown, AgendaShown), shown
    return shown


def _sessions(chat: Chat) -> SessionListing:
    listing = chat.say("reader", "sessions all").data
    assert isinstance(listing, SessionListing)
    return listing


def test_importing_the_programme_sets_the_conference_and_lists_each_day(chat: Chat) -> None:
    done = _imported(_import(chat, ICS))

    assert (done.talks, done.created, done.filled_in, done.unchanged) == (52, 52, 0, 0)
    conference = chat.say("bob", "conference").data
    assert isinstance(conference, ConferenceSet)
    view = conference.conference
    assert (view.name, view.time_zone) == ("DEVRIVER 2025", "Asia/Seoul")
    assert (view.starts_on.isoformat(), view.ends_on.isoformat()) == ("2025-09-25", "2025-09-26")  # type: ignore[union-attr]
    day2 = _agenda(chat, "2025-09-26")
    assert len(day2.talks) == 30
    assert [talk.starts_at.strftime("%H:%M") for talk in day2.talks][:4] == [
        "10:00",
        "10:00",
        "10:00",
        "10:40",
    ]
    parallel = [t for t in day2.talks if t.starts_at.strftime("%H:%M") == "13:40"]
    assert {(t.room, t.title) for t in parallel} >= {("301호", KAFKA), ("302호", ONBOARDING)}
    assert "**13:40–14:20**" in chat.say("bob", "agenda 2025-09-26").markdown


def test_the_programme_fills_in_sessions_noted_before_with_the_near_title(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    chat.run("alice", ImportPosts("notes.txt", NOTES))
    noted = {s.title for s in _sessions(chat).sessions}

    done = _imported(_import(chat, CSV, "agenda.csv"))

    # The keynote post's four sessions move from the posting day (09-27) to Day1 morning.
    assert (done.created, done.filled_in) == (52 - 16, 16)
    assert done.near_titles == ((NOTED_SPEECH, PROGRAMME_SPEECH),)
    listing = _sessions(chat)
    assert len(listing.sessions) == 52
    assert noted <= {s.title for s in listing.sessions}
    assert PROGRAMME_SPEECH not in {s.title for s in listing.sessions}
    day2 = _agenda(chat, "2025-09-26")
    kafka = next(t for t in day2.talks if t.title == KAFKA)
    assert (kafka.room, kafka.attendees, kafka.memo_count) == ("301호", ("alice",), 1)
    onboarding = next(t for t in day2.talks if t.title == ONBOARDING)
    assert (onboarding.room, onboarding.memo_count) == ("302호", 1)
    (unnoted,) = (
        t for t in day2.talks if t.starts_at == kafka.starts_at and t.room == "그랜드볼룸"
    )
    assert (unnoted.attendees, unnoted.memo_count) == ((), 0)
    assert unnoted.title not in noted


def test_importing_again_changes_nothing_and_a_changed_programme_moves_talks(chat: Chat) -> None:
    _import(chat, ICS)
    again = _imported(_import(chat, SCHEDULE, "agenda.schedule.json"))
    assert (again.created, again.filled_in, again.unchanged) == (0, 0, 52)

    moved = CSV.replace(
        f"{KAFKA},2025-09-26,13:40,14:20,301호".encode(),
        f"{KAFKA},2025-09-26,16:20,17:00,그랜드볼룸".encode(),
    )
    assert moved != CSV
    changed = _imported(_import(chat, moved, "agenda.csv"))
    assert (changed.created, changed.filled_in, changed.unchanged) == (0, 1, 51)
    kafka = next(t for t in _agenda(chat, "2025-09-26").talks if t.title == KAFKA)
    assert (kafka.starts_at.strftime("%H:%M"), kafka.room) == ("16:20", "그랜드볼룸")
    assert len(_sessions(chat).sessions) == 52


def test_now_and_next_follow_the_clock_in_the_conference_zone(chat: Chat) -> None:
    _import(chat, ICS)
    chat.now = datetime(2025, 9, 26, 4, 50, tzinfo=UTC)  # 13:50 in Seoul

    running = _agenda(chat, "now")
    assert {t.title for t in running.talks} >= {KAFKA, ONBOARDING}
    assert {t.starts_at.strftime("%H:%M") for t in running.talks} == {"13:40"}
    following = _agenda(chat, "next")
    assert {t.starts_at.strftime("%H:%M") for t in following.talks} == {"14:20"}
    assert len(following.talks) == 3

    chat.now = datetime(2025, 9, 26, 3, 50, tzinfo=UTC)  # 12:50: lunch
    lunch = _agenda(chat, "now")
    assert lunch.talks == ()
    assert {t.starts_at.strftime("%H:%M") for t in lunch.upcoming} == {"13:40"}
    assert "Nothing is running now. Next:" in chat.say("bob", "agenda now").markdown

    chat.now = datetime(2025, 9, 26, 9, 0, tzinfo=UTC)  # 18:00, after the last talk
    assert _agenda(chat, "next").talks == ()
    assert _agenda(chat, "today").day.isoformat() == "2025-09-26"


def test_a_dry_run_changes_nothing(chat: Chat) -> None:
    planned = _imported(_import(chat, ICS, dry_run=True))
    assert (planned.dry_run, planned.created) == (True, 52)
    assert "Nothing was changed." in _import(chat, ICS, dry_run=True).markdown
    assert _sessions(chat).sessions == ()


def test_a_bad_file_changes_nothing_and_says_where(chat: Chat) -> None:
    _import(chat, ICS)
    broken = CSV.replace(b"2025-09-26,13:40,14:20", b"2025-09-26,14:20,13:40", 1)
    reply = _import(chat, broken, "agenda.csv")
    assert isinstance(reply.data, Problem) and reply.data.code is ProblemCode.UNREADABLE_FILE
    assert "agenda.csv, line " in reply.markdown and "ends before it starts" in reply.markdown
    kafka = next(t for t in _agenda(chat, "2025-09-26").talks if t.title == KAFKA)
    assert kafka.starts_at.strftime("%H:%M") == "13:40"


def test_a_programme_stays_in_its_channel(chat: Chat) -> None:
    _import(chat, ICS)
    other = chat.elsewhere(channel="C2")
    assert _agenda(other, "2025-09-26").talks == ()


def test_titles_with_markup_render_as_text(chat: Chat) -> None:
    header = "title,date,start,end,room,track,speakers\n"
    row = "**bold** [link](https://evil.example),2025-09-25,10:00,10:40,<b>room</b>,,\n"
    _import(chat, (header + row).encode(), "x.csv", conference="Markup Conf")
    markdown = chat.say("bob", "agenda 2025-09-25").markdown
    html = MarkdownIt("commonmark").render(markdown)
    assert "**bold** [link](https://evil.example)" in html
    assert "&lt;b&gt;room&lt;/b&gt;" in html
    assert "<a " not in html and "<b>" not in html


def test_typed_agenda_import_asks_for_the_file_and_bad_words_are_refused(chat: Chat) -> None:
    asked = chat.say("alice", "agenda import")
    assert isinstance(asked.data, Problem) and asked.data.code is ProblemCode.NO_FILE
    wrong = chat.say("alice", "agenda tomorrow")
    assert isinstance(wrong.data, Problem) and wrong.data.code is ProblemCode.BAD_ARGUMENTS
    date = chat.say("alice", "agenda 2025-02-30")
    assert isinstance(date.data, Problem) and date.data.code is ProblemCode.BAD_DATE


def test_a_session_the_programme_moves_to_another_day_is_added_to_on_that_day(
    chat: Chat,
) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    chat.run("alice", ImportPosts("notes.txt", NOTES))
    before = chat.say("alice", "add [파도클라우드 인프라] 한 줄 더").data
    assert isinstance(before, MemoSaved) and before.session.day.isoformat() == "2025-09-27"

    _import(chat, ICS)

    after = chat.say("alice", "add [파도클라우드 인프라] 또 한 줄").data
    assert isinstance(after, MemoSaved) and after.session.day.isoformat() == "2025-09-25"
    keynote = next(t for t in _agenda(chat, "2025-09-25").talks if t.title == "파도클라우드 인프라")
    assert keynote.memo_count == 3


def test_the_digest_lists_the_days_talks_nobody_covered_by_time_and_room(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    chat.run("alice", ImportPosts("notes.txt", NOTES))
    _import(chat, ICS)
    chat.now = datetime(2025, 9, 26, 10, 0, tzinfo=UTC)
    chat.say("bob", f"attend [{ONBOARDING}]")  # already noted: covered either way
    chat.say("alice", "language en")  # Korean notes: an auto channel's digest is Korean

    digest = chat.say("alice", "digest now 2025-09-26")
    shown = digest.data
    assert isinstance(shown, DigestShown)
    day2 = _agenda(chat, "2025-09-26").talks
    covered = {t.title for t in day2 if t.attendees or t.memo_count}
    assert shown.programme_talks == 30
    assert {t.title for t in shown.not_covered} == {t.title for t in day2} - covered
    assert len(shown.not_covered) == 30 - len(covered) > 0
    starts = [(t.starts_at, t.room or "") for t in shown.not_covered]
    assert starts == sorted(starts)
    assert f"**Not covered** · {len(shown.not_covered)} talks of 30 in the programme" in (
        digest.markdown
    )
    (unnoted,) = (t for t in shown.not_covered if t.starts_at.strftime("%H:%M") == "13:40")
    assert f"- 13:40–14:20 · {unnoted.room} · [{unnoted.title}]" in digest.markdown


def test_a_digest_without_a_programme_has_no_coverage_part(chat: Chat) -> None:
    chat.say("alice", "add [A talk] a note")
    digest = chat.say("alice", "digest now")
    assert isinstance(digest.data, DigestShown) and digest.data.programme_talks == 0
    assert "Not covered" not in digest.markdown


def test_floating_calendar_times_are_in_the_calendars_declared_zone(chat: Chat) -> None:
    chat.say("alice", "conference [Berlin Days] Europe/Berlin")
    calendar = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nX-WR-TIMEZONE:Asia/Seoul\r\n"
        "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Floating talk\r\nDTSTART:20250925T100000\r\n"
        "DTEND:20250925T104000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    done = _imported(_import(chat, calendar.encode(), "f.ics"))
    assert done.conference.time_zone == "Asia/Seoul"
    chat.now = datetime(2025, 9, 25, 1, 10, tzinfo=UTC)  # 10:10 in Seoul
    assert [t.title for t in _agenda(chat, "now").talks] == ["Floating talk"]
