"""Search syntax injection: whatever is typed into `/memo search`, it is only text to look for.

FTS5 operators (`OR`, `NEAR`, `*`, `^`, `"`, `-`, `:`, column filters, parentheses), SQL
LIKE wildcards, PostgreSQL array and regular-expression characters, backslashes, NUL and
control characters, very long queries, unbalanced quotes, hostile `in:`/`by:`/`day:`
values, Korean, emoji and combining characters: each gets an answer (results, or a
one-line message), never an internal error, and never a memo of another channel. What a
query finds is exactly the memos holding every word and quoted phrase as typed (the
README's rule, `bot.search.matches`); a quoted phrase means its literal text.

The channel searched holds memos with those very characters in them; its neighbours (another
channel, another workspace, another platform with the same ids) hold the same texts, so a
leak would show as a hit from a session of theirs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.standard import parse
from bot.commands.text import clean_text
from bot.core import MemoBot
from bot.replies.values import MemoSaved, Problem, ProblemCode, Reply, SearchResults
from bot.search import MAX_HITS, MAX_QUERY_LENGTH, SearchMemos, matches, parse_query
from storage.database import Database
from storage.search_upkeep import SearchUpkeep
from tests.adapters.discord.conftest import Discord
from tests.adapters.slack.conftest import Slack
from tests.chat import Chat

HERE, THERE = "여기 세션", "저기 세션"

#: Memos holding what a query language would read as syntax, and near misses of each.
CORPUS = [
    "a OR b 로 묶기",
    "b 그리고 a 또는 or",
    "NEAR(x y) 함수",
    "x 와 y 는 가까이",
    "star* 패턴",
    "starship 발사",
    "^caret 기호",
    "text:x 컬럼 필터",
    "words:x tokens:y memo_search:z",
    "-minus 부호",
    "100% 완료",
    "1000 원",
    "snake_case 변수",
    "snakecase 붙여쓰기",
    '"따옴표" 안의 말',
    "back\\slash 경로 \\\\ 두 개",
    "{a,b} 배열 리터럴 ARRAY[1]",
    "it's 작은따옴표 ''",
    "x.*y 정규식 [a-z]+ \\d (?i)",
    "C++ 템플릿 && || @@ ::text",
    "$$ 달러 두 개; DROP TABLE memos; --",
    "캐시를 두 단계로",
    "🔥 불 이모지",
    "👩\u200d💻 개발자",
    "café 커피 합성",
    "cafe\u0301 커피 결합",
    "ＲＥＤＩＳ 전각",
    "한 글자 검색",
    "plain words only",
]

#: Queries and the memos they must find, by their first word: the literal reading.
LITERAL = [
    ("a OR b", {"a", "b"}),
    ('"a OR b"', {"a"}),
    ("star*", {"star*"}),
    ("%", {"100%"}),
    ("_", {"snake_case", "words:x"}),
    ("NEAR(x y)", {"NEAR(x"}),
    ("^caret", {"^caret"}),
    ("text:x", {"text:x"}),
    ("-minus", {"-minus"}),
    ("{a,b}", {"{a,b}"}),
    (".*", {"x.*y"}),
    ("$$", {"$$"}),
    ("back\\slash", {"back\\slash"}),
    ("it's", {"it's"}),
    ('"DROP TABLE"', {"$$"}),
    ("redis", {"ＲＥＤＩＳ"}),
    ("café", {"café", "cafe\u0301"}),
    ("👩\u200d💻", {"👩\u200d💻"}),
]

HOSTILE = [
    # FTS5
    "OR", "AND", "NOT", "a NOT b", "NEAR", "NEAR(a b, 3)", "*", "a*", "^", "^a", "-", "-a",
    ":", "text:", "words:x", "memo_search:x", "{words}: x", "rowid", "(", ")", "(a OR b)",
    "a + b", "a AND (b OR c)",
    # quotes
    '"', '""', '"""', '"unbalanced', 'unbalanced"', '"a" "b', "'", "''", "`", "``",
    # LIKE, PostgreSQL arrays and regular expressions, SQL
    "%", "%%", "_", "__", "\\%", "\\_", "a%b", "{}", "{a,b}", "ARRAY[1]", "'{1,2}'::bigint[]",
    "@>", "&&", "@@", "~", "~*", ".*", "[a-z]", "\\d", "(?i)", "|", "$1", "$$", ";",
    "'; DROP TABLE memos; --", "1=1", "E'\\x00'",
    # backslashes, NUL and control characters, invisible and direction characters
    "\\", "\\\\", "a\\", "\x00", "a\x00b", "\x01\x02\x1b[31m", "\x7f", "\u202e", "\ufeff",
    "\u200b", "a\u200bb", "\u2028", "\t탭\t",
    # long
    "x" * MAX_QUERY_LENGTH, "x" * (MAX_QUERY_LENGTH + 1),
    "캐시 " * 66, '"' * 199, "(" * 200,
    # Korean, emoji, combining characters
    "캐시", "캐시를", "ㅋㅋ", "한", "한", "🔥", "👩\u200d💻", "🇰🇷", "e\u0301", "\u0301",
    "ＲＥＤＩＳ", "ﬁ",
]  # fmt: skip

