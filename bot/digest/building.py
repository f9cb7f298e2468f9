"""Building a channel's digest of one local day: its sessions, who went, what mattered.

The digest reads like the posts people already write by hand: a dated title
("DEVRIVER 2025 Day 2 session memos"), then each session as a ``[Title]`` with
its points: the key points of that day's memos (``bot.summary.key_points``, the local
summarizer: a digest is built inside a transaction and never waits on a model).
When the conference's programme is imported, a "Not covered" part follows: the
day's talks nobody attended or noted, by time and room, so the team can watch
the recordings.

A day is titled with the conference its sessions belong to, which need not be the
channel's current one (a channel keeps several); a day whose sessions belong to
several conferences gets a neutral title.

``/memo digest now`` and the posting runner both build through ``day_digest``; the
runner through ``build_day_digest``, which reads in a transaction of its own and says
plainly when there is nothing to post or the digest could not be built.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from bot.agenda.showing import agenda_talks, not_covered
from bot.digest.due import conference_dates
from bot.i18n import speaking
from bot.language import digest_language
from bot.replies import render
from bot.replies.values import ConferenceView, DigestSession, DigestShown
from bot.summary.key_points import Note, key_points
from storage import channels as channel_store
from storage import conferences as conference_store
from storage import digests as digest_store
from storage import memos as memo_store
from storage import programme as programme_store
from storage import threads as thread_store
from storage.database import Database
from storage.digests import DayActivity
from storage.records import ConferenceRecord

logger = logging.getLogger(__name__)

#: How many points a session shows in the digest: short enough to read a day at a glance.
POINTS_PER_SESSION = 3


@dataclass(frozen=True, slots=True)
class DigestBuilt:
    """A day's digest, and the Markdown to post."""

    digest: DigestShown
    markdown: str


@dataclass(frozen=True, slots=True)
class NothingToPost:
    """No memos or attendance in the channel that day; the post saying so, for channels that
    want empty days posted too."""

    digest: DigestShown
    markdown: str


@dataclass(frozen=True, slots=True)
class DigestNotBuilt:
    """Reading the day failed (logged with its traceback); worth trying again later."""

    #: What failed, in a word (the exception's type), for the claim's record.
    problem: str


DayDigestResult = DigestBuilt | NothingToPost | DigestNotBuilt


def build_day_digest(
    database: Database,
    channel_id: int,
    day: date,
    *,
    default_time_zone: str,
    default_language: str = "en",
) -> DayDigestResult:
    """The channel's digest of local ``day`` (in its digest's time zone), read in one transaction.

    Any failure to read comes back as ``DigestNotBuilt``, so the caller decides
    when to try again instead of handling exceptions.
    """
    try:
        with database.reading() as tx:
            zone = digest_zone(tx, channel_id, default_time_zone)
            shown = day_digest(tx, channel_id, day, zone)
            language = channel_digest_language(tx, channel_id, default_language)
    except Exception as error:
        logger.exception("digest not built: channel=%s day=%s", channel_id, day)
        return DigestNotBuilt(type(error).__name__)  # its message may hold SQL and data
    with speaking(language):
        markdown = render.digest(shown)
    return DigestBuilt(shown, markdown) if shown.sessions else NothingToPost(shown, markdown)


def digest_today(
    database: Database, channel_id: int, now: datetime, default_time_zone: str
) -> date:
    """Today in the time zone of the channel's digest."""
    with database.reading() as tx:
        return now.astimezone(digest_zone(tx, channel_id, default_time_zone)).date()


#: How many of the conference's latest notes tell the language of an ``auto`` channel's digest.
LANGUAGE_SAMPLE = 200


def channel_digest_language(tx: Connection, channel_id: int, default_language: str) -> str:
    """The channel's `/memo language`; for ``auto`` (nobody to ask for a locale), Korean when
    most of its current conference's notes are, else ``MEMO_DEFAULT_LANGUAGE``."""
    setting = channel_store.language_setting(tx, channel_id)
    current = conference_store.current_conference(tx, channel_id)
    notes = memo_store.conference_notes(tx, current.id, LANGUAGE_SAMPLE) if current else []
    return digest_language(setting, default_language, notes)


