"""`/memo export`: a channel's day or conference as a note-post file, on both databases."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from bot.notefiles.exporting import Export
from bot.notefiles.parse import parse_posts
from bot.notefiles.reading import ImportPosts
from bot.notefiles.write import Post, PostFormat, write
from bot.replies.values import ExportReady, Problem, ProblemCode, Reply, Visibility
from tests.chat import Chat
from tests.post_files import as_imported, normalised, post_lists, posts_from_parsed

SAMPLES = Path(__file__).parent.parent / "samples"


def _file(reply: Reply) -> str:
    assert reply.attachment is not None, reply.markdown
    return reply.attachment.content.decode("utf-8")


def _problem(reply: Reply) -> ProblemCode:
    assert isinstance(reply.data, Problem), reply.markdown
    assert reply.attachment is None
    return reply.data.code


def _two_days(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 UTC 2025-09-25 2025-09-26")
    chat.say("alice", "add [Envoy로 갈아탄 API 게이트웨이] 라우트 3,400개를 xDS로 이관")
    chat.say("alice", "add [Envoy로 갈아탄 API 게이트웨이] > p99 210ms → 45ms")
    chat.say("bob", "add [Kafka 없이 이벤트 소싱] Outbox 테이블 + CDC")
    chat.wait(days=1)
    chat.say("alice", "add [C++ 추론 엔진 AVX-512 최적화] 1:N 매칭이 병목")


def test_a_day_as_text_is_exactly_the_post_people_write(chat: Chat) -> None:
    _two_days(chat)

    reply = chat.say("carol", "export 2025-09-25 txt")

    assert reply.visibility is Visibility.PRIVATE
    assert reply.attachment is not None
    assert reply.attachment.name == "DEVRIVER-2025-2025-09-25.txt"
    assert reply.attachment.mime_type.startswith("text/plain")
    assert _file(reply) == (
        "2025년 9월 25일 목요일\n"
        "\n"
        "DEVRIVER 2025 Day1 참가 세션 메모\n"
        "\n"
        "[Envoy로 갈아탄 API 게이트웨이]\n"
        "라우트 3,400개를 xDS로 이관\n"
        "> p99 210ms → 45ms\n"
        "\n"
        "ㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡ\n"
        "\n"
        "[Kafka 없이 이벤트 소싱]\n"
        "Outbox 테이블 + CDC\n"
    )
    assert reply.markdown == (
        "**DEVRIVER 2025** · Thu 2025-09-25: 1 day, 2 sessions, 3 memos, "
        "in `DEVRIVER-2025-2025-09-25.txt`."
    )


def test_the_whole_conference_is_one_post_per_day_newest_first_in_markdown(chat: Chat) -> None:
    _two_days(chat)

    reply = chat.say("carol", "export")
    text = _file(reply)

    assert reply.attachment is not None and reply.attachment.name == "DEVRIVER-2025.md"
    assert text.startswith("2025년 9월 26일 금요일\n\n# DEVRIVER 2025 Day2 참가 세션 메모\n")
    assert text.index("Day2") < text.index("2025년 9월 25일 목요일") < text.index("Day1")
    assert "## [Envoy로 갈아탄 API 게이트웨이]\n\n라우트 3,400개를 xDS로 이관  \n\\> p99" in text
    assert isinstance(reply.data, ExportReady)
    assert (reply.data.posts, reply.data.sessions, reply.data.memos) == (2, 3, 4)


def test_a_conference_by_name_and_not_the_current_one(chat: Chat) -> None:
    _two_days(chat)
    chat.say("alice", "conference Harborline Conf 2025 UTC")
    chat.say("alice", "add [Fuzzing] Start with the round-trip property.")

    current = _file(chat.say("carol", "export txt"))
    named = _file(chat.say("carol", "export [devriver  2025] txt"))

    assert "[Fuzzing]" in current and "Envoy" not in current
    assert current.startswith("Friday, September 26, 2025\n\nHarborline Conf 2025 Day 1")
    assert "[Fuzzing]" not in named and "[Envoy로 갈아탄 API 게이트웨이]" in named


def test_several_authors_each_get_their_memos_under_their_name(chat: Chat) -> None:
    chat.say("alice", "add [Envoy] p99 210ms → 45ms")
    chat.say("bob", "add [Envoy] 카나리 5% → 25% → 100%")
    chat.say("alice", "add [Envoy] xDS 로 동적 배포")

    text = _file(chat.say("carol", "export"))

    assert (
        "## [Envoy]\n\n### alice\n\np99 210ms → 45ms  \nxDS 로 동적 배포\n\n### bob\n\n카나리"
        in text
    )


def test_deleted_memos_are_left_out_and_edited_ones_have_their_new_text(chat: Chat) -> None:
    chat.say("alice", "add [Envoy] 오타 있는 메모")
    chat.say("alice", "add [Envoy] 지울 메모")
    chat.say("alice", "edit 1 고친 메모")
    chat.say("alice", "delete 2")

    text = _file(chat.say("alice", "export txt"))

    assert "[Envoy]\n고친 메모\n" in text
    assert "지울" not in text and "오타" not in text


def test_nothing_to_export_is_a_clear_message_and_no_file(chat: Chat) -> None:
    assert _problem(chat.say("alice", "export")) is ProblemCode.NOTHING_TO_EXPORT
    _two_days(chat)

    reply = chat.say("alice", "export 2025-09-24")

    assert _problem(reply) is ProblemCode.NOTHING_TO_EXPORT
    assert reply.markdown.startswith("No memos on Wed 2025-09-24 in this channel")


def test_unknown_conference_and_bad_date_are_refused(chat: Chat) -> None:
    _two_days(chat)

    assert _problem(chat.say("alice", "export [PyCon]")) is ProblemCode.NO_SUCH_CONFERENCE
    assert _problem(chat.say("alice", "export 2025-09-31")) is ProblemCode.BAD_DATE


def test_memos_of_another_channel_or_workspace_are_never_exported(chat: Chat) -> None:
    _two_days(chat)
    for other in (chat.elsewhere(channel="C2"), chat.elsewhere(workspace="T2")):
        other.say("mallory", "conference DEVRIVER 2025 UTC 2025-09-25 2025-09-26")
        other.say("mallory", "add [Envoy로 갈아탄 API 게이트웨이] 다른 채널의 비밀")

    text = _file(chat.say("carol", "export txt"))
    elsewhere = _file(chat.elsewhere(channel="C2").say("mallory", "export txt"))

    assert "비밀" not in text
    assert "라우트" not in elsewhere and "다른 채널의 비밀" in elsewhere
    assert _problem(chat.elsewhere(channel="C3").say("eve", "export")) is (
        ProblemCode.NOTHING_TO_EXPORT
    )


def test_an_export_command_built_from_options_runs_the_same(chat: Chat) -> None:
    _two_days(chat)

    reply = chat.run("carol", Export(day=date(2025, 9, 26), post_format="txt"))

    assert _file(reply).startswith("2025년 9월 26일 금요일\n\nDEVRIVER 2025 Day2 참가 세션 메모\n")


def test_imported_samples_export_as_themselves_up_to_the_stated_normalisation(
    chat: Chat,
) -> None:
    for name, channel in (("blog-notes.txt", "C-ko"), ("blog-notes-english.txt", "C-en")):
        here = chat.elsewhere(channel=channel)
        original = (SAMPLES / name).read_text(encoding="utf-8")
        here.run("me", ImportPosts(name, original.encode()))

        exported = _file(here.say("me", "export txt"))

        assert normalised(exported) == normalised(original), name


def test_imported_markdown_export_is_the_same_markdown_again(chat: Chat) -> None:
    original = (SAMPLES / "blog-notes.txt").read_text(encoding="utf-8")
    chat.run("me", ImportPosts("blog-notes.txt", original.encode()))
    markdown = _file(chat.say("me", "export"))

    again = chat.elsewhere(channel="C-again")
    again.run("me", ImportPosts("DEVRIVER-2025.md", markdown.encode()))

    assert _file(again.say("me", "export")) == markdown


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(post_lists(unique_titles=True))
def test_export_then_import_then_export_keeps_posts_sessions_notes_and_authors(
    chat: Chat, posts: list[Post]
) -> None:
    here = chat.elsewhere(channel=f"C-{uuid.uuid4().hex[:8]}")
    here.admins.add("alice")  # only an admin imports the authors a file names
    imported = here.run(
        "alice", ImportPosts("posts.md", write(posts, PostFormat.MARKDOWN).encode())
    )
    assert imported.ok, imported.markdown

    exported = _file(here.say("alice", "export"))

    assert posts_from_parsed(parse_posts(exported), importer="alice") == [
        as_imported(post, importer="alice") for post in posts
    ]
