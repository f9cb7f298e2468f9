"""Log lines on stderr: text for a person at a terminal, or JSON lines for a log collector.

A command's line (``bot.core``) carries its fields in JSON: command, platform, workspace
and channel ids, outcome, duration and the request's id; never what was typed, which no
log line holds. Libraries' routine INFO lines (APScheduler's two a minute) are DEBUG here.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from bot.core import CommandDone
from bot.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings, default_level: str) -> None:
    """Log to stderr at ``MEMO_LOG_LEVEL``, else at the command's own default, in
    ``MEMO_LOG_FORMAT``."""
    handler = logging.StreamHandler(sys.stderr)
    json_lines = settings.log_format == "json"
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(ChatterIsDebug())
    logging.basicConfig(level=(settings.log_level or default_level).upper(), handlers=[handler])


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and a command's own fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        done = getattr(record, "command_done", None)
        if isinstance(done, CommandDone):
            line.update(
                command=done.command,
                outcome=done.outcome,
                platform=done.platform,
                workspace_id=done.workspace_id,
                channel_id=done.channel_id,
                duration_ms=round(done.seconds * 1000, 3),
                request_id=done.request_id,
            )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class ChatterIsDebug(logging.Filter):
    """Libraries' INFO lines that say nothing to an operator, shown only when DEBUG is wanted,
    as DEBUG: APScheduler's "Running job" and "executed successfully" each time a job runs
    (every minute, for the digests), and Alembic's "Context impl" and "Will assume" each
    time the bot looks at the schema's revision (every start)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and _chatter(record):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def _chatter(record: logging.LogRecord) -> bool:
    if record.name.startswith("apscheduler"):
        return True
    return record.name == "alembic.runtime.migration" and str(record.msg).startswith(
        ("Context impl", "Will assume")
    )
