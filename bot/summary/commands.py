"""`/memo summary [Session]`: a session's key points, merged from everyone's memos.

Two steps, so a slow model never holds a database transaction open: ``gather``
reads the session and its memos inside the command's read transaction, and
``answer`` chooses the points afterwards, outside any transaction, through
``Summaries``.

``Summaries`` keeps the chosen points per session, keyed by a fingerprint of
the memos they were chosen from (every memo's number, author and text). Any
add, edit, delete, undo or import changes the fingerprint, whichever process
made it (several bots may share one PostgreSQL), so a cached summary is never
stale and nothing has to be invalidated by hand; and `/memo add`, the hot path,
does no extra work at all. What the cache saves is the choosing: the scoring of
every line, or the model's round trip.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.context import Context
from bot.grammar import Summarize
from bot.known import Lru
from bot.replies import render
from bot.replies.from_records import session_view
from bot.replies.values import Reply, SessionSummary, SessionView, Visibility
from bot.sessions import session_to_read
from bot.summary.key_points import KeyPoint, Note, key_points
from bot.summary.llm import LlmConfig, LlmUnreachable, LlmUnusable, llm_key_points
from storage import memos as memo_store

logger = logging.getLogger(__name__)

USAGE = "/memo summary [Session title]"
#: After the model failed, it is not asked again for this long: for that session when it
#: answered something unusable, for every session when it did not answer at all (an
#: endpoint that is down should not cost each summary request a timeout).
RETRY_LLM_AFTER_SECONDS = 300.0

EXTRACTIVE = "extractive"
LLM = "llm"


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    """What a summary is made of, read in the command's transaction."""

    session_id: int
    session: SessionView
    notes: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class _Chosen:
    fingerprint: str
    points: tuple[KeyPoint, ...]
    source: str
    #: When to ask the model again (monotonic seconds); None: this is the model's answer.
    retry_llm_at: float | None


def gather(ctx: Context, command: Summarize) -> SummaryRequest | Reply:
    """The session (picked, titled, or the one the user is in) and its live memos."""
    found = session_to_read(ctx, command.session, USAGE)
    if isinstance(found, Reply):
        return found
    notes = tuple(
        Note(memo.number, memo.author_name, memo.text)
        for memo in memo_store.live_notes(ctx.tx, found.session.id)
    )
    return SummaryRequest(found.session.id, session_view(ctx, found.session), notes)


def answer(request: SummaryRequest, summaries: Summaries) -> Reply:
    """The reply to a gathered request; may call the model, so never inside a transaction."""
    points, source = summaries.choose(request)
    data = SessionSummary(request.session, points, source)
    return Reply(render.session_summary(data), Visibility.PRIVATE, data)


class Summaries:
    """Chooses key points: the model when one is configured (else, or on failure, locally)."""

    def __init__(
        self, llm: LlmConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._llm = llm
        self._clock = clock
        self._chosen: Lru[_Chosen] = Lru(None, clock)
        #: Until when (monotonic seconds) the model is left alone because it did not answer.
        self._model_paused_until = -math.inf

    @property
    def calls_network(self) -> bool:
        """Whether choosing may wait on a remote model (adapters acknowledge first, then)."""
        return self._llm is not None

    def choose(self, request: SummaryRequest) -> tuple[tuple[KeyPoint, ...], str]:
        """The key points of the request's notes, and who chose them ("llm" or "extractive")."""
        if not request.notes:
            return (), EXTRACTIVE
        fingerprint = _fingerprint(request.notes)
        cached = self._chosen.get(request.session_id)
        if (
            cached is not None
            and cached.fingerprint == fingerprint
            and (cached.retry_llm_at is None or self._clock() < cached.retry_llm_at)
        ):
            return cached.points, cached.source
        chosen = self._fresh(request, fingerprint)
        self._chosen.put(request.session_id, chosen)
        return chosen.points, chosen.source

    def _fresh(self, request: SummaryRequest, fingerprint: str) -> _Chosen:
        if self._llm is None:
            return _Chosen(fingerprint, tuple(key_points(request.notes)), EXTRACTIVE, None)
        now = self._clock()
        if now < self._model_paused_until:
            return self._local(request, fingerprint, self._model_paused_until)
        try:
            points = llm_key_points(self._llm, request.session.title, request.notes)
        except LlmUnusable as error:
            # The reason only: never the key, the endpoint's answer or memo text.
            logger.warning(
                "the model's summary is unusable (%s); using the local one for session=%s",
                error,
                request.session_id,
            )
            retry_at = self._clock() + RETRY_LLM_AFTER_SECONDS
            if isinstance(error, LlmUnreachable):
                self._model_paused_until = retry_at
            return self._local(request, fingerprint, retry_at)
        return _Chosen(fingerprint, tuple(points), LLM, None)

    @staticmethod
    def _local(request: SummaryRequest, fingerprint: str, retry_llm_at: float) -> _Chosen:
        return _Chosen(fingerprint, tuple(key_points(request.notes)), EXTRACTIVE, retry_llm_at)


def _fingerprint(notes: Sequence[Note]) -> str:
    """A digest of exactly what a summary depends on: each memo's number, author and text."""
    digest = hashlib.blake2b(digest_size=16)
    for note in notes:
        for part in (str(note.number), note.author, note.text):
            digest.update(part.encode())
            digest.update(b"\x00")
    return digest.hexdigest()
