"""Block Kit surfaces: the add-memo modal, its confirmation, and the App Home tab."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from adapters.slack.blocks import (
    SURFACE_BLOCK_LIMIT,
    Block,
    Element,
    channel,
    context,
    fit,
    literal,
    plain,
    rich_text,
    section,
    surface_blocks,
)
from bot.i18n import _
from bot.replies.render import day_label, excerpt, memo_count
from bot.replies.values import HomeShown, Reply, SessionChoice

ADD_CALLBACK = "memo_add"
PICK_BLOCK, PICK_ACTION = "session_pick", "session_select"
NEW_BLOCK, NEW_ACTION = "session_new", "session_title"
TEXT_BLOCK, TEXT_ACTION = "memo_text", "memo_text"
IMPORT_CALLBACK = "memo_import"
AGENDA_IMPORT_CALLBACK = "memo_agenda_import"
FILE_BLOCK, FILE_ACTION = "note_file", "note_file"
#: The modals whose submissions (and session searches) come back to the bot.
MODAL_CALLBACKS = frozenset({ADD_CALLBACK, IMPORT_CALLBACK, AGENDA_IMPORT_CALLBACK})

#: Slack's limit for a plain_text_input; the core allows more (4,000) for other platforms.
MODAL_TEXT_LIMIT = 3_000
#: Slack's limits on option text and value.
OPTION_TEXT_LIMIT = 75
MAX_OPTIONS = 100

_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{1,30}")


@dataclass(frozen=True, slots=True)
class ModalContext:
    """What a modal must remember until it is submitted (kept in ``private_metadata``)."""

    channel_id: str
    #: The message a "Save as memo" shortcut started from: its channel and timestamp.
    source_channel: str | None = None
    source_ts: str | None = None
    #: Where the answer to the command that opened the modal goes (an import's, later).
    response_url: str | None = None

    def dump(self) -> str:
        return json.dumps(
            {
                "channel": self.channel_id,
                "source": [self.source_channel, self.source_ts],
                "response_url": self.response_url,
            }
        )

    @classmethod
    def load(cls, metadata: object) -> ModalContext:
        """What ``dump`` wrote; ``ValueError`` for anything else (Slack echoes it back)."""
        data = json.loads(metadata) if isinstance(metadata, str) else None
        if not isinstance(data, dict):
            raise ValueError("the modal's private_metadata is not a JSON object")
        channel, source = data.get("channel"), data.get("source") or [None, None]
        response_url = data.get("response_url")
        if not isinstance(channel, str) or not isinstance(source, list) or len(source) != 2:
            raise ValueError("the modal's private_metadata has no channel or a bad source")
        if not all(value is None or isinstance(value, str) for value in (*source, response_url)):
            raise ValueError("the modal's private_metadata has a field that is not text")
        return cls(channel, source[0], source[1], response_url)


def import_modal(where: ModalContext) -> dict[str, Any]:
    """The form behind `/memo import`: one note file to upload (Block Kit's file_input)."""
    return _file_modal(
        where,
        IMPORT_CALLBACK,
        (_("Import notes"), _("Note file")),
        _(
            "Blog-style posts: a date line, a title line, then [Session] headers "
            "with their notes. .txt or .md, up to 10 MB."
        ),
        ["txt", "md", "text", "markdown"],
    )


def agenda_import_modal(where: ModalContext) -> dict[str, Any]:
    """The form behind `/memo agenda import`: the conference's programme file."""
    return _file_modal(
        where,
        AGENDA_IMPORT_CALLBACK,
        (_("Import programme"), _("Programme file")),
        _(
            "The conference's programme: iCalendar (.ics), pretalx/frab schedule JSON, or CSV "
            "with the header title,date,start,end,room,track,speakers."
        ),
        ["ics", "json", "csv", "txt"],
    )


def _file_modal(
    where: ModalContext,
    callback: str,
    titles: tuple[str, str],
    hint: str,
    file_types: list[str],
) -> dict[str, Any]:
    """A form with one file to upload (Block Kit's file_input), answered later."""
    title, label = titles
    return {
        "type": "modal",
        "callback_id": callback,
        "title": plain(title, 24),
        "submit": plain(_("Import"), 24),
        "close": plain(_("Cancel"), 24),
        "private_metadata": where.dump(),
        "blocks": [
            {
                "type": "input",
                "block_id": FILE_BLOCK,
                "label": plain(label, 2000),
                "hint": plain(hint, 2000),
                "element": {
                    "type": "file_input",
                    "action_id": FILE_ACTION,
                    "filetypes": file_types,
                    "max_files": 1,
                },
            }
        ],
    }


def add_modal(where: ModalContext, *, title: str | None = None, text: str = "") -> dict[str, Any]:
    """The form behind `/memo`, `/memo add` without a note, and "Save as memo"."""
    new_title: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": NEW_ACTION,
        "max_length": 200,
        "placeholder": plain(_("A session not in the list yet"), 150),
    }
    if title:
        new_title["initial_value"] = title[:200]
    memo: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": TEXT_ACTION,
        "multiline": True,
        "max_length": MODAL_TEXT_LIMIT,
    }
    if text:
        memo["initial_value"] = text[:MODAL_TEXT_LIMIT]
    return {
        "type": "modal",
        "callback_id": ADD_CALLBACK,
        "title": plain(_("Add a memo"), 24),
        "submit": plain(_("Save"), 24),
        "close": plain(_("Cancel"), 24),
        "private_metadata": where.dump(),
        "blocks": [
            {
                "type": "input",
                "block_id": PICK_BLOCK,
                "optional": True,
                "label": plain(_("Session"), 2000),
                "element": {
                    "type": "external_select",
                    "action_id": PICK_ACTION,
                    "min_query_length": 0,
                    "placeholder": plain(_("Search this channel's sessions"), 150),
                },
            },
            {
                "type": "input",
                "block_id": NEW_BLOCK,
                "optional": True,
                "label": plain(_("…or a new session"), 2000),
                "element": new_title,
            },
            {
                "type": "input",
                "block_id": TEXT_BLOCK,
                "label": plain(_("Memo"), 2000),
                "element": memo,
            },
        ],
    }


