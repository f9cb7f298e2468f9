"""Which conference an imported post belongs to: by the conference's name, as a person groups.

The names and title words here are invented on purpose (and generated): the rule
must hold for conferences and title words nobody has seen, not for a word list.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from sqlalchemy import func, select

from bot.conferences import MAX_CONFERENCE_NAME_LENGTH
from bot.notefiles.grouping import conference_from_title, conference_names
from bot.notefiles.parse import Post
from bot.notefiles.reading import ImportPosts
from bot.replies.values import ImportDone, Reply
from storage.database import Database
from storage.models import Conference, ConferenceSession
from tests.chat import Chat

SAMPLES = Path(__file__).parent.parent / "samples"
DAY = date(2024, 11, 14)


def _posts(*titles: str, first: date = DAY) -> list[Post]:
    """Posts with these titles, newest first as a blog has them, one day apart."""
    return [
        Post(first - timedelta(days=position), title, (), (), position * 10 + 1)
        for position, title in enumerate(titles)
    ]


def _names(*titles: str) -> tuple[str, ...]:
    return conference_names(_posts(*titles))[0]


# ------------------------------------------------------------------ one title


@pytest.mark.parametrize(
    ("title", "conference"),
    [
        ("Qorvath Summit 2031 Day 3 recap", "Qorvath Summit 2031"),
        ("Qorvath Summit 2031 Hands-on Lab", "Qorvath Summit 2031"),
        ("Qorvath Summit 2031", "Qorvath Summit 2031"),
        ("Qorvath Summit 2031: what I saw", "Qorvath Summit 2031"),
        ("물방울콘 2029 핸즈온 후기", "물방울콘 2029"),
        ("물방울콘 2029 3일차 참가기", "물방울콘 2029"),
        ("물방울콘 2029 스폰서 부스 구경한 썰", "물방울콘 2029"),
        ("ZetaJS2030 workshop", "ZetaJS2030"),
        ("Brindle Days Tag 2 Mitschrift", "Brindle Days"),
        ("Brindle Days 2일차", "Brindle Days"),
        ("Brindle Days", "Brindle Days"),
        ("2030 Kestrel Forum Day 1", "2030 Kestrel Forum"),
        ("Day 1", "Day 1"),
    ],
)
def test_one_title_names_its_conference_by_the_words_before_a_year_or_a_day_number(
    title: str, conference: str
) -> None:
    assert conference_from_title(title) == conference


# ------------------------------------------------------------------ a file's titles

_SYLLABLES = st.sampled_from(["qor", "vath", "zel", "mira", "tesk", "물", "방울", "콘", "바다"])
#: Names of invented conferences: a capitalised word or two, no digits.
_NAMES = st.lists(
    st.lists(_SYLLABLES, min_size=1, max_size=3).map("".join).map(str.capitalize),
    min_size=1,
    max_size=2,
).map(" ".join)
#: What follows the name: any words, with or without a day number, never seen before.
_WORDS = st.lists(
    st.text(
        alphabet=st.characters(categories=("Lu", "Ll", "Lo"), exclude_characters="\u00a0"),
        min_size=1,
        max_size=8,
    ),
    min_size=0,
    max_size=3,
).map(" ".join)
_DAY_PARTS = st.sampled_from(["", "Day {n}", "Day{n}", "{n}일차", "Tag {n}", "{n}日目", "D{n}"])


@st.composite
def _suffix(draw: st.DrawFn) -> str:
    day = draw(_DAY_PARTS).format(n=draw(st.integers(1, 9)))
    return " ".join(part for part in (day, draw(_WORDS)) if part)


@settings(max_examples=200, deadline=None)
@given(name=_NAMES, year=st.integers(1990, 2099), suffixes=st.lists(_suffix(), min_size=1))
def test_posts_of_a_name_and_year_are_one_conference_whatever_the_other_words(
    name: str, year: int, suffixes: list[str]
) -> None:
    titles = [" ".join(filter(None, (name, str(year), suffix))) for suffix in suffixes]

    names, warnings = conference_names(_posts(*titles))

    assert set(names) == {f"{name} {year}"}
    assert warnings == ()


@settings(max_examples=200, deadline=None)
@given(
    name=_NAMES,
    suffixes=st.lists(_suffix().filter(bool), min_size=2, max_size=5).filter(
        lambda suffixes: len({suffix.split()[0].casefold() for suffix in suffixes}) > 1
    ),
)
def test_posts_without_a_year_are_one_conference_named_by_their_shared_leading_words(
    name: str, suffixes: list[str]
) -> None:
    names, _ = conference_names(_posts(*(f"{name} {suffix}" for suffix in suffixes)))

    assert set(names) == {name}


@settings(max_examples=100, deadline=None)
@given(
    first=_NAMES,
    second=_NAMES,
    years=st.tuples(st.integers(1990, 2099), st.integers(1990, 2099)),
    suffixes=st.tuples(_suffix(), _suffix(), _suffix()),
)
def test_unrelated_names_are_separate_conferences(
    first: str, second: str, years: tuple[int, int], suffixes: tuple[str, str, str]
) -> None:
    if first.split()[0].casefold() == second.split()[0].casefold():
        second = "Other" + second
    one, other = f"{first} {years[0]}", f"{second} {years[1]}"
    titles = [f"{one} {suffixes[0]}", f"{other} {suffixes[1]}", f"{one} {suffixes[2]}"]

    names, _ = conference_names(_posts(*titles))

    assert names == (one, other, one)


def test_the_issues_four_posts_are_two_conferences() -> None:
    names = _names(
        "Ondol Conf 2027 키노트 정리",
        "Ondol Conf 2027 Day 2 참가 세션 메모",
        "Ondol Conf 2027 Day1 후기",
        "Pebbleworks 2027 Hands-on Lab",
    )

    assert names == ("Ondol Conf 2027",) * 3 + ("Pebbleworks 2027",)


def test_two_editions_of_one_name_are_two_conferences() -> None:
    names = _names("Ondol Conf 2027 Day 1", "Ondol Conf 2026 Day 1", "Ondol Conf 2026 키노트")

    assert names == ("Ondol Conf 2027", "Ondol Conf 2026", "Ondol Conf 2026")


def test_a_title_with_only_the_name_joins_its_edition_in_the_file() -> None:
    # "DEVIEW" and "DEVIEW 2024" in one file: one conference, the one with the year.
    assert _names("Quillcon", "Quillcon 2024 Day 1") == ("Quillcon 2024", "Quillcon 2024")
    assert _names("Quillcon 워크숍", "Quillcon 2024 2일차") == ("Quillcon 2024",) * 2


def test_a_title_without_a_year_joins_the_edition_of_its_posts_year() -> None:
    posts = [
        Post(date(2025, 10, 2), "Quillcon 2025 Day 1", (), (), 1),
        Post(date(2024, 10, 3), "Quillcon 2024 Day 1", (), (), 10),
        Post(date(2024, 10, 4), "Quillcon 후기", (), (), 20),
    ]

    assert conference_names(posts)[0] == ("Quillcon 2025", "Quillcon 2024", "Quillcon 2024")


def test_a_name_that_only_starts_like_another_is_another_conference() -> None:
    assert _names("Quill 2024 Day 1", "Quillcon 2024 Day 1") == ("Quill 2024", "Quillcon 2024")


def test_a_post_without_a_title_goes_with_the_post_nearest_in_date() -> None:
    posts = [
        Post(date(2027, 6, 3), "Ondol Conf 2027 Day 2", (), (), 1),
        Post(date(2027, 6, 2), "", (), (), 10),
        Post(date(2026, 3, 1), "Pebbleworks 2026", (), (), 20),
    ]

    names, warnings = conference_names(posts)

    assert names == ("Ondol Conf 2027", "Ondol Conf 2027", "Pebbleworks 2026")
    assert [warning.line_number for warning in warnings] == [10]
    assert "no title" in warnings[0].message and "Ondol Conf 2027" in warnings[0].message


def test_a_title_that_is_only_a_day_goes_with_the_post_nearest_in_date() -> None:
    assert _names("Ondol Conf Day 1 메모", "Day 2") == ("Ondol Conf", "Ondol Conf")


# ------------------------------------------------------------------ importing


def _import(chat: Chat, text: str, name: str = "notes.txt", **options: object) -> Reply:
    command = ImportPosts(name, text.encode("utf-8"), **options)  # type: ignore[arg-type]
    return chat.run("alice", command)


def _done(reply: Reply) -> ImportDone:
    assert isinstance(reply.data, ImportDone), reply.markdown
    return reply.data


def _sessions_by_conference(database: Database) -> dict[str, int]:
    with database.reading() as tx:
        rows = tx.execute(
            select(Conference.name, func.count(ConferenceSession.id).label("sessions"))
            .join(ConferenceSession, ConferenceSession.conference_id == Conference.id)
            .group_by(Conference.name)
        )
        return {row.name: row.sessions for row in rows}


TWO_CONFERENCES = """2027-06-03
Ondol Conf 2027 2일차 메모

