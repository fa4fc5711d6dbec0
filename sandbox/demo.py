"""The demo cohort: a few JSTs with their teams, advisers and a coordinator, for the sandbox.

The teams are a file in the import format (data/teams.csv), loaded through the importer's own
checks; the invitations are issued and e-mailed as `advisorybot invites --send` does, so the
people join with the codes in their mailboxes. data/demo.toml holds the cohort's start, the
days, hours and places of its training rounds (set as `cohort event set` sets them, so /zjazdy,
/status and the round reminders have them) and what each JST's people do in the walk.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from notices.invitations import queue_invitations
from outbox.email_sender import EmailDelivery, deliver_all
from storage.attendance import Source, record_attendance, training_rounds
from storage.cohorts import add_cohort
from storage.imports.apply import apply_import, erased_addresses, jst_cohorts
from storage.imports.attendance import COLUMNS, OPTIONAL, check_attendance
from storage.imports.read import read_rows
from storage.imports.validate import validate
from storage.invites import issue_invites
from storage.models import Cohort
from storage.programme import default_template_path
from storage.rounds import RoundDetails, set_round
from storage.workdays import working_day_from

DATA = Path(__file__).parent / "data"
TEAMS = DATA / "teams.csv"
PLAN = DATA / "demo.toml"
ACTOR = "sandbox"
BehaviourName = Literal["on_time", "late", "silent"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]
WEEKDAYS: tuple[Weekday, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CohortPlan(_Data):
    name: str
    months_before_today: int = Field(ge=0, le=27)


class RoundPlan(_Data):
    """A training round's day (the `weekday` of the phase's `week`-th week: "the second
    Wednesday"; a day off moves it to the next working day), hours, and a place in Warsaw or an
    online link."""

    week: int = Field(ge=1, le=4)
    weekday: Weekday
    start: dt.time
    end: dt.time
    place: str | None = None
    link: str | None = None
    bring: str

    @model_validator(mode="after")
    def _place_or_link(self) -> RoundPlan:
        if (self.place is None) == (self.link is None):
            raise ValueError("a round has a place or a link, not both")
        if self.end <= self.start:
            raise ValueError("a round ends after it starts")
        return self

    def held_on(self, phase_starts_on: dt.date) -> dt.date:
        """The day in a phase that starts on `phase_starts_on`."""
        ahead = (WEEKDAYS.index(self.weekday) - phase_starts_on.weekday()) % 7
        day = phase_starts_on + dt.timedelta(days=ahead + 7 * (self.week - 1))
        return working_day_from(day)

    def details(self, phase_starts_on: dt.date) -> RoundDetails:
        return RoundDetails(
            held_on=self.held_on(phase_starts_on),
            start_time=self.start,
            end_time=self.end,
            place=self.place,
            link=self.link,
            bring=self.bring,
        )


class Behaviour(_Data):
    """What a JST's people do: join or not, when they submit, how fast their adviser is."""

    joins: bool
    task_days: int = 0
    report_days: int = 0
    review_days: int = Field(default=0, ge=0)


class QuestionPlan(_Data):
    """A question asked `day` days after the start, answered `answer_days` after it arrives."""

    day: int = Field(ge=0)
    answer_days: int = Field(ge=0)
    text: str
    answer: str


class JstPlan(_Data):
    teryt: str
    behaviour: BehaviourName
    actor: str | None = None
    question: QuestionPlan | None = None


class Texts(_Data):
    evidence: str
    report_answer: str
    resolution_number: str
    resolution_link: str  # the resolution in the BIP: its proof


class DemoPlan(_Data):
    cohort: CohortPlan
    attendance: dict[str, str] = {}  # a round's code -> its list of signatures in DATA
    rounds: dict[str, RoundPlan] = {}  # a round's code -> its day, hours and place
    behaviour: dict[BehaviourName, Behaviour]
    jst: list[JstPlan]
    texts: Texts

    @model_validator(mode="after")
    def _behaviours_described(self) -> DemoPlan:
        missing = {jst.behaviour for jst in self.jst} - set(self.behaviour)
        if missing:
            raise ValueError(f"behaviour not described: {sorted(missing)}")
        return self

    def behaviour_of(self, jst: JstPlan) -> Behaviour:
        return self.behaviour[jst.behaviour]


def load_plan(path: Path = PLAN) -> DemoPlan:
    return DemoPlan.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))


def demo_start(today: dt.date, plan: DemoPlan) -> dt.date:
    """The 1st of the month a few months back: the cohort is that far into its schedule."""
    return today.replace(day=1) - relativedelta(months=plan.cohort.months_before_today)


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count(Cohort.id)))


async def create_demo(services: Services, plan: DemoPlan, start: dt.date) -> None:
    """The cohort, its teams from the demo file, and everyone's invitation e-mail queued."""
    now = services.clock.now()
    rows = read_rows(TEAMS)
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(
            session, plan.cohort.name, start, default_template_path(), now=now, actor=ACTOR
        )
        checked = validate(
            rows, cohort.name, await jst_cohorts(session), await erased_addresses(session)
        )
        await apply_import(session, checked, cohort, now, ACTOR)
        await _attendance(session, plan, cohort, services)
        await _rounds(session, plan, cohort, services)
    await send_invitations(services)


async def _rounds(
    session: AsyncSession, plan: DemoPlan, cohort: Cohort, services: Services
) -> None:
    """The training rounds dated (audited, the sandbox their actor); a round already over is
    dated too, as an operator records one that was held."""
    now = services.clock.now()
    today = now.astimezone(services.settings.zone).date()
    for step in await training_rounds(session, cohort.id):
        found = plan.rounds.get(step.code)
        if found is not None:
            details = found.details(step.starts_on)
            await set_round(session, cohort, step.code, details, now=now, today=today, actor=ACTOR)


async def _attendance(
    session: AsyncSession, plan: DemoPlan, cohort: Cohort, services: Services
) -> None:
    """The lists of signatures of the rounds begun by today, checked as the import checks
    them."""
    now = services.clock.now()
    today = now.astimezone(services.settings.zone).date()
    for step in await training_rounds(session, cohort.id):
        if step.code not in plan.attendance or step.starts_on > today:
            continue
        rows = read_rows(DATA / plan.attendance[step.code], None, COLUMNS, OPTIONAL)
        checked = await check_attendance(session, rows, cohort)
        assert not checked.errors, checked.errors  # the demo's own file
        await record_attendance(
            session, step.code, checked.marks, source=Source.IMPORT, actor=ACTOR, now=now
        )


async def send_invitations(services: Services) -> int:
    """Invite everyone not joined who holds no valid link (as `invites --send`), and deliver
    the e-mails now; returns how many were issued."""
    # Imported here: bot.cli imports the sandbox's CLI, which imports this module.

    username = services.settings.telegram_bot_username
    assert username is not None, "the sandbox knows its bot's username"
    now = services.clock.now()
    ttl = dt.timedelta(days=services.settings.invite_ttl_days)
    async with services.sessionmaker.begin() as session:
        issued = await issue_invites(session, now, ttl)
        await queue_invitations(session, issued, username, now)
    await deliver_all(EmailDelivery(services, bot_username=username))
    return len(issued)
