"""Every `/memo` command the bot prints in a reply works as printed.

The replies come from a real conversation on the real core and database: help,
hints of empty states, refusals, the digest and its footer. Each code span
that starts with `/memo` is a suggestion. A concrete one is typed back as is;
a usage pattern (help's ``[optional]`` parts, ``a|b`` choices and ``HH:MM``,
``YYYY-MM-DD``, ``Area/City``, ``<id>`` placeholders) is typed in every form it
allows. Each must parse, and the core must answer it without saying the text
was wrong: a refusal about this channel's state (no such session yet, nothing
to undo) is an answer, a syntax refusal or an unknown command is a broken
suggestion.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from bot.commands import standard as grammar
from bot.commands.text import Rejected, clean_text
from bot.core import MemoBot
from bot.help import ShowHelp
from bot.replies.values import MemosShown, Problem, ProblemCode, Reply
from tests.chat import Chat

#: Refusals that mean the typed text itself was wrong, not the channel's state.
_TEXT_WAS_WRONG = {
    ProblemCode.EMPTY_TEXT,
    ProblemCode.MISSING_TITLE,
    ProblemCode.EMPTY_TITLE,
    ProblemCode.UNBALANCED_BRACKETS,
    ProblemCode.BAD_MEMO_ID,
    ProblemCode.BAD_DATE,
    ProblemCode.INVALID_TIME_ZONE,
    ProblemCode.BAD_ARGUMENTS,
    ProblemCode.BAD_TIME,
    ProblemCode.EMPTY_QUERY,
    ProblemCode.UNKNOWN_COMMAND,
    ProblemCode.INTERNAL_ERROR,
}
_SUGGESTION = re.compile(r"`(/memo(?: [^`]*)?)`")
#: Words of the usage notation that stand for a value of that shape.
_FORMATS = {
    "HH:MM": "18:30",
    "YYYY-MM-DD": "2025-09-25",
    "date": "2025-09-25",
    "Area/City": "Asia/Seoul",
    "<id>": "1",
}


#: A command that does not exist; help quotes it back ("There is no `/memo frobnicate`").
UNKNOWN = "frobnicate"


def suggestions(markdown: str) -> list[str]:
    """The `/memo` code spans of a reply, but the unknown command quoted back."""
    return [found for found in _SUGGESTION.findall(markdown) if found != f"/memo {UNKNOWN}"]


def typed_forms(suggestion: str) -> list[str]:
    """Every text a suggestion stands for (itself, when it is concrete)."""
    text = re.sub(r"\s*\((?:with|from) [^)]*\)", "", suggestion)  # "(with a note file)"
    return sorted({" ".join(form.split()) for form in _forms(text.replace("…", ""))})


def _forms(text: str) -> list[str]:
    choices = _split_outside_brackets(text, " | ")
    if len(choices) > 1:
        return [form for choice in choices for form in _forms(choice)]
    parts: list[list[str]] = []
    index = 0
    while index < len(text):
        if text[index] == "[":
            end = _closing(text, index)
            inner = text[index + 1 : end]
            if _is_optional(inner):
                parts.append(["", *_forms(inner)])
            else:  # brackets the grammar reads: `[Session title]`, `[DEVRIVER 2025]`
                parts.append([f"[{inner}]"])
            index = end + 1
            continue
        end = text.find("[", index)
        end = len(text) if end == -1 else end
        for word in text[index:end].split():
            parts.append([_filled(choice) for choice in word.split("|")])
        index = end
    return [" ".join(combination) for combination in itertools.product(*parts)]


def _is_optional(inner: str) -> bool:
    """``[...]`` is an optional part when it holds a choice, another part, a placeholder, a
    search filter or a quoted phrase; else it is a title in the brackets the grammar reads."""
    return any(mark in inner for mark in ("|", "[", ":", '"')) or any(
        key in inner for key in _FORMATS
    )


def _filled(word: str) -> str:
    """``day:YYYY-MM-DD`` -> ``day:2025-09-25``: each placeholder by a value of its shape."""
    if word in _FORMATS:
        return _FORMATS[word]
    for key, value in _FORMATS.items():
        if not key.isalpha():  # "date" only stands alone
            word = word.replace(key, value)
    return word


def _closing(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        depth += {"[": 1, "]": -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise AssertionError(f"unbalanced brackets in the suggestion {text!r}")


def _split_outside_brackets(text: str, separator: str) -> list[str]:
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0 and text.startswith(separator, index):
            pieces.append(text[start:index])
            start = index + len(separator)
    return [*pieces, text[start:]]


def _conversation(chat: Chat, bot: MemoBot) -> list[Reply]:
    """Replies of a channel's first day: empty states, mistakes, memos, the digest."""
    said = [
        chat.say("alice", text)
        for text in (
            "help",
            UNKNOWN,
            "sessions",
            "sessions all",
            "conference",
            "digest",
            "digest days all",
            "search",
            "import",
            "export",
            "add just a note with no session",
            "show [Nope]",
            "summary [Nope]",
            "add [unclosed note",
            "attend",
            "sessions 2025-13-45",
            "edit x",
            "delete x",
            "conference [A] extra words",
            "conference Asia/Seoul",
            "digest at 25:00",
            "digest days weekends",
            "digest now tomorrow",
            "digest sometimes",
            "export 2025-9-31",
            "export 2025-09-25 pdf",
            "search by:",
            "search 캐시 day:soon",
            "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26",
            "digest at 18:30",
        )
    ]
    for number in range(1, 9):
        said.append(chat.say("bob", f"add [Envoy 게이트웨이] 메모 {number}번"))
    said.append(chat.say("carol", "add [Kafka 세션] 단 하나의 메모"))
    said += [
        chat.say("alice", text)
        for text in ("show [Kafka 세션]", "summary [Kafka 세션]", "digest now", "delete 1")
    ]
    said += [chat.say("alice", "show #1 #2 #99"), chat.say("alice", "digest off")]
    # A second conference: listings of several, a title of another, exports that leave some out.
    said += [
        chat.say("alice", text)
        for text in (
            "conference KODECON 2026 Asia/Seoul",
            "conferences",
            "sessions all",
            'sessions conference "DEVRIVER 2025"',
            "sessions conference Nope",
            "show [Kafka 세션]",
            "add [Kafka 세션] 올해도 카프카",
            "export",
            "conference Empty Con",
            "show [Kafka 세션]",  # in two other conferences: which one?
            "export",
            "export all",
        )
    ]
    said.append(bot.home(replace(chat.invocation("nobody-yet", ""), user_id="U-nobody")))
    return said


