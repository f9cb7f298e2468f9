"""The pieces of `/memo` text every command's grammar shares: cleaning, `[titles]`,
memo numbers, days and clocks, and the refusal a parser answers with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from bot.i18n import N_, _
from bot.replies.values import ProblemCode

# Unicode's control characters (category Cc) but tab and newline, lone surrogates (Cs),
# bidirectional embeddings, overrides and isolates, and the byte order mark.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_MEMO_ID = re.compile(r"#?(\d{1,9})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: What someone meant as a date, even if it is not a valid one (2025-9-31).
DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
#: The most memo ids one `/memo show` takes: a day's session in a digest, with room to spare.
MAX_SHOWN_MEMOS = 50


@dataclass(frozen=True, slots=True)
class Rejected:
    """Text (or options) that make no valid command, with the message the user sees."""

    code: ProblemCode
    #: In the source's English, with ``%(name)s`` for each of ``values``: the parse happens
    #: before the reply's language is known, so ``message`` translates it when read.
    template: str
    field: str | None = None
    values: dict[str, object] | None = None

    @property
    def message(self) -> str:
        """The message in the current language (``bot.i18n.speaking``), values filled in."""
        message = _(self.template)
        return message % self.values if self.values else message


def clean_text(text: str) -> str:
    """Drop control characters that could hide or reorder text; keep newlines and tabs.

    Line ends become ``\\n``. Bidirectional overrides go too: they can make a
    memo display as something other than what is stored.
    """
    return _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def split_bracketed_title(text: str) -> tuple[str | None, str] | Rejected:
    """Split ``[Title] rest`` into the title and the rest.

    Brackets nest, so a title may contain ``[...]`` itself. Text that does not
    start with ``[`` has no title. The title comes back as typed; the rest
    without the whitespace that separates it from the title.
    """
    stripped = text.lstrip()
    if not stripped.startswith("["):
        return None, stripped
    depth = 0
    for index, char in enumerate(stripped):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return stripped[1:index], stripped[index + 1 :].lstrip()
    return Rejected(
        ProblemCode.UNBALANCED_BRACKETS,
        N_(
            "The session title is missing its closing `]`. Write it as `/memo add "
            "[Session title] note`. Nothing was saved."
        ),
        "title",
    )


def title_argument(rest: str) -> str | Rejected | None:
    """A title given as ``[Title]`` or, for convenience, bare; None when there is none."""
    split = split_bracketed_title(rest)
    if isinstance(split, Rejected):
        return split
    title, remainder = split
    if title is None:
        return remainder.strip() or None
    return title


#: Quotes a name may be typed in: straight, curly and corner (``「DEVRIVER」``).
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』"}


def name_argument(rest: str) -> str | Rejected | None:
    """A name given ``"in quotes"``, ``[in brackets]`` or bare; None when there is none."""
    stripped = rest.strip()
    if len(stripped) >= 2 and _QUOTES.get(stripped[0]) == stripped[-1]:
        return stripped[1:-1].strip() or None
    return title_argument(stripped)


def parse_memo_number(token: str) -> int | None:
    match = _MEMO_ID.fullmatch(token.strip())
    return int(match.group(1)) if match else None


def parse_memo_numbers(text: str) -> tuple[int, ...] | Rejected | None:
    """Memo ids alone (``#4 #5``, ``4, 5``) without repeats, or None when the text is not
    only ids (a title made of numbers is bracketed)."""
    tokens = text.replace(",", " ").split()
    numbers = [parse_memo_number(token) for token in tokens]
    if not tokens or None in numbers:
        return None
    if len(numbers) > MAX_SHOWN_MEMOS:
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            N_("Show at most %(max_shown_memos)s memos at a time; that was %(numbers_count)s."),
            "memo_id",
            values={"max_shown_memos": MAX_SHOWN_MEMOS, "numbers_count": len(numbers)},
        )
    return tuple(dict.fromkeys(number for number in numbers if number is not None))


def parse_day(token: str) -> date | None:
    """A ``YYYY-MM-DD`` date, or None when the token is not one the bot can use.

    The calendar's first and last days (0001-01-01, 9999-12-31) are not: a day is
    its 24 hours in the channel's time zone, and away from UTC those reach past
    what a ``datetime`` can hold.
    """
    if not _ISO_DATE.fullmatch(token):
        return None
    try:
        day = date.fromisoformat(token)
    except ValueError:
        return None
    return day if date.min < day < date.max else None


def parse_clock(token: str) -> time | None:
    """A 24-hour ``HH:MM`` time of day, or None."""
    match = _CLOCK.fullmatch(token.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def looks_like_time_zone(token: str) -> bool:
    """IANA names have a slash (``Asia/Seoul``); ``UTC`` is the one we accept without."""
    return "/" in token or token.upper() in ("UTC", "GMT")


def not_a_date(typed: str, example: str = "Write dates like 2025-09-25.") -> Rejected:
    """The refusal of a day that is not a ``YYYY-MM-DD`` date the bot can use."""
    return Rejected(
        ProblemCode.BAD_DATE,
        N_("`%(typed)s` is not a date. %(example)s"),
        "date",
        values={"typed": code_span(typed), "example": example},
    )


def code_span(text: str) -> str:
    """Text safe to put inside a Markdown code span."""
    return text.replace("`", "'")[:40]
