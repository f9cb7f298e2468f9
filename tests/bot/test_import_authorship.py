"""Whose memos an import may touch: only those its importer's own earlier imports created.

Two people import notes of the same conference day; one exports the day, edits
someone else's notes and imports it back; a `### name` block names someone
else. None of it may change, remove or create memos credited to another person,
and nothing written in chat is ever changed by an import. Admins (and the
operator's CLI, which runs as one) may import for others.
"""

from __future__ import annotations

from bot.notefiles.reading import ImportPosts
from bot.replies.values import ImportDone, Problem, ProblemCode, Reply, SessionMemos
from tests.chat import Chat

ALICE_FILE = """2025-09-25
DEVRIVER 2025 Day1 참가 세션 메모
alice 의 소개 문단

[Alice Talk]
앨리스의 메모

[Shared Talk]
앨리스가 본 공유 세션
"""

BOB_FILE = """2025-09-25
DEVRIVER 2025 Day1 세션 정리
bob 의 소개 문단

[Shared Talk]
밥이 본 공유 세션

[Bob Talk]
밥의 메모
"""


def _import(chat: Chat, user: str, content: str, **options: object) -> Reply:
    command = ImportPosts("notes.md", content.encode("utf-8"), **options)  # type: ignore[arg-type]
    return chat.run(user, command)


def _done(reply: Reply) -> ImportDone:
    assert isinstance(reply.data, ImportDone), reply.markdown
    return reply.data


def _memos(chat: Chat, title: str) -> list[tuple[str, str]]:
    """(author, text) of each live memo of the session, in that order."""
    shown = chat.say("reader", f"show [{title}]").data
    assert isinstance(shown, SessionMemos), shown
    return sorted((memo.author_name, memo.text) for memo in shown.memos)


def _export_day(chat: Chat, user: str) -> str:
    reply = chat.say(user, "export 2025-09-25")
    assert reply.attachment is not None, reply.markdown
    return reply.attachment.content.decode("utf-8")


def test_another_persons_import_of_the_same_day_removes_none_of_your_memos(chat: Chat) -> None:
    _done(_import(chat, "alice", ALICE_FILE))

    bobs = _done(_import(chat, "bob", BOB_FILE))

    assert (bobs.created, bobs.updated, bobs.removed) == (2, 0, 0)
    assert "removed" not in _import(chat, "bob", BOB_FILE).markdown.replace("0 removed", "")
    assert _memos(chat, "Alice Talk") == [("alice", "앨리스의 메모")]
    assert _memos(chat, "Shared Talk") == [
        ("alice", "앨리스가 본 공유 세션"),
        ("bob", "밥이 본 공유 세션"),
    ]
    undo = chat.say("bob", "undo").data  # bob's import deleted nothing of alice's
    assert isinstance(undo, Problem) and undo.code is ProblemCode.NOTHING_TO_UNDO


def test_your_undo_still_finds_what_you_deleted_after_someone_elses_import(chat: Chat) -> None:
    _import(chat, "alice", ALICE_FILE)
    chat.say("alice", "delete 1")

    _import(chat, "bob", BOB_FILE)
    undone = chat.say("alice", "undo")

    assert undone.ok, undone.markdown
    assert _memos(chat, "Alice Talk") == [("alice", "앨리스의 메모")]


def test_reimporting_your_file_changes_only_what_your_own_imports_created(chat: Chat) -> None:
    _import(chat, "alice", ALICE_FILE)
    _import(chat, "bob", BOB_FILE)

    edited = ALICE_FILE.replace("[Shared Talk]\n앨리스가 본 공유 세션\n", "")
    alices = _done(_import(chat, "alice", edited))

    assert (alices.created, alices.updated, alices.removed, alices.unchanged) == (0, 0, 1, 1)
    assert _memos(chat, "Shared Talk") == [("bob", "밥이 본 공유 세션")]
    bobs = _done(_import(chat, "bob", BOB_FILE))
    assert (bobs.created, bobs.updated, bobs.removed, bobs.unchanged) == (0, 0, 0, 2)
    assert chat.say("alice", "undo").ok  # alice's import removed it, so alice gets it back
    assert ("alice", "앨리스가 본 공유 세션") in _memos(chat, "Shared Talk")


