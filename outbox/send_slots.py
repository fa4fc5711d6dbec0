"""The bot's send rate shared by every instance on one PostgreSQL database.

Telegram's ~30 messages a second are the bot's, whatever number of processes send them. Each
request to a chat takes the next free slot from one row (`send_slots`): one upsert moves the
row on by 1/rate and returns the slot it passed, on the database's clock (instances' clocks may
differ; the database's is one), and the request waits for its slot. Slots are reserved in turn,
so the combined rate stays at TELEGRAM_RATE_LIMIT; a process that dies holding a slot only
leaves it unused.

PTB's AIORateLimiter still runs in each process (its per-chat and group limits, and the
overall one for its own sends); the slot is taken after its waits, just before the request goes
out, so a wait for one chat never spends a slot. The outbox sender takes its row's slot itself,
before it marks the row sending (`turn_taken`): an instance that dies while it waits leaves the
row claimed, sent later by another, rather than marked sending and, for a message sent at most
once, never sent. If the database cannot be reached, the request goes without a slot (a 429
then is handled as always: the sender pauses).

SQLite (one instance): no slots; the AIORateLimiter alone, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Float, bindparam, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]
# Set while the outbox sends a row whose slot it took before marking it sending.
_TAKEN: ContextVar[bool] = ContextVar("send_slot_taken", default=False)

EPOCH_NOW = "extract(epoch FROM clock_timestamp())::float8"
# The slot taken (seconds since the epoch) and the database's time now; the row is made by the
# first reservation.
RESERVE = text(
    f"INSERT INTO send_slots (id, next_at) VALUES (1, {EPOCH_NOW} + :step)"
    f" ON CONFLICT (id) DO UPDATE SET next_at = GREATEST(send_slots.next_at, {EPOCH_NOW}) + :step"
    f" RETURNING next_at - :step AS slot, {EPOCH_NOW} AS now"
).bindparams(bindparam("step", type_=Float()))


class SendSlots:
    """Reserves the bot's next send slot in the database and waits for it."""

    def __init__(self, engine: AsyncEngine, rate: float) -> None:
        self._engine = engine
        self._step = 1.0 / rate
        self._failing = False

    async def reserve(self) -> tuple[float, float]:
        """The slot taken and the database's time now (seconds since the epoch)."""
        async with self._engine.begin() as connection:
            slot, now = (await connection.execute(RESERVE, {"step": self._step})).one()
        return float(slot), float(now)

    async def wait_turn(self) -> None:
        """Until this process's next send may go; at once when the database does not answer."""
        try:
            slot, now = await self.reserve()
        except (OSError, SQLAlchemyError) as error:
            if not self._failing:
                log.warning("the shared send rate is unavailable (%s)", type(error).__name__)
            self._failing = True
            return
        if self._failing:
            log.info("the shared send rate is available again")
            self._failing = False
        if slot > now:
            await asyncio.sleep(slot - now)


def shared_slots(engine: AsyncEngine, rate: float) -> SendSlots | None:
    """Slots when several instances may send (PostgreSQL) and a rate is set; None otherwise."""
    if engine.dialect.name != "postgresql" or rate <= 0:
        return None
    return SendSlots(engine, rate)


@contextlib.contextmanager
def turn_taken() -> Iterator[None]:
    """Requests made inside hold their slot already: the limiter takes none for them."""
    token = _TAKEN.set(True)
    try:
        yield
    finally:
        _TAKEN.reset(token)


def slots_of(bot: Bot) -> SendSlots | None:
    """The shared slots behind `bot`'s rate limiter; None when it has none (one instance)."""
    limiter = bot.rate_limiter if isinstance(bot, ExtBot) else None
    return limiter.slots if isinstance(limiter, SharedRateLimiter) else None


Request = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class SharedRateLimiter(BaseRateLimiter[int]):
    """PTB's AIORateLimiter, then the shared slot, for every request to a chat."""

    def __init__(self, local: AIORateLimiter, slots: SendSlots) -> None:
        self._local = local
        self.slots = slots

    async def initialize(self) -> None:
        await self._local.initialize()

    async def shutdown(self) -> None:
        await self._local.shutdown()

    async def process_request(  # noqa: PLR0917 - PTB's signature
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if data.get("chat_id") is None:  # as the overall limit of AIORateLimiter
            return await self._local.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

        async def in_turn(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            if not _TAKEN.get():
                await self.slots.wait_turn()
            return await callback(*call_args, **call_kwargs)

        return await self._local.process_request(
            in_turn, args, kwargs, endpoint, data, rate_limit_args
        )
