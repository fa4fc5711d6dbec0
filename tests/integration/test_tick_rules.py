"""The tick reads and plans one rule at a time (reminders/tick.py), on SQLite and PostgreSQL:
a rule's state is let go before the next rule's is read, and each is read in a read-only
transaction, so an update can write while a national state is read.

The rules here are recording implementations of the `Rule` protocol (the tick's extension
point); the database, the sessions and the tick are the project's own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import weakref
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from core.clock import FixedClock
from core.services import Services
from reminders.schedule import Due
from reminders.tick import run_tick
from tests.support.programme_data import add_cohort

LET_GO_SECONDS = 1.0  # the worker thread that planned drops its reference as it finishes


class State:
    """A rule's state: an object a weak reference can follow."""


@dataclass
class Followed:
    """A state followed by a weak reference; `gone` set once nothing holds it."""

    reference: weakref.ref[State]
    gone: asyncio.Event

    @classmethod
    def of(cls, state: State) -> Followed:
        loop, gone = asyncio.get_running_loop(), asyncio.Event()
        # The last reference may be dropped in the worker thread that planned.
        return cls(weakref.ref(state, lambda _ref: loop.call_soon_threadsafe(gone.set)), gone)

    async def held(self) -> bool:
        try:
            await asyncio.wait_for(self.gone.wait(), LET_GO_SECONDS)
        except TimeoutError:
            return self.reference() is not None
        return False


@dataclass
class Recording:
    """A rule that records its loads and plans; each load checks what was let go before it."""

    name: str
    services: Services
    log: list[str]
    states: list[Followed]
    held_at_load: list[bool] = field(default_factory=list)
    wrote_at_load: bool = False

    async def load(self, session: AsyncSession, now: dt.datetime) -> State:
        self.log.append(f"load {self.name}")
        self.held_at_load = [await state.held() for state in self.states]
        async with asyncio.timeout(2):  # an update writing meanwhile: not kept waiting
            async with self.services.sessionmaker.begin() as writing:
                await add_cohort(writing, f"cohort {self.name}")
        self.wrote_at_load = True
        state = State()
        self.states.append(Followed.of(state))
        return state

    def plan(
        self, state: State, calendar: WorkCalendar, until: dt.datetime | None = None
    ) -> list[Due]:
        self.log.append(f"plan {self.name}")
        return []


async def test_each_rule_is_read_and_planned_before_the_next_is_read(
    services: Services, clock: FixedClock
) -> None:
    log: list[str] = []
    states: list[Followed] = []
    rules = [Recording(name, services, log, states) for name in ("first", "second", "third")]

    stats = await run_tick(services, rules, clock.now())

    assert stats.due == 0
    assert log == [
        "load first",
        "plan first",
        "load second",
        "plan second",
        "load third",
        "plan third",
    ]
    assert [rule.held_at_load for rule in rules] == [[], [False], [False, False]]
    assert all(rule.wrote_at_load for rule in rules)
