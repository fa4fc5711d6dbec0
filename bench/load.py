"""What the simulated people do, as fast as the bot lets them: each person acts, waits for the
bot's answer, acts again. Many people at once make the load; each exchange is timed.

- ask: a member writes a question, gets the draft, presses its first button ("Send"), and the
  exchange is done when the receipt is back and the adviser's copy has arrived;
- command: a member sends a command (/status) and waits for the reply;
- echo_ask: the same two steps against the echo bot (message, press, reply).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bench.generate import TelegramUser
from bench.measure import percentile
from bench.telegram_world import Sent, TelegramWorld

QUESTION = "Czy arkusz diagnozy wstępnej możemy przesłać w PDF? #q{number}"
MARKER = re.compile(r"#q(\d+)")
Exchange = Callable[[TelegramUser], Awaitable[float]]  # returns its latency in seconds


@dataclass
class LoadResult:
    """Completed exchanges, in how long, and how long each took (seconds)."""

    exchanges: int
    seconds: float
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.exchanges / self.seconds

    def latency_ms(self, rank: float) -> float:
        return 1000 * percentile(self.latencies, rank)


async def run_load(people: Sequence[TelegramUser], rounds: int, exchange: Exchange) -> LoadResult:
    """Every person does `rounds` exchanges one after another, all people at once."""

    async def person(member: TelegramUser) -> list[float]:
        return [await exchange(member) for _ in range(rounds)]

    started = time.perf_counter()
    found = await asyncio.gather(*(person(member) for member in people))
    seconds = time.perf_counter() - started
    latencies = [latency for per_person in found for latency in per_person]
    return LoadResult(len(latencies), seconds, latencies)


class Questions:
    """Members asking their advisers; the adviser's copy is matched by the question's marker."""

    def __init__(self, world: TelegramWorld) -> None:
        self.world = world
        self._numbers = itertools.count(1)
        self._copies: dict[int, tuple[int, asyncio.Future[float]]] = {}  # number: asker, seen
        self._watch = world.watch()
        self._reader = asyncio.create_task(self._read_copies())

    async def close(self) -> None:
        self._reader.cancel()
        self.world.unwatch(self._watch)

    async def ask(self, member: TelegramUser) -> float:
        number = next(self._numbers)
        copy: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._copies[number] = (member.user_id, copy)
        started = time.perf_counter()
        self.world.say(member.user_id, QUESTION.format(number=number))
        draft = await self.world.next_message(member.user_id)
        assert draft.buttons, f"a draft with buttons expected, got: {draft.text}"
        self.world.press(draft, draft.buttons[0])
        await self.world.next_message(member.user_id)  # the receipt with the question's number
        return await asyncio.wait_for(copy, timeout=60) - started

    async def _read_copies(self) -> None:
        """The asker's draft carries the marker too: only a copy in another chat counts."""
        while True:
            sent: Sent = await self._watch.get()
            found = MARKER.search(sent.text)
            asker, copy = self._copies.get(int(found[1]), (0, None)) if found else (0, None)
            if copy is not None and sent.chat_id != asker and not copy.done():
                copy.set_result(sent.seen)


def command(world: TelegramWorld, text: str) -> Exchange:
    """Send `text`, wait for the one reply."""

    async def exchange(member: TelegramUser) -> float:
        started = time.perf_counter()
        world.say(member.user_id, text)
        reply = await world.next_message(member.user_id)
        return reply.seen - started

    return exchange


def echo_ask(world: TelegramWorld) -> Exchange:
    """A message and the press of its button, against the echo bot: a question's two updates."""

    async def exchange(member: TelegramUser) -> float:
        started = time.perf_counter()
        world.say(member.user_id, QUESTION.format(number=0))
        echoed = await world.next_message(member.user_id)
        world.press(echoed, echoed.buttons[0])
        reply = await world.next_message(member.user_id)
        return reply.seen - started

    return exchange
