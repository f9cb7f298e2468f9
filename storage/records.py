"""The values storage hands the core: plain frozen records, never live ORM objects.

Queries select exactly these columns (labelled with the field names), so a
record is built straight from a row and nothing is lazily loaded later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, Self


class _Row(Protocol):
    """A result row: SQLAlchemy's ``Row``, whose ``_mapping`` is public API despite the name."""

    @property
    def _mapping(self) -> Mapping[Any, Any]: ...


class RowRecord:
    """A frozen dataclass built from a result row by column name."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @classmethod
    def from_row(cls, row: _Row) -> Self:
        """The record from a row's columns of the same names (other columns are ignored)."""
        mapping = row._mapping
        return cls(**{name: mapping[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class ChannelRecord(RowRecord):
    id: int
    workspace_id: int


@dataclass(frozen=True, slots=True)
class MemberRecord(RowRecord):
    id: int
    external_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class ConferenceRecord(RowRecord):
    id: int
    #: Empty for the unnamed conference a channel has before anyone names one.
    name: str
    name_key: str
    time_zone: str
    starts_on: date | None
    ends_on: date | None


@dataclass(frozen=True, slots=True)
class SessionRecord(RowRecord):
    id: int
    conference_id: int
    title: str
    day: date


@dataclass(frozen=True, slots=True)
class MemoRecord(RowRecord):
    id: int
    channel_id: int
    number: int
    session_id: int
    author_id: int
    author_external_id: str
    author_name: str
    text: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    source_url: str | None


@dataclass(frozen=True, slots=True)
class NoteRecord(RowRecord):
    """What a summary reads of a memo: no times or ids, so 500 of them load quickly."""

    number: int
    author_name: str
    text: str


@dataclass(frozen=True, slots=True)
class ChannelMemo:
    """A memo with the channel it lives in and what it takes to show it there."""

    channel_external_id: str
    session_title: str
    time_zone: str
    memo: MemoRecord


@dataclass(frozen=True, slots=True)
class ChannelSession:
    channel_external_id: str
    session: SessionRecord


@dataclass(frozen=True, slots=True)
class SessionTally:
    memo_count: int
    #: Display names, in the order people first attended.
    attendees: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SearchCandidate(RowRecord):
    """A live memo that holds every search token of a query (the core checks it really matches)."""

    id: int
    number: int
    text: str
    created_at: datetime
    edited_at: datetime | None
    session_id: int
    session_title: str
    author_external_id: str
    author_name: str
