"""Three `advisorybot run` instances in webhook mode on one PostgreSQL, behind a small balancer
(issue 24): 50 members act at once while one instance is killed (SIGKILL) and started again;
then the instance that runs the tick is killed, and the tick's work (questions that waited for an
adviser, routed once one is assigned) is done once, by whichever instance took the tick over."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from localapi import ChatMessage, ControlClient, LocalBotApi
from tests.e2e.conftest import COHORT, cohort_start, eventually, join, quiet_now
from tests.support.balancer import Balancer
from tests.support.bot_process import BotWorld, bot_environment, free_port
from tests.support.pg_session import advisory_lock_holders, fetch

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

INSTANCES = 3
JSTS = 10
MEMBERS_PER_JST = 5
FIRST_USER = 9000
SEND = "Wyślij"
RECEIPT = re.compile(r"Pytanie nr (\d+) zapisane")
RUNNING = "advisorybot is running"
TICKS = "this instance runs the tick now"
ROUTED = "Wasza JST ma już doradcę"
KILL_AFTER_UPDATES = 120  # of the 250 the members send: mid-way through


@dataclass
class Cluster:
    """One database and workdir for the operator's commands, an instance per port."""

    operator: BotWorld
    instances: list[BotWorld]
    ports: list[int]
    webhook_url: str

    def ticking(self) -> list[int]:
        """The instances that took the tick's lock (by their logs), in the order they did."""
        return [n for n, node in enumerate(self.instances) if TICKS in node.log_text()]

    def start(self, index: int) -> None:
        port = str(self.ports[index])
        args = ("--webhook-url", self.webhook_url, "--listen", "127.0.0.1", "--port", port)
        self.instances[index].start(*args)


def _teams(path: Path) -> Path:
    """10 JSTs of 5 members and an adviser each."""
    rows = ["jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language"]
    for jst in range(1, JSTS + 1):
        place = f"0201{jst:02d}2;Gmina Numer {jst};gmina wiejska;Dolnośląskie"
        rows.append(f"{place};adviser;Doradca Numer{jst};adviser{jst}@example.pl;K;pl")
        for member in range(MEMBERS_PER_JST):
            n = (jst - 1) * MEMBERS_PER_JST + member
            rows.append(f"{place};member;Osoba Numer{n};member{n}@example.pl;K;pl")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
async def local_api() -> AsyncIterator[LocalBotApi]:
    api = LocalBotApi()  # Telegram's limits on (30/s overall), real time
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def cluster(
    tmp_path: Path, local_api: LocalBotApi, database_url: str
) -> AsyncIterator[tuple[Cluster, Balancer]]:
    environment = bot_environment(tmp_path, local_api.url, local_api.token, database_url)
    environment |= quiet_now()  # the tick's own reminders wait: only the members' flows go
    operator = BotWorld(tmp_path, environment)
    await operator.cli("db", "upgrade")
    await operator.cli("cohort", "add", COHORT, "--start", cohort_start().isoformat())
    await operator.cli("import", str(_teams(tmp_path / "teams.csv")), "--cohort", COHORT)
    await fetch(database_url, "DELETE FROM adviser_assignments")  # questions wait for one
    ports = [free_port() for _ in range(INSTANCES)]
    instances = []
    for n in range(INSTANCES):
        workdir = tmp_path / f"instance-{n}"
        workdir.mkdir()
        instances.append(BotWorld(workdir, environment | {"HOME": str(workdir)}))
    async with Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer:
        yield Cluster(operator, instances, ports, f"{balancer.url}/telegram"), balancer
        for instance in instances:
            if instance.process is not None and instance.process.poll() is None:
                assert await instance.terminate() == 0, "an instance stops cleanly on SIGTERM"
            print(instance.log_text())  # shown by pytest when the test failed


async def _member(control: ControlClient, code: str, user_id: int) -> list[ChatMessage]:
    """Join, then /status and a question sent at once, without waiting in between; the
    question's draft sent. The bot's messages in the order they came."""
    person, welcome = await join(control, code, user_id, f"Osoba{user_id}")
    await person.say("/status")
    await person.say(f"/pytanie Pytanie od {user_id}")
    status = await person.next_message(within=45)
    offer = await person.next_message(within=45)
    await person.press(offer, SEND)
    return [welcome, status, offer, await person.next_message(within=45)]


async def _kill_and_restart(cluster: Cluster, index: int) -> None:
    await cluster.instances[index].kill()
    cluster.start(index)


async def test_three_instances_answer_every_update_once_in_order_while_one_is_killed(
    cluster: tuple[Cluster, Balancer], control: ControlClient, database_url: str, tmp_path: Path
) -> None:
    nodes, balancer = cluster
    codes = await nodes.operator.invite_codes()
    for index in range(INSTANCES):
        nodes.start(index)
    members = {
        FIRST_USER + n: codes[f"member{n}@example.pl"] for n in range(JSTS * MEMBERS_PER_JST)
    }

    async def all_running() -> bool:
        return all(RUNNING in node.log_text() for node in nodes.instances)

    async def one_ticks() -> bool:
        return len(nodes.ticking()) == 1 and len(await advisory_lock_holders(database_url)) == 1

    await eventually(all_running, within=30)
    await eventually(one_ticks, within=30)
    [leader] = nodes.ticking()
    victim = (leader + 1) % INSTANCES

    async def kill_mid_way() -> None:
        await balancer.until_answered(KILL_AFTER_UPDATES)
        await _kill_and_restart(nodes, victim)

    async def restarted(index: int) -> bool:
        return nodes.instances[index].log_text().count(RUNNING) == 2

    killer = asyncio.create_task(kill_mid_way())
    flows = await asyncio.gather(*(_member(control, code, uid) for uid, code in members.items()))
    await killer
    await eventually(lambda: restarted(victim), within=30)
    await control.until_delivered(within=30)

    for user_id, (welcome, status, offer, receipt) in zip(members, flows, strict=True):
        assert RECEIPT.search(receipt.text), receipt.text
        assert SEND in [text for text, _data in offer.buttons], "the draft after the status"
        assert status.message_id < offer.message_id, "a chat's updates in the order sent"
        answered = [message.text for message in await control.received(user_id)]
        interrupted = user_id in balancer.taken.interrupted_senders()
        assert interrupted or answered == [
            answered[0],
            welcome.text,
            status.text,
            offer.text,
            receipt.text,
        ], "every update answered once (the notice, then the four replies)"
    assert len([n for n in balancer.taken.by_instance.values() if n]) == INSTANCES

    # The tick's work: the JSTs get advisers; the instance that runs the tick dies at once.
    await nodes.operator.cli("import", str(tmp_path / "teams.csv"), "--cohort", COHORT)
    await _kill_and_restart(nodes, leader)
    routed = await asyncio.gather(*(control.next_message(uid, within=90) for uid in members))
    assert all(ROUTED in message.text for message in routed)
    await control.until_delivered(within=30)
    for user_id in members:
        texts = [message.text for message in await control.received(user_id)]
        assert len([text for text in texts if ROUTED in text]) == 1, "routed once, by one tick"
    taken_over = sum(node.log_text().count(TICKS) for node in nodes.instances)
    assert taken_over == 2, "the tick's lock, taken once at the start and once after the kill"
    assert len(await advisory_lock_holders(database_url)) == 1

    counters = await control.counters()
    assert counters["too_many_requests"] == 0
    assert counters["busiest_second"] <= 30, "the three together within Telegram's 30/s"
