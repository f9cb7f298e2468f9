"""Who is typing: display names, the workspace-admin flag and the language, from
``users.info``, cached.

Slash command payloads carry only the user's handle, and nothing says whether
they are an admin (who may edit and delete other people's memos). ``users.info``
does, at the cost of a Web API call, so answers are kept for a minute: long
enough that a burst of notes costs one call, short enough that an admin whose
rights were taken away loses them quickly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

#: Seconds an answer from users.info is trusted.
PERSON_TTL_SECONDS = 60.0
#: People remembered at most (least recently used ones are forgotten first).
MAX_PEOPLE = 10_000
#: How long a command waits for users.info; Slack wants its acknowledgement within 3 s.
LOOKUP_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Person:
    display_name: str
    is_admin: bool
    #: The person's Slack language (``ko-KR``, ``en-US``), None when unknown.
    locale: str | None = None


class People:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._known: OrderedDict[tuple[str, str], tuple[float, Person]] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Task[Person | None]] = {}

    async def lookup(
        self, client: AsyncWebClient, team_id: str, user_id: str, fallback_name: str
    ) -> Person:
        """The person, from the cache or ``users.info``; never raises, never waits long.

        If Slack cannot answer in time (rate limited, scope missing, slow), the
        handle from the payload is used and the person is not an admin: failing
        closed on the admin flag is the safe side, and Slack's 3-second deadline
        for the acknowledgement is kept. A late answer still fills the cache.
        """
        key = (team_id, user_id)
        known = self._known.get(key)
        if known is not None and self._clock() - known[0] < PERSON_TTL_SECONDS:
            self._known.move_to_end(key)
            return known[1]
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(self._fetch(client, key))
            self._pending[key] = task
            task.add_done_callback(lambda _: self._pending.pop(key, None))
        try:
            person = await asyncio.wait_for(asyncio.shield(task), LOOKUP_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("users.info is slow for user=%s: using the handle for now", user_id)
            person = None
        return person or Person(fallback_name, False)

    async def _fetch(self, client: AsyncWebClient, key: tuple[str, str]) -> Person | None:
        person = await self._ask_slack(client, key[1])
        if person is not None:
            self._known[key] = (self._clock(), person)
            self._known.move_to_end(key)
            while len(self._known) > MAX_PEOPLE:
                self._known.popitem(last=False)
        return person

    @staticmethod
    async def _ask_slack(client: AsyncWebClient, user_id: str) -> Person | None:
        try:
            response = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as error:
            reason = error.response.get("error")
        except Exception as error:  # network trouble after the client's own retries
            reason = type(error).__name__
        else:
            user = response.get("user") or {}
            profile = user.get("profile") or {}
            name = (
                profile.get("display_name")
                or profile.get("real_name")
                or user.get("real_name")
                or user.get("name")
                or user_id
            )
            admin = bool(user.get("is_admin") or user.get("is_owner"))
            locale = user.get("locale")
            return Person(str(name), admin, str(locale) if locale else None)
        logger.warning(
            "users.info failed for user=%s (%s): using the handle, and no admin rights",
            user_id,
            reason,
        )
        return None
