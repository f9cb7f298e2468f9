"""Which typed titles are taken to be the same session."""

from __future__ import annotations

import pytest

from bot.titles import closest_title, display_title, title_key


def _match(typed: str, *existing: str) -> str | None:
    return closest_title(title_key(typed), [(title, title_key(title)) for title in existing])


def test_case_width_and_spacing_do_not_make_a_new_title() -> None:
    assert title_key("LLM 에이전트  평가 자동화") == title_key("llm 에이전트 평가 자동화")
    assert title_key("ＡＰＩ 게이트웨이") == title_key("api 게이트웨이")


def test_display_title_collapses_whitespace_only() -> None:
    assert display_title("  LLM 에이전트  평가\t자동화 ") == "LLM 에이전트 평가 자동화"


@pytest.mark.parametrize(
    "typed",
    [
        "Envoy로 갈아탄 사내 API 게이트웨",  # a syllable short
        "Envoy로 갈아탄 사내 API게이트웨이",  # a space missing
        "Envoy로 갈아탄, 사내 API 게이트웨이",  # punctuation added
    ],
)
def test_near_titles_match_the_existing_session(typed: str) -> None:
    assert (
        _match(typed, "Envoy로 갈아탄 사내 API 게이트웨이") == "Envoy로 갈아탄 사내 API 게이트웨이"
    )


def test_punctuation_differences_match() -> None:
    existing = "Postgres 파티셔닝 실전: 30억 row 테이블"
    assert _match("Postgres 파티셔닝 실전 - 30억 row 테이블", existing) == existing


@pytest.mark.parametrize(
    ("typed", "existing"),
    [
        ("DEVRIVER Day2 키노트 정리", "DEVRIVER Day1 키노트 정리"),
        ("Postgres 파티셔닝 실전: 40억 row 테이블", "Postgres 파티셔닝 실전: 30억 row 테이블"),
        ("Kotlin 코루틴", "Kotlin 코루틴 실전"),
        ("Keynot", "Keynote"),
        ("C++ 성능 튜닝", "C 성능 튜닝"),
    ],
)
def test_different_talks_with_similar_titles_stay_apart(typed: str, existing: str) -> None:
    assert _match(typed, existing) is None


def test_the_closest_of_several_candidates_wins() -> None:
    assert (
        _match(
            "프론트엔드 번들 크기 절반으로 줄이기",
            "프론트엔드 번들 크기 절반으로 줄이긔",
            "백엔드 번들",
        )
        == "프론트엔드 번들 크기 절반으로 줄이긔"
    )


def test_invisible_characters_do_not_make_a_different_title() -> None:
    assert title_key("Envoy\u200b 게이트웨이") == title_key("Envoy 게이트웨이")
