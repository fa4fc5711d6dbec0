"""Service level for questions: the adviser is reminded, then the coordinators are alerted.

The clock starts at the first moment the question is inside working hours,
`calendar.next_allowed(asked_at)`, and that local day counts as the first working day waited:
a question asked on a working day before the quiet hours (20:00) counts that day; one asked in
the evening, on a weekend or on a holiday starts on the next working day. After REMIND_AFTER
counted working days the adviser on duty is reminded at the start of the next working day
(quiet-hours end, 08:00): asked Friday 15:00 -> Friday and Monday counted -> reminder Tuesday
08:00. After ESCALATE_AFTER working days every coordinator gets an e-mail alert the same way
(Thursday 08:00 in that example). Weekends and Polish public holidays are skipped; a question
that has an answer, is closed, or is in any state other than OPEN is not waiting: nothing.
A follow-up of the asker after an answer reopens the question: the same ladder runs again from
the first follow-up not yet answered (keys end in :f{its answer id}).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from reminders.schedule import Due
from storage.models import (
    AdviserAssignment,
    Channel,
    Delivery,
    Jst,
    Question,
    QuestionState,
)
from storage.questions.threads import pending_followups
from storage.rosters import coordinator_ids, names_of

REMIND_AFTER = 2
ESCALATE_AFTER = 4
ADVISER_TEMPLATE = "question_sla_adviser"
COORDINATOR_TEMPLATE = "question_sla_coordinator"


@dataclass(frozen=True)
class WaitingQuestion:
    """A question as the rule sees it: since when it waits, where, and who should answer.

    For a question answered once and reopened by the asker, `asked_at` and `text` are those of
    the first follow-up not yet answered, `followup_id` its id."""

    id: int
    jst_id: int
    jst_name: str
    teryt: str
    text: str
    state: QuestionState
    asked_at: dt.datetime
    first_answered_at: dt.datetime | None
    adviser_id: int | None  # who it was routed to, for JSTs without an assignment
    assignment: AdviserAssignment | None
    followup_id: int | None = None

    @property
    def waiting(self) -> bool:
        unanswered = self.first_answered_at is None or self.followup_id is not None
        return self.state is QuestionState.OPEN and unanswered

    @property
    def round(self) -> str:
        """What the reminder keys add for a follow-up's round (nothing for the question)."""
        return "" if self.followup_id is None else f":f{self.followup_id}"

    def adviser_on(self, day: dt.date) -> int | None:
        """The adviser on duty that day (a substitute in their period), else the routed one."""
        if self.assignment is not None:
            return self.assignment.adviser_on_duty(day)
        return self.adviser_id


@dataclass(frozen=True)
class SlaState:
    now: dt.datetime
    questions: list[WaitingQuestion]
    advisers: dict[int, str]  # person id -> full name, for the coordinators' alert
    coordinators: list[int]


class QuestionSlaRule:
    """Unanswered questions: a reminder to the adviser, then an alert to the coordinators."""

    name = "questions_sla"

    async def load(self, session: AsyncSession, now: dt.datetime) -> SlaState:
        questions = await open_questions(session)
        return SlaState(
            now=now,
            questions=questions,
            advisers=await names_of(session, _adviser_ids(questions)),
            coordinators=list(await coordinator_ids(session)),
        )

    def plan(
        self, state: SlaState, calendar: WorkCalendar, until: dt.datetime | None = None
    ) -> list[Due]:
        """`until` is not needed: a question has two steps."""
        schedule: list[Due] = []
        for question in state.questions:
            if question.waiting:
                schedule.extend(_question_plan(question, state, calendar))
        return schedule


async def open_questions(
    session: AsyncSession, jst_ids: Collection[int] | None = None
) -> list[WaitingQuestion]:
    """The open questions (of these JSTs; None: of every JST), each as the rule sees it."""
    query = (
        select(Question, Jst.name, Jst.teryt, AdviserAssignment)
        .join(Jst, Jst.id == Question.jst_id)
        .outerjoin(AdviserAssignment, AdviserAssignment.jst_id == Question.jst_id)
        .where(Question.state == QuestionState.OPEN)
        .order_by(Question.id)
    )
    if jst_ids is not None:
        query = query.where(Question.jst_id.in_(list(jst_ids)))
    found = list(await session.execute(query))
    reopened = await pending_followups(
        session, {q.id: q.asker_id for q, *_ in found if q.first_answered_at is not None}
    )
    return [
        WaitingQuestion(
            id=question.id,
            jst_id=question.jst_id,
            jst_name=jst_name,
            teryt=teryt,
            text=followup.text if followup else question.text,
            state=question.state,
            asked_at=followup.created_at if followup else question.created_at,
            first_answered_at=question.first_answered_at,
            adviser_id=question.adviser_id,
            assignment=assignment,
            followup_id=followup.id if followup else None,
        )
        for question, jst_name, teryt, assignment in found
        for followup in [reopened.get(question.id)]
    ]


