"""A database that goes away while the bot runs is one log line per failed pass, not a
traceback every few seconds; a bug keeps its traceback."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from core.logging_setup import log_failure
from storage.db import create_engine

log = logging.getLogger("advisorybot.test")


async def test_a_database_that_is_away_is_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'bot.db'}")
    before = set(threading.enumerate())
    try:
        async with engine.connect() as connection:
            await connection.execute(text("select 1"))
    except Exception as error:
        log_failure(log, "outbox delivery pass", error)
    finally:
        await engine.dispose()
    # aiosqlite stops a connection that failed to open without waiting for its thread, which
    # then answers on this test's event loop: it is let finish while the loop still runs (else
    # it raised "Event loop is closed" in whichever test came next).
    for thread in set(threading.enumerate()) - before:
        await asyncio.to_thread(thread.join, 5)
    (record,) = caplog.records
    assert record.exc_info is None
    assert (
        record.getMessage() == "outbox delivery pass failed: OperationalError (OperationalError)"
    )


def test_a_bug_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    try:
        int("siedem")
    except ValueError as error:
        log_failure(log, "handler", error)
    (record,) = caplog.records
    assert record.exc_info is not None and record.getMessage() == "handler failed: ValueError"
