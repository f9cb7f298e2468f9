"""Importing note posts into a channel: counts, idempotency, updates, bad files, isolation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core import MemoBot
from bot.notefiles.reading import ImportPosts
from bot.replies.values import (
    ImportDone,
    Problem,
    ProblemCode,
    Reply,
    SearchResults,
    SessionListing,
    SessionMemos,
)
from storage.database import Database
from storage.models import Memo, MemoRevision
from tests.chat import Chat
from tests.post_files import KOREAN_SAMPLE_GROUPED

SAMPLES = Path(__file__).parent.parent / "samples"
KOREAN = (SAMPLES / "blog-notes.txt").read_text(encoding="utf-8")
ENGLISH = (SAMPLES / "blog-notes-english.txt").read_text(encoding="utf-8")
KAFKA = "Kafka 없이 만든 이벤트 파이프라인"


def _import(chat: Chat, content: bytes | str, user: str = "alice", **options: object) -> Reply:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return chat.run(user, ImportPosts("notes.txt", data, **options))  # type: ignore[arg-type]


def _done(reply: Reply) -> ImportDone:
    assert isinstance(reply.data, ImportDone), reply.markdown
    return reply.data


def _problem(reply: Reply) -> ProblemCode:
    assert isinstance(reply.data, Problem), reply.markdown
    return reply.data.code


def _sessions(chat: Chat) -> SessionListing:
    listing = chat.say("reader", "sessions all").data
    assert isinstance(listing, SessionListing)
    return listing


def _memo_texts(chat: Chat, title: str) -> list[str]:
    shown = chat.say("reader", f"show [{title}]").data
    assert isinstance(shown, SessionMemos)
    return [memo.text for memo in shown.memos]


def _memo_count(database: Database) -> int:
    with database.reading() as tx:
        return int(tx.scalar(select(func.count()).select_from(Memo)) or 0)


def test_the_korean_sample_becomes_sixteen_sessions_with_one_memo_each(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")

    done = _done(_import(chat, KOREAN))

    assert (len(done.posts), done.session_count, done.lines, done.warnings) == (3, 16, 333, ())
    assert done.created == 16
    listing = _sessions(chat)
    assert listing.conference.name == "DEVRIVER 2025"
    assert len(listing.sessions) == 16
    assert {session.memo_count for session in listing.sessions} == {1}
    assert {session.attendees for session in listing.sessions} == {("alice",)}
    days = {session.title: session.day.isoformat() for session in listing.sessions}
    assert days["파도클라우드 인프라"] == "2025-09-27"
    assert days[KAFKA] == "2025-09-26"
    assert days["웹소켓 기반 실시간 협업 에디터 개발기"] == "2025-09-25"


def test_a_memo_holds_the_session_block_exactly_dated_on_the_post_day(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    _import(chat, KOREAN)

    shown = chat.say("reader", "show [Kotlin 코루틴으로 배치 서버 다시 쓰기]").data
    assert isinstance(shown, SessionMemos)
    (memo,) = shown.memos
    assert ". 메모리는 오히려 6GB →\u00a02.5GB" in memo.text.split("\n")
    assert memo.text.startswith("Spring Batch → Kotlin 코루틴 기반 자체 프레임워크\n")
    assert "\n\n블로킹 JDBC 는 여전히 문제. R2DBC 는 아직 보류\n" in memo.text
    assert memo.local_created_at.date().isoformat() == "2025-09-25"
    assert memo.author_name == "alice"


def test_the_english_sample_names_its_conference_from_the_title_line(chat: Chat) -> None:
    done = _done(_import(chat, ENGLISH))

    assert (len(done.posts), done.session_count, done.lines) == (1, 5, 86)
    listing = _sessions(chat)
    assert listing.conference.name == "Harborline Conf 2025"
    assert [session.title for session in listing.sessions] == [
        "Zero-Downtime Schema Migrations at 40 TB",
        "Writing a Memory Allocator in Rust: Lessons from Production",
        "Observability on a Budget: OpenTelemetry Without the Bill",
        "Lightning Talk: Why We Deleted Our Microservices",
        "Fuzzing Network Protocols with Property-Based Tests",
    ]


def test_the_reply_sums_up_groups_by_conference_and_names_the_current_one_privately(
    chat: Chat,
) -> None:
    reply = _import(chat, KOREAN)

    assert reply.visibility == "private"
    assert reply.markdown.split("\n") == [
        "notes.txt: 3 posts, 16 sessions, 333 lines imported; 0 warnings",
        *KOREAN_SAMPLE_GROUPED,
    ]


def test_importing_old_notes_does_not_change_the_channels_current_conference(
    chat: Chat,
) -> None:
    chat.say("alice", "conference KubeCon 2026 Europe/Berlin")

    reply = _import(chat, ENGLISH)

    conference = chat.say("reader", "conference").markdown
    assert "KubeCon 2026" in conference
    assert reply.markdown.endswith("The channel's current conference stays **KubeCon 2026**.")


def test_importing_the_same_file_twice_changes_nothing(chat: Chat, database: Database) -> None:
    _import(chat, KOREAN)
    before = _sessions(chat)

    again = _done(_import(chat, KOREAN))

    assert (again.created, again.updated, again.removed, again.unchanged) == (0, 0, 0, 16)
    assert _sessions(chat) == before
    assert _memo_count(database) == 16
    assert "#17" in chat.say("bob", f"add [{KAFKA}] 새 메모").markdown  # no numbers used up


def test_an_edited_file_updates_what_changed_with_history(chat: Chat, database: Database) -> None:
    _import(chat, KOREAN)
    edited = (
        KOREAN.replace("우리 규모면 이걸로 충분할 듯", "우리 규모면 이걸로 충분")
        .replace(
            "[신입 개발자 온보딩 자동화]\n발표자료 나오면 다시 볼 것. 체크리스트 템플릿 좋았음.\n",
            "",
        )
        .replace(
            "[검색 색인 파이프라인 재설계]",
            "[새로 추가한 세션]\n한 줄\n\n[검색 색인 파이프라인 재설계]",
        )
    )

    done = _done(_import(chat, edited))

    assert (done.created, done.updated, done.removed, done.unchanged) == (1, 1, 1, 14)
    (kafka,) = _memo_texts(chat, KAFKA)
    assert kafka.endswith("우리 규모면 이걸로 충분")
    assert _memo_texts(chat, "신입 개발자 온보딩 자동화") == []
    assert _memo_texts(chat, "새로 추가한 세션") == ["한 줄"]
    with database.reading() as tx:
        (old,) = tx.scalars(select(MemoRevision.text)).all()
    assert old.endswith("우리 규모면 이걸로 충분할 듯")

    restored = _done(_import(chat, KOREAN))

    assert (restored.updated, restored.removed) == (2, 1)
    assert _memo_texts(chat, "신입 개발자 온보딩 자동화") == [
        "발표자료 나오면 다시 볼 것. 체크리스트 템플릿 좋았음."
    ]


def test_a_chat_edit_of_an_imported_memo_survives_reimporting_the_same_file(
    chat: Chat,
) -> None:
    _import(chat, ENGLISH)
    chat.say("alice", "edit 4 Watch the recording.")

    _import(chat, ENGLISH)

    assert _memo_texts(chat, "Lightning Talk: Why We Deleted Our Microservices") == [
        "Watch the recording."
    ]


def test_a_file_failing_halfway_leaves_nothing(chat: Chat, database: Database) -> None:
    class Interrupted(Exception):
        pass

    def interrupt(done: int, total: int) -> None:
        raise Interrupted  # the person pressed Ctrl-C after the first post was written

    invocation = chat.invocation("alice", "")
    with pytest.raises(Interrupted):
        chat.bot.import_file(invocation, ImportPosts("notes.txt", KOREAN.encode()), interrupt)

    assert _memo_count(database) == 0
    assert _sessions(chat).sessions == ()


def test_a_dry_run_stores_nothing(chat: Chat, database: Database) -> None:
    reply = _import(chat, KOREAN, dry_run=True)

    done = _done(reply)
    assert done.dry_run and done.session_count == 16
    assert "  - [Kafka 없이 만든 이벤트 파이프라인] · 15 lines" in reply.markdown
    assert _memo_count(database) == 0


def test_an_import_is_invisible_from_another_channel(chat: Chat) -> None:
    _import(chat, KOREAN)
    other = chat.elsewhere(channel="C2")

    assert _sessions(other).sessions == ()
    found = other.say("reader", "search 캐시").data
    assert isinstance(found, SearchResults) and found.total == 0


def test_search_finds_imported_notes(chat: Chat) -> None:
    _import(chat, KOREAN)

    found = chat.say("reader", "search AVX-512").data

    assert isinstance(found, SearchResults)
    assert {hit.session_title for hit in found.hits} == {
        "파도클라우드 인프라",
        "C++ 추론 엔진 AVX-512 최적화 삽질기",
    }


def test_the_cli_author_option_names_whose_memos_they_are(chat: Chat) -> None:
    chat.admins.add("alice")  # the operator's CLI imports as an admin

    _import(chat, ENGLISH, author="jiho")

    assert {session.attendees for session in _sessions(chat).sessions} == {("jiho",)}


def test_markdown_export_authors_become_the_memo_authors_in_an_admins_import(
    chat: Chat,
) -> None:
    chat.admins.add("alice")
    chat.say("bob", "attend [Warm-up]")
    markdown = (
        "# 2025-09-25\n\n# DEVRIVER 2025 Day1 참가 세션 메모\n\n"
        "## [Envoy \\[beta\\]]\n\n### bob\n\n\\- 라우트 3,400개\n\n### carol\n\np99 45ms\n"
    )

    _done(_import(chat, markdown, user="alice"))

    shown = chat.say("reader", "show [Envoy [beta]]").data
    assert isinstance(shown, SessionMemos)
    assert [(memo.author_name, memo.text) for memo in shown.memos] == [
        ("bob", "- 라우트 3,400개"),
        ("carol", "p99 45ms"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "cp949", "euc-kr"])
def test_utf16_and_legacy_korean_files_import_alike(chat: Chat, encoding: str) -> None:
    text = KOREAN if encoding.startswith("utf") else KOREAN.replace("—", "-").replace("\u00a0", " ")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data

    done = _done(_import(chat, data))

    assert (len(done.posts), done.session_count, done.lines) == (3, 16, 333)
    assert _memo_texts(chat, KAFKA)[0].endswith("우리 규모면 이걸로 충분할 듯")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends_import_like_lf(chat: Chat, newline: str) -> None:
    done = _done(_import(chat, ENGLISH.replace("\n", newline)))

    assert (done.session_count, done.lines) == (5, 86)
    assert "\r" not in _memo_texts(chat, "Lightning Talk: Why We Deleted Our Microservices")[0]


def test_bad_files_are_refused_with_the_file_and_line_and_store_nothing(
    chat: Chat, database: Database
) -> None:
    latin = "2025-09-06\nConf Day 1\n[Talk]\ncaf\xe9 cr\xe8me\n".encode("latin-1")
    cases = {
        bytes(range(256)) * 4: ("not a text file", "line 1"),
        latin: ("not UTF-8, UTF-16 or CP949/EUC-KR, Shift-JIS, EUC-JP, GBK", "line 4"),
        b"": ("empty", ""),
        b"  \n\n": ("empty", ""),
        b"just some text\nwith no date line\n": ("has no post", ""),
        b"\xff\xfe" + "2025-09-06\n".encode("utf-16-le")[:-1]: ("UTF-16", "line"),
    }
    for data, (reason, where) in cases.items():
        reply = _import(chat, data)
        assert _problem(reply) in {
            ProblemCode.UNREADABLE_FILE,
            ProblemCode.NO_POSTS,
        }, reply.markdown
        assert "notes.txt" in reply.markdown
        assert reason in reply.markdown and where in reply.markdown, reply.markdown
    assert _memo_count(database) == 0


def test_a_file_over_the_size_limit_is_refused(database: Database) -> None:
    bot = MemoBot(database, import_max_bytes=1_000)
    chat = Chat(bot)
    try:
        reply = _import(chat, ENGLISH)
    finally:
        bot.close()

    assert _problem(reply) is ProblemCode.UNREADABLE_FILE
    assert "at most 1,000 bytes" in reply.markdown
    assert _memo_count(database) == 0


def test_typed_import_without_a_file_says_how_to_attach_one(chat: Chat) -> None:
    reply = chat.say("alice", "import")

    assert _problem(reply) is ProblemCode.NO_FILE
    assert "/memo import" in reply.markdown


def test_import_is_slow_enough_to_acknowledge_first(bot: MemoBot) -> None:
    assert bot.may_be_slow(ImportPosts("notes.txt", b"2025-09-06\n"))
    assert not bot.may_be_slow(ImportPosts())


def test_imported_memos_are_dated_at_the_post_day_in_the_conference_zone(
    chat: Chat, database: Database
) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    _import(chat, KOREAN)

    with database.reading() as tx:
        first = tx.scalar(select(func.min(Memo.created_at)))
    assert first == datetime(2025, 9, 25, 0, 0, tzinfo=UTC)  # 09:00 in Seoul


def test_a_session_header_twice_in_one_post_keeps_both_blocks(chat: Chat) -> None:
    twice = "2025-09-25\nConf 2025 Day1\n[Talk]\n하나\n[Other]\n둘\n[Talk]\n셋\n"

    done = _done(_import(chat, twice))
    again = _done(_import(chat, twice))

    assert done.created == 3
    assert sorted(_memo_texts(chat, "Talk")) == ["셋", "하나"]
    assert (again.created, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)


def test_two_posts_of_one_day_in_a_file_are_imported_together(chat: Chat) -> None:
    morning = "2025-09-25\nConf 2025 Day1\n[Morning]\n하나\n"
    two = morning + "\n2025-09-25\nConf 2025 Day1\n[Afternoon]\n둘\n"

    done = _done(_import(chat, two))
    again = _done(_import(chat, two))

    assert done.created == 2
    assert _memo_texts(chat, "Morning") == ["하나"] and _memo_texts(chat, "Afternoon") == ["둘"]
    assert (again.created, again.updated, again.removed, again.unchanged) == (0, 0, 0, 2)
    assert any("2025-09-25" in warning and "line 1" in warning for warning in done.warnings)


@pytest.mark.parametrize("encoding", ["shift_jis", "gbk"])
def test_japanese_and_chinese_legacy_files_import_as_written(chat: Chat, encoding: str) -> None:
    text = {
        "shift_jis": "2025年9月25日 木曜日\nTechConf Tokyo 2025 1日目 メモ\n[キャッシュ設計]\n"
        "DB の読み取り QPS が 85% 減った\n障害対応の訓練を四半期ごとにやっている\n",
        "gbk": "2025年9月25日 星期四\nQCon 北京 2025 第一天 参会笔记\n[缓存设计]\n"
        "数据库读取 QPS 下降了 85%\n每个季度做一次故障演练\n",
    }[encoding]

    done = _done(_import(chat, text.encode(encoding)))

    listing = _sessions(chat)
    (session,) = listing.sessions
    assert (done.session_count, done.warnings) == (1, ())
    assert listing.conference.name in {"TechConf Tokyo 2025", "QCon 北京 2025"}
    assert session.title in text
    assert _memo_texts(chat, session.title) == ["\n".join(text.split("\n")[3:5])]
