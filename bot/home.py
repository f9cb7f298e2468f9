"""A person's home: their own recent memos and sessions, for an app's home screen.

Only the person's own memos and the sessions they attended are listed: a
workspace-wide list of sessions would show titles from private channels to
people who are not in them.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.context import Context
from bot.replies import render
from bot.replies.from_records import memo_view, session_views
from bot.replies.values import ChannelMemoView, ChannelSessionView, HomeShown, Reply, Visibility
from storage import channels as channel_store
from storage import memos as memo_store
from storage import sessions as session_store

#: How many memos and sessions a home shows.
HOME_ITEMS = 10


def home(ctx: Context) -> Reply:
    """``ctx`` has no channel: a home belongs to a person in a workspace."""
    invocation = ctx.invocation
    workspace_id = channel_store.find_workspace(
        ctx.tx, invocation.platform, invocation.workspace_id
    )
    member = (
        channel_store.find_member(ctx.tx, workspace_id, invocation.user_id)
        if workspace_id is not None
        else None
    )
    if member is None:
        data = HomeShown((), ())
    else:
        recent = memo_store.recent_by_author(ctx.tx, member.id, HOME_ITEMS)
        attended = session_store.recently_attended(ctx.tx, member.id, HOME_ITEMS)
        summaries = session_views(ctx, [item.session for item in attended])
        data = HomeShown(
            memos=tuple(
                ChannelMemoView(
                    item.channel_external_id,
                    memo_view(item.memo, item.session_title, ZoneInfo(item.time_zone)),
                )
                for item in recent
            ),
            sessions=tuple(
                ChannelSessionView(item.channel_external_id, summary)
                for item, summary in zip(attended, summaries, strict=True)
            ),
        )
    return Reply(render.home_shown(data), Visibility.PRIVATE, data)
