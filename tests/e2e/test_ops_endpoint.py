"""The operator's endpoint of the real `advisorybot run` (OPS_LISTEN, docs/monitoring.md):
/healthz and /readyz, every metric docs/monitoring.md lists after some traffic, JSON log lines,
and readiness that follows a PostgreSQL server stopped and started again."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from localapi import ControlClient, LocalBotApi
from tests.e2e.conftest import eventually, join, running, world_on
from tests.support import postgres
from tests.support.bot_process import BotWorld, free_port
from tests.support.system import not_installed

ANNA, JAN = 8001, 8005
SERIES = (
    "advisorybot_updates",
    "advisorybot_update_handling_seconds",
    "advisorybot_sends",
    "advisorybot_send_failures",
    "advisorybot_reply_delay_seconds",
    "advisorybot_tick_seconds",
    "advisorybot_tick_rows",
    "advisorybot_tick_left",
    "advisorybot_outbox_depth",
    "advisorybot_outbox_oldest_age_seconds",
    "advisorybot_people_joined",
    "advisorybot_database_up",
    "process_resident_memory_bytes",
)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def ops_address(world: BotWorld) -> str:
    port = free_port()
    world.env["OPS_LISTEN"] = f"127.0.0.1:{port}"
    return f"http://127.0.0.1:{port}"


async def get(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(url)


async def answers(url: str) -> bool:
    try:
        return (await get(url)).status_code == httpx.codes.OK
    except httpx.TransportError:
        return False


def samples(exposition: str) -> tuple[set[str], Samples]:
    """The metric families' names, and each sample by name and labels."""
    families = list(text_string_to_metric_families(exposition))
    values = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
    }
    return {family.name for family in families}, values


async def test_health_metrics_and_json_logs_of_the_running_bot(
    world: BotWorld, control: ControlClient, local_api: LocalBotApi
) -> None:
    base = ops_address(world)
    world.env["LOG_FORMAT"] = "json"
    codes = await running(world, control)
    health = await get(f"{base}/healthz")
    assert health.status_code == httpx.codes.OK and health.json() == {"alive": True}
    await eventually(lambda: answers(f"{base}/readyz"))
    assert (await get(f"{base}/readyz")).json() == {
        "ready": True,
        "database": "ok",
        "bot_api": "ok",
    }

    anna = (await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna"))[0]
    jan = (await join(control, codes["jan.kowalski@example.pl"], JAN, "Jan"))[0]
    # Telegram asks to wait: the reply sent at once goes through the outbox instead (a line
    # logged while its update is handled), and the question's forward is tried again.
    await control.fault("retry_after", method="sendMessage", chat_id=ANNA, retry_after=1)
    await anna.say("/status")
    await anna.next_message(within=10)
    await control.fault("retry_after", method="sendMessage", chat_id=JAN, retry_after=1)
    await anna.say("/pytanie Jak wypełnić arkusz diagnozy?")
    await anna.press(await anna.next_message(within=10), "Wyślij")
    await anna.next_message(within=10)  # the receipt
    assert "Jak wypełnić arkusz diagnozy?" in (await jan.next_message(within=20)).text

    response = await get(f"{base}/metrics")
    assert response.status_code == httpx.codes.OK
    names, values = samples(response.text)
    assert set(SERIES) <= names, sorted(set(SERIES) - names)
    assert values["advisorybot_updates_total", (("kind", "message"),)] >= 3
    assert values["advisorybot_updates_total", (("kind", "callback_query"),)] >= 3
    assert values["advisorybot_update_handling_seconds_count", ()] >= 6
    sent = (("channel", "telegram"), ("outcome", "sent"))
    assert values["advisorybot_sends_total", sent] >= 3  # welcomes, receipt, question
    retried = (("channel", "telegram"), ("outcome", "retry"))
    assert values["advisorybot_sends_total", retried] >= 1
    waited = (("channel", "telegram"), ("reason", "RetryAfter"))
    assert values["advisorybot_send_failures_total", waited] >= 1
    assert values["advisorybot_reply_delay_seconds_count", (("channel", "telegram"),)] >= 3
    assert values["advisorybot_tick_seconds_count", ()] >= 1
    assert values["advisorybot_people_joined", (("role", "member"),)] == 1
    assert values["advisorybot_people_joined", (("role", "adviser"),)] == 1
    assert values["advisorybot_database_up", ()] == 1
    depth = {labels: v for (name, labels), v in values.items() if name.endswith("outbox_depth")}
    assert len(depth) == 2 * 4 * 2, "every channel, waiting state and origin, 0 when empty"

    lines = [line for line in world.log_text().splitlines() if line.strip()]
    logged = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(logged[0])
    assert any("update_id" in line for line in logged), "lines of an update carry its id"
    assert any("outbox_id" in line and "person_id" in line for line in logged)
    assert local_api.token not in world.log_text()


async def test_alive_but_not_ready_until_the_bot_api_answers(
    world: BotWorld, control: ControlClient
) -> None:
    base = ops_address(world)
    await control.fault("server_error", method="getMe", count=1000)
    world.start()
    await eventually(lambda: answers(f"{base}/healthz"))
    waiting = await get(f"{base}/readyz")
    assert waiting.status_code == httpx.codes.SERVICE_UNAVAILABLE
    assert waiting.json() == {"ready": False, "database": "ok", "bot_api": "not_running"}

    await control.clear_faults()
    await eventually(lambda: answers(f"{base}/readyz"), within=60)  # its retries: 1, 2, 4 s...


async def test_a_taken_port_is_one_line_and_exit_2(world: BotWorld) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        world.env["OPS_LISTEN"] = f"127.0.0.1:{taken.getsockname()[1]}"
        world.start()
        assert world.process is not None
        assert await asyncio.to_thread(world.process.wait, 30) == 2
    (line,) = world.log_text().strip().splitlines()
    assert "OPS_LISTEN" in line and "127.0.0.1:" in line, line


@pytest.fixture
def own_postgres() -> Iterator[postgres.ThrowawayPostgres]:
    """A server of this test's own: the test stops and starts it (the session's is shared)."""
    server = postgres.start()
    if server is None:
        not_installed("PostgreSQL")
    yield server
    server.stop()


@pytest.fixture
async def pg_world(
    tmp_path: Path, local_api: LocalBotApi, own_postgres: postgres.ThrowawayPostgres
) -> AsyncIterator[BotWorld]:
    """The e2e world's cohort and teams, on PostgreSQL."""
    async with world_on(own_postgres.url("postgres"), tmp_path, local_api) as world:
        yield world


async def test_readiness_follows_the_database(
    pg_world: BotWorld, control: ControlClient, own_postgres: postgres.ThrowawayPostgres
) -> None:
    base = ops_address(pg_world)
    pg_world.start()
    await control.until_polling()
    await eventually(lambda: answers(f"{base}/readyz"))

    await asyncio.to_thread(own_postgres.pg_ctl, "-w", "-m", "fast", "stop")
    unready = await get(f"{base}/readyz")
    assert unready.status_code == httpx.codes.SERVICE_UNAVAILABLE
    assert unready.json()["ready"] is False and unready.json()["database"] != "ok"
    assert unready.json()["bot_api"] == "ok"
    assert (await get(f"{base}/healthz")).status_code == httpx.codes.OK, "alive all the same"
    _names, values = samples((await get(f"{base}/metrics")).text)
    assert values["advisorybot_database_up", ()] == 0

    await asyncio.to_thread(own_postgres.pg_ctl, "-w", "start")
    await eventually(lambda: answers(f"{base}/readyz"))
    assert (await get(f"{base}/readyz")).json()["database"] == "ok"
