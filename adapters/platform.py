"""What a chat platform package declares, so the command line runs it without naming it.

Each package under ``adapters/`` exports one ``Platform`` (``PLATFORM``): its name, its
settings (read from the environment and ``.env`` when the command line asks), what it
starts for a core, how it posts, what its ids look like, its own tables and its own
subcommands. ``adapters.cli.registry`` lists them; ``memo-bot run`` loops over that list.
The core sees none of this: adapters hand it ``Invocation``s and post its digests through
``bot.outbound.Outbound``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import typer
from aiohttp import web
from pydantic import ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Table

from bot.core import MemoBot
from bot.invocation import MAX_EXTERNAL_ID_LENGTH
from bot.outbound import Outbound
from bot.serving import Service

S = TypeVar("S", bound=BaseSettings)


@dataclass(frozen=True, slots=True)
class IdRules:
    """What a workspace id and a channel id look like on the platform (whole-match patterns).

    The command line takes ids a person typed (``memo-bot import --workspace T0123
    --channel C0456``): one that cannot exist there, a typo or another platform's id, is
    refused before anything is stored under it, in a channel no chat member would ever see.
    """

    workspace: re.Pattern[str]
    channel: re.Pattern[str]
    #: What each looks like, for the refusal.
    workspace_example: str
    channel_example: str

    def problem(self, title: str, workspace_id: str, channel_id: str) -> str | None:
        """What is wrong with the ids, in a sentence, or None when both can exist."""
        for kind, value, pattern, example in (
            ("workspace", workspace_id, self.workspace, self.workspace_example),
            ("channel", channel_id, self.channel, self.channel_example),
        ):
            if len(value) > MAX_EXTERNAL_ID_LENGTH or not pattern.fullmatch(value):
                return f"{value!r} is not a {title} {kind} id (they look like {example})"
        return None


@dataclass(frozen=True, slots=True)
class Serving:
    """What a platform runs for a core: its services, and how digests are posted there."""

    outbound: Outbound
    services: list[Service] = field(default_factory=list)
    #: Checks run before any service starts, raising ``SettingsRefused`` when the platform
    #: refuses the settings (a wrong token): the bot then stops before taking any request.
    checks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: The HTTP application among its services, if any: ``/healthz``, ``/readyz`` and
    #: ``/metrics`` are served there too.
    web_app: web.Application | None = None


class SettingsRefused(Exception):
    """The platform refused the settings at start (a wrong token); the message says which."""


class NotConfigured(Exception):
    """The platform's settings are not there; the message says which to set."""


class PlatformSetup(Protocol):
    """A platform with its settings read: what it would do, as configured."""

    @property
    def configured(self) -> bool:
        """``memo-bot run`` serves it (its tokens are set)."""
        ...

    def problems(self) -> list[str]:
        """What is missing or contradictory in its settings, for whoever deploys it; also
        when it is not configured: a secret set without the token it goes with is a token
        forgotten, not a platform left out."""
        ...

    def serving(self, bot: MemoBot) -> Serving:
        """Its services for ``bot`` (not started yet) and its outbound."""
        ...

    def posting(self, bot: MemoBot) -> AbstractAsyncContextManager[Outbound]:
        """An outbound for one-off posts (``memo-bot digest``), connected only while in use.
        Raises ``NotConfigured`` when the settings for posting there are missing."""
        ...


@dataclass(frozen=True, slots=True)
class Platform:
    """One chat platform, as its package declares it (``adapters.<name>.PLATFORM``)."""

    #: The ``Invocation.platform`` of its requests, and the name of its subcommands.
    name: str
    #: How people call it ("Slack"), for messages.
    title: str
    ids: IdRules
    #: Reads the platform's settings (raising pydantic's ``ValidationError``).
    setup: Callable[[], PlatformSetup]
    #: Its own state tables, on ``storage.models.Base.metadata`` (migrations create them).
    tables: Sequence[Table] = ()
    #: ``memo-bot <name> ...`` subcommands, if it has any.
    commands: typer.Typer | None = None


class PlatformSettings(BaseSettings):
    """A platform's settings: from the environment and ``.env``, like the core's.

    Fields name their variables (``validation_alias``) as the platform's own docs do.
    An empty value of a setting that may be unset means unset: ``SLACK_BOT_TOKEN=`` in
    a ``.env`` file is no token, not an empty one.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object, info: ValidationInfo) -> object:
        optional = info.field_name is not None and cls.model_fields[info.field_name].default is None
        return None if optional and isinstance(value, str) and not value.strip() else value


def settings_errors(error: ValidationError) -> list[str]:
    """One line per bad setting, naming its variable, never echoing its value."""
    lines = []
    for problem in error.errors():
        if not problem["loc"]:  # settings that only make sense together
            lines.append(f"Invalid settings: {problem['msg']}")
            continue
        field_name = str(problem["loc"][0])
        # Platform settings are named by their variable; the core's carry the MEMO_ prefix.
        variable = field_name if field_name.isupper() else f"MEMO_{field_name.upper()}"
        lines.append(f"Invalid setting {variable}: {problem['msg']}")
    return lines


def read_settings(read: Callable[[], S]) -> S:
    """Settings, or a clear exit naming each bad variable."""
    try:
        return read()
    except ValidationError as error:
        for line in settings_errors(error):
            typer.echo(line, err=True)
        raise typer.Exit(2) from None