def past_service_level(question: WaitingQuestion, now: dt.datetime, cal: WorkCalendar) -> bool:
    """Whether a question waits past the service level at `now`: REMIND_AFTER working days
    waited, the moment its adviser is reminded."""
    return question.waiting and _due_at(_first_day(question, cal), REMIND_AFTER, cal) <= now


def _first_day(question: WaitingQuestion, cal: WorkCalendar) -> dt.date:
    """The first local day the question counts as waited: its first working moment's."""
    return cal.local_date(cal.next_allowed(question.asked_at))


def _due_at(first_day: dt.date, working_days: int, cal: WorkCalendar) -> dt.datetime:
    """The start of the working day after `working_days` counted from `first_day`."""
    return cal.at(cal.add_working_days(first_day, working_days), cal.quiet_end)


@dataclass(frozen=True)
class _Step:
    """One step of the ladder: due `at`, goes out on local `day`, `waited` working days by then."""

    at: dt.datetime
    day: dt.date
    waited: int


def _step(first_day: dt.date, working_days: int, now: dt.datetime, cal: WorkCalendar) -> _Step:
    at = _due_at(first_day, working_days, cal)
    day = cal.local_date(cal.next_allowed(max(at, now)))
    one_day = dt.timedelta(days=1)
    return _Step(at, day, cal.working_days_between(first_day - one_day, day - one_day))


def _question_plan(
    question: WaitingQuestion, state: SlaState, calendar: WorkCalendar
) -> list[Due]:
    """The adviser reminded after REMIND_AFTER working days, the coordinators alerted after
    ESCALATE_AFTER (both counted from the first working moment after it was asked)."""
    first_day = _first_day(question, calendar)
    about: dict[str, Any] = {
        "question": question.id,
        "jst_name": question.jst_name,
        "teryt": question.teryt,
        "followup": question.followup_id is not None,
    }
    remind = _step(first_day, REMIND_AFTER, state.now, calendar)
    escalate = _step(first_day, ESCALATE_AFTER, state.now, calendar)
    return _reminder(question, remind, about) + _alerts(question, escalate, about, state)


def _reminder(question: WaitingQuestion, remind: _Step, about: dict[str, Any]) -> list[Due]:
    """The adviser on duty that day, reminded with the question's text."""
    adviser = question.adviser_on(remind.day)
    if adviser is None:
        return []
    values = about | {
        "text": question.text,
        "asked_at": question.asked_at,
        "working_days": remind.waited,
    }
    key = f"q-sla:{question.id}:adviser:{REMIND_AFTER}wd{question.round}"
    return [Due(key, adviser, ADVISER_TEMPLATE, remind.at, values=values, jst_id=question.jst_id)]


def _alerts(
    question: WaitingQuestion, escalate: _Step, about: dict[str, Any], state: SlaState
) -> list[Due]:
    """Every coordinator alerted by e-mail, naming the adviser on duty that day."""
    adviser = question.adviser_on(escalate.day)
    values = about | {  # JSON: the e-mail is rendered when it is sent
        "adviser": None if adviser is None else state.advisers.get(adviser),
        "asked_at": question.asked_at.isoformat(),
        "working_days": escalate.waited,
    }
    return [
        Due(
            key=f"q-sla:{question.id}:coord:{coordinator}:{ESCALATE_AFTER}wd{question.round}",
            person_id=coordinator,
            template=COORDINATOR_TEMPLATE,
            at=escalate.at,
            values=values,
            jst_id=question.jst_id,
            channel=Channel.EMAIL,
            delivery=Delivery.AT_LEAST_ONCE,  # an alert may not be lost; its Message-ID is stable
        )
        for coordinator in state.coordinators
    ]


def _adviser_ids(questions: list[WaitingQuestion]) -> set[int]:
    ids = {q.adviser_id for q in questions if q.adviser_id is not None}
    for question in questions:
        if question.assignment is not None:
            ids.add(question.assignment.adviser_id)
            if question.assignment.substitute_id is not None:
                ids.add(question.assignment.substitute_id)
    return ids
