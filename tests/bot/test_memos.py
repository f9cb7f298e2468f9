"""/memo add, edit, delete and undo through the core API, on both databases."""

from __future__ import annotations

import html
from dataclasses import replace

from markdown_it import MarkdownIt
from sqlalchemy import func, select

from bot.core import MemoBot
from bot.memos import AddMemo
from bot.replies.values import MemoChanged, MemoSaved, ProblemCode, Reply, SessionMemos, Visibility
from storage.database import Database
from storage.models import Memo, MemoRevision
from tests.chat import Chat

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


def _memo_texts(chat: Chat, title: str) -> list[str]:
    reply = chat.say("reader", f"show [{title}]")
    assert isinstance(reply.data, SessionMemos), reply.markdown
    return [memo.text for memo in reply.data.memos]


def _stored_memo_count(database: Database) -> int:
    with database.reading() as tx:
        return tx.scalar(select(func.count()).select_from(Memo)) or 0


def _problem(reply: Reply) -> ProblemCode:
    assert not reply.ok, reply.markdown
    assert reply.visibility is Visibility.PRIVATE
    return reply.data.code  # type: ignore[union-attr]


def test_add_saves_the_memo_and_answers_privately_with_its_id(chat: Chat) -> None:
    reply = chat.say("alice", f"add [{ENVOY}] 기존 Nginx + Lua 게이트웨이, 라우트 3,400개")

    # The channel learns of it from its announcement (tests/bot/test_announcing.py).
    assert reply.visibility is Visibility.PRIVATE
    assert isinstance(reply.data, MemoSaved)
    assert reply.data.memo.number == 1
    assert reply.data.session.title == ENVOY
    assert "#1" in reply.markdown
    assert "기존 Nginx + Lua 게이트웨이, 라우트 3,400개" in reply.markdown
    assert _memo_texts(chat, ENVOY) == ["기존 Nginx + Lua 게이트웨이, 라우트 3,400개"]


def test_a_saved_memo_is_committed_before_the_reply(chat: Chat, database: Database) -> None:
    chat.say("alice", f"add [{ENVOY}] 커밋된 메모")

    other_connection = Database(database.url)
    try:
        with other_connection.reading() as tx:
            assert tx.scalars(select(Memo.text)).all() == ["커밋된 메모"]
    finally:
        other_connection.dispose()


def test_memo_text_is_stored_exactly_as_typed(chat: Chat) -> None:
    text = "> p99  210 ms → 45 ms\n. 두 번째 줄\t탭\u00a0NBSP\n- 👩‍💻 [참고] https://padocloud.example/a?b=1&c=2"
    chat.say("alice", f"add [{ENVOY}] {text}")
    assert _memo_texts(chat, ENVOY) == [text]


def test_control_characters_are_stripped_and_the_rest_saved(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] 벨\x07소리\x1b 없음\r\n다음 줄")
    assert _memo_texts(chat, ENVOY) == ["벨소리 없음\n다음 줄"]


def test_memo_ids_count_up_per_channel(chat: Chat) -> None:
    other = chat.elsewhere(channel="C2")
    numbers = [
        chat.say("alice", "add [A] one").data,
        chat.say("bob", "add [B] two").data,
        other.say("alice", "add [A] three").data,
    ]
    assert [saved.memo.number for saved in numbers] == [1, 2, 1]  # type: ignore[union-attr]


def test_same_title_in_other_case_and_spacing_is_the_same_session(chat: Chat) -> None:
    chat.say("alice", "add [LLM 에이전트 평가 자동화] LLM judge 랑 사람 채점 일치율 82%")
    reply = chat.say("bob", "add [llm 에이전트  평가 자동화] judge-사람 일치율 82% 정도")

    assert isinstance(reply.data, MemoSaved)
    assert reply.data.session.title == "LLM 에이전트 평가 자동화"
    assert reply.data.typed_title is None
    assert _memo_texts(chat, "LLM 에이전트 평가 자동화") == [
        "LLM judge 랑 사람 채점 일치율 82%",
        "judge-사람 일치율 82% 정도",
    ]


