"""The sample team chat (three authors, near-duplicate notes, bad input), end to end
through `memo-bot console`, then checked through the core API."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import URL

from bot.core import MemoBot
from bot.replies.values import SessionListing, SessionMemos
from storage.database import Database
from tests.adapters.console.test_console import db_option, memo_bot
from tests.chat import Chat

TRANSCRIPT = Path(__file__).resolve().parents[2] / "samples" / "chat-transcript.txt"

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
POSTGRES = "Postgres 파티셔닝 실전: 30억 row 테이블"
FRONTEND = "프론트엔드 번들 크기 절반으로 줄이기"
LLM = "LLM 에이전트 평가 자동화"


def test_the_sample_conversation(database_url: URL) -> None:
    lines = TRANSCRIPT.read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines if not line.startswith("#") and " /memo" in line]

    result = memo_bot("console", *db_option(database_url), stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    replies = result.stdout.split("\n\n")[:-1]
    assert len(replies) == len(commands), "every /memo line gets exactly one reply"
    answer = dict(zip(commands, replies, strict=True))

    assert answer["@alice /memo sessions"].startswith("**Sessions on ")  # the first, empty one
    assert answer[
        "@bob /memo add [LLM 에이전트  평가 자동화] judge-사람 일치율 82% 정도"
    ].startswith(f"**bob** noted in [{LLM}]")
    bad = {
        "@bob /memo add [프론트엔드 번들 크기 절반으로 줄이기]": "The memo is empty",
        "@bob /memo add": "The memo is empty",
        "@alice /memo add [LLM 에이전트 평가 자동화 닫는 괄호를 빼먹음": "missing its closing `]`",
        "@jiho /memo delete 99999": "There is no memo #99999 in this channel.",
        "@alice /memo summary [아무도 안 들은 세션]": "No session called [아무도 안 들은 세션]",
        "@bob /memo frobnicate": "There is no `/memo frobnicate` command",
    }
    for command, expected in bad.items():
        assert expected in answer[command], (command, answer[command])
        assert len(answer[command].splitlines()) == 1 or command.endswith("frobnicate")
    assert answer["@bob /memo search 캐시"].startswith("**")  # found in the notes above
    assert "**캐시**" in answer["@bob /memo search 캐시"]
    # Each fact three (or two) people noted in their own words is one point, credited to all.
    for title, user, figure, authors in (
        (ENVOY, "alice", "210", "alice, bob, jiho"),
        (POSTGRES, "bob", "1.8", "alice, jiho"),
        (FRONTEND, "jiho", "1.9", "bob, jiho"),
        (LLM, "alice", "82%", "alice, bob"),
    ):
        summary = answer[f"@{user} /memo summary [{title}]"].splitlines()
        assert summary[0] == f"**[{title}]**"
        assert 1 <= len(summary[1:-1]) <= 5 and all(line.startswith("- ") for line in summary[1:-1])
        merged = [line for line in summary if figure in line]
        assert len(merged) == 1, summary
        assert merged[0].endswith(f" · {authors}"), merged
        assert summary[-1].startswith("Attended by ")
    assert answer["@jiho /memo add 제목 없이 쓴 메모"].startswith(f"**jiho** noted in [{LLM}]")

    database = Database(database_url)
    bot = MemoBot(database)
    try:
        chat = Chat(bot, platform="console", workspace="console", channel="general")
        listing = chat.say("reader", "sessions all").data
        assert isinstance(listing, SessionListing)
        assert {s.title: (s.memo_count, s.attendees) for s in listing.sessions} == {
            ENVOY: (15, ("alice", "bob", "jiho")),
            POSTGRES: (13, ("alice", "jiho", "bob")),
            FRONTEND: (10, ("bob", "jiho")),
            LLM: (12, ("alice", "bob", "jiho")),
        }
        envoy = chat.say("reader", f"show [{ENVOY}]").data
        assert isinstance(envoy, SessionMemos)
        assert envoy.memos[0].text == "기존 Nginx + Lua 게이트웨이, 라우트 3,400개"
        assert [m.author_name for m in envoy.memos[:3]] == ["alice", "bob", "jiho"]
    finally:
        bot.close()
        database.dispose()
