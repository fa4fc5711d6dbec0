"""Several instances on one PostgreSQL database: each with its own engine (its own connections),
as separate `advisorybot run` processes have: the tick runs in one at a time, the send rate is
the bot's. The outbox shared by two of them: test_telegram_delivery.py (two senders)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import time
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from bot.app import TickPass, make_bot, tick_pass
from core.clock import FixedClock
from core.services import Services
from core.settings import load_settings
from localapi import ControlClient, Core, Limits, LocalBotApi, Options
from outbox.send_slots import SendSlots
from outbox.telegram_sender import DEFAULT_LEASE, TelegramDelivery
from reminders.leader import Leader
from storage.chat_turns import ChatTurns
from storage.cohorts import add_cohort
from storage.models import Delivery, OutboxState
from storage.programme import default_template_path
from tests.support.outbox_rows import add_person as add_member
from tests.support.outbox_rows import outbox_rows, queue_text
from tests.support.pg_session import advisory_lock_holders, fetch
from tests.support.programme_data import CREATED, add_jst, add_person

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

WARSAW = ZoneInfo("Europe/Warsaw")
T_MINUS_7 = dt.datetime(2025, 4, 1, 9, tzinfo=WARSAW).astimezone(dt.UTC)  # ZW1 due on 8 April
SLOT_IN_A_MINUTE = "extract(epoch FROM clock_timestamp())::float8 + 60"


@pytest.fixture
async def other(services: Services, clock: FixedClock) -> AsyncIterator[Services]:
    """A second instance: the same database and clock, connections of its own."""
    built = Services.build(services.settings, clock)
    yield built
    await built.close()


async def _seed_a_team(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(
            session, "jesień", dt.date(2024, 9, 9), default_template_path(), now=CREATED, actor="t"
        )
        alfa = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        for name in ("anna", "ben", "celina"):
            await add_person(session, f"{name}@example.pl", name.title(), jst=alfa)


async def test_two_instances_tick_at_once_and_one_pass_does_the_work(
    services: Services, other: Services, clock: FixedClock
) -> None:
    await _seed_a_team(services)
    clock.set(T_MINUS_7)
    leaders = Leader(services.engine), Leader(other.engine)

    first = await asyncio.gather(tick_pass(services, leaders[0]), tick_pass(other, leaders[1]))

    ran = [done for done in first if done is not None]
    assert len(ran) == 1, "one instance holds the tick's lock; the other's pass does nothing"
    assert isinstance(ran[0], TickPass)
    assert ran[0].stats.enqueued == len(await outbox_rows(services)) == 3  # ZW1 T-7, each
    holder = first.index(ran[0])
    again = await asyncio.gather(tick_pass(services, leaders[0]), tick_pass(other, leaders[1]))
    assert [done is not None for done in again] == [n == holder for n in range(2)]
    for leader in leaders:
        await leader.release()


async def test_when_the_holder_dies_the_other_instance_takes_the_tick_over(
    services: Services, other: Services
) -> None:
    holder, follower = Leader(services.engine), Leader(other.engine)
    assert await holder.holds()
    assert not await follower.holds()
    [pid] = await advisory_lock_holders(services.settings.database_url)

    await fetch(
        services.settings.database_url, "SELECT pg_terminate_backend($1)", pid
    )  # as when its process dies

    assert await follower.holds(), "the lock went with the dead holder's session"
    assert not await holder.holds(), "the old holder sees it lost the lock and waits"
    assert await follower.holds()
    await follower.release()
    assert await holder.holds(), "a clean stop frees it at once"
    await holder.release()


async def _turn_waited_for(database_url: str) -> bool:
    """Whether a session waits for an advisory lock in this database (polled, not timed)."""
    query = (
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    for _ in range(1000):
        if (await fetch(database_url, query))[0]["n"]:
            return True
        await asyncio.sleep(0.01)
    return False


async def test_a_chats_updates_take_turns_across_instances(
    services: Services, other: Services
) -> None:
    first, second = ChatTurns(services.engine), ChatTurns(other.engine)
    order: list[str] = []
    inside, leave = asyncio.Event(), asyncio.Event()

    async def handle_first() -> None:
        async with first.of(501):
            order.append("501 here")
            inside.set()
            await leave.wait()
            order.append("501 here done")

    async def handle_next() -> None:
        async with second.of(501):
            order.append("501 there")

    database = services.settings.database_url
    held = asyncio.create_task(handle_first())
    await inside.wait()
    assert len(await advisory_lock_holders(database, numbers=2)) == 1, "501's turn, taken"
    waiting = asyncio.create_task(handle_next())
    async with second.of(502):
        order.append("502 there")  # another chat does not wait
    assert await _turn_waited_for(services.settings.database_url)
    leave.set()
    await asyncio.gather(held, waiting)

    assert order == ["501 here", "502 there", "501 here done", "501 there"]
    assert await advisory_lock_holders(database, numbers=2) == [], "every turn given back"


async def test_slots_two_instances_reserve_are_the_bots_rate_apart(
    services: Services, other: Services
) -> None:
    rate = 50.0
    instances = SendSlots(services.engine, rate), SendSlots(other.engine, rate)

    taken = await asyncio.gather(*(slots.reserve() for slots in instances * 20))

    slots = sorted(slot for slot, _now in taken)
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) >= 1 / rate - 1e-6, "no two sends in one slot, whoever reserved them"


@pytest.fixture
async def limited_api(clock: FixedClock) -> AsyncIterator[LocalBotApi]:
    """A local Bot API holding the bot to 10 messages a second, on the real monotonic clock."""
    limits = Limits(overall_rate=10.0, chat_burst=5)
    server = LocalBotApi(Core(Options(limits=limits), clock, time.monotonic))
    await server.start()
    yield server
    await server.stop()


async def test_two_instances_sending_at_once_stay_within_the_bots_rate(
    services: Services, other: Services, limited_api: LocalBotApi
) -> None:
    """Each instance alone would send at 8 a second: together, without the shared slots, they
    would be refused."""
    chats = range(800, 812)
    async with ControlClient(limited_api.url) as control:
        for chat_id in chats:
            await control.user(chat_id, f"U{chat_id}", started=True)
        settings = load_settings(
            _env_file=None,
            telegram_bot_token=limited_api.token,
            telegram_api_base_url=limited_api.url,
            telegram_rate_limit=8.0,
        )
        bots = [
            make_bot(settings, SendSlots(instance.engine, settings.telegram_rate_limit))
            for instance in (services, other)
        ]
        for bot in bots:
            await bot.initialize()

        await asyncio.gather(
            *(bot.send_message(chat_id, f"{n}") for n, bot in enumerate(bots) for chat_id in chats)
        )
        for bot in bots:
            await bot.shutdown()
        counters = await control.counters()

    assert counters["calls"]["sendMessage"] == 24
    assert counters["too_many_requests"] == 0
    assert counters["busiest_second"] <= 10


async def test_a_row_waiting_for_its_shared_slot_is_left_for_another_instance_not_lost(
    services: Services, other: Services, clock: FixedClock, limited_api: LocalBotApi
) -> None:
    """An instance dies while its row waits for the bot's next send slot (other instances keep
    the bot busy): the row is still only claimed, not sending, so once its lease runs out
    another instance sends it, even a message sent at most once (a receipt)."""
    database = services.settings.database_url
    async with ControlClient(limited_api.url) as control:
        await control.user(900, "U900", started=True)
        async with services.sessionmaker.begin() as session:
            member = await add_member(session, clock.now(), chat_id=900)
            await queue_text(
                session, clock.now(), member, "receipt", delivery=Delivery.AT_MOST_ONCE
            )
        settings = load_settings(
            _env_file=None,
            telegram_bot_token=limited_api.token,
            telegram_api_base_url=limited_api.url,
            telegram_rate_limit=8.0,
        )
        busy_until = await _next_slot(database, f"{SLOT_IN_A_MINUTE}")
        dying = make_bot(settings, SendSlots(services.engine, settings.telegram_rate_limit))
        async with dying:
            waiting = asyncio.create_task(TelegramDelivery(dying, services).deliver_due())
            await _slot_reserved_after(database, busy_until)
            assert (await outbox_rows(services))["receipt"].state is OutboxState.CLAIMED
            waiting.cancel()  # the instance dies while it waits for its slot
            with contextlib.suppress(asyncio.CancelledError):
                await waiting

        await _next_slot(database, "0")  # the bot's rate free again
        clock.advance(DEFAULT_LEASE + dt.timedelta(seconds=1))
        living = make_bot(settings, SendSlots(other.engine, settings.telegram_rate_limit))
        async with living:
            stats = await TelegramDelivery(living, other).deliver_due()
        received = [message.text for message in await control.received(900)]

    assert (stats.sent, received) == (1, ["receipt"])
    assert (await outbox_rows(services))["receipt"].state is OutboxState.SENT


async def _next_slot(database_url: str, value: str) -> float:
    """The bot's next free send slot set to `value` (SQL, seconds since the epoch)."""
    [row] = await fetch(
        database_url,
        f"INSERT INTO send_slots (id, next_at) VALUES (1, {value}) ON CONFLICT (id)"
        " DO UPDATE SET next_at = excluded.next_at RETURNING next_at",
    )
    return float(row["next_at"])


async def _slot_reserved_after(database_url: str, before: float) -> None:
    """Until a sender has reserved the slot after `before` (polled, not timed)."""
    for _ in range(1000):
        [row] = await fetch(database_url, "SELECT next_at FROM send_slots")
        if row["next_at"] > before:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no slot was reserved")
