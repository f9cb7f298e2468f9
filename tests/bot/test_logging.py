"""Operators get one log line per command with where it came from; never the memo text."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import update

from bot.replies.values import ProblemCode
from storage.database import Database
from storage.models import Channel
from tests.chat import Chat

SECRET_NOTE = "사내 비밀 로드맵 2026 projected-revenue-42"


def test_each_command_is_logged_with_its_context_but_not_its_text(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        chat.say("alice", f"add [Roadmap] {SECRET_NOTE}")
        chat.say("alice", f"edit 1 {SECRET_NOTE} v2")
        chat.say("alice", f"add [Roadmap] {'x' * 4001}")

    lines = [record.getMessage() for record in caplog.records if record.name.startswith("bot")]
    assert any("command=AddMemo" in line and "outcome=ok" in line for line in lines)
    assert any("outcome=text_too_long" in line for line in lines)
    assert all("workspace=T1 channel=C1" in line for line in lines)
    everything = caplog.text
    assert "projected-revenue-42" not in everything
    assert "Roadmap" not in everything


def test_a_database_failure_is_logged_without_the_text_and_the_user_told_nothing_was_saved(
    chat: Chat, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    chat.say("alice", "add [Roadmap] first")
    with database.writing() as tx:  # break the channel's memo counter: the next id clashes
        tx.execute(update(Channel).values(last_memo_number=0))

    with caplog.at_level(logging.DEBUG):
        reply = chat.say("alice", f"add [Roadmap] {SECRET_NOTE}")

    assert reply.data.code is ProblemCode.INTERNAL_ERROR  # type: ignore[union-attr]
    assert "nothing was saved" in reply.markdown
    assert "IntegrityError" not in reply.markdown
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    assert "projected-revenue-42" not in caplog.text
    assert [m.text for m in chat.say("bob", "show [Roadmap]").data.memos] == ["first"]  # type: ignore[union-attr]
