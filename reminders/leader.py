"""Which instance runs the scheduled work: one at a time on PostgreSQL, by an advisory lock.

Every instance's JobQueue triggers the tick; only the one that holds the lock runs it. The lock
is a session-level `pg_try_advisory_lock` on a connection the holder keeps open for as long as
it runs: when that process dies, PostgreSQL ends its session and frees the lock, and the next
instance to try (at its next pass, within a minute) takes it over. The lock saves work, it is
not what keeps the tick correct: a pass is idempotent (dedupe keys; a second instance's rows
are skipped by the INSERT itself), so a moment with two holders, a lost connection seen only at
the next pass, sends nothing twice.

SQLite: one instance only (the file is local to one host); the lock is not taken.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# An advisory lock's number, the same in every instance of this database ("tick" in ASCII).
TICK_LOCK = 0x7469636B
TAKE = text("SELECT pg_try_advisory_lock(:key)")
HELD = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :key"
)


class Leader:
    """Whether this instance holds the lock of the scheduled work (`holds`, at every pass)."""

    def __init__(self, engine: AsyncEngine, key: int = TICK_LOCK) -> None:
        self._engine = engine
        self._key = key
        self._connection: AsyncConnection | None = None
        self._shared = engine.dialect.name == "postgresql"

    async def holds(self) -> bool:
        """True when this instance runs the pass: it holds the lock still, or took it now.
        A database error here is a pass not run (the next one tries again)."""
        if not self._shared:
            return True
        try:
            if self._connection is not None:
                if await self._still_held(self._connection):
                    return True
                await self._drop()
                log.warning("the tick's lock was lost; trying to take it again")
            return await self._take()
        except (OSError, SQLAlchemyError) as error:
            await self._drop()
            log.warning("the tick's lock could not be checked: %s", type(error).__name__)
            return False

    async def release(self) -> None:
        """Free the lock at a clean stop, so another instance takes over at its next pass."""
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), self._args)
                await self._connection.commit()
            except (OSError, SQLAlchemyError):
                pass  # the session ends below: the lock goes with it
            await self._drop()

    @property
    def _args(self) -> dict[str, int]:
        return {"key": self._key}

    async def _still_held(self, connection: AsyncConnection) -> bool:
        count = await connection.scalar(HELD, self._args)
        await connection.commit()
        return bool(count)

    async def _take(self) -> bool:
        connection = await self._engine.connect()
        try:
            taken = bool(await connection.scalar(TAKE, self._args))
            await connection.commit()  # the lock is the session's: it outlives this
        except BaseException:
            await _end_session(connection)
            raise
        if not taken:
            await connection.close()
            return False
        self._connection = connection
        log.info("this instance runs the tick now (it holds the tick's lock)")
        return True

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await _end_session(connection)


async def _end_session(connection: AsyncConnection) -> None:
    """Close the connection for good rather than give it back to the pool: its session ends,
    and a lock it may still hold with it (a pooled one would keep it for its next user)."""
    with contextlib.suppress(OSError, SQLAlchemyError):
        await connection.invalidate()
    with contextlib.suppress(OSError, SQLAlchemyError):
        await connection.close()
