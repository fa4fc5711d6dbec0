"""Logging: one line per event, as text or JSON (LOG_FORMAT), and no secret ever reaches a log
line (httpx logs request URLs).

A JSON line carries the ids of what it is about where they are known, never names or texts:
the update being handled (set by core.metrics.handled for every line meanwhile) and the
outbox row or person a line names (`extra={"outbox_id": ...}`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from collections.abc import Iterable
from typing import Literal, Protocol

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout

REDACTED = "<redacted>"
IDS = ("update_id", "outbox_id", "person_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The update whose handling writes a log line (core.metrics.handled sets it).
CURRENT_UPDATE: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "update_id", default=None
)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every non-empty secret replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class OutboxRow(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def person_id(self) -> int | None: ...


def outbox_ids(row: OutboxRow) -> dict[str, int]:
    """A log line's `extra` about an outbox row: its id and its person's, when it has one."""
    ids = {"outbox_id": row.id}
    if row.person_id is not None:
        ids["person_id"] = row.person_id
    return ids


class RedactSecrets(logging.Filter):
    """Replaces every secret in a record's rendered message (and its traceback text)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        record.msg, record.args = redact(message, self.secrets), None
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the ids known, and the
    traceback (already redacted by RedactSecrets) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update_id = CURRENT_UPDATE.get()
        if update_id is not None:
            line["update_id"] = update_id
        line |= {name: getattr(record, name) for name in IDS if hasattr(record, name)}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def setup_logging(
    secrets: Iterable[str],
    level: int | str = logging.INFO,
    log_format: Literal["text", "json"] = "text",
) -> None:
    """Log to stderr; the redacting filter sits on the handler, so it sees every logger."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # a warning is a line too, redacted and in the chosen format
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # It logs every 429 as an error with a traceback; the outbox records and logs the retry.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)


def is_outage(error: BaseException) -> bool:
    """The database or the network is away (it will be back): not a bug to trace."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return isinstance(error, OSError | SQLAlchemyTimeout)


def log_failure(logger: logging.Logger, what: str, error: BaseException) -> None:
    """A failed pass or handler: one line while something is away, else the traceback."""
    if is_outage(error):
        cause = error.orig if isinstance(error, DBAPIError) else error
        logger.error("%s failed: %s (%s)", what, type(error).__name__, type(cause).__name__)
    else:
        logger.error("%s failed: %s", what, type(error).__name__, exc_info=error)