[Kelp 캐시 설계]
캐시 히트율 62% → 91%

2027-06-02
Ondol Conf 2027 Keynote notes

(Opening)
한 줄

2027-05-20
Pebbleworks 2027 Hands-on Lab

[Wasm sandboxes]
cold start 40ms
"""


def test_two_conferences_in_one_file_import_as_two_with_the_first_current(
    chat: Chat, database: Database
) -> None:
    reply = _import(chat, TWO_CONFERENCES)

    assert _sessions_by_conference(database) == {"Ondol Conf 2027": 2, "Pebbleworks 2027": 1}
    assert reply.markdown.split("\n")[2:] == [
        "- **Ondol Conf 2027** · Wed 2027-06-02 to Thu 2027-06-03 · 2 posts",
        "  - Thu 2027-06-03 · Ondol Conf 2027 2일차 메모 · 1 session",
        "  - Wed 2027-06-02 · Ondol Conf 2027 Keynote notes · 1 session",
        "- **Pebbleworks 2027** · Thu 2027-05-20 · 1 post",
        "  - Thu 2027-05-20 · Pebbleworks 2027 Hands-on Lab · 1 session",
        "",
        "**Ondol Conf 2027** is now the channel's current conference.",
    ]
    conference = chat.say("reader", "conference").markdown
    assert "**Ondol Conf 2027**" in conference
    assert "Wed 2027-06-02 to Thu 2027-06-03" in conference, "the dates come from the posts"


def test_a_dry_run_shows_conference_posts_and_sessions_and_stores_nothing(
    chat: Chat, database: Database
) -> None:
    reply = _import(chat, TWO_CONFERENCES, dry_run=True)

    assert reply.markdown.split("\n")[2:10] == [
        "- **Ondol Conf 2027** · Wed 2027-06-02 to Thu 2027-06-03 · 2 posts",
        "  - Thu 2027-06-03 · Ondol Conf 2027 2일차 메모 · 1 session",
        "    - [Kelp 캐시 설계] · 1 line",
        "  - Wed 2027-06-02 · Ondol Conf 2027 Keynote notes · 1 session",
        "    - [Opening] · 1 line",
        "- **Pebbleworks 2027** · Thu 2027-05-20 · 1 post",
        "  - Thu 2027-05-20 · Pebbleworks 2027 Hands-on Lab · 1 session",
        "    - [Wasm sandboxes] · 1 line",
    ]
    assert "**Ondol Conf 2027** would become the channel's current conference" in reply.markdown
    assert _sessions_by_conference(database) == {}


def test_the_conference_option_puts_every_post_in_one_conference(
    chat: Chat, database: Database
) -> None:
    _import(chat, TWO_CONFERENCES, conference="Team notes")

    assert _sessions_by_conference(database) == {"Team notes": 3}


def test_an_import_never_moves_the_channel_from_the_conference_it_follows(
    chat: Chat, database: Database
) -> None:
    chat.say("alice", "conference Pebbleworks 2027 Asia/Seoul 2027-05-20 2027-05-21")

    reply = _import(chat, TWO_CONFERENCES)

    assert _sessions_by_conference(database) == {"Ondol Conf 2027": 2, "Pebbleworks 2027": 1}
    assert reply.markdown.endswith("The channel's current conference stays **Pebbleworks 2027**.")
    conference = chat.say("reader", "conference").markdown
    assert "Thu 2027-05-20 to Fri 2027-05-21" in conference, "dates the posts fit in stay"


def test_the_three_sample_blogs_give_one_conference_per_real_conference(
    chat: Chat, database: Database
) -> None:
    for sample in ("blog-notes.txt", "blog-notes-english.txt", "blog-notes-terse.txt"):
        _done(_import(chat, (SAMPLES / sample).read_text(encoding="utf-8"), name=sample))

    assert _sessions_by_conference(database) == {
        "DEVRIVER 2025": 16,
        "Harborline Conf 2025": 5,
        "KODECON 2026": 12,
    }


def test_a_hostile_title_names_a_conference_that_renders_as_text(
    chat: Chat, database: Database
) -> None:
    title = "<!channel> @everyone **[click](https://evil.example)** 2027 " + "x" * 5000
    reply = _import(chat, f"2027-06-03\n{title}\n[Talk]\nnote\n")

    (name,) = _sessions_by_conference(database)
    assert name == "<!channel> @everyone **[click](https://evil.example)** 2027"
    html = MarkdownIt("commonmark").render(reply.markdown)
    assert "<a " not in html and "<em>" not in html
    assert "@everyone **[click](https://evil.example)** 2027" in html


def test_a_huge_title_without_a_year_names_a_conference_cut_to_the_longest_name(
    chat: Chat, database: Database
) -> None:
    _done(_import(chat, "2027-06-03\n" + "Ondol " * 3000 + "\n[Talk]\nnote\n"))

    (name,) = _sessions_by_conference(database)
    assert name == ("Ondol " * 3000)[:MAX_CONFERENCE_NAME_LENGTH]