def test_a_near_title_uses_the_existing_session_and_says_so(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] one")
    reply = chat.say("bob", "add [Envoy로 갈아탄 사내 API 게이트웨] two")

    assert isinstance(reply.data, MemoSaved)
    assert reply.data.session.title == ENVOY
    assert reply.data.typed_title == "Envoy로 갈아탄 사내 API 게이트웨"
    assert "Matched" in reply.markdown
    quoted = MarkdownIt("commonmark").render(reply.markdown).split("<blockquote>")[1]
    assert "Matched" not in quoted, "the note is not part of the quoted memo"
    assert _memo_texts(chat, ENVOY) == ["one", "two"]


def test_without_a_title_the_memo_goes_to_the_users_recent_session(chat: Chat) -> None:
    chat.say("jiho", "add [LLM 에이전트 평가 자동화] 바뀐 케이스만 재실행")
    chat.say("alice", "add [Other talk] 다른 사람의 세션")
    chat.wait(hours=2, minutes=59)
    reply = chat.say("jiho", "add 제목 없이 쓴 메모")

    assert isinstance(reply.data, MemoSaved)
    assert reply.data.session.title == "LLM 에이전트 평가 자동화"
    assert reply.data.from_recent_session
    assert _memo_texts(chat, "LLM 에이전트 평가 자동화") == [
        "바뀐 케이스만 재실행",
        "제목 없이 쓴 메모",
    ]


def test_attending_a_session_makes_it_the_target_of_untitled_memos(chat: Chat) -> None:
    chat.say("jiho", "add [Earlier talk] 이전 세션 메모")
    chat.say("jiho", "attend [Postgres 파티셔닝 실전]")
    chat.say("jiho", "add 파티션 키는 created_at")
    assert _memo_texts(chat, "Postgres 파티셔닝 실전") == ["파티션 키는 created_at"]


def test_without_a_title_and_no_recent_session_nothing_is_saved(
    chat: Chat, database: Database
) -> None:
    chat.say("jiho", "add [LLM 에이전트 평가 자동화] 오래된 메모")
    chat.wait(hours=3, seconds=1)
    reply = chat.say("jiho", "add 제목 없이 쓴 메모")

    assert _problem(reply) is ProblemCode.NO_RECENT_SESSION
    assert "/memo add [Session title] note" in reply.markdown
    assert _stored_memo_count(database) == 1


def test_another_users_recent_session_is_not_used(chat: Chat) -> None:
    chat.say("alice", "add [Alice's talk] 앨리스 메모")
    assert _problem(chat.say("bob", "add 제목 없는 메모")) is ProblemCode.NO_RECENT_SESSION


def test_bad_add_input_is_refused_and_changes_nothing(chat: Chat, database: Database) -> None:
    chat.say("alice", f"add [{ENVOY}] 첫 메모")
    before = chat.say("reader", "sessions all").markdown
    cases = {
        f"add [{ENVOY}]": ProblemCode.EMPTY_TEXT,
        f"add [{ENVOY}]    \n  ": ProblemCode.EMPTY_TEXT,
        "add [새 세션]": ProblemCode.EMPTY_TEXT,
        "add": ProblemCode.EMPTY_TEXT,
        "add [LLM 에이전트 평가 자동화 닫는 괄호를 빼먹음": ProblemCode.UNBALANCED_BRACKETS,
        "add [] 제목이 비었음": ProblemCode.EMPTY_TITLE,
        "add [   ] 제목이 공백": ProblemCode.EMPTY_TITLE,
        f"add [{'긴' * 201}] 제목이 너무 김": ProblemCode.TITLE_TOO_LONG,
        f"add [{ENVOY}] {'가' * 4001}": ProblemCode.TEXT_TOO_LONG,
        f"add [New session] {'x' * 5000}": ProblemCode.TEXT_TOO_LONG,
    }
    for text, code in cases.items():
        reply = chat.say("bob", text)
        assert _problem(reply) is code, text
        assert len(reply.markdown) < 400, "error replies are short"

    assert _stored_memo_count(database) == 1
    assert chat.say("reader", "sessions all").markdown == before


