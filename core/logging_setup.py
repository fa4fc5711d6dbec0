"""Logging: one format, and no secret ever reaches a log line (httpx logs request URLs)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout

REDACTED = "<redacted>"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every non-empty secret replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


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


def setup_logging(secrets: Iterable[str], level: int = logging.INFO) -> None:
    """Log to stderr; the redacting filter sits on the handler, so it sees every logger."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
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
