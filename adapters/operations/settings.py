"""Settings of the health and metrics listener (README "Running in production")."""

from __future__ import annotations

from pydantic import Field

from adapters.platform import PlatformSettings


class OperationsSettings(PlatformSettings):
    #: A listener for ``/healthz``, ``/readyz`` and ``/metrics`` of its own; unset: none (Slack's
    #: HTTP server serves them anyway when it runs).
    health_port: int | None = Field(
        default=None, ge=0, le=65535, validation_alias="MEMO_HEALTH_PORT"
    )
    health_host: str = Field(default="0.0.0.0", validation_alias="MEMO_HEALTH_HOST")  # noqa: S104
