"""Which session each programme entry fills in, decided before anything is written.

An entry fills in the session with its title (the same day first, then any day),
else the session whose title is a near match (``bot.titles.closest_title``, the
rule `/memo add` uses), else it becomes a new session. Each session is filled in
by one entry at most, so two talks never merge into one. A session already
holding exactly the entry's slot is unchanged, which makes importing the same
programme again a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo

from bot.agenda.entries import ProgrammeEntry, located
from bot.i18n import _
from bot.titles import closest_title, title_key
from storage.programme import ProgrammedSession, Slot


@dataclass(frozen=True, slots=True)
class NearMatch:
    """A programme title that filled in a session noted under another spelling."""

    session_title: str
    programme_title: str


@dataclass
class Changes:
    """What importing a programme does to the conference's sessions."""

    new: list[tuple[str, str, Slot]] = field(default_factory=list)
    updated: list[tuple[int, Slot]] = field(default_factory=list)
    unchanged: int = 0
    near: list[NearMatch] = field(default_factory=list)
    #: Title keys of sessions that change day: a process's cache of sessions by title forgets them.
    moved_keys: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def filled_in(self) -> int:
        return len(self.updated)


def slot_of(entry: ProgrammeEntry, zone: tzinfo) -> Slot:
    """The entry's slot as stored: UTC instants, and the local day and times in ``zone``."""
    start, end = entry.start.astimezone(zone), entry.end.astimezone(zone)
    return Slot(
        day=start.date(),
        starts_at=start.time().replace(tzinfo=None),
        ends_at=end.time().replace(tzinfo=None),
        start_utc=entry.start.astimezone(UTC),
        end_utc=entry.end.astimezone(UTC),
        room=entry.room,
        track=entry.track,
        speakers="; ".join(entry.speakers) or None,
    )


def match(
    entries: Sequence[ProgrammeEntry], existing: Sequence[ProgrammedSession], zone: tzinfo
) -> Changes:
    """The changes that bring the sessions in line with the programme."""
    changes = Changes()
    by_key: dict[str, list[ProgrammedSession]] = {}
    for known in existing:
        by_key.setdefault(known.title_key, []).append(known)
    taken_days = {(known.title_key, known.day) for known in existing}
    claimed: set[int] = set()
    seen: dict[tuple[str, object], str] = {}
    for entry in entries:
        key = title_key(entry.title)
        slot = slot_of(entry, zone)
        if (key, slot.day) in seen:
            twice = _("“%(talk)s” is on %(day)s twice (first at %(first)s); kept the first") % {
                "talk": entry.title[:60],
                "day": slot.day.isoformat(),
                "first": seen[key, slot.day],
            }
            changes.warnings.append(located(entry.where, twice))
            continue
        seen[key, slot.day] = entry.where
        session = _session_for(key, slot, by_key, existing, claimed)
        moved = session is not None and session.day != slot.day
        if session is None or (moved and (session.title_key, slot.day) in taken_days):
            # New, or moving the match would make two sessions of one title on that day.
            changes.new.append((entry.title, key, slot))
            taken_days.add((key, slot.day))
            continue
        claimed.add(session.id)
        taken_days.add((session.title_key, slot.day))
        if session.title_key != key:
            changes.near.append(NearMatch(session.title, entry.title))
        if _same(session, slot):
            changes.unchanged += 1
        else:
            changes.updated.append((session.id, slot))
            if moved:
                changes.moved_keys.append(session.title_key)
    return changes


def _session_for(
    key: str,
    slot: Slot,
    by_key: dict[str, list[ProgrammedSession]],
    existing: Sequence[ProgrammedSession],
    claimed: set[int],
) -> ProgrammedSession | None:
    titled = [s for s in by_key.get(key, ()) if s.id not in claimed]
    same_day = [s for s in titled if s.day == slot.day]
    if same_day or titled:
        return (same_day or titled)[0]
    candidates = [(s, s.title_key) for s in existing if s.id not in claimed]
    return closest_title(key, candidates)


def _same(session: ProgrammedSession, slot: Slot) -> bool:
    return (
        session.day == slot.day
        and session.start_utc == slot.start_utc
        and session.end_utc == slot.end_utc
        and session.room == slot.room
        and session.track == slot.track
        and session.speakers == slot.speakers
    )
