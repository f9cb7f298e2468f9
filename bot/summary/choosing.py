"""Choosing a session's key points: the model when one is configured, else locally,
cached per session by a fingerprint of the memos they were chosen from.

The cache key is every memo's number, author and text. Any add, edit, delete,
undo or import changes the fingerprint, whichever process made it (several bots
may share one PostgreSQL), so a cached summary is never stale and nothing has
to be invalidated by hand; and `/memo add`, the hot path, does no extra work at
all. What the cache saves is the choosing: the scoring of every line, or the
model's round trip.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.known import Lru
from bot.replies import render
from bot.replies.values import Reply, SessionSummary, SessionView, Visibility
from bot.summary.key_points import KeyPoint, Note, key_points
from bot.summary.llm import LlmConfig, LlmUnreachable, LlmUnusable, llm_key_points

logger = logging.getLogger(__name__)

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