def test_a_memo_of_exactly_the_limit_is_saved(chat: Chat) -> None:
    assert chat.say("alice", f"add [{ENVOY}] {'가' * 4000}").ok


def test_the_over_long_message_says_how_long_it_was(chat: Chat) -> None:
    reply = chat.say("alice", f"add [{ENVOY}] {'x' * 5000}")
    assert "5,000" in reply.markdown and "4,000" in reply.markdown


def test_a_retried_delivery_stores_once_and_gets_the_same_answer(
    chat: Chat, database: Database
) -> None:
    first = chat.say("alice", f"add [{ENVOY}] 재시도 메모", delivery_id="Ev123")
    again = chat.say("alice", f"add [{ENVOY}] 재시도 메모", delivery_id="Ev123")

    assert _stored_memo_count(database) == 1
    assert again.markdown == first.markdown
    assert again.replayed and not first.replayed


def test_the_same_delivery_id_in_another_channel_is_another_memo(chat: Chat) -> None:
    chat.say("alice", "add [A] 채널 1", delivery_id="Ev1")
    chat.elsewhere(channel="C2").say("alice", "add [A] 채널 2", delivery_id="Ev1")
    assert _memo_texts(chat.elsewhere(channel="C2"), "A") == ["채널 2"]


def test_an_adapter_can_attach_the_source_message(chat: Chat) -> None:
    source = "https://team.slack.example/archives/C1/p1727222400000100"
    reply = chat.run("alice", AddMemo(session=ENVOY, text="스레드에서 저장", source_url=source))
    assert isinstance(reply.data, MemoSaved)
    assert reply.data.memo.source_url == source


def test_the_author_can_edit_and_the_old_text_is_kept(chat: Chat, database: Database) -> None:
    chat.say("alice", f"add [{ENVOY}] p99 210ms → 54ms")
    reply = chat.say("alice", "edit 1 p99 210ms → 45ms")

    assert isinstance(reply.data, MemoChanged) and reply.data.action == "edited"
    assert reply.data.memo.edited
    assert _memo_texts(chat, ENVOY) == ["p99 210ms → 45ms"]
    with database.reading() as tx:
        assert tx.scalars(select(MemoRevision.text)).all() == ["p99 210ms → 54ms"]


def test_others_cannot_edit_or_delete_but_an_admin_can(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] 원래 메모")

    assert _problem(chat.say("bob", "edit 1 바꿈")) is ProblemCode.NOT_ALLOWED
    assert _problem(chat.say("bob", "delete 1")) is ProblemCode.NOT_ALLOWED
    assert _memo_texts(chat, ENVOY) == ["원래 메모"]

    chat.admins.add("carol")
    assert chat.say("carol", "edit 1 관리자가 고침").ok
    assert _memo_texts(chat, ENVOY) == ["관리자가 고침"]
    assert chat.say("carol", "delete 1").ok
    assert _memo_texts(chat, ENVOY) == []


def test_edit_refuses_empty_and_over_long_text(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] 원래 메모")
    assert _problem(chat.say("alice", "edit 1")) is ProblemCode.EMPTY_TEXT
    assert _problem(chat.say("alice", f"edit 1 {'x' * 4001}")) is ProblemCode.TEXT_TOO_LONG
    assert _memo_texts(chat, ENVOY) == ["원래 메모"]


def test_delete_hides_the_memo_keeps_it_stored_and_undo_restores_it(
    chat: Chat, database: Database
) -> None:
    chat.say("alice", f"add [{ENVOY}] 지울 메모")
    chat.say("alice", f"add [{ENVOY}] 남길 메모")

    deleted = chat.say("alice", "delete 1")
    assert "/memo undo" in deleted.markdown
    assert _memo_texts(chat, ENVOY) == ["남길 메모"]
    assert _stored_memo_count(database) == 2
    assert chat.say("reader", "sessions").data.sessions[0].memo_count == 1  # type: ignore[union-attr]

    restored = chat.say("alice", "undo")
    assert isinstance(restored.data, MemoChanged) and restored.data.action == "restored"
    assert _memo_texts(chat, ENVOY) == ["지울 메모", "남길 메모"]