def digest_zone(tx: Connection, channel_id: int | None, default_time_zone: str) -> ZoneInfo:
    """The digest's own time zone; else the current conference's; else the default."""
    if channel_id is None:
        return ZoneInfo(default_time_zone)
    setting = digest_store.get_setting(tx, channel_id)
    if setting is not None:
        return ZoneInfo(setting.time_zone)
    current = conference_store.current_conference(tx, channel_id)
    return ZoneInfo(current.time_zone if current else default_time_zone)


def day_digest(tx: Connection, channel_id: int | None, day: date, zone: ZoneInfo) -> DigestShown:
    """The digest of ``day`` (local to ``zone``) for the channel (None: one never stored)."""
    if channel_id is None:
        return DigestShown(_view(None, zone), day, None, (), 0, 0)
    start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    activity = digest_store.day_activity(tx, channel_id, start, end)
    conference_ids = {session.conference_id for session in activity.sessions}
    # Each session linked to its thread in the channel, where it has one: the digest stays
    # short, and every memo of the session is one click away.
    links = thread_store.links(tx, channel_id, [session.id for session in activity.sessions])
    if len(conference_ids) > 1:  # a day of several conferences: none names it
        return _shown(None, day, activity, zone, links)
    conference = (
        conference_store.get_conference(tx, conference_ids.pop())
        if conference_ids
        else conference_store.current_conference(tx, channel_id)  # an empty day: the current one
    )
    shown = _shown(
        _view(conference, zone), day, activity, zone, links, _day_number(conference, day)
    )
    if conference is None:
        return shown
    programme = agenda_talks(tx, programme_store.day_programme(tx, conference.id, day), zone)
    return replace(
        shown,
        not_covered=not_covered(programme),
        programme_talks=len(programme),
        planned=tuple(talk for talk in programme if talk.planned_by),
    )


def _shown(
    conference: ConferenceView | None,
    day: date,
    activity: DayActivity,
    zone: ZoneInfo,
    links: dict[int, str],
    day_number: int | None = None,
) -> DigestShown:
    people = {member for members in activity.attendees.values() for member in members}
    memo_total = sum(len(memos) for memos in activity.memos.values())
    return DigestShown(
        conference, day, day_number, _sessions(activity, zone, links), len(people), memo_total
    )


def _view(conference: ConferenceRecord | None, zone: ZoneInfo) -> ConferenceView:
    """The conference as the title shows it; unnamed when the channel has none yet."""
    if conference is None:
        return ConferenceView("", zone.key, None, None)
    return ConferenceView(
        conference.name, conference.time_zone, conference.starts_on, conference.ends_on
    )


def _sessions(
    activity: DayActivity, zone: ZoneInfo, links: dict[int, str]
) -> tuple[DigestSession, ...]:
    """The day's sessions, in programme order when known, else by their first memo."""

    def order(session_id: int) -> tuple[time, int]:
        """The programme's start time when known, else the first memo's (attendance only: last)."""
        starts = activity.starts_at.get(session_id)
        memos = activity.memos.get(session_id)
        if starts is None and memos:
            starts = memos[0].created_at.astimezone(zone).time()
        return (starts if starts is not None else time.max, session_id)

    titles = {row.id: row.title for row in activity.sessions}
    sessions = []
    for session_id in sorted(titles, key=order):
        memos = activity.memos.get(session_id, [])
        sessions.append(
            DigestSession(
                title=titles[session_id],
                attendees=tuple(activity.attendees.get(session_id, {}).values()),
                memo_count=len(memos),
                points=tuple(
                    point.text
                    for point in key_points(
                        [Note(memo.number, memo.author_name, memo.text) for memo in memos],
                        POINTS_PER_SESSION,
                    )
                ),
                numbers=tuple(memo.number for memo in memos),
                thread_link=links.get(session_id),
            )
        )
    return tuple(sessions)


def _day_number(conference: ConferenceRecord | None, day: date) -> int | None:
    """1 for the conference's first day, when its dates are known and hold ``day``."""
    dates = conference_dates(conference)
    if dates is None or not dates[0] <= day <= dates[1]:
        return None
    return (day - dates[0]).days + 1
