"""One update of a chat at a time across instances: a PostgreSQL advisory lock per chat.

Telegram holds a chat's next update until the previous one is answered, but not against every
case (docs/scaling.md: an update sent again while a slow instance still handles it; a press and
a message, if Telegram queues them apart). An instance takes its chat's turn before handling an
update and gives it back after: another instance with an update of that chat waits meanwhile.
The lock is a session-level one on a connection held for the turn (the handling opens sessions
of its own); a process that dies ends its session, and the turn goes with it.

SQLite (one instance): no turns to take.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

# The two-number form of advisory lock keys (apart from the one-number keys, as the tick's):
# this namespace and the chat's id folded to 32 bits (two chats that fold alike only share turns).
CHAT_TURNS = 0x63686174  # "chat"
TAKE = text("SELECT pg_advisory_lock(:space, :chat)")
GIVE = text("SELECT pg_advisory_unlock(:space, :chat)")


def chat_key(chat_id: int) -> int:
    """A chat's id as a signed 32-bit number (PostgreSQL's int4)."""
    folded = zlib.crc32(chat_id.to_bytes(8, "big", signed=True))
    return folded - (1 << 32) if folded >= 1 << 31 else folded


class ChatTurns:
    """`async with turns.of(chat_id):` handles an update while no other instance handles one of
    that chat."""

    def __init__(self, engine: AsyncEngine | None) -> None:
        """No engine, or SQLite's: no turns to take."""
        self._engine = engine
        self._shared = engine is not None and engine.dialect.name == "postgresql"

    @contextlib.asynccontextmanager
    async def of(self, chat_id: int | None) -> AsyncIterator[None]:
        if not self._shared or chat_id is None:
            yield
            return
        assert self._engine is not None
        args = {"space": CHAT_TURNS, "chat": chat_key(chat_id)}
        async with self._engine.connect() as connection:
            try:
                await connection.execute(TAKE, args)
                await connection.commit()  # the lock is the session's; no transaction stays open
                yield
                await connection.execute(GIVE, args)
                await connection.commit()
            except BaseException:
                # Given back or not, the session ends with the connection: the lock goes too.
                with contextlib.suppress(OSError, SQLAlchemyError):
                    await connection.invalidate()
                raise
