"""`/memo search`: which memos of the channel mention the query, best first.

The index (``storage.search``) narrows the channel's memos to candidates that
hold every term of the query; here each candidate is checked against the
query itself and ranked. A query is words and ``"quoted phrases"``; a memo
matches when it contains every one of them:

- Korean words anywhere, inside longer words (``캐시`` in ``캐시를``,
  ``인식`` in ``얼굴인식``), and spaces between Korean syllables do not matter
  (``장애대응`` finds ``장애 대응``);
- other words whole and in any case (``redis`` finds ``Redis를`` but not
  ``redisson``), symbols exactly (``C++``, ``1:N``, ``<->``).

A session whose title contains the query counts too: it is one hit (its newest
memo), unless some of its memos match by their text anyway.

Ranking: a BM25-like score per memo (how often each piece occurs, less for
long memos, more when the session title matches as well), rounded so that
memos about equally relevant come newest first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import titles
from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    InTransaction,
    Option,
    OptionKind,
    Usage,
)
from bot.commands.text import Rejected, clean_text, not_a_date, parse_day
from bot.context import Context
from bot.i18n import N_, _
from bot.replies import markdown as md
from bot.replies import render
from bot.replies.values import ProblemCode, Reply, SearchHit, SearchResults, Visibility, refuse
from bot.sessions import SessionId, check_title, find_existing, no_such_session, picked_session
from storage import channels as channel_store
from storage import search as search_index
from storage import sessions as session_store
from storage.records import SearchCandidate
from storage.search import Candidate
from storage.search_terms import CJK, composed, folded, normalize, query_terms

#: Hits shown; the rest are counted.
MAX_HITS = 10
#: Characters of context shown before the first match and in all of a snippet.
SNIPPET_BEFORE = 30
SNIPPET_LENGTH = 120
# BM25's usual constants: how fast repeats stop counting, how much length matters.
_K1 = 1.2
_B = 0.75
#: Weight of a piece found in the session's title as well as in the memo.
_TITLE_WEIGHT = 0.5

_PIECE = re.compile(r'"([^"]*)"?|(\S+)')
_QUERY_CHARS = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+)|(?P<space>\s+)|(?P<symbol>.)")
_NOT_AFTER_WORD = rf"(?<![^\W_{CJK}])"
_NOT_BEFORE_WORD = rf"(?![^\W_{CJK}])"


@dataclass(frozen=True, slots=True)
class Author:
    """Whose memos: a platform user id (a mention, a Discord user option) or a name as typed."""

    external_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SearchMemos(Command):
    """``/memo search``: the query as typed (quoted phrases keep their quotes), and filters."""

    query: str
    session: str | SessionId | None = None
    author: Author | None = None
    #: A local day (the conference's time zone) the memos were written on.
    day: date | None = None


@dataclass(frozen=True, slots=True)
class Piece:
    """One word or quoted phrase of a query: the terms the index needs, the exact pattern."""

    terms: frozenset[str]
    pattern: re.Pattern[str]


def parse_query(query: str) -> list[Piece]:
    """The words and quoted phrases of a query as typed; empty when nothing is left to look for."""
    return _pieces(clean_text(query))


def _pieces(query: str) -> list[Piece]:
    """``parse_query`` for a query cleaned already (a command's)."""
    pieces = []
    for match in _PIECE.finditer(query):
        typed = match.group(1) if match.group(1) is not None else match.group(2)
        folded_piece = normalize(typed).strip()
        if not folded_piece:
            continue
        pieces.append(Piece(frozenset(query_terms(folded_piece)), _pattern(folded_piece)))
    return pieces


def _pattern(piece: str) -> re.Pattern[str]:
    """A regular expression for ``piece`` (already folded) inside folded text.

    Built from the piece's own characters, each escaped: nothing typed is ever
    read as regular-expression syntax.
    """
    parts: list[str] = []
    kinds = [(match.lastgroup, match.group()) for match in _QUERY_CHARS.finditer(piece)]
    for index, (kind, value) in enumerate(kinds):
        if kind == "cjk":
            parts.append(r"\s*".join(re.escape(char) for char in value))
        elif kind == "word":
            parts.append(_NOT_AFTER_WORD + re.escape(value) + _NOT_BEFORE_WORD)
        elif kind == "space":
            between_cjk = (
                0 < index < len(kinds) - 1 and kinds[index - 1][0] == kinds[index + 1][0] == "cjk"
            )
            parts.append(r"\s*" if between_cjk else r"\s+")
        else:
            parts.append(re.escape(value))
    return re.compile("".join(parts))


def matches(pieces: list[Piece], text: str) -> bool:
    """Whether ``text`` contains every piece (the rule the evaluation and the tests use)."""
    folded_text = normalize(text)
    return all(piece.pattern.search(folded_text) for piece in pieces)


def search(ctx: Context, command: SearchMemos) -> Reply:
    pieces = _pieces(command.query)
    if not pieces:
        return refuse(
            ProblemCode.EMPTY_QUERY,
            _('What should I look for? Write `/memo search 캐시` or `/memo search "a phrase"`.'),
            "query",
        )
    filters = _filters(ctx, command)
    if isinstance(filters, Reply):
        return filters
    found = _hits(ctx, pieces, filters)
    # Best score first; between equal scores the newest (two stable sorts: ``written`` is
    # whatever the database stores, which orders correctly but cannot be negated).
    found.sort(key=lambda hit: (hit[1].written, hit[1].id), reverse=True)
    found.sort(key=lambda hit: hit[0], reverse=True)
    best = [candidate.id for _, candidate in found[:MAX_HITS]]
    shown_rows = search_index.details(ctx.tx, best)
    zone = ctx.zone()
    shown = tuple(_hit(shown_rows[memo_id], pieces, zone) for memo_id in best)
    data = SearchResults(command.query, shown, len(found))
    return Reply(render.search_results(data), Visibility.PRIVATE, data)


@dataclass(frozen=True, slots=True)
class _Filters:
    session_ids: list[int] | None = None
    author_ids: list[int] | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filters(ctx: Context, command: SearchMemos) -> _Filters | Reply:
    """The filters as ids and a time range, or a refusal naming what does not exist here."""
    session_ids = None
    if command.session is not None:
        found = _sessions(ctx, command.session)
        if isinstance(found, Reply):
            return found
        session_ids = found
    author_ids = None
    if command.author is not None:
        author_ids = _authors(ctx, command.author)
        if not author_ids:
            who = command.author.name or command.author.external_id or ""
            return refuse(
                ProblemCode.NO_SUCH_PERSON,
                _("No one called %(who)s has written memos here.") % {"who": md.escape(who)},
                "author",
            )
    since = until = None
    if command.day is not None:
        zone = ctx.zone()
        since = datetime.combine(command.day, time(), zone)
        until = datetime.combine(command.day + timedelta(days=1), time(), zone)
    return _Filters(session_ids, author_ids, since, until)


def _sessions(ctx: Context, session: str | SessionId) -> list[int] | Reply:
    if isinstance(session, SessionId):
        picked = picked_session(ctx, session)
        return picked if isinstance(picked, Reply) else [picked.session.id]
    title = check_title(session)
    if isinstance(title, Reply):
        return title
    found = find_existing(ctx, title)
    if found is None:
        return no_such_session(title)
    if isinstance(found, Reply):
        return found
    # Every day's session of that title in its conference: a talk given twice is one talk.
    same = session_store.sessions_titled(
        ctx.tx, found.session.conference_id, titles.title_key(found.session.title)
    )
    return [row.id for row in same] or [found.session.id]


def _authors(ctx: Context, author: Author) -> list[int]:
    """The people ``by:`` names among those who wrote memos in this channel.

    A person who wrote only elsewhere gets the same answer as a name nobody has:
    a search must not tell who is in the workspace or writes in other channels.
    """
    if ctx.channel is None:
        return []
    return channel_store.channel_authors(
        ctx.tx, ctx.channel, user=author.external_id, name=author.name
    )


def _hits(ctx: Context, pieces: list[Piece], filters: _Filters) -> list[tuple[float, Candidate]]:
    """Every matching memo with its score; sessions found by title add their newest memo."""
    if ctx.channel is None:
        return []
    terms = set().union(*(piece.terms for piece in pieces))
    rows = search_index.candidates(
        ctx.tx,
        ctx.channel.id,
        terms,
        session_ids=filters.session_ids,
        author_ids=filters.author_ids,
        since=filters.since,
        until=filters.until,
    )
    titled = _titled_sessions(ctx, pieces, filters.session_ids)
    texts = [(row, normalize(row.text)) for row in rows]
    texts = [(row, text) for row, text in texts if all(p.pattern.search(text) for p in pieces)]
    average = sum(len(text) for _, text in texts) / len(texts) if texts else 1.0
    scored = [(_score(pieces, text, average, row.session_id in titled), row) for row, text in texts]
    with_text_hits = {row.session_id for _, row in scored}
    title_only = [session_id for session_id in titled if session_id not in with_text_hits]
    for row in search_index.latest_in_sessions(
        ctx.tx,
        title_only,
        author_ids=filters.author_ids,
        since=filters.since,
        until=filters.until,
    ):
        scored.append((_rounded(_TITLE_WEIGHT * len(pieces)), row))
    return scored


def _titled_sessions(ctx: Context, pieces: list[Piece], only: list[int] | None) -> set[int]:
    """The channel's sessions whose title contains every piece (titles are few per channel)."""
    assert ctx.channel is not None
    return {
        session_id
        for session_id, title in session_store.channel_titles(ctx.tx, ctx.channel.id)
        if (only is None or session_id in only) and matches(pieces, title)
    }


def _score(pieces: list[Piece], text: str, average: float, in_title: bool) -> float:
    length_factor = _K1 * (1 - _B + _B * len(text) / average)
    score = 0.0
    for piece in pieces:
        count = sum(1 for _ in piece.pattern.finditer(text))
        score += count * (_K1 + 1) / (count + length_factor)
        if in_title:
            score += _TITLE_WEIGHT
    return _rounded(score)


def _rounded(score: float) -> float:
    """Scores within about 10% of each other tie, so that recency decides between them."""
    return round(math.log(score), 1) if score > 0 else -math.inf


def _hit(candidate: SearchCandidate, pieces: list[Piece], zone: ZoneInfo) -> SearchHit:
    snippet, marks = snippet_of(candidate.text, pieces)
    created = candidate.created_at.astimezone(zone)
    return SearchHit(
        number=candidate.number,
        session_title=candidate.session_title,
        author_id=candidate.author_external_id,
        author_name=candidate.author_name,
        local_created_at=created,
        edited=candidate.edited_at is not None,
        snippet=snippet,
        marks=marks,
    )


def snippet_of(text: str, pieces: list[Piece]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About ``SNIPPET_LENGTH`` characters of ``text`` around its first match, on one line,
    and where the matches are in it (start, end), for the renderer to emphasise."""
    shown = composed(text)
    folded_text, origins = folded(text)
    spans = []
    for piece in pieces:
        for match in piece.pattern.finditer(folded_text):
            if match.end() > match.start():
                spans.append((origins[match.start()], origins[match.end() - 1] + 1))
    spans.sort()
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_BEFORE)
    if start > 0:
        space = shown.find(" ", start, first)  # start at a word where there is one
        start = space + 1 if space >= 0 else start
    end = min(len(shown), start + SNIPPET_LENGTH)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(shown) else ""
    marks: list[tuple[int, int]] = []
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start) - start, min(span_end, end) - start
        if span_start >= span_end:
            continue
        if marks and span_start <= marks[-1][1]:
            marks[-1] = (marks[-1][0], max(marks[-1][1], span_end))  # overlapping matches
        else:
            marks.append((span_start, span_end))
    line = prefix + re.sub(r"\s", " ", shown[start:end]) + suffix
    return line, tuple((a + len(prefix), b + len(prefix)) for a, b in marks)


# ---------------------------------------------------------------- grammar

#: Longest search query, in characters: enough for a sentence, short enough to stay cheap.
MAX_QUERY_LENGTH = 200
_USAGE = '`/memo search 캐시 in:"Session title" by:@alice day:2025-09-25`'
# A filter (its value quoted, bracketed or bare), a quoted phrase, or a word. Filters are
# recognised only at the start of a word, so `1:N` or `login:` stay part of the query.
_SEARCH_PART = re.compile(
    r'(?<!\S)(?P<key>in|by|day):(?:"(?P<quoted>[^"]*)"?|\[(?P<bracketed>[^\]]*)\]?|(?P<bare>\S*))'
    r'|(?P<phrase>"[^"]*"?)|(?P<word>\S+)',
    re.IGNORECASE,
)
# <@U123>, <@U123|alice> (Slack), <@123>, <@!123> (Discord).
_MENTION = re.compile(r"<@!?([^<>|\s]+)(?:\|[^<>]*)?>")


def _parse(rest: str) -> SearchMemos | Rejected:
    query: list[str] = []
    filters: dict[str, str] = {}
    for match in _SEARCH_PART.finditer(rest):
        key = match.group("key")
        if key is None:
            query.append(match.group())
            continue
        value = next(
            (group for group in match.group("quoted", "bracketed", "bare") if group is not None), ""
        )
        filters[key.lower()] = value
    return search_from_options(
        " ".join(query), filters.get("in"), _author(filters.get("by")), filters.get("day")
    )


def _author(typed: str | None) -> Author | str | None:
    """``by:`` as a mention (a platform id) or a name; ``""`` when the filter was left empty."""
    if typed is None:
        return None
    mention = _MENTION.fullmatch(typed.strip())
    if mention is not None:
        return Author(external_id=mention.group(1))
    name = typed.strip().removeprefix("@").strip()
    return Author(name=name) if name else ""


def search_from_options(
    query: str,
    session: str | SessionId | None = None,
    author: Author | str | None = None,
    day: str | None = None,
) -> SearchMemos | Rejected:
    """``search`` from its parts; an empty filter (``by:`` with nothing after it) is refused."""
    if not query.replace('"', "").strip():
        return Rejected(
            ProblemCode.EMPTY_QUERY,
            N_("What should I look for? Write %(usage)s."),
            "query",
            values={"usage": _USAGE},
        )
    if len(query) > MAX_QUERY_LENGTH:
        return Rejected(
            ProblemCode.QUERY_TOO_LONG,
            N_(
                "Search for at most %(max_query_length)s characters; this query has "
                "%(query_count)s."
            ),
            "query",
            values={"max_query_length": MAX_QUERY_LENGTH, "query_count": f"{len(query):,}"},
        )
    if author == "" or session == "" or day == "":
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            N_("A filter needs a value after its colon: %(usage)s."),
            values={"usage": _USAGE},
        )
    parsed_day = None
    if day is not None:
        parsed_day = parse_day(day.strip())
        if parsed_day is None:
            return not_a_date(day, "Write `day:2025-09-25`.")
    return SearchMemos(
        query=query.strip(),
        session=session,
        author=author if isinstance(author, Author) else None,
        day=parsed_day,
    )


def _from_options(
    query: str,
    session: str | SessionId | None = None,
    author: str | None = None,
    date: str | None = None,
) -> SearchMemos | Rejected:
    """``search`` from typed options: ``author`` is a person's platform id."""
    by = Author(external_id=author) if author is not None else None
    return search_from_options(query, session, by, date)


SEARCH = CommandDeclaration(
    "search",
    SearchMemos,
    N_("Find this channel's memos that mention words"),
    InTransaction(search),
    _from_options,
    options=(
        Option(
            "query",
            OptionKind.TEXT,
            N_('Words to find; "quotes" keep a phrase together'),
            True,
            max_length=MAX_QUERY_LENGTH,
        ),
        Option("session", OptionKind.SESSION, N_("Only this session's memos")),
        Option("author", OptionKind.PERSON, N_("Only this person's memos")),
        Option("date", OptionKind.DAY, N_("Only memos written on this day, like 2025-09-25")),
    ),
    parse=_parse,
    usage=Usage(
        '/memo search words ["a phrase"] [in:"Session"] [by:@person] [day:YYYY-MM-DD]',
        N_("Find this channel's memos that mention the words, best matches first."),
    ),
)