def test_notes_credited_to_someone_else_become_the_importers_with_a_warning(chat: Chat) -> None:
    markdown = (
        "# 2025-09-25\n\n# DEVRIVER 2025 Day1\n\n## [Carol Talk]\n\n### carol\n\n"
        "캐롤이 쓴 척\n\n### mallory\n\n내 메모\n"
    )

    reply = _import(chat, "mallory", markdown)

    done = _done(reply)
    assert done.created == 2
    assert _memos(chat, "Carol Talk") == [("mallory", "내 메모"), ("mallory", "캐롤이 쓴 척")]
    assert any("carol" in warning and "yours" in warning for warning in done.warnings)
    assert "carol" in reply.markdown
    assert not any("mallory" in warning for warning in done.warnings)
    assert "carol" not in chat.say("reader", "sessions all").markdown


def test_a_chat_import_cannot_name_another_author_for_the_whole_file(chat: Chat) -> None:
    reply = _import(chat, "mallory", ALICE_FILE, author="alice")

    done = _done(reply)
    assert _memos(chat, "Alice Talk") == [("mallory", "앨리스의 메모")]
    assert any("alice" in warning for warning in done.warnings)


def test_an_admin_may_import_for_the_people_the_file_names(chat: Chat) -> None:
    chat.admins.add("boss")
    markdown = "# 2025-09-25\n\n# Day1\n\n## [Carol Talk]\n\n### carol\n\n캐롤의 메모\n"

    done = _done(_import(chat, "boss", markdown))

    assert done.warnings == ()
    assert _memos(chat, "Carol Talk") == [("carol", "캐롤의 메모")]


def test_editing_someone_elses_notes_in_an_export_and_importing_it_back_changes_none_of_theirs(
    chat: Chat,
) -> None:
    _import(chat, "alice", ALICE_FILE)
    chat.say("bob", "add [Alice Talk] 밥이 채팅으로 쓴 메모")
    exported = _export_day(chat, "bob")
    assert "### alice" in exported and "### bob" in exported

    edited = exported.replace("앨리스의 메모", "밥이 고친 앨리스의 메모")
    reply = _import(chat, "bob", edited)

    done = _done(reply)
    assert _memos(chat, "Alice Talk") == [
        ("alice", "앨리스의 메모"),
        ("bob", "밥이 고친 앨리스의 메모"),
        ("bob", "밥이 채팅으로 쓴 메모"),
    ]
    assert _memos(chat, "Shared Talk") == [("alice", "앨리스가 본 공유 세션")]
    assert done.created == 1
    assert any("alice" in warning for warning in done.warnings)
    again = _done(_import(chat, "bob", edited))
    assert (again.created, again.updated, again.removed) == (0, 0, 0)


def test_reimporting_never_changes_or_deletes_memos_written_in_chat(chat: Chat) -> None:
    chat.admins.add("alice")
    chat.say("alice", "conference DEVRIVER 2025 UTC")
    chat.say("alice", "add [Alice Talk] 채팅으로 쓴 메모")
    markdown = "# 2025-09-25\n\n# DEVRIVER 2025 Day1\n\n## [Alice Talk]\n\n파일의 메모\n"
    _import(chat, "alice", markdown)

    done = _done(_import(chat, "alice", markdown.replace("파일의 메모", "고친 메모")))
    gone = _done(_import(chat, "alice", "2025-09-25\nDEVRIVER 2025 Day1\n[Other Talk]\n하나\n"))

    assert (done.updated, gone.removed) == (1, 1)
    assert _memos(chat, "Alice Talk") == [("alice", "채팅으로 쓴 메모")]


def test_the_days_export_keeps_the_first_importers_title_and_everyones_intro(chat: Chat) -> None:
    _import(chat, "alice", ALICE_FILE)
    _import(chat, "bob", BOB_FILE)

    exported = _export_day(chat, "reader")

    assert "DEVRIVER 2025 Day1 참가 세션 메모" in exported
    assert "세션 정리" not in exported
    assert exported.count("alice 의 소개 문단") == 1
    assert exported.count("bob 의 소개 문단") == 1
    assert exported.index("alice 의 소개 문단") < exported.index("bob 의 소개 문단")

    _import(chat, "alice", exported)  # alice imports the day back: the post reads the same

    assert _export_day(chat, "reader") == exported