def test_every_printed_command_works_as_printed(bot: MemoBot, chat: Chat) -> None:
    replies = _conversation(chat, bot)
    printed = {suggestion for reply in replies for suggestion in suggestions(reply.markdown)}
    asked = [
        reply for reply in replies if reply.data == Problem(ProblemCode.AMBIGUOUS_SESSION, "title")
    ]
    assert asked, "the question about a title of two other conferences is in the conversation"
    named = {suggestion.split()[1] for suggestion in printed if " " in suggestion}
    assert {spec.name for spec in grammar.COMMANDS} <= named, "help and hints name every command"
    # The digest's footer names the day's memos of a session by their ids.
    footers = {text for text in printed if re.fullmatch(r"/memo show( #\d+)+", text)}
    assert footers, "the digest points to all of a session's memos"

    broken = []
    for suggestion in sorted(printed):
        for form in typed_forms(suggestion):
            text = form.removeprefix("/memo").strip()
            parsed = grammar.parse(clean_text(text))
            if isinstance(parsed, Rejected) or (
                isinstance(parsed, ShowHelp) and parsed.unknown is not None
            ):
                broken.append(f"{suggestion!r} as {form!r}: {parsed}")
                continue
            reply = chat.say("alice", text)
            if isinstance(reply.data, Problem) and reply.data.code in _TEXT_WAS_WRONG:
                broken.append(f"{suggestion!r} as {form!r}: {reply.markdown}")
            elif suggestion in footers and not isinstance(reply.data, MemosShown):
                broken.append(f"{suggestion!r} (the digest's memos): {reply.markdown}")
    assert broken == []


def test_usage_patterns_stand_for_every_form_they_allow() -> None:
    """The test's reading of the notation, checked on patterns help prints."""
    assert typed_forms("/memo sessions [YYYY-MM-DD|all]") == [
        "/memo sessions",
        "/memo sessions 2025-09-25",
        "/memo sessions all",
    ]
    assert typed_forms("/memo add [Session title] note") == ["/memo add [Session title] note"]
    assert typed_forms("/memo digest [at HH:MM [Area/City] | off | now [date]]") == [
        "/memo digest",
        "/memo digest at 18:30",
        "/memo digest at 18:30 Asia/Seoul",
        "/memo digest now",
        "/memo digest now 2025-09-25",
        "/memo digest off",
    ]
    assert typed_forms("/memo import (with a note file)") == ["/memo import"]
    assert typed_forms("/memo delete <id>") == ["/memo delete 1"]
    assert typed_forms('/memo search words ["a phrase"] [day:YYYY-MM-DD]') == [
        "/memo search words",
        '/memo search words "a phrase"',
        '/memo search words "a phrase" day:2025-09-25',
        "/memo search words day:2025-09-25",
    ]
