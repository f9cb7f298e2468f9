"""Handlers for `/memo digest`: show, schedule, stop or preview a channel's daily digest.

The preview is built by ``bot.digest.building``, like the digest the runner posts.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from bot.conferences import canonical_time_zone
from bot.context import Context
from bot.digest import due as schedule
from bot.digest.building import day_digest, digest_zone
from bot.grammar import DisableDigest, PreviewDigest, SetDigestDays, SetDigestTime, ShowDigest
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


def show(ctx: Context, command: ShowDigest) -> Reply:
    data = _setting_shown(ctx, _setting(ctx))
    return Reply(render.digest_setting(data), Visibility.PRIVATE, data)


def set_time(ctx: Context, command: SetDigestTime) -> Reply:
    zone_name = _zone_name(ctx, command.time_zone)
    if zone_name is None:
        return refuse(
            ProblemCode.INVALID_TIME_ZONE,
            "That is not a time zone I know. Use an IANA name such as `Asia/Seoul` or `UTC`.",
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
            "Turn the digest on first: `/memo digest at 18:30`.",
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
    """The digest that would be posted for the day, shown only to the person who asked."""
    channel_id = ctx.channel.id if ctx.channel else None
    zone = digest_zone(ctx.tx, channel_id, ctx.default_time_zone)
    day = command.day or ctx.now.astimezone(zone).date()
    data = day_digest(ctx.tx, channel_id, day, zone)
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
