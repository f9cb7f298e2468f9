"""Handlers for `/memo digest`: show, schedule, stop or preview a channel's daily digest.

The preview is built by ``bot.digest.building``, like the digest the runner posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo

from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    CommandGroup,
    InTransaction,
    Option,
    OptionKind,
    Usage,
)
from bot.commands.text import Rejected, not_a_date, parse_clock, parse_day
from bot.conferences import canonical_time_zone
from bot.context import Context
from bot.digest import due as schedule
from bot.digest.building import channel_digest_language, day_digest, digest_zone
from bot.i18n import N_, _, speaking
from bot.replies import render
from bot.replies.values import (
    DigestSettingShown,
    ProblemCode,
    Reply,
    Visibility,
    refuse,
)
from storage import digests as digest_store
from storage.digests import DigestSettingRecord

#: Which days a channel's digest is posted on.
DIGEST_DAYS = ("mon-fri", "all", "conference")


@dataclass(frozen=True, slots=True)
class ShowDigest(Command):
    pass


@dataclass(frozen=True, slots=True)
class SetDigestTime(Command):
    post_at: time
    #: None: the conference's time zone (or, without one, the default).
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class SetDigestDays(Command):
    days: str


@dataclass(frozen=True, slots=True)
class DisableDigest(Command):
    pass


@dataclass(frozen=True, slots=True)
class PreviewDigest(Command):
    """The digest that would be posted for ``day`` (None: today), shown only to the asker."""

    day: date | None = None


def show(ctx: Context, command: ShowDigest) -> Reply:
    data = _setting_shown(ctx, _setting(ctx))
    return Reply(render.digest_setting(data), Visibility.PRIVATE, data)


def set_time(ctx: Context, command: SetDigestTime) -> Reply:
    zone_name = _zone_name(ctx, command.time_zone)
    if zone_name is None:
        return refuse(
            ProblemCode.INVALID_TIME_ZONE,
            _("That is not a time zone I know. Use an IANA name such as `Asia/Seoul` or `UTC`."),
            "time_zone",
        )
    current = _setting(ctx)
    return _save(
        ctx,
        post_at=command.post_at,
        time_zone=zone_name,
        days=current.days if current else "all",
        enabled=True,
    )


def set_days(ctx: Context, command: SetDigestDays) -> Reply:
    current = _setting(ctx)
    if current is None:
        return refuse(
            ProblemCode.BAD_ARGUMENTS,
            _("Turn the digest on first: `/memo digest at 18:30`."),
            "days",
        )
    return _save(
        ctx,
        post_at=current.post_at,
        time_zone=current.time_zone,
        days=command.days,
        enabled=current.enabled,
    )


def disable(ctx: Context, command: DisableDigest) -> Reply:
    current = _setting(ctx)
    if current is None or not current.enabled:
        data = _setting_shown(ctx, current)
        return Reply(render.digest_setting(data), Visibility.PRIVATE, data)
    return _save(
        ctx,
        post_at=current.post_at,
        time_zone=current.time_zone,
        days=current.days,
        enabled=False,
    )


def preview(ctx: Context, command: PreviewDigest) -> Reply:
    """The digest that would be posted for the day, shown only to the person who asked: in
    the language it would be posted in, so the preview is the post."""
    channel_id = ctx.channel.id if ctx.channel else None
    zone = digest_zone(ctx.tx, channel_id, ctx.default_time_zone)
    day = command.day or ctx.now.astimezone(zone).date()
    data = day_digest(ctx.tx, channel_id, day, zone)
    if channel_id is None:
        return Reply(render.digest(data), Visibility.PRIVATE, data)
    language = channel_digest_language(ctx.tx, channel_id, ctx.default_language)
    with speaking(language):
        return Reply(render.digest(data), Visibility.PRIVATE, data)


def _save(ctx: Context, *, post_at: time, time_zone: str, days: str, enabled: bool) -> Reply:
    digest_store.save_setting(
        ctx.tx,
        ctx.writable_channel().id,
        post_at=post_at,
        time_zone=time_zone,
        days=days,
        enabled=enabled,
        disabled_reason=None,
        now=ctx.now,
    )
    data = _setting_shown(ctx, _setting(ctx))
    return Reply(render.digest_setting(data), Visibility.PUBLIC, data)


def _setting(ctx: Context) -> DigestSettingRecord | None:
    return digest_store.get_setting(ctx.tx, ctx.channel.id) if ctx.channel else None


def _setting_shown(ctx: Context, current: DigestSettingRecord | None) -> DigestSettingShown:
    if current is None:
        return DigestSettingShown(False, None, None, None, None, None)
    next_post = None
    if current.enabled:
        next_post = schedule.next_post(
            ctx.now,
            current.post_at,
            ZoneInfo(current.time_zone),
            current.days,
            schedule.conference_dates(ctx.conference()),
        )
    return DigestSettingShown(
        current.enabled,
        current.post_at,
        current.time_zone,
        current.days,
        next_post,
        current.disabled_reason,
    )


def _zone_name(ctx: Context, typed: str | None) -> str | None:
    if typed is not None:
        return canonical_time_zone(typed)
    return ctx.conference_view().time_zone


# ---------------------------------------------------------------- grammar

_USAGE = (
    "`/memo digest`, `/memo digest at 18:30 [Area/City]`, `/memo digest off`, "
    "`/memo digest days mon-fri|all|conference` or `/memo digest now [YYYY-MM-DD]`"
)


def _parse(rest: str) -> Command | Rejected:
    words = rest.split()
    action = words[0].lower() if words else ""
    if action == "":
        return ShowDigest()
    if action == "off" and len(words) == 1:
        return DisableDigest()
    if action == "at" and len(words) <= 3:
        return digest_time_from_options(
            words[1] if len(words) > 1 else None, words[2] if len(words) > 2 else None
        )
    if action == "days" and len(words) == 2:
        return digest_days_from_option(words[1])
    if action == "now" and len(words) <= 2:
        return digest_preview_from_option(words[1] if len(words) == 2 else None)
    return Rejected(ProblemCode.BAD_ARGUMENTS, N_("Write %(usage)s."), values={"usage": _USAGE})


def digest_time_from_options(
    clock: str | None, time_zone: str | None = None
) -> SetDigestTime | Rejected:
    post_at = parse_clock(clock or "")
    if post_at is None:
        return Rejected(
            ProblemCode.BAD_TIME,
            N_("Give the time of day as HH:MM, like `/memo digest at 18:30 Asia/Seoul`."),
            "time",
        )
    return SetDigestTime(post_at, time_zone)


def digest_days_from_option(days: str) -> SetDigestDays | Rejected:
    if days.lower() not in DIGEST_DAYS:
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            N_("Choose `mon-fri`, `all` or `conference` (only the conference's own dates)."),
            "days",
        )
    return SetDigestDays(days.lower())


def digest_preview_from_option(day: str | None) -> PreviewDigest | Rejected:
    if day is None or day.lower() == "today":
        return PreviewDigest()
    parsed = parse_day(day)
    if parsed is None:
        return not_a_date(day, "Use `/memo digest now 2025-09-25`.")
    return PreviewDigest(parsed)


DIGEST = CommandGroup(
    "digest",
    N_("The daily digest of this channel's sessions"),
    Usage(
        "/memo digest [at HH:MM [Area/City] | off | days mon-fri|all|conference | now [date]]",
        N_("The daily digest of this channel's sessions: show, schedule, stop or preview it."),
    ),
    _parse,
    members=(
        CommandDeclaration(
            "show",
            ShowDigest,
            N_("This channel's digest setting and next post"),
            InTransaction(show),
            ShowDigest,
        ),
        CommandDeclaration(
            "at",
            SetDigestTime,
            N_("Post the digest every day at this time"),
            InTransaction(set_time),
            lambda time, time_zone=None: digest_time_from_options(time, time_zone),
            options=(
                Option(
                    "time", OptionKind.CLOCK, N_("The time of day, like 18:30"), True, max_length=10
                ),
                Option(
                    "time_zone",
                    OptionKind.TIME_ZONE,
                    N_("An IANA time zone such as Asia/Seoul (default: the conference's)"),
                ),
            ),
            writes=True,
        ),
        CommandDeclaration(
            "days",
            SetDigestDays,
            N_("Which days the digest is posted on"),
            InTransaction(set_days),
            digest_days_from_option,
            options=(
                Option(
                    "days",
                    OptionKind.CHOICE,
                    N_("Every day, weekdays, or only the conference's dates"),
                    True,
                    choices=tuple((days, days) for days in DIGEST_DAYS),
                ),
            ),
            writes=True,
        ),
        CommandDeclaration(
            "off",
            DisableDigest,
            N_("Stop posting the digest"),
            InTransaction(disable),
            DisableDigest,
            writes=True,
        ),
        CommandDeclaration(
            "now",
            PreviewDigest,
            N_("See (only you) the digest a day would get"),
            InTransaction(preview),
            lambda date=None: digest_preview_from_option(date),
            options=(
                Option("date", OptionKind.DAY, N_("today (default) or a date like 2025-09-25")),
            ),
        ),
    ),
)
