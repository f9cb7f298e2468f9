"""What an adapter hands the core: who typed what, where and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: Longest platform, workspace, channel and user id the storage accepts.
MAX_EXTERNAL_ID_LENGTH = 64
#: Longest delivery id (a platform's id of one request, with the adapter's prefix).
MAX_DELIVERY_ID_LENGTH = 128


@dataclass(frozen=True, slots=True)
class Invocation:
    """One `/memo` request, already authenticated by the adapter.

    ``workspace_id``, ``channel_id`` and ``user_id`` are the platform's own ids
    (a Slack team id, a Discord guild id, ``console``). ``is_admin`` is the
    platform's word that the user may edit and delete other people's memos.
    ``delivery_id`` is the platform's id of this request when it has one (a
    Slack trigger or view id, a Discord interaction id): a copy of a request that
    changed data, delivered again with the same id, changes nothing and gets the
    first answer (``bot.redelivery``).
    """

    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    display_name: str
    text: str
    received_at: datetime
    is_admin: bool = False
    delivery_id: str | None = None
    #: The person's locale as the platform gives it (``ko``, ``en-US``, ``ko_KR.UTF-8``),
    #: None where it gives none; a channel's `/memo language` may override it (``bot.language``).
    locale: str | None = None

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("Invocation.received_at must be timezone-aware")
        for name in ("platform", "workspace_id", "channel_id", "user_id"):
            value = getattr(self, name)
            if not value or len(value) > MAX_EXTERNAL_ID_LENGTH:
                raise ValueError(f"Invocation.{name} must be 1 to 64 characters, got {value!r}")
        if self.delivery_id is not None and len(self.delivery_id) > MAX_DELIVERY_ID_LENGTH:
            raise ValueError(
                f"Invocation.delivery_id must be at most {MAX_DELIVERY_ID_LENGTH} characters"
            )