#: Filters with values a query language, a LIKE or a date parser could choke on.
HOSTILE_FILTERS = [
    'in:"', "in:[", "in:%", "in:_", 'in:"여기%"', 'in:"\' OR 1=1 --"', "in:\\", "in:*",
    f"in:{'가' * 300}", "by:", "by:@%", "by:_", "by:<@%>", "by:<@U1|x>", "by:<@>", "by:<@!>",
    "by:\\", f"by:{'a' * 300}", "day:", "day:2025-13-45", "day:2025-02-30", "day:20250925",
    "day:0000-01-01", "day:0001-01-01", "day:9999-12-31", "day:99999-01-01", "day:';DROP",
    "day:2025-09-25'", "in:in:", "by:by:", "day:day:",
]  # fmt: skip


@dataclass
class Corpus:
    chat: Chat
    #: Memo number in the searched channel -> its text.
    texts: dict[int, str]

    def expected(self, query: str) -> set[int]:
        """The memos the README's rule says a plain query finds: those holding every piece,
        or else, when the session's title holds them all, its newest memo."""
        pieces = parse_query(query)
        found = {number for number, text in self.texts.items() if matches(pieces, text)}
        return found or ({max(self.texts)} if matches(pieces, HERE) else set())


def _add_all(chat: Chat, title: str, texts: list[str]) -> dict[int, str]:
    numbers = {}
    for text in texts:
        reply = chat.say("alice", f"add [{title}] {text}")
        assert isinstance(reply.data, MemoSaved), reply.markdown
        numbers[reply.data.memo.number] = text
    return numbers


def _index_pending(database: Database) -> None:
    """Index what is pending, as SQLite's background upkeep does every second."""
    if database.dialect == "sqlite":
        upkeep = SearchUpkeep(database.write, database.reading)
        upkeep.run_once()
        upkeep.stop()


@pytest.fixture
def corpus(chat: Chat, database: Database) -> Corpus:
    """The corpus in the searched channel and three neighbours; half of it indexed,
    half still pending on SQLite (a search checks those directly)."""
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    neighbours = [
        chat.elsewhere(channel="C2"),
        chat.elsewhere(workspace="T2"),
        chat.elsewhere(platform="discord"),
    ]
    half = len(CORPUS) // 2
    texts = {}
    for part, then in ((CORPUS[:half], _index_pending), (CORPUS[half:], None)):
        texts.update(_add_all(chat, HERE, part))
        for neighbour in neighbours:
            _add_all(neighbour, THERE, part)
        if then is not None:
            then(database)
    return Corpus(chat, texts)


def _is_one_line_refusal(reply: Reply) -> bool:
    return isinstance(reply.data, Problem) and "\n" not in reply.markdown.strip()


def _check(corpus: Corpus, query: str) -> Reply:
    """Search for ``query``: never an internal error, never another channel's memo; a
    refusal is one line. Returns the reply for more checks."""
    reply = corpus.chat.say("reader", f"search {query}")
    assert not (
        isinstance(reply.data, Problem) and reply.data.code is ProblemCode.INTERNAL_ERROR
    ), f"search {query!r} failed inside"
    if isinstance(reply.data, SearchResults):
        assert {hit.session_title for hit in reply.data.hits} <= {HERE}, (
            f"search {query!r} found another channel's memo"
        )
        assert {hit.number for hit in reply.data.hits} <= set(corpus.texts)
    else:
        assert _is_one_line_refusal(reply), f"search {query!r}: {reply.markdown!r}"
    return reply


def _plain(query: str) -> bool:
    """Whether ``query`` is words only: no filter, and nothing the grammar refuses."""
    parsed = parse(clean_text(f"search {query}"))
    return isinstance(parsed, SearchMemos) and (parsed.session, parsed.author, parsed.day) == (
        None,
        None,
        None,
    )


def _check_found(corpus: Corpus, query: str) -> None:
    """``_check``, and for a plain query: exactly the memos holding every piece as typed."""
    reply = _check(corpus, query)
    if not _plain(query):
        return
    expected = corpus.expected(query)
    if not parse_query(query):
        assert isinstance(reply.data, Problem) and reply.data.code is ProblemCode.EMPTY_QUERY
        return
    assert isinstance(reply.data, SearchResults), f"search {query!r}: {reply.markdown!r}"
    assert reply.data.total == len(expected), f"search {query!r}"
    shown = {hit.number for hit in reply.data.hits}
    assert shown <= expected and len(shown) == min(len(expected), MAX_HITS), f"search {query!r}"


