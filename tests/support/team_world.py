"""Teams of our own in the sandbox: the real bot in process (its handlers, outbox sender and
e-mail sender) over the local Bot API and mailbox, on the test's database, with the teams of
tests/data/import/teams.csv in a cohort four months into its programme instead of the demo.

The bot's own minute tick is taken out: reminders come when a test moves the clock and runs a
pass (`World.tick`), so none arrives in the middle of a conversation because of the hour; so
is its retention job (a test runs `advisorybot tick` for it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from core.clock import OffsetClock
from core.services import Services
from core.settings import load_settings
from localapi import ChatMessage, ControlClient
from sandbox.mailbox import Mailbox
from sandbox.runtime import Pass, Sandbox, isolated_settings
from storage.cohorts import add_cohort
from storage.imports.apply import apply_import, erased_addresses, jst_cohorts
from storage.imports.read import read_rows
from storage.imports.validate import validate
from storage.invites import issue_invites
from storage.migrate import upgrade
from storage.models import Cohort, Jst, Person, Role
from storage.programme import default_template_path
from tests.support.cli_runs import invoke
from tests.support.dialog import WAIT, Speaker
from tests.support.flow_data import MONITORING, MONITORING_TEAM
from tests.support.sandbox_chat import open_sandbox, settle
from tests.support.task_data import adopt

TEAMS = Path(__file__).parent.parent / "data" / "import" / "teams.csv"
COHORT = "Pilotaż"
ACTOR = "tests"
NOTICE_BUTTON = {"pl": "Przeczytane – potwierdzam", "en": "I have read the notice"}
TICK_JOB = "tick"
RETENTION_JOB = "retention"  # comes with `advisorybot tick` when a test runs it
FIRST_TICK_WITHIN = dt.timedelta(seconds=5)  # after its first pass, the next is a minute away
# As the end-to-end tests ran the bot: a lease short enough for a test to outlive.
SETTINGS: dict[str, Any] = {"outbox_lease_seconds": 5}


def cohort_start(today: dt.date) -> dt.date:
    """Four months before this month: the cohort is in its first advisory period today."""
    return today.replace(day=1) - relativedelta(months=4)


async def join_monitoring_team(
    world: World, folder: Path, users: tuple[int, int, int], months_ago: int = 0
) -> dict[int, Speaker]:
    """The monitoring cohort's team (tests/support/flow_data.py: Zofia, Piotr, Adam) joined as
    these Telegram users; its council adopted the plan two months ago, so its first report
    (R01) is last month's, or `months_ago` earlier."""
    team = folder / "monitoring.csv"
    team.write_text(MONITORING_TEAM, encoding="utf-8")
    start = cohort_start(world.today()) - relativedelta(months=12 + months_ago)
    await world.add_team(team, MONITORING, start)
    adopted = world.today().replace(day=10) - relativedelta(months=2 + months_ago)
    await adopt_in_cohort(world.services, MONITORING, adopted)
    codes = await world.invite_codes()
    people = {}
    for user_id, name in zip(users, ("Zofia", "Piotr", "Adam"), strict=True):
        people[user_id], _ = await world.join(codes[f"{name.lower()}@example.pl"], user_id, name)
    return people