def test_undo_restores_the_users_own_last_deletion_only(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] 첫째")
    chat.say("alice", f"add [{ENVOY}] 둘째")
    chat.say("alice", "delete 1")
    chat.say("alice", "delete 2")

    assert _problem(chat.say("bob", "undo")) is ProblemCode.NOTHING_TO_UNDO
    chat.say("alice", "undo")
    assert _memo_texts(chat, ENVOY) == ["둘째"]
    chat.say("alice", "undo")
    assert _memo_texts(chat, ENVOY) == ["첫째", "둘째"]
    assert _problem(chat.say("alice", "undo")) is ProblemCode.NOTHING_TO_UNDO


def test_deleted_memos_cannot_be_edited_or_deleted_again(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] 메모")
    chat.say("alice", "delete 1")
    assert _problem(chat.say("alice", "edit 1 다시")) is ProblemCode.MEMO_DELETED
    assert _problem(chat.say("alice", "delete 1")) is ProblemCode.MEMO_DELETED


def test_unknown_memo_ids_get_a_short_answer(chat: Chat) -> None:
    reply = chat.say("jiho", "delete 99999")
    assert _problem(reply) is ProblemCode.NO_SUCH_MEMO
    assert reply.markdown == "There is no memo #99999 in this channel."


def test_memo_with_markdown_and_mentions_is_shown_literally(chat: Chat) -> None:
    text = "[문서](https://evil.example) <!channel> **굵게**"
    reply = chat.say("alice", f"add [{ENVOY}] {text}")

    rendered = MarkdownIt("commonmark").render(reply.markdown)
    assert "<a " not in rendered
    assert "<strong>굵게" not in rendered
    assert html.escape(text, quote=False) in rendered


def test_one_bot_serves_many_commands_in_a_row(bot: MemoBot) -> None:
    chat = Chat(bot)
    for index in range(50):
        assert chat.say(f"user{index % 5}", f"add [Session {index % 7}] note {index}").ok
    listing = chat.say("reader", "sessions")
    assert sum(s.memo_count for s in listing.data.sessions) == 50  # type: ignore[union-attr]


def test_commands_built_by_adapters_are_cleaned_like_typed_text(chat: Chat) -> None:
    reply = chat.run("alice", AddMemo(session="널\x00 문자\u200b 세션", text="a\x00b\u202ec\x1b"))
    assert isinstance(reply.data, MemoSaved), reply.markdown
    assert reply.data.memo.text == "abc"
    assert _memo_texts(chat, "널 문자 세션") == ["abc"]


def test_a_title_that_grows_when_normalised_is_refused_not_crashed(chat: Chat) -> None:
    reply = chat.say("alice", f"add [{'ﷺ' * 20}] 펼치면 360자가 되는 제목")
    assert _problem(reply) is ProblemCode.TITLE_TOO_LONG


def test_long_or_blank_display_names_are_cut_or_replaced_by_the_user_id(chat: Chat) -> None:
    long_name = "아주 긴 이름 " * 30
    saved = chat.bot.handle(
        replace(chat.invocation("x", f"add [{ENVOY}] 긴 이름의 메모"), display_name=long_name)
    )
    assert isinstance(saved.data, MemoSaved), saved.markdown
    assert saved.data.memo.author_name == " ".join(long_name.split())[:80]

    blank = chat.bot.handle(
        replace(chat.invocation("y", f"add [{ENVOY}] 이름 없음"), display_name="\n ")
    )
    assert isinstance(blank.data, MemoSaved), blank.markdown
    assert blank.data.memo.author_name == "U-y"
