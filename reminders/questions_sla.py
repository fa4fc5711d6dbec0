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
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from core.service_level import ESCALATE_AFTER, REMIND_AFTER, due_at, first_day
from reminders.schedule import Due
from storage.models import Channel, Delivery
from storage.questions.waiting import WaitingQuestion, open_questions
from storage.rosters import coordinator_ids, names_of

ADVISER_TEMPLATE = "question_sla_adviser"
COORDINATOR_TEMPLATE = "question_sla_coordinator"


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


@dataclass(frozen=True)
class _Step:
    """One step of the ladder: due `at`, goes out on local `day`, `waited` working days by then."""

    at: dt.datetime
    day: dt.date
    waited: int


def _step(first_day: dt.date, working_days: int, now: dt.datetime, cal: WorkCalendar) -> _Step:
    at = due_at(first_day, working_days, cal)
    day = cal.local_date(cal.next_allowed(max(at, now)))
    one_day = dt.timedelta(days=1)
    return _Step(at, day, cal.working_days_between(first_day - one_day, day - one_day))


def _question_plan(
    question: WaitingQuestion, state: SlaState, calendar: WorkCalendar
) -> list[Due]:
    """The adviser reminded after REMIND_AFTER working days, the coordinators alerted after
    ESCALATE_AFTER (both counted from the first working moment after it was asked)."""
    start = first_day(question, calendar)
    about: dict[str, Any] = {
        "question": question.id,
        "jst_name": question.jst_name,
        "teryt": question.teryt,
        "followup": question.followup_id is not None,
    }
    remind = _step(start, REMIND_AFTER, state.now, calendar)
    escalate = _step(start, ESCALATE_AFTER, state.now, calendar)
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
