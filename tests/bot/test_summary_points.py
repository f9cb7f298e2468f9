"""Key points as a person would write them, on invented notes in Korean and English.

What a reader notices: a list becomes one point that names its items, the
writer's remarks about the note-taking never crowd out a fact, a question stays
with its answer, markers and moods are gone, numbers stay as written, and the
same notes always give the same points.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.summary.key_points import Note, key_points
from bot.summary.note_lines import numbers_in
from bot.summary.salience import META_MARKERS

#: Lines that each state a fact, for filling a session around what a test is about.
FACTS_KO = [
    "결제 승인 p99 620ms → 95ms",
    "캐시 적중률 71% → 96%",
    "Redis Cluster 12 샤드, 메모리 총 180GB",
    "핫키는 L1 캐시에 두고 키 뒤에 suffix 붙여 복제",
    "결론: 캐시 없이도 버티는 구조가 먼저",
    "DB 읽기 QPS 85% 감소",
]
FACTS_EN = [
    "p99 latency 850ms -> 120ms after the rewrite",
    "monthly bill $38k -> $6.5k",
    "tail-based sampling keeps 100% of errors",
    "Takeaway: measure before you optimize",
    "RSS flat over 30 days",
    "17 bugs found in 3 weeks with proptest",
]


def _notes(lines: list[str], author: str = "alice") -> list[Note]:
    """One memo per line, as people type them in chat, all by one person."""
    return [Note(number, author, line) for number, line in enumerate(lines, 1)]


def _texts(notes: list[Note]) -> list[str]:
    return [point.text for point in key_points(notes)]


@pytest.mark.parametrize(
    ("heading", "items", "facts"),
    [
        ("이전 단계", ["측정", "캐시 분리", "샤딩", "재측정"], FACTS_KO),
        ("Rollout steps", ["canary", "soak", "ramp up", "cleanup"], FACTS_EN),
    ],
)
@pytest.mark.parametrize("shape", ["per_line", "one_memo"])
def test_a_list_is_one_point_naming_its_items_never_a_bare_item(
    heading: str, items: list[str], facts: list[str], shape: str
) -> None:
    # Four facts and a list: five points, so the list is one of them, once.
    lines = [facts[0], heading, *(f"{n}. {item}" for n, item in enumerate(items, 1)), *facts[1:4]]
    notes = _notes(lines) if shape == "per_line" else [Note(1, "alice", "\n".join(lines))]

    texts = _texts(notes)

    assert not set(texts) & set(items), "a bare item is never a whole point"
    assert not any(re.fullmatch(r"\d+\. .*", text) for text in texts)
    listed = [text for text in texts if all(item in text for item in items)]
    assert listed == [f"{heading}: {' · '.join(items)}"]


def test_list_items_too_long_to_fit_are_named_by_their_heads() -> None:
    lines = [
        "원인 분석",
        "1. 설정 변경: 리뷰도 canary 도 없이 나가는 경우가 대부분이라 제일 위험했다고, 주말",
        "2. 코드 배포: 테스트는 있지만 롤백 절차가 팀마다 제각각, 그 얘기가 길게 나왔음",
        "3. 외부 의존성, 특히 PG사와 클라우드 리전 장애가 길게 이어진 경우가 많았고 대응도 어려움",
        "4. 용량 부족: 이벤트 때 트래픽을 예측 못 해서 오토스케일링이 못 따라간 경우",
        *FACTS_KO[:4],
    ]
    texts = _texts(_notes(lines))
    assert "원인 분석: 설정 변경 · 코드 배포 · 외부 의존성 · 용량 부족" in texts


def test_two_lists_one_after_the_other_are_two_points_and_item_10_continues_one() -> None:
    causes = ["설정 변경", "코드 배포", "외부 의존성"]
    fixes = [
        "리뷰",
        "카나리",
        "롤백",
        "알람",
        "대시보드",
        "런북",
        "훈련",
        "회고",
        "태깅",
        "교육",
        "감사",
    ]
    lines = [
        "원인",
        *(f"{n}. {cause}" for n, cause in enumerate(causes, 1)),
        "대책",
        *(f"{n}. {fix}" for n, fix in enumerate(fixes, 1)),
    ]
    texts = _texts([Note(1, "alice", "\n".join(lines))])
    assert sorted(texts) == sorted([f"원인: {' · '.join(causes)}", f"대책: {' · '.join(fixes)}"])


def test_a_long_line_is_cut_into_clauses_without_adding_arrows_or_items() -> None:
    long_line = (
        "=> 처음엔 코드 문제인 줄 알고 프로파일링부터 GC 튜닝까지 한 달을 헤맸고 원인은 못 찾았음, "
        "커넥션이 한 번 맺어지면 안 끊기는 게 원인이라는 걸 알고 나서 결국 client-side LB (xDS) "
        "로 바꿔서 해결했다고"
    )
    lines = ["서버 12대 중 2대만 CPU 90%", long_line, *FACTS_KO[:2]]
    for notes in (_notes(lines), [Note(1, "alice", "\n".join(lines))]):
        for text in _texts(notes):
            assert any(part in line for line in lines for part in text.split(" => ")), text
            assert text.count("=>") <= 1, text


@pytest.mark.parametrize(
    ("meta", "facts"),
    [
        (["자세한 건 발표자료 참고", "사진 찍어둠", "여기서부터 못 따라감 ㅠ"], FACTS_KO),
        (["배경 설명이 길어서 일부 생략", "슬라이드 링크는 올라오면 추가"], FACTS_KO),
        (["I'll read the paper later", "see the slides for the diagram"], FACTS_EN),
        (["lost track here, the demo was fast", "photo of the architecture"], FACTS_EN),
    ],
)
def test_a_remark_about_the_note_taking_is_never_picked_over_a_fact(
    meta: list[str], facts: list[str]
) -> None:
    # The remarks come first and last, where a first-lines or closing pick would take them.
    lines = [meta[0], *facts[:2], *meta[1:], *facts[2:4]]
    texts = _texts(_notes(lines))

    assert len(texts) == 4
    assert not any(remark in text for text in texts for remark in meta), texts


@pytest.mark.parametrize("marker", META_MARKERS)
def test_every_meta_marker_leaves_a_line_with_a_figure_alone(marker: str) -> None:
    """A marker only rules out lines with no figure: "3 photos per rental" is a fact."""
    remark = f"{marker} 정리"
    fact = f"{marker} 관련 처리 시간 40분 → 6분"
    texts = _texts(_notes([remark, fact, "다른 얘기"]))
    assert fact in texts
    assert remark not in texts


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Q. Kafka 는 왜 안 썼나?", "A. 초당 3,000 이벤트면 Postgres 하나로 충분"),
        ("Q: why not Envoy?", "A: the C++ filters were too hard to maintain"),
        ("Citus 는 검토했나?", "A. 샤딩까진 필요 없음, primary 1대 + replica 2대"),
    ],
)
def test_a_question_stays_with_its_answer(question: str, answer: str) -> None:
    answer_text = answer[3:]
    question_text = question.removeprefix("Q. ").removeprefix("Q: ")
    lines = [*FACTS_KO[:2], question, answer, *FACTS_KO[2:4]]

    for texts in (_texts(_notes(lines)), _texts([Note(1, "alice", "\n".join(lines))])):
        with_answer = [text for text in texts if answer_text in text]
        assert with_answer, texts
        assert all(question_text in text for text in with_answer)
        assert not any(text == question_text for text in texts)


def test_an_answer_by_someone_else_later_is_not_joined_to_a_question() -> None:
    notes = [
        Note(1, "alice", "Q. 롤백은 어떻게?"),
        Note(2, "bob", "배포 시간 40분 → 6분"),
        Note(3, "alice", "A. 이전 버전 이미지를 노드에 남겨 둠"),
    ]
    assert not any("롤백은 어떻게?" in text and "이전 버전" in text for text in _texts(notes))


def test_a_line_that_follows_from_the_one_above_is_joined_to_it_with_its_arrow() -> None:
    lines = [
        "action item 완료율 34% 밖에 안 됐음",
        "  → 지금 81%",
        *FACTS_KO[:2],
        "config 변경도 canary 10분",
        "=> 설정 변경발 장애 분기 11건 → 3건",
        *FACTS_KO[2:4],
    ]
    texts = _texts(_notes(lines))
    assert "config 변경도 canary 10분 => 설정 변경발 장애 분기 11건 → 3건" in texts


def test_a_heading_that_names_the_system_is_shown_with_its_result() -> None:
    lines = [
        '자체 오케스트레이터 "Mulgyeol"',
        ". Kubernetes 위에 GPU 스케줄링 레이어",
        ". 학습 잡 대기시간 평균 4.2시간 → 35분",
        "결론: GPU 를 더 사기 전에 스케줄링부터",
        *FACTS_KO[:4],
    ]
    texts = _texts([Note(1, "alice", "\n".join(lines))])
    assert any("Mulgyeol" in text and "4.2시간 → 35분" in text for text in texts), texts


@pytest.mark.parametrize(
    ("named", "facts"),
    [
        ('새 게이트웨이 이름은 "Dolbae" (돌배), Rust 로 작성', FACTS_KO),
        ('the new scheduler is called "Mulgyeol"', FACTS_EN),
    ],
)
def test_a_system_introduced_by_its_quoted_name_is_a_point(named: str, facts: list[str]) -> None:
    lines = [*facts[:2], "게이트웨이를 새로 만든 이야기", named, "발표는 플랫폼팀", *facts[2:4]]
    assert named in _texts(_notes(lines))


def test_markers_moods_and_escapes_never_show() -> None:
    lines = [
        ". 캐시 적중률 71% → 96%",
        "> 결제 승인 p99 620ms → 95ms",
        "- Redis Cluster 12 샤드",
        "=> 결론: 캐시 없이도 버티는 구조가 먼저 👍",
        "  ㄴ 핫키는 L1 캐시에 복제 ㅋㅋ",
        "1. DB 읽기 QPS 85% 감소",
    ]
    for notes in (_notes(lines), [Note(1, "alice", "\n".join(lines))]):
        for text in _texts(notes):
            assert not re.match(r"[.>\-*•·]|=>|->|ㄴ|\d+\. ", text), text
            assert "\\" not in text
            assert not re.search(r"ㅋㅋ|👍", text), text


def test_interleaved_chat_memos_are_not_read_as_one_persons_text() -> None:
    notes = [
        Note(1, "alice", "설정은 xDS 로 동적 배포"),
        Note(2, "bob", "커스텀 필터는 Wasm"),
        Note(3, "alice", "> p99 latency 210ms → 45ms"),
    ]
    texts = _texts(notes)
    assert "p99 latency 210ms → 45ms" in texts
    assert not any(":" in text for text in texts)


_WORDS = st.sampled_from(
    ["캐시", "배포", "p99", "Kafka", "적중률", "latency", "샤딩", "측정", "결론", "GPU", "는", "로"]
)
_NUMBER = st.builds(
    lambda whole, part, unit: f"{whole:,}{part}{unit}",
    st.integers(0, 99999),
    st.sampled_from(["", ".5", ".08"]),
    st.sampled_from(["", "ms", "%", "건", "GB", "배"]),
)
_MARKER = st.sampled_from(["", ". ", "> ", "- ", "=> ", "-> ", "ㄴ ", "1. ", "2) ", "Q. ", "A. "])
_LINE = st.builds(
    lambda indent, marker, words, number, arrow, tail: (
        f"{indent}{marker}{' '.join(words)} {number}{arrow}{tail}"
    ),
    st.sampled_from(["", "  "]),
    _MARKER,
    st.lists(_WORDS, min_size=1, max_size=12),
    _NUMBER,
    st.sampled_from(["", " → ", " -> "]),
    st.one_of(_NUMBER, st.just(""), st.just(" ㅋㅋ"), st.just("?")),
)
_MEMOS = st.lists(
    st.tuples(st.sampled_from(["alice", "bob"]), st.lists(_LINE, min_size=1, max_size=4)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(_MEMOS)
def test_points_keep_every_number_as_written_and_the_limits(
    memos: list[tuple[str, list[str]]],
) -> None:
    notes = [Note(number, author, "\n".join(lines)) for number, (author, lines) in enumerate(memos)]
    written = "\n".join(note.text for note in notes)

    points = key_points(notes)

    assert len(points) <= 5
    for point in points:
        assert 0 < len(point.text) <= 160
        assert not re.match(r"[.>\-*•·]\s|=>|->|ㄴ", point.text), point.text
        for number in numbers_in(point.text):
            assert number in written, (point.text, number)
        assert set(point.authors) <= {"alice", "bob"}
    assert key_points(list(reversed(notes))) == key_points(list(reversed(notes)))
    assert key_points(notes) == points, "the same notes give the same points"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["alice", "bob", "carol"]),
            st.text(
                st.characters(blacklist_categories=("Cs",)) | st.sampled_from("\n .>-=→ㄴQA1:?ㅋ"),
                max_size=300,
            ),
        ),
        max_size=20,
    )
)
def test_any_text_gives_points_within_the_limits_and_copied_from_the_notes(
    memos: list[tuple[str, str]],
) -> None:
    """Attack: whatever people type (controls, emoji, lone markers, huge lines), no crash."""
    notes = [Note(number, author, text) for number, (author, text) in enumerate(memos)]
    written = "\n".join(text for _, text in memos)

    points = key_points(notes)

    assert len(points) <= 5
    for point in points:
        assert 0 < len(point.text) <= 160
        for number in numbers_in(point.text):
            assert number in numbers_in(written), (point.text, number)