def test_what_looks_like_syntax_is_looked_for_as_typed(corpus: Corpus) -> None:
    for query, first_words in LITERAL:
        reply = _check(corpus, query)
        assert isinstance(reply.data, SearchResults), reply.markdown
        found = {corpus.texts[hit.number].split()[0] for hit in reply.data.hits}
        assert found == first_words, f"search {query!r}"
        # The README's rule, which the generated queries are checked against, agrees.
        assert corpus.expected(query) == {
            number for number, text in corpus.texts.items() if text.split()[0] in first_words
        }, f"search {query!r}"


def test_every_hostile_query_gets_an_answer_from_this_channel_only(corpus: Corpus) -> None:
    for query in HOSTILE:
        _check_found(corpus, query)


def test_hostile_filter_values_get_a_one_line_answer(corpus: Corpus) -> None:
    for value in HOSTILE_FILTERS:
        for query in (f"캐시 {value}", f"{value} 캐시", f'"a OR b" {value} *'):
            _check(corpus, query)


@pytest.mark.parametrize("zone", ["Asia/Seoul", "UTC", "America/Los_Angeles"])
def test_the_calendars_first_and_last_days_get_a_one_line_answer_everywhere(
    chat: Chat, zone: str
) -> None:
    """Days whose 24 hours do not fit the calendar in the channel's time zone, in
    `search day:` and every other command that takes a day."""
    chat.say("alice", f"conference DEVRIVER 2025 {zone}")
    chat.say("alice", "add [여기 세션] 캐시를 두 단계로")
    for day in ("0001-01-01", "9999-12-31"):
        for command in (
            f"search 캐시 day:{day}",
            f"sessions {day}",
            f"digest now {day}",
            f"export {day}",
            f"conference Later {zone} {day}",
        ):
            reply = chat.say("alice", command)
            assert isinstance(reply.data, Problem), f"{command}: {reply.markdown}"
            assert reply.data.code is ProblemCode.BAD_DATE, f"{command}: {reply.markdown}"
            assert "\n" not in reply.markdown
    assert "DEVRIVER 2025" in chat.say("alice", "conference").markdown, "nothing changed"


# Generated queries: pieces of query languages, Korean, emoji and combining characters.
_TOKENS = st.sampled_from(
    [
        "OR", "NEAR", "NOT", "AND", "*", "^", '"', "-", ":", "(", ")", "%", "_", "\\", "'",
        "{", "}", "[", "]", "$", ";", "~", "|", "&", "@", ".", "+", "in:", "by:", "day:",
        "캐시", "를", "한", "a", "b", "x", "y", "text", "words", "star", "redis", "café",
        "e\u0301", "🔥", "👩\u200d💻", "\x00", "\u200b", "\u202e", " ", "  ",
    ]
)  # fmt: skip
_QUERIES = st.one_of(
    st.lists(_TOKENS, min_size=1, max_size=12).map("".join),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
        min_size=1,
        max_size=40,
    ),
)


def test_generated_queries_find_exactly_what_they_say(corpus: Corpus) -> None:
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
        derandomize=True,
    )
    @given(query=_QUERIES)
    def check(query: str) -> None:
        _check_found(corpus, query)

    check()


HOSTILE_THROUGH_ADAPTERS = [
    '"a OR b"', "star*", "%", "_", "NEAR(x y)", "text:x", "'; DROP TABLE memos; --",
    "back\\slash", "a\x00b", "&amp; <b> &lt;", "<!channel>", "<@U1|x>", "캐시 day:9999-12-31",
    "캐시 in:\"'\" by:<@%>", "x" * (MAX_QUERY_LENGTH + 1), "👩\u200d💻 e\u0301",
]  # fmt: skip
INTERNAL_ERROR_TEXT = "something went wrong on our side"


@pytest.mark.asyncio
async def test_hostile_queries_through_slack_and_discord(
    slack: Slack, discord_bot: Discord, bot: MemoBot
) -> None:
    for channel in ("C1", "C2"):
        for text in ("a OR b 로 묶기", "star* 패턴", "100% 완료", "back\\slash 경로"):
            await slack.command_json(
                f"add [{HERE if channel == 'C1' else THERE}] {text}", channel=channel
            )
    for text in ("a OR b 로 묶기", "100% 완료"):
        await discord_bot.content("add", session=THERE, text=text)

    for query in HOSTILE_THROUGH_ADAPTERS:
        answer = await slack.command_json(f"search {query}")
        shown = json.dumps(answer, ensure_ascii=False)
        assert answer["response_type"] == "ephemeral"
        assert INTERNAL_ERROR_TEXT not in shown and THERE not in shown, (query, shown)
        if len(query) <= MAX_QUERY_LENGTH:
            callback = await discord_bot.memo("search", query=query.replace("\x00", ""))
            content = callback["data"]["content"]
            assert callback["type"] == 4 and callback["data"]["flags"] == 64, callback
            assert INTERNAL_ERROR_TEXT not in content and HERE not in content, (query, content)