@dataclass
class World:
    """A started sandbox with our teams; the clock is the sandbox's (the wall clock until a
    test moves it)."""

    box: Sandbox
    clock: OffsetClock

    @property
    def control(self) -> ControlClient:
        return self.box.running.control

    @property
    def services(self) -> Services:
        return self.box.running.services

    @property
    def mailbox(self) -> Mailbox:
        return self.box.running.mailbox

    def today(self) -> dt.date:
        """Today in Warsaw by the world's clock."""
        return self.clock.now().astimezone(self.services.settings.zone).date()

    async def add_team(self, teams: Path, cohort: str, start: dt.date) -> None:
        """A cohort and its teams from an import file, as `cohort add` and `import` store them."""
        await add_team(self.services, teams, cohort, start)

    async def invite_codes(self) -> dict[str, str]:
        """E-mail -> a fresh invite code, for everyone not joined who holds no valid one (as
        `advisorybot invites --out` writes them)."""
        services = self.services
        ttl = dt.timedelta(days=services.settings.invite_ttl_days)
        async with services.sessionmaker.begin() as session:
            issued = await issue_invites(session, services.clock.now(), ttl)
        return {invite.email: invite.code for invite in issued}

    async def user(self, user_id: int, name: str, language: str = "pl") -> Speaker:
        """A Telegram account that has not talked to the bot yet."""
        await self.control.user(user_id, name, language_code=language)
        return Speaker(self.control, user_id, name)

    async def join(
        self, code: str, user_id: int, name: str, language: str = "pl"
    ) -> tuple[Speaker, ChatMessage]:
        """A person opens their invite link and confirms the notice; returns the welcome."""
        person = await self.user(user_id, name, language)
        await person.say(f"/start {code}")
        notice = await person.next_message(within=WAIT)
        await person.press(notice, NOTICE_BUTTON[language])
        return person, await person.next_message(within=WAIT)

    async def join_all(
        self, people: Mapping[int, tuple[str, str]], *user_ids: int
    ) -> list[Speaker]:
        """These people (Telegram user id -> e-mail and name) join, in this order."""
        codes = await self.invite_codes()
        joined = []
        for user_id in user_ids:
            email, name = people[user_id]
            joined.append((await self.join(codes[email], user_id, name))[0])
        return joined

    async def cli(self, *args: str) -> str:
        """One operator command on this world (the Typer app, in a thread beside the bot):
        its database, local Bot API and mailbox; English output. Asserts it succeeded."""
        settings = self.services.settings
        result = await invoke(
            self.services,
            *args,
            TELEGRAM_BOT_TOKEN=settings.token(),
            TELEGRAM_API_BASE_URL=str(settings.telegram_api_base_url),
            TELEGRAM_BOT_USERNAME=settings.telegram_bot_username,
            SMTP_HOST=settings.smtp_host,
            SMTP_PORT=str(settings.smtp_port),
            SMTP_TLS=settings.smtp_tls.value,
            MAIL_FROM=settings.mail_from,
            CONTROLLER_NAME=settings.controller_name or "",
            CONTROLLER_CONTACT=settings.controller_contact or "",
            DPO_CONTACT=settings.dpo_contact or "",
        )
        assert result.exit_code == 0, (
            f"advisorybot {' '.join(args)} failed:\n{result.output}{result.exception!r}"
        )
        return result.output

    async def tick(self, at: dt.datetime) -> Pass:
        """Move the clock to `at` (time goes on from there), run one reminder pass and wait
        until the bot has delivered all that is due (as `advisorybot tick --now`)."""
        self.clock.set(at)
        done = await self.box.tick()
        await self.settle()
        return done

    async def settle(self) -> None:
        await settle(self.box)

    async def stop_bot(self) -> None:
        """Stop the bot as SIGTERM does (its updates, senders and database connections); the
        local Bot API, the mail server and the database stay, for the operator's commands."""
        running = self.box.running
        running.stop.set()
        await running.bot


async def adopt_in_cohort(services: Services, cohort: str, day: dt.date) -> None:
    """Every JST of the cohort has its resolution recorded, adopted on `day`, by a member."""
    async with services.sessionmaker.begin() as session:
        members = await session.execute(
            select(Jst.id, func.min(Person.id))
            .join(Cohort, Cohort.id == Jst.cohort_id)
            .join(Person, Person.jst_id == Jst.id)
            .where(Cohort.name == cohort, Person.role == Role.MEMBER)
            .group_by(Jst.id)
        )
        for jst_id, member_id in members:
            adopt(session, jst_id, day, member_id)


async def add_team(services: Services, teams: Path, cohort: str, start: dt.date) -> None:
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        added = await add_cohort(
            session, cohort, start, default_template_path(), now=now, actor=ACTOR
        )
        existing, erased = await jst_cohorts(session), await erased_addresses(session)
        checked = validate(read_rows(teams), added.name, existing, erased)
        await apply_import(session, checked, added, now, ACTOR)


@contextlib.asynccontextmanager
async def open_world(database_url: str, directory: Path, **settings: Any) -> AsyncIterator[World]:
    """The bot in process on a migrated database holding the teams of teams.csv (set
    PTB_TIMEDELTA first); `settings` change the bot's settings."""
    changed = SETTINGS | settings
    clock = OffsetClock()
    services = Services.build(
        load_settings(_env_file=None, **(isolated_settings(database_url) | changed)), clock
    )
    try:
        await upgrade(services.engine)
        today = clock.now().astimezone(services.settings.zone).date()
        await add_team(services, TEAMS, COHORT, cohort_start(today))
    finally:
        await services.close()
    async with open_sandbox(database_url, directory, clock, **changed) as box:
        application = box.running.application
        assert application.job_queue is not None
        for job in application.job_queue.get_jobs_by_name(TICK_JOB):
            # Its first pass comes a second after the start: it must not have run yet.
            first = job.next_t
            assert first is not None and first < dt.datetime.now(dt.UTC) + FIRST_TICK_WITHIN
            job.schedule_removal()
        for job in application.job_queue.get_jobs_by_name(RETENTION_JOB):
            job.schedule_removal()
        yield World(box, clock)
