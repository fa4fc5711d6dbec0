"""Three `advisorybot run` instances in webhook mode on one PostgreSQL, behind a small balancer
(issue 24): 50 members act at once while one instance is killed (SIGKILL) and started again;
then the instance that runs the tick is killed, and the tick's work (questions that waited for an
adviser, routed once one is assigned) is done once, by whichever instance took the tick over.
On a working day, the tick's reminders too: each goes once while an instance is killed."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from localapi import ChatMessage, ControlClient, LocalBotApi, NothingReceived, Person
from reminders.leader import TICK_LOCK
from storage.programme import default_template_path, load_template
from storage.programme_calendar import ONE_DAY, phase_dates
from storage.workdays import is_working_day, working_day_from
from tests.e2e.conftest import COHORT, NOTICE_BUTTON, cohort_start, eventually, join, quiet_now
from tests.support.balancer import Balancer
from tests.support.bot_process import BotWorld, bot_environment, free_port
from tests.support.pg_session import advisory_lock_holders, fetch, holding_advisory_lock

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

INSTANCES = 3
RATE = 25
JSTS = 10
MEMBERS_PER_JST = 5
FIRST_USER = 9000
SEND = "Wyślij"
RECEIPT = re.compile(r"Pytanie nr (\d+) zapisane")
RUNNING = "advisorybot is running"
TICKS = "this instance runs the tick now"
ROUTED = "Wasza JST ma już doradcę"
OVERDUE = "Termin minął"  # the team's T+1: the day after a deadline, the task not handed in
WARSAW = ZoneInfo("Europe/Warsaw")
KILL_AFTER_UPDATES = 120  # of the 250 the members send: mid-way through
# 3 instances, PostgreSQL and 50 people on 2 cores: a reply may wait for 40 updates before it;
# one not come by then is looked for in the database (left unconfirmed by the instance killed)
REPLY_SECONDS = 20


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


@contextlib.asynccontextmanager
async def _cluster(
    tmp_path: Path,
    local_api: LocalBotApi,
    database_url: str,
    start: dt.date,
    quiet_hours: dict[str, str],
) -> AsyncIterator[tuple[Cluster, Balancer]]:
    """The teams of a cohort started on `start`, and three instances behind the balancer (not
    started yet) with these quiet hours."""
    environment = bot_environment(tmp_path, local_api.url, local_api.token, database_url)
    environment |= quiet_hours
    # Each instance alone would send at 25/s, three at 75/s. Not the default 29: its one message
    # of margin under 30 in any second is less than a send made late on 2 busy cores.
    environment |= {"TELEGRAM_RATE_LIMIT": str(RATE)}
    operator = BotWorld(tmp_path, environment)
    await operator.cli("db", "upgrade")
    await operator.cli("cohort", "add", COHORT, "--start", start.isoformat())
    await operator.cli("import", str(_teams(tmp_path / "teams.csv")), "--cohort", COHORT)
    ports = [free_port() for _ in range(INSTANCES)]
    instances = []
    for n in range(INSTANCES):
        workdir = tmp_path / f"instance-{n}"
        workdir.mkdir()
        instances.append(BotWorld(workdir, environment | {"HOME": str(workdir)}))
    async with Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer:
        try:
            yield Cluster(operator, instances, ports, f"{balancer.url}/telegram"), balancer
        finally:
            for instance in instances:
                if instance.process is not None and instance.process.poll() is None:
                    assert await instance.terminate() == 0, "an instance stops cleanly on SIGTERM"
                print(instance.log_text())  # shown by pytest when the test failed


@pytest.fixture
async def cluster(
    tmp_path: Path, local_api: LocalBotApi, database_url: str
) -> AsyncIterator[tuple[Cluster, Balancer]]:
    """Quiet now: the tick's own messages wait, only the members' flows go."""
    async with _cluster(tmp_path, local_api, database_url, cohort_start(), quiet_now()) as found:
        await fetch(database_url, "DELETE FROM adviser_assignments")  # questions wait for one
        yield found


@dataclass
class Flow:
    """What a member saw, in order; `complete` unless a reply never came."""

    user_id: int
    seen: list[ChatMessage] = field(default_factory=list)
    asked: bool = False  # the question's draft sent
    complete: bool = False


async def _member(control: ControlClient, code: str, user_id: int) -> Flow:
    """Join, then /status and a question sent at once, without waiting in between; the
    question's draft sent. A chat whose update an instance died with may see a reply twice:
    each step reads up to the reply it waits for."""
    person = await control.user(user_id, f"Osoba{user_id}", language_code="pl")
    flow = Flow(user_id)
    with contextlib.suppress(NothingReceived):
        await person.say(f"/start {code}")
        notice = await _until(person, flow, lambda m: NOTICE_BUTTON["pl"] in _labels(m))
        await person.press(notice, NOTICE_BUTTON["pl"])
        flow.seen.append(await person.next_message(within=REPLY_SECONDS))  # the welcome
        await person.say("/status")
        await person.say(f"/pytanie Pytanie od {user_id}")
        draft = await _until(person, flow, lambda m: SEND in _labels(m))
        await person.press(draft, SEND)
        flow.asked = True
        await _until(person, flow, lambda m: RECEIPT.search(m.text) is not None)
        flow.complete = True
    return flow


async def _until(person: Person, flow: Flow, wanted: Callable[[ChatMessage], bool]) -> ChatMessage:
    while not wanted(message := await person.next_message(within=REPLY_SECONDS)):
        flow.seen.append(message)
    flow.seen.append(message)
    return message


def _labels(message: ChatMessage) -> list[str]:
    return [label for label, _data in message.buttons]


async def _routed(control: ControlClient, user_id: int) -> None:
    """Until the member is told their question reached an adviser: by the next tick's pass,
    within a minute whichever instance runs it (a chat that saw a reply twice: after it)."""
    while ROUTED not in (await control.next_message(user_id, within=90)).text:
        pass


async def _left_unconfirmed(database_url: str, user_id: int) -> bool:
    """A reply's request was on its way when its instance died: a message sent at most once
    (a reply, a receipt: DESIGN 5) is then left unconfirmed, not sent again. (A row still
    waiting for its send slot then is only claimed: another instance sends it.)"""
    rows = await fetch(
        database_url,
        "SELECT count(*) AS n FROM outbox o JOIN people p ON p.id = o.person_id"
        " WHERE p.telegram_chat_id = $1 AND o.state::text ILIKE 'unconfirmed'",
        user_id,
    )
    return bool(rows[0]["n"])


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

    interrupted = balancer.taken.interrupted_senders()
    for flow in flows:
        assert flow.complete or await _left_unconfirmed(database_url, flow.user_id)
        if flow.user_id in interrupted or not flow.complete:
            continue  # its instance died with one of its updates: Telegram sent it again
        answered = [message.text for message in await control.received(flow.user_id)]
        assert answered == [message.text for message in flow.seen]
        assert len(flow.seen) == 5, "every update answered once: notice, welcome, status, ..."
        assert SEND not in _labels(flow.seen[2]), "the status first: a chat's updates in order"
    assert len([n for n in balancer.taken.by_instance.values() if n]) == INSTANCES

    # The tick's work: the JSTs get advisers; the instance that runs the tick dies at once.
    await nodes.operator.cli("import", str(tmp_path / "teams.csv"), "--cohort", COHORT)
    await _kill_and_restart(nodes, leader)
    asked = [flow.user_id for flow in flows if flow.asked]
    assert len(asked) >= len(members) - 1, "at most the one reply on its way in the one killed"
    await asyncio.gather(*(_routed(control, user_id) for user_id in asked))
    await control.until_delivered(within=30)
    for user_id in asked:
        texts = [message.text for message in await control.received(user_id)]
        assert len([text for text in texts if ROUTED in text]) == 1, "routed once, by one tick"
    taken_over = sum(node.log_text().count(TICKS) for node in nodes.instances)
    assert taken_over == 2, "the tick's lock, taken once at the start and once after the kill"
    assert len(await advisory_lock_holders(database_url)) == 1

    counters = await control.counters()
    assert counters["rate_limited_by"].get("all", 0) == 0, "never over the bot's overall rate"
    assert counters["busiest_second"] <= 30, "the three together within Telegram's 30/s"
    assert counters["calls"]["sendMessage"] > 4 * len(members), "enough sends to measure"


def _overdue_start(today: dt.date) -> dt.date | None:
    """A cohort start whose first task fell due 3-6 days before `today`, on a working day
    followed by another: its T+1 (the team told it is overdue, at 09:00 the day after) is past
    and not yet stale (7 days). None when no such day is near (holidays)."""
    template = load_template(default_template_path())
    first = template.task[0]
    assert first.due_at_end_of is not None, "the first task ends a phase"
    for back in range(3, 7):
        due = today - dt.timedelta(days=back)
        if not (is_working_day(due) and is_working_day(due + ONE_DAY)):
            continue
        end = [phase.code for phase in template.phase].index(first.due_at_end_of)
        months = sum(phase.months for phase in template.phase[: end + 1])
        start = due + ONE_DAY - relativedelta(months=months)
        if working_day_from(phase_dates(template, start)[first.due_at_end_of][1]) == due:
            return start
    return None


async def _overdue_rows(database_url: str) -> list[tuple[int | None, str]]:
    """The members' rows of the first task's T+1: (their chat, the row's state)."""
    rows = await fetch(
        database_url,
        "SELECT p.telegram_chat_id AS chat, lower(o.state::text) AS state FROM outbox o"
        " JOIN people p ON p.id = o.person_id"
        " WHERE o.dedupe_key LIKE 'deadline:%:T+1:%' AND lower(p.role::text) = 'member'",
    )
    return [(row["chat"], row["state"]) for row in rows]


async def _sends(control: ControlClient) -> int:
    return int((await control.counters())["calls"].get("sendMessage", 0))


async def test_the_ticks_reminders_go_once_while_an_instance_is_killed(
    tmp_path: Path, local_api: LocalBotApi, control: ControlClient, database_url: str
) -> None:
    """50 members' teams missed a task's deadline; they join while another session holds the
    tick's lock (as an instance that runs the tick), so nothing is planned yet. It lets go: an
    instance takes the tick over and plans the T+1 (the team told the task is overdue), due at
    once, and the three send it while the one that runs the tick is killed mid-way. Each member
    is told once (the one whose send was on its way in the instance killed: at most once, a
    reminder is never sent twice), the three within Telegram's 30/s."""
    today = dt.datetime.now(WARSAW).date()
    if not is_working_day(today):
        pytest.skip(f"{today} is no working day in Poland: the reminders wait for one (DESIGN)")
    if (start := _overdue_start(today)) is None:
        pytest.skip(f"no working day 3-6 days before {today} with a working day after it")
    never_quiet = {"QUIET_HOURS": "0:00-0:00"}
    async with _cluster(tmp_path, local_api, database_url, start, never_quiet) as (nodes, _):
        codes = await nodes.operator.invite_codes()
        members = [FIRST_USER + n for n in range(JSTS * MEMBERS_PER_JST)]
        async with holding_advisory_lock(database_url, TICK_LOCK):
            for index in range(INSTANCES):
                nodes.start(index)
            await asyncio.gather(
                *(
                    join(control, codes[f"member{n}@example.pl"], user_id, f"Osoba{user_id}")
                    for n, user_id in enumerate(members)
                )
            )
            assert not await _overdue_rows(database_url), "no instance ticks: the lock is held"
            assert nodes.ticking() == []
            before = await _sends(control)

        async def sending() -> bool:
            return await _sends(control) >= before + 10

        await eventually(sending, within=90)  # the lock taken at an instance's next pass
        [leader] = nodes.ticking()
        await _kill_and_restart(nodes, leader)

        async def done() -> bool:
            rows = await _overdue_rows(database_url)
            return len(rows) == len(members) and {state for _chat, state in rows} <= {
                "sent",
                "unconfirmed",
            }

        await eventually(done, within=60)
        await control.until_delivered(within=30)
        found = await _overdue_rows(database_url)
        assert Counter(chat for chat, _state in found) == Counter(members), "one row each"
        rows = dict(found)
        assert len([state for state in rows.values() if state == "unconfirmed"]) <= 1
        for user_id in members:
            texts = [message.text for message in await control.received(user_id)]
            assert len(texts) == len(set(texts)), f"nothing twice in {user_id}'s chat: {texts}"
            overdue = [text for text in texts if OVERDUE in text]
            assert len(overdue) in ({1} if rows[user_id] == "sent" else {0, 1}), texts
        counters = await control.counters()
        assert counters["too_many_requests"] == 0, "one message a chat: no chat's burst either"
        assert counters["busiest_second"] <= 30, "the three together within Telegram's 30/s"
