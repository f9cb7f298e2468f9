"""The console speaks the terminal's language (``LANG``) unless the channel chose one."""

from __future__ import annotations

from sqlalchemy import URL

from tests.adapters.console.test_console import db_option, memo_bot

SESSION = "[대규모 트래픽에서 살아남는 서비스 운영기]"


def test_a_korean_terminal_gets_korean_replies_and_dates(database_url: URL) -> None:
    result = memo_bot(
        "console",
        *db_option(database_url),
        stdin=(
            "/memo conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26\n"
            f"/memo add {SESSION} 캐시를 두 단계로, p99 210ms → 45ms\n"
            "/memo show #7\n"
        ),
        env={"USER": "me", "LANG": "ko_KR.UTF-8"},
    )
    assert result.returncode == 0, result.stderr
    replies = result.stdout.split("\n\n")
    assert replies[0].startswith("이 채널의 컨퍼런스를 정했어요: **DEVRIVER 2025**")
    assert "2025년 9월 25일 (목) ~ 2025년 9월 26일 (금)" in replies[0]
    assert replies[1].startswith(f"**me** 님이 {SESSION}에 메모했어요 · #1")
    assert replies[2] == "_이 채널에 #7 메모가 없어요._"


def test_the_channel_setting_wins_over_the_terminal_and_stays_in_its_channel(
    database_url: URL,
) -> None:
    korean = {"USER": "me", "LANG": "ko_KR.UTF-8"}
    english = {"USER": "me", "LC_ALL": "en_US.UTF-8", "LANG": "ko_KR.UTF-8"}
    set_en = memo_bot("console", *db_option(database_url), stdin="/memo 언어 en\n", env=korean)
    assert set_en.stdout.startswith("This channel's language is now English."), set_en.stdout

    # A Korean terminal in that channel: English, as the channel says.
    in_channel = memo_bot(
        "console", *db_option(database_url), stdin="/memo 요약 [없는 세션]\n", env=korean
    )
    assert in_channel.stdout.startswith("No session called [없는 세션] in this channel.")

    # Another channel is still auto: the terminal's language decides (LC_ALL before LANG).
    other = ("console", *db_option(database_url), "--channel", "other")
    assert memo_bot(*other, stdin="/memo sessions\n", env=korean).stdout.startswith("**")
    assert "세션이 없어요" in memo_bot(*other, stdin="/memo sessions\n", env=korean).stdout
    assert "No sessions on" in memo_bot(*other, stdin="/memo sessions\n", env=english).stdout

    # Back to auto: the Korean terminal gets Korean again.
    memo_bot("console", *db_option(database_url), stdin="/memo language auto\n", env=korean)
    again = memo_bot(
        "console", *db_option(database_url), stdin="/memo summary [없는 세션]\n", env=korean
    )
    assert again.stdout.startswith("이 채널에 [없는 세션] 세션이 없어요.")


def test_a_bad_language_is_refused_in_the_persons_language_and_changes_nothing(
    database_url: URL,
) -> None:
    korean = {"USER": "me", "LANG": "ko_KR.UTF-8"}
    result = memo_bot(
        "console",
        *db_option(database_url),
        stdin="/memo language fr\n/memo language\n",
        env=korean,
    )
    refused, shown = result.stdout.split("\n\n")[:2]
    assert refused == "`ko`, `en`, `auto` 중에서 골라 주세요: `/memo language ko`."
    assert shown.startswith("이 채널의 언어: 자동")
