"""Key points from a language model behind any OpenAI-compatible chat-completions endpoint.

Optional (``MEMO_LLM_BASE_URL``, ``MEMO_LLM_MODEL``, ``MEMO_LLM_API_KEY``): OpenAI,
a local Ollama or vLLM. A model may answer anything, so its answer is checked as
strictly as user input: JSON of the agreed shape, at most five single-line points
within the length limit, each citing memos that exist, and every number in a
point written exactly as in the notes (a model that "rounds" 1.8s to 2s is
wrong). Any failure raises ``LlmUnusable`` and the caller falls back to the
extractive summary.

The call is plain HTTP from the worker thread that runs the command, outside
any database transaction; ``timeout`` bounds each connect and read.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.summary.key_points import MAX_POINTS, KeyPoint, Note
from bot.summary.note_lines import POINT_LENGTH, numbers_in

logger = logging.getLogger(__name__)

#: Seconds to wait for the endpoint (each connect and read) before falling back.
DEFAULT_TIMEOUT_SECONDS = 20.0
#: Memo text sent at most, in characters: a session's notes, not a book.
MAX_PROMPT_NOTES = 60_000

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")

_INSTRUCTIONS = f"""You summarize a team's notes on one conference talk.
Reply with JSON only: {{"points": [{{"text": "...", "memos": [1, 2]}}]}}
- At most {MAX_POINTS} points: the key facts a listener would name: results with numbers,
  named systems or techniques, the main conclusion. Not the introduction.
- Each point is one line of at most {POINT_LENGTH} characters, in the notes' own language.
- Copy every number and unit exactly as written in the notes. Never compute or round.
- "memos" lists the numbers (#) of the notes the point comes from; when several people
  noted the same fact, list all of their notes."""


class LlmUnusable(Exception):
    """The endpoint failed, or answered something we will not show; the reason is loggable."""


class LlmUnreachable(LlmUnusable):
    """The endpoint did not answer (timeout, refused connection, HTTP error): likely down."""


@dataclass(frozen=True, slots=True)
class LlmConfig:
    base_url: str
    model: str
    #: Sent as a bearer token; never logged, not even in ``repr``.
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        # urllib would also open file: and other schemes; only a web endpoint is meant.
        if not self.base_url.lower().startswith(("http://", "https://")):
            raise ValueError("MEMO_LLM_BASE_URL must be an http:// or https:// URL")

    @property
    def endpoint(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"


def llm_key_points(config: LlmConfig, title: str, notes: Sequence[Note]) -> list[KeyPoint]:
    """The model's key points of the notes, checked; raises ``LlmUnusable`` otherwise."""
    content = _ask(config, _messages(title, notes))
    return _checked_points(_parse(content), notes)


def _messages(title: str, notes: Sequence[Note]) -> list[dict[str, str]]:
    lines = []
    size = 0
    for note in notes:
        line = f"#{note.number} {note.author}: {note.text}"
        size += len(line)
        if size > MAX_PROMPT_NOTES:
            break
        lines.append(line)
    return [
        {"role": "system", "content": _INSTRUCTIONS},
        {"role": "user", "content": f"Talk: {title}\nNotes:\n" + "\n".join(lines)},
    ]


def _ask(config: LlmConfig, messages: list[dict[str, str]]) -> str:
    body = json.dumps({"model": config.model, "messages": messages, "temperature": 0}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    # The scheme is http or https (checked in ``LlmConfig``).
    request = urllib.request.Request(  # noqa: S310
        config.endpoint, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise LlmUnreachable(f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise LlmUnreachable(f"unreachable: {type(error).__name__}") from None
    except ValueError:
        raise LlmUnusable("the response is not JSON") from None
    try:
        content = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LlmUnusable("the response is not a chat completion") from None
    if not isinstance(content, str):
        raise LlmUnusable("the completion has no text")
    return content


def _parse(content: str) -> Any:
    try:
        return json.loads(_FENCE.sub("", content.strip()))
    except ValueError:
        raise LlmUnusable("the completion is not JSON") from None


def _checked_points(answer: Any, notes: Sequence[Note]) -> list[KeyPoint]:
    points = answer.get("points") if isinstance(answer, dict) else None
    if not isinstance(points, list) or not 1 <= len(points) <= MAX_POINTS:
        raise LlmUnusable("not a list of 1 to 5 points")
    authors = {note.number: note.author for note in notes}
    written = {number for note in notes for number in numbers_in(note.text)}
    checked = []
    for point in points:
        text = point.get("text") if isinstance(point, dict) else None
        memos = point.get("memos") if isinstance(point, dict) else None
        if not isinstance(text, str) or not text.strip() or "\n" in text.strip():
            raise LlmUnusable("a point is not one line of text")
        text = text.strip()
        if len(text) > POINT_LENGTH:
            raise LlmUnusable("a point is too long")
        if not isinstance(memos, list) or not memos:
            raise LlmUnusable("a point cites no memos")
        if not all(isinstance(number, int) and number in authors for number in memos):
            raise LlmUnusable("a point cites a memo that does not exist")
        if not set(numbers_in(text)) <= written:
            raise LlmUnusable("a point has a number that is not in the notes")
        cited = tuple(sorted(set(memos)))
        checked.append(
            KeyPoint(text, tuple(dict.fromkeys(authors[number] for number in cited)), cited)
        )
    return checked
