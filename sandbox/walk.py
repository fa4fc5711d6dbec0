"""`advisorybot sandbox --walk`: the demo cohort rehearsed from its start in compressed time.

The real bot runs against the local Telegram and mailbox (flood limits off: they are about
real seconds, and a walk packs months into them) with a fixed clock that jumps from one moment
to the next: the next planned reminder, the next queued message that waited, or the next
scripted action. At each moment one tick runs, everything due is delivered, and the scripted
people act (script.py). The report is built from what the people received (report.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, or_, select

from bot.intake import until_stopped
from core.clock import FixedClock
from core.settings import Settings
from localapi import Limits
from outbox.claims import TAKEN, sendable
from outbox.email_sender import EmailDelivery, deliver_all
from outbox.telegram_files import BotFiles
from reminders.rules import all_rules
from reminders.tick import planned, work_calendar
from sandbox.demo import DemoPlan, demo_start, load_plan
from sandbox.people import Playable, join, playable_people
from sandbox.report import WalkReport, collect
from sandbox.runtime import BOT_USERNAME, Sandbox
from sandbox.script import (
    Actors,
    Advisers,
    Agenda,
    Step,
    ask,
    fill_report,
    record_resolution,
    submit_task,
)
from storage.cohorts import cohort_steps, find_cohort
from storage.models import Jst, OutboxMessage, OutboxState, Role
from storage.monitoring import cohort_plans
from storage.programme_calendar import TASK
from storage.tasks.views import resolution_code

ACTION_TIME = dt.time(10, 0)
SETTLE_POLL_SECONDS = 0.01
TAIL = dt.timedelta(days=14)  # after the last deadline: the overdue steps and alerts
RESOLUTION_DAYS_BEFORE = 2  # the council adopted the plan two days before it is reported


async def walk(
    settings: Settings, directory: Path, *, months: int | None, own_database: bool
) -> WalkReport:
    """Rehearse the demo cohort in a fresh directory; returns what everyone received (raises
    NotEmpty for a named database that holds data, Stopped when SIGINT or SIGTERM ends it)."""
    shutil.rmtree(directory, ignore_errors=True)
    plan = load_plan()
    start = demo_start(dt.datetime.now(settings.zone).date(), plan)
    clock = FixedClock(dt.datetime.combine(start, ACTION_TIME, tzinfo=settings.zone))
    limits = Limits(enabled=False)
    async with Sandbox(
        settings,
        directory,
        clock,
        limits=limits,
        own_database=own_database,
        plan=plan,
        start=start,
        empty_only=True,
    ) as sandbox:
        walker = Walker(sandbox, clock, plan)
        # SIGTERM may come while people are still joining: preparing is stopped too.
        end = await until_stopped(walker.prepare(months), sandbox.running.stop)
        await until_stopped(walker.run(end), sandbox.running.stop)
        running = sandbox.running
        return await collect(
            running.services, running.control, running.mailbox, plan, start=walker.start, end=end
        )


class Walker:
    """Moves the clock, runs the tick, lets deliveries finish, and plays the script."""

    def __init__(self, sandbox: Sandbox, clock: FixedClock, plan: DemoPlan) -> None:
        self.sandbox = sandbox
        self.running = sandbox.running
        self.services = sandbox.running.services
        self.clock = clock
        self.plan = plan
        self.agenda = Agenda()
        self.emails = EmailDelivery(
            self.services,
            bot_username=BOT_USERNAME,
            files=BotFiles(self.running.application.bot),
        )
        self.actors = Actors(self.running.control, self.services, plan, self.settle, {})
        self.advisers: Advisers | None = None
        self.seq = 0
        self.start = clock.now()

    def at(self, day: dt.date) -> dt.datetime:
        """People act at ten in the morning, local time."""
        return dt.datetime.combine(day, ACTION_TIME, tzinfo=self.services.settings.zone)

    async def prepare(self, months: int | None) -> dt.datetime:
        """Plan everyone's actions from the cohort's calendar and each JST's monitoring (from
        the day its council adopts the plan, as its behaviour has it); returns when the walk
        ends."""
        async with self.services.sessionmaker() as session:
            cohort = await find_cohort(session, self.plan.cohort.name)
            assert cohort is not None
            steps = await cohort_steps(session, cohort.id)
            people = await playable_people(session)
            jsts = {jst.teryt: jst for jst in await session.scalars(select(Jst))}
            resolution = await resolution_code(session, next(iter(jsts.values())))
            plans, _ = await cohort_plans(session, [cohort.id])
        joining = self._joining(people, jsts)
        for person in joining:
            self.agenda.add(self.clock.now(), self._join(person))
            self.actors.user_ids[person.email] = person.user_id
        advisers = {p.user_id for p in joining if p.role is Role.ADVISER}
        self.advisers = Advisers(self.actors, self.agenda, advisers)
        tasks = [step for step in steps if step.kind == TASK and step.due_on]
        resolution_due = next(step.due_on for step in tasks if step.code == resolution)
        assert resolution_due is not None, "the demo's programme records a resolution"
        last = max(step.due_on or step.ends_on for step in steps)
        for jst in self.plan.jst:
            behaviour = self.plan.behaviour_of(jst)
            if not behaviour.joins or jst.actor is None:
                continue
            adopted = resolution_due + dt.timedelta(days=behaviour.task_days)
            adopted -= dt.timedelta(days=RESOLUTION_DAYS_BEFORE)
            own = plans[cohort.id].of(0, adopted, None)  # the JST's monitoring once it adopts
            for step in tasks:
                assert step.due_on is not None
                due = own.task_due(step.code, step.due_on) or step.due_on
                day = due + dt.timedelta(days=behaviour.task_days)
                action = (
                    record_resolution(jst.actor, adopted)
                    if step.code == resolution
                    else submit_task(jst.actor, step.code)
                )
                self.agenda.add(self.at(day), action)
                last = max(last, due)
            for report in own.reports:
                assert report.due_on is not None
                day = report.due_on + dt.timedelta(days=behaviour.report_days)
                self.agenda.add(self.at(day), fill_report(jst.actor))
            if jst.question is not None:
                day = cohort.start_date + dt.timedelta(days=jst.question.day)
                self.agenda.add(self.at(day), ask(jst.actor, jst.question.text))
        end = self.at(last) + TAIL
        if months is not None:
            end = min(end, self.at(cohort.start_date + relativedelta(months=months)))
        return end

    def _joining(self, people: list[Playable], jsts: dict[str, Jst]) -> list[Playable]:
        """Advisers, and the members of every JST whose people join; coordinators read e-mail."""
        silent = {
            jsts[jst.teryt].name for jst in self.plan.jst if not self.plan.behaviour_of(jst).joins
        }
        return [
            person
            for person in people
            if person.role is Role.ADVISER
            or (person.role is Role.MEMBER and not set(person.jsts) & silent)
        ]

    def _join(self, person: Playable) -> Step:
        async def run(actors: Actors) -> None:
            running = self.running
            await join(running.services, running.control, running.mailbox, person)
            await actors.settle()

        return run

    async def run(self, end: dt.datetime) -> None:
        """From moment to moment: tick, deliver, let people act, until `end`."""
        moment: dt.datetime | None = self.clock.now()
        while moment is not None and moment <= end:
            self.clock.set(moment)
            await self.sandbox.tick()
            await self.settle()
            await self.react()
            while steps := self.agenda.due(moment):
                for step in steps:
                    await step(self.actors)
                    await self.react()
            moment = await self.next_moment(moment)

    async def react(self) -> None:
        """Advisers see what reached them since the last look."""
        events = await self.running.control.events_since(self.seq)
        if events:
            self.seq = events[-1].seq
            assert self.advisers is not None
            await self.advisers.react(events, self.clock.now())

    async def settle(self) -> None:
        """Until the bot has handled every update and delivered everything due now."""
        while True:
            await self.running.control.until_delivered()
            self.running.application.bot_data.outbox_wakeup.set()
            await deliver_all(self.emails)
            if not await self._busy():
                return
            await asyncio.sleep(SETTLE_POLL_SECONDS)

    async def _busy(self) -> bool:
        now = self.clock.now()
        working = work_calendar(self.services).is_working_time(now)
        async with self.services.sessionmaker() as session:
            count = await session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    or_(OutboxMessage.state.in_(TAKEN), sendable(now, working=working))
                )
            )
        return bool(count)

    async def next_moment(self, now: dt.datetime) -> dt.datetime | None:
        """The earliest of: a scripted action, a planned reminder, a message that waited."""
        calendar = work_calendar(self.services)
        rules = all_rules(self.services.settings)
        async with self.services.sessionmaker() as session:
            dues = await planned(session, rules, now, calendar)
            waiting = await session.scalar(
                select(func.min(OutboxMessage.not_before)).where(
                    OutboxMessage.state == OutboxState.PENDING, OutboxMessage.not_before > now
                )
            )
            held = await session.scalar(  # planned rows due, waiting for working time
                select(func.count(OutboxMessage.id)).where(sendable(now, working=True))
            )
        candidates = [due.at for due in dues if due.at > now]
        candidates += [moment for moment in (waiting, self.agenda.next_at()) if moment]
        if held:
            candidates.append(calendar.next_allowed(now))
        later = [moment for moment in candidates if moment > now]
        return min(later) if later else None