def session_options(choices: tuple[SessionChoice, ...]) -> list[dict[str, Any]]:
    """Options for the session select; the value is the session id (titles can be too long)."""
    return [
        {
            "text": plain(f"{choice.title} ({day_label(choice.day)})", OPTION_TEXT_LIMIT),
            "value": str(choice.id),
        }
        for choice in choices[:MAX_OPTIONS]
    ]


def saved_modal(reply: Reply) -> dict[str, Any]:
    """What the modal turns into once the memo is saved: the memo, as the channel sees it."""
    return {
        "type": "modal",
        "callback_id": f"{ADD_CALLBACK}_done",
        "title": plain(_("Memo saved"), 24),
        "close": plain(_("Done"), 24),
        "blocks": surface_blocks(reply.markdown),
    }


def home_view(reply: Reply) -> dict[str, Any]:
    """The App Home tab: the person's own recent memos and sessions.

    Built from the reply's data, so titles, memo text and names go into ``text``
    elements as they are (no Markdown to escape or undo on the way).
    """
    if not isinstance(reply.data, HomeShown):
        return {"type": "home", "blocks": surface_blocks(reply.markdown)}
    shown = reply.data
    blocks: list[Block] = [_header(_("Your recent memos"))]
    if not shown.memos:
        blocks.append(
            _lines(
                literal(_("None yet. In a channel, type ")),
                literal("/memo add [Session title] note", code=True),
                literal("."),
            )
        )
    for item in shown.memos:
        memo = item.memo
        blocks.append(
            _lines(
                literal(f"#{memo.number}", bold=True),
                literal(_(" in ")),
                _channel(item.channel_id),
                literal(f" · [{memo.session_title}] · {memo.local_created_at:%Y-%m-%d %H:%M}\n"),
                literal(excerpt(memo.text, 280)),
            )
        )
    blocks += [{"type": "divider"}, _header(_("Sessions you attended"))]
    if not shown.sessions:
        blocks.append(_lines(literal(_("None yet."))))
    for entry in shown.sessions:
        session = entry.session
        blocks.append(
            _lines(
                literal(f"[{session.title}] · {day_label(session.day)} · "),
                _channel(entry.channel_id),
            )
        )
        who = ", ".join(session.attendees)
        attended = _("attended by %(names)s") % {"names": who}
        blocks.append(context(f"{memo_count(session.memo_count)} · {attended}"))
    return {"type": "home", "blocks": fit(blocks, SURFACE_BLOCK_LIMIT)}


def _lines(*parts: list[Element]) -> Block:
    """One rich text block of inline elements."""
    return rich_text([section([element for part in parts for element in part])])


def _header(value: str) -> Block:
    return {"type": "header", "text": plain(value, 150)}


def _channel(channel_id: str) -> list[Element]:
    """A channel link when the id looks like Slack's; otherwise the id as text."""
    return [channel(channel_id)] if _CHANNEL_ID.fullmatch(channel_id) else literal(channel_id)
