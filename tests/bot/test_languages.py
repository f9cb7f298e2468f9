"""Which language the core answers in: the channel's `/memo language`, else the person's
locale, else the default; scheduled digests by the channel's setting or its notes; Korean
command words beside the English ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.agenda.importing import ImportAgenda
from bot.core import MemoBot
from bot.digest.building import DigestBuilt, build_day_digest
from bot.notefiles.reading import ImportPosts
from bot.replies.values import Reply
from storage import channels as channel_store
from tests.chat import Chat

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
DAY = date(2025, 9, 25)


def say(chat: Chat, user: str, text: str, locale: str | None, **kwargs: str) -> Reply:
    """``user`` types ``/memo <text>`` on a platform that gives their ``locale``."""
    invocation = replace(chat.invocation(user, text, **kwargs), locale=locale)
    return chat.bot.handle(invocation)


def test_auto_follows_each_persons_locale_and_the_default_without_one(chat: Chat) -> None:
    assert say(chat, "alice", f"add [{ENVOY}] 메모", "ko-KR").markdown.startswith(
        f"**alice** 님이 [{ENVOY}]에 메모했어요 · #1"
    )
    assert say(chat, "bob", f"add [{ENVOY}] memo", "en-US").markdown.startswith("**bob** noted")
    assert say(chat, "carol", "undo", None).markdown.startswith("You have not deleted")
    assert say(chat, "dave", "undo", "fr-FR").markdown.startswith("You have not deleted")


def test_a_channel_setting_speaks_to_everyone_there_and_nowhere_else(chat: Chat) -> None:
    changed = say(chat, "alice", "language ko", "en-US")
    assert changed.markdown == "이 채널의 언어를 바꿨어요: 한국어."
    assert say(chat, "bob", "undo", "en-US").markdown.startswith("이 채널에서 삭제한 메모가")

    other = chat.elsewhere(channel="C2")
    assert say(other, "bob", "undo", "en-US").markdown.startswith("You have not deleted")
    slack_elsewhere = chat.elsewhere(workspace="T2")
    assert say(slack_elsewhere, "bob", "undo", None).markdown.startswith("You have not deleted")


def test_a_retried_language_change_answers_once_and_stores_once(chat: Chat) -> None:
    first = say(chat, "alice", "language ko", None, delivery_id="trigger-1")
    again = say(chat, "alice", "language ko", None, delivery_id="trigger-1")
    assert again.markdown == first.markdown == "이 채널의 언어를 바꿨어요: 한국어."
    assert say(chat, "alice", "language ko", None).markdown == (
        "이 채널의 언어는 이미 이렇게 설정돼 있어요: 한국어."
    )


def test_a_bad_setting_is_refused_and_changes_nothing(chat: Chat, bot: MemoBot) -> None:
    say(chat, "alice", "language en", None)
    refused = say(chat, "alice", "language 日本語", "ko")
    assert not refused.ok
    assert say(chat, "alice", "language", "ko").markdown.startswith(
        "This channel's language: English."
    )


def test_korean_command_words_run_the_same_commands_and_english_still_works(
    chat: Chat,
) -> None:
    saved = say(chat, "alice", f"추가 [{ENVOY}] 라우트 3,400개", "ko")
    assert saved.ok and "#1" in saved.markdown
    summary_ko = say(chat, "alice", f"요약 [{ENVOY}]", "ko")
    summary_en = say(chat, "alice", f"summary [{ENVOY}]", "ko")
    assert summary_ko.markdown == summary_en.markdown
    found = say(chat, "alice", "검색 라우트", "en")
    assert found.markdown.startswith("**1 memo match**")
    help_text = say(chat, "alice", "도움말", "en").markdown
    assert "- `/memo search words" in help_text and "(`검색`)" in help_text


def _digest_of(bot: MemoBot, chat: Chat, default: str = "en") -> str:
    with bot.database.reading() as tx:
        channel = channel_store.find_channel(tx, chat.platform, chat.workspace, chat.channel)
    assert channel is not None
    built = build_day_digest(
        bot.database, channel.id, DAY, default_time_zone="UTC", default_language=default
    )
    assert isinstance(built, DigestBuilt)
    return built.markdown


def test_a_scheduled_digest_of_korean_notes_is_korean_in_an_auto_channel(
    bot: MemoBot, chat: Chat
) -> None:
    chat.say("alice", "conference DEVRIVER 2025 UTC 2025-09-25 2025-09-26")
    for note in ("캐시를 두 단계로 나눴다", "p99 210ms → 45ms", "라우트 3,400개를 xDS로 이관"):
        chat.say("alice", f"add [{ENVOY}] {note}")
    assert _digest_of(bot, chat).startswith(
        "**DEVRIVER 2025 1일차 세션 메모 · 2025년 9월 25일 (목)**"
    )

    chat.say("alice", "language en")
    assert _digest_of(bot, chat).startswith(
        "**DEVRIVER 2025 Day 1 session memos · Thu 2025-09-25**"
    )


def test_a_scheduled_digest_of_english_notes_uses_the_default_language(
    bot: MemoBot, chat: Chat
) -> None:
    chat.say("alice", "conference KubeCon UTC 2025-09-25 2025-09-26")
    for note in (
        "Envoy moved 3,400 routes",
        "p99 went from 210ms to 45ms",
        "caches belong to 서비스",
    ):
        chat.say("alice", f"add [Gateway migration] {note}")
    assert _digest_of(bot, chat).startswith("**KubeCon Day 1 session memos · Thu 2025-09-25**")
    assert _digest_of(bot, chat, default="ko").startswith("**KubeCon 1일차 세션 메모")
    chat.say("alice", "language ko")
    assert _digest_of(bot, chat).startswith("**KubeCon 1일차 세션 메모")


def test_a_note_files_problems_and_warnings_are_in_the_channels_language(chat: Chat) -> None:
    chat.say("alice", "language ko")
    hostile = chat.run("alice", ImportPosts("notes.txt", b"2025-09-25\nDay 1\n\x00[Talk]\n"))
    warned = chat.run(
        "alice",
        ImportPosts("notes.txt", "머리말\n2025-09-25 (금)\nDEVRIVER Day1\n[발표]\n메모\n".encode()),
    )

    assert hostile.markdown.startswith(
        "notes.txt은(는) 텍스트 파일이 아니에요(3번째 줄에 NUL 바이트가 있어요)."
    )
    assert "1번째 줄: 날짜 줄보다 앞에 있어서 가져오지 않았어요" in warned.markdown
    assert "2번째 줄: 요일이 2025-09-25와(과) 맞지 않지만 날짜는 그대로 뒀어요" in warned.markdown


def test_a_programme_files_problems_are_in_the_channels_language(chat: Chat) -> None:
    chat.say("alice", "language ko")
    csv = "title,date,start,end\n발표,2025-09-25,13:40,25시\n".encode()

    refused = chat.run("alice", ImportAgenda("agenda.csv", csv))

    assert refused.markdown.startswith(
        "agenda.csv: 2번째 줄: “25시”은(는) 13:40 같은 시각이 아니에요. 아무것도 바꾸지 않았어요."
    ), refused.markdown
    english = Chat(chat.bot, channel="C2").run("alice", ImportAgenda("agenda.csv", csv))
    assert english.markdown.startswith("agenda.csv, line 2: “25시” is not a time like 13:40.")
