"""Hostile import files, and what a person in the channel notices.

Promises checked: a file that cannot be imported (a binary, over the size limit,
one enormous line, too many sessions, bytes no encoding reads, an upload that
did not arrive whole) gets a short answer naming it, and nothing is stored. A
file's name is only ever shown, escaped, never used as a path or as markup. An
import changes only what its own importer's earlier imports created: another
person's import, notes credited to someone else (`### name`), and a retried or
concurrent import of the same file change nobody's memos and duplicate nothing.
The attacks run against the core (as the console and the CLI reach it) and
through the real Slack and Discord adapters where the path differs.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml as escape_html

from bot.core import MemoBot
from bot.notefiles.reading import ImportPosts
from bot.replies.values import ImportDone, Problem, ProblemCode, Reply, SessionListing, SessionMemos
from tests.adapters.discord.conftest import ALICE as DISCORD_ALICE
from tests.adapters.discord.conftest import BOB as DISCORD_BOB
from tests.adapters.discord.conftest import Discord, import_file
from tests.adapters.slack.conftest import BOB, Slack, assert_slack_shows_literally, upload_note_file
from tests.chat import Chat

DAY = "2025-09-25\nDEVRIVER 2025 Day1 참가 세션 메모\n"
ALICE_FILE = DAY + "[Alice Talk]\n앨리스의 메모\n\n[Shared Talk]\n앨리스가 본 공유 세션\n"
TEN_MB = 10 * 1024 * 1024
COMMONMARK = MarkdownIt("commonmark")


def _import(chat: Chat, user: str, data: bytes | str, name: str = "notes.txt") -> Reply:
    content = data.encode() if isinstance(data, str) else data
    return chat.run(user, ImportPosts(name, content))


def _refused(reply: Reply) -> ProblemCode:
    assert isinstance(reply.data, Problem), reply.markdown
    return reply.data.code


def _stored(chat: Chat) -> list[tuple[str, str, str]]:
    """(session, author, text) of every live memo in the channel: what anyone would see."""
    listing = chat.say("reader", "sessions all").data
    assert isinstance(listing, SessionListing)
    memos = []
    for session in listing.sessions:
        shown = chat.say("reader", f"show [{session.title}]").data
        assert isinstance(shown, SessionMemos)
        memos += [(session.title, memo.author_name, memo.text) for memo in shown.memos]
    return sorted(memos)


# Files that are not note files


def _zipped(content: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("notes.txt", content)
    return archive.getvalue()


BINARIES = {
    "photo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "tool.elf": b"\x7fELF\x02\x01\x01\x00" + bytes(200),
    "notes.txt.gz": gzip.compress(ALICE_FILE.encode() * 100),
    "notes.zip": _zipped(ALICE_FILE.encode() * 100),
    "controls.txt": DAY.encode() + b"[Talk]\n" + bytes(range(1, 32)) * 8,  # no NUL byte
    "noise.bin": hashlib.shake_256(b"noise").digest(65_536),
}


def test_a_binary_file_is_refused_by_name_and_stores_nothing(chat: Chat) -> None:
    for name, data in BINARIES.items():
        reply = _import(chat, "alice", data, name=name)

        assert _refused(reply) is ProblemCode.UNREADABLE_FILE, name
        assert reply.markdown.startswith(f"{name} ") and "line" in reply.markdown, name
    assert _stored(chat) == []


def test_a_file_over_the_size_limit_is_refused_and_stores_nothing(database: object) -> None:
    chat = Chat(MemoBot(database, import_max_bytes=50_000))  # type: ignore[arg-type]
    try:
        reply = _import(chat, "alice", ALICE_FILE + "메모 한 줄\n" * 10_000)
    finally:
        chat.bot.close()

    assert _refused(reply) is ProblemCode.UNREADABLE_FILE
    assert "files can be at most 50,000 bytes" in reply.markdown


def test_one_ten_megabyte_line_is_refused_with_its_line(chat: Chat) -> None:
    head = (DAY + "[Talk]\n").encode()
    line = ("캐시를 두 단계로 Redis p99 " * 600_000).encode()[: TEN_MB - len(head) - 1]
    data = (head + line).decode("utf-8", "ignore").encode()
    assert len(data) <= TEN_MB

    reply = _import(chat, "alice", data)

    assert _refused(reply) is ProblemCode.TEXT_TOO_LONG
    assert "line 3: the notes of [Talk] are" in reply.markdown
    assert "Nothing was imported" in reply.markdown
    assert _stored(chat) == []


def test_a_file_of_countless_tiny_sessions_is_refused_before_any_is_stored(chat: Chat) -> None:
    data = DAY + "".join(f"[T{number}]\nx\n" for number in range(10_001))

    reply = _import(chat, "alice", data)

    assert _refused(reply) is ProblemCode.TEXT_TOO_LONG
    assert "10,001 sessions" in reply.markdown
    assert _stored(chat) == []


WRONG_ENCODINGS = {
    "latin-1": (ALICE_FILE.replace("앨리스의", "caf\xe9").encode("latin-1", errors="replace"), 4),
    "utf8-with-cp949-lines": (
        ALICE_FILE.encode() + "깨진 줄\n".encode("cp949") + "다음 줄\n".encode(),
        8,
    ),
    "cp949-with-utf8-lines": (
        ALICE_FILE.encode("cp949") + "깨진 줄\n".encode() + "다음 줄\n".encode("cp949"),
        8,
    ),
    "utf8-bom-on-cp949": (b"\xef\xbb\xbf" + ALICE_FILE.encode("cp949"), 2),
    "utf16-odd-length": (b"\xff\xfe" + ALICE_FILE.encode("utf-16-le")[:-1], 7),
    "cp949-cut-mid-character": (ALICE_FILE.rstrip("\n").encode("cp949")[:-1], 7),
}


def test_bytes_in_a_wrong_or_broken_encoding_are_refused_with_the_line(chat: Chat) -> None:
    for case, (data, line) in WRONG_ENCODINGS.items():
        reply = _import(chat, "alice", data)

        assert _refused(reply) is ProblemCode.UNREADABLE_FILE, case
        assert reply.markdown.startswith("notes.txt ") and f"line {line}" in reply.markdown, case
        assert "Save it as UTF-8" in reply.markdown, case
    assert _stored(chat) == []


# File names


HOSTILE_NAMES = [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "<!channel> @everyone.txt",
    "[click](https://evil.example).md",
    "*bold* _it_ `code`\n> quote.txt",
]


def test_an_uploads_name_is_only_shown_as_text_and_never_used_as_a_path(
    chat: Chat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)

    for name in HOSTILE_NAMES:
        imported = _import(chat, "alice", ALICE_FILE, name=name)
        refused = _import(chat, "alice", b"\x00binary", name=name)

        assert isinstance(imported.data, ImportDone), imported.markdown
        assert _refused(refused) is ProblemCode.UNREADABLE_FILE
        shown = " ".join(name.split())
        for reply in (imported, refused):
            # The name is in the reply's first paragraph; the import's reply goes on to list
            # the conferences (in our own bold) after a blank line.
            html = COMMONMARK.render(reply.markdown.split("\n\n")[0])
            assert html.startswith("<p>") and html.count("<p>") == 1, "one paragraph, no quote"
            assert not any(tag in html for tag in ("<a ", "<em>", "<strong>", "<code>", "<h"))
            assert escape_html(shown) in html, "the name as it was typed"
            whole = COMMONMARK.render(reply.markdown)
            assert not any(tag in whole for tag in ("<a ", "<blockquote>", "<h", "<code>"))
    assert list(workdir.iterdir()) == [], "nothing is written where the name points"
    assert [text for _, _, text in _stored(chat)] == ["앨리스의 메모", "앨리스가 본 공유 세션"]


# Authorship


def test_another_persons_import_of_the_same_day_changes_none_of_your_memos(chat: Chat) -> None:
    _import(chat, "alice", ALICE_FILE)
    before = _stored(chat)

    emptied = _import(chat, "mallory", DAY + "[Alice Talk]\n대신 쓴 메모\n")
    forged = _import(chat, "mallory", f"# {DAY}\n## [Shared Talk]\n\n### alice\n\n가짜\n")

    assert isinstance(emptied.data, ImportDone) and emptied.data.removed == 0
    assert isinstance(forged.data, ImportDone) and forged.data.updated == 0
    assert "alice" in forged.markdown and "imported as yours" in forged.markdown
    after = _stored(chat)
    assert [memo for memo in after if memo[1] == "alice"] == before
    assert ("Shared Talk", "mallory", "가짜") in after
    chat.say("mallory", "undo")  # brings back only what mallory's own import removed
    assert [memo for memo in _stored(chat) if memo[1] == "alice"] == before


def test_a_block_naming_a_mention_or_link_is_the_importers_and_its_warning_is_escaped(
    chat: Chat,
) -> None:
    for name in ("@everyone", "<!channel>", "[admin](https://evil.example)"):
        reply = _import(chat, "mallory", f"# {DAY}\n## [Talk]\n\n### {name}\n\n메모\n")

        assert isinstance(reply.data, ImportDone), reply.markdown
        html = COMMONMARK.render(reply.markdown)
        assert escape_html(name) in html and "<a " not in html
    assert _stored(chat) == [("Talk", "mallory", "메모")]


def test_an_export_edited_under_someone_elses_name_and_imported_back_leaves_their_memo(
    chat: Chat,
) -> None:
    _import(chat, "alice", ALICE_FILE)
    exported = chat.say("mallory", "export 2025-09-25").attachment
    assert exported is not None
    edited = exported.content.decode().replace("앨리스의 메모", "앨리스는 틀렸다")

    reply = _import(chat, "mallory", edited, name="day.md")

    assert isinstance(reply.data, ImportDone) and reply.data.created == 1
    assert _stored(chat) == [
        ("Alice Talk", "alice", "앨리스의 메모"),
        ("Alice Talk", "mallory", "앨리스는 틀렸다"),
        ("Shared Talk", "alice", "앨리스가 본 공유 세션"),
    ]


def test_a_retried_import_changes_nothing(chat: Chat) -> None:
    first = _import(chat, "alice", ALICE_FILE)
    before = _stored(chat)

    again = _import(chat, "alice", ALICE_FILE)

    assert isinstance(first.data, ImportDone) and isinstance(again.data, ImportDone)
    done = again.data
    assert (done.created, done.updated, done.removed, done.unchanged) == (0, 0, 0, 2)
    assert _stored(chat) == before


def test_the_same_import_sent_twice_at_once_stores_each_memo_once(chat: Chat) -> None:
    invocation = chat.invocation("alice", "")
    command = ImportPosts("notes.txt", ALICE_FILE.encode())

    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda _: chat.bot.import_file(invocation, command), range(2)))

    assert all(isinstance(reply.data, ImportDone) for reply in replies), replies
    assert _stored(chat) == [
        ("Alice Talk", "alice", "앨리스의 메모"),
        ("Shared Talk", "alice", "앨리스가 본 공유 세션"),
    ]


# Through the chat platforms, where the path differs


@pytest.mark.asyncio
async def test_slack_a_partial_or_oversized_upload_changes_nothing(slack: Slack) -> None:
    await upload_note_file(slack, "alice.txt", ALICE_FILE.encode())
    before = json.dumps(await slack.command_json("sessions all"), ensure_ascii=False)
    slack.bot.import_max_bytes = 90_000
    big = (DAY + "".join(f"[Talk {n}]\n{'메모 ' * 30}\n" for n in range(1_000))).encode()

    answers = [
        await upload_note_file(slack, "cut.txt", big[:80_000], cut_after=40_000),
        await upload_note_file(slack, "big.txt", big, size=500, chunk_size=4_096),
        await upload_note_file(slack, "lying.txt", big, size=500, declares_length=False),
        await upload_note_file(slack, "short.txt", big[:60_000], size=70_000),
    ]

    assert "did not let me download cut.txt whole" in answers[0]
    assert "files can be at most 90,000 bytes" in answers[1]
    assert "files can be at most 90,000 bytes" in answers[2]
    assert "did not let me download short.txt whole" in answers[3]
    after = json.dumps(await slack.command_json("sessions all"), ensure_ascii=False)
    assert after == before


@pytest.mark.asyncio
async def test_slack_hostile_names_and_another_members_upload(slack: Slack) -> None:
    await upload_note_file(slack, "alice.txt", ALICE_FILE.encode())

    hostile = "<!channel> [x](https://evil.example).txt"
    await upload_note_file(slack, hostile, DAY.encode() + b"\x00", user=BOB)
    answer = slack.fake.calls_to("response_url")[-1].params
    forged = await upload_note_file(
        slack, "day.md", f"# {DAY}\n## [Alice Talk]\n\n### Alice\n\n가짜\n".encode(), user=BOB
    )

    assert_slack_shows_literally(answer, hostile)
    assert "imported as yours" in forged
    shown = json.dumps(await slack.command_json("show [Alice Talk]"), ensure_ascii=False)
    assert "Alice, 09:00: 앨리스의 메모" in shown and "Bob, 09:00: 가짜" in shown


@pytest.mark.asyncio
async def test_discord_another_members_upload_and_hostile_names(discord_bot: Discord) -> None:
    await import_file(discord_bot, "alice.txt", ALICE_FILE.encode())

    forged = await import_file(
        discord_bot,
        "../../etc/passwd",
        f"# {DAY}\n## [Alice Talk]\n\n### User {DISCORD_ALICE}\n\n가짜\n".encode(),
        user=DISCORD_BOB,
    )

    assert forged["content"].startswith("../../etc/passwd: 1 post")
    assert forged["allowed_mentions"] == {"parse": []}
    shown = await discord_bot.content("show", session="Alice Talk")
    assert f"User {DISCORD_ALICE}, 09:00: 앨리스의 메모" in shown
    assert f"User {DISCORD_BOB}, 09:00: 가짜" in shown
