"""The buttons under the question "which running talk is this note for?", and reading a click.

Each button carries the waiting note's id and the talk's session id; the core checks
both (the note is this person's, in this channel, still open, and the talk was
offered), so a button's value is never trusted beyond naming what was clicked.
"""

from __future__ import annotations

import re
from typing import Any

from adapters.slack.blocks import Block, plain
from bot.memos import PickTalk
from bot.replies.values import TalkPickNeeded

#: Every button's action id starts so (Slack wants them unique within a block).
PICK_TALK_PREFIX = "pick_talk:"
PICK_TALK_ACTIONS = re.compile(rf"^{PICK_TALK_PREFIX}")
#: Slack's limits: button text, buttons in an actions block.
BUTTON_TEXT_LIMIT = 75
MAX_BUTTONS = 25

_VALUE = re.compile(r"([0-9]{1,18}):([0-9]{1,18})")


def talk_buttons(question: TalkPickNeeded) -> Block:
    """An actions block: one button per talk, numbered as the question lists them."""
    return {
        "type": "actions",
        "block_id": f"pick_talk_{question.pending}",
        "elements": [
            {
                "type": "button",
                "action_id": f"{PICK_TALK_PREFIX}{choice.session_id}",
                "text": plain(f"{number}. {choice.title}", BUTTON_TEXT_LIMIT),
                "value": f"{question.pending}:{choice.session_id}",
            }
            for number, choice in enumerate(question.choices[:MAX_BUTTONS], start=1)
        ],
    }


def picked(action: dict[str, Any]) -> PickTalk | None:
    """The pick a clicked button stands for; None for a value no button of ours has."""
    match = _VALUE.fullmatch(str(action.get("value", "")))
    if match is None:
        return None
    return PickTalk(int(match.group(1)), int(match.group(2)))
