"""The commands memo-bot offers, in the order `/memo help` lists them.

Adding a command: declare it next to its handler and list it here; the text
grammar, dispatch, help, the write set and Discord's app command follow.
"""

from __future__ import annotations

from bot import (
    conference_list,
    conferences,
    help,
    language_setting,
    memos,
    search,
    sessions,
    threads,
)
from bot.agenda import commands as agenda
from bot.agenda import plans
from bot.commands.registry import CommandRegistry
from bot.digest import commands as digest
from bot.notefiles import exporting, importing
from bot.summary import commands as summary

DECLARED = (
    memos.ADD,
    sessions.ATTEND,
    sessions.SESSIONS,
    sessions.SHOW,
    summary.SUMMARY,
    memos.EDIT,
    memos.DELETE,
    memos.UNDO,
    conferences.CONFERENCE,
    conference_list.CONFERENCES,
    agenda.AGENDA,
    plans.PLAN,
    digest.DIGEST,
    threads.THREADS,
    search.SEARCH,
    exporting.EXPORT,
    importing.IMPORT,
    language_setting.LANGUAGE,
    help.HELP,
)

#: Korean words for the commands, where a Korean speaker would reach for one; the English
#: words keep working, and `/memo help` lists these next to them.
KOREAN_WORDS = {
    "추가": "add",
    "참석": "attend",
    "세션": "sessions",
    "보기": "show",
    "요약": "summary",
    "수정": "edit",
    "삭제": "delete",
    "되돌리기": "undo",
    "컨퍼런스": "conference",
    "컨퍼런스목록": "conferences",
    "일정": "agenda",
    "계획": "plan",
    "다이제스트": "digest",
    "스레드": "threads",
    "검색": "search",
    "내보내기": "export",
    "가져오기": "import",
    "언어": "language",
    "도움말": "help",
}

COMMANDS = CommandRegistry(DECLARED, unknown=help.help_for_unknown, aliases=KOREAN_WORDS)

#: What follows `/memo`, cleaned already, to one of these commands (or a refusal).
parse = COMMANDS.parse
