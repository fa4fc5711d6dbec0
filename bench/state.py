"""The programme's state at `now` for generated teams: tasks in every state of the review loop
(with their history), monthly reports submitted or not, questions answered and still open."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.rows import insert_rows
from storage.models import (
    Answer,
    MonthlyReport,
    ProgrammeStep,
    Question,
    QuestionState,
    ReportState,
    TaskEvent,
    TaskProgress,
    TaskState,
)
from storage.programme_calendar import REPORT, TASK
from storage.tasks.views import Evidence, stored_pieces

# Of the tasks past their date: accepted, submitted, returned; the rest are overdue.
PAST_STATES = ((TaskState.ACCEPTED, 0.80), (TaskState.SUBMITTED, 0.07), (TaskState.RETURNED, 0.03))
EXTENDED_SHARE = 0.2  # of the overdue ones
EARLY_SHARE = 0.1  # tasks of the current phase already submitted
REPORT_SUBMITTED, REPORT_DRAFT = 0.75, 0.05
OPEN_QUESTION_SHARE = 0.06  # JSTs with a question waiting for its answer
ANSWERED_PER_JST = (0, 1, 1, 2, 2, 3, 4)
QUESTIONS = (
    "Czy arkusz diagnozy wstępnej wypełniamy dla każdej szkoły osobno?",
    "Jak udostępnić wyniki SELFIE nauczycielom?",
    "Czy debata może się odbyć w formule hybrydowej?",
    "Kto z zespołu powinien przedstawić HDR radzie gminy?",
    "Do kiedy trzeba przekazać plan do ORE?",
    "Czy możemy przesunąć termin zadania wdrożeniowego o dwa tygodnie?",
    "Jak opisać działania, które się opóźniły, w raporcie miesięcznym?",
)
ANSWER = "Tak, proszę postępować zgodnie z wytycznymi ze zjazdu; szczegóły w materiałach."
EVIDENCE = "Protokół ze spotkania zespołu i wnioski (link w dokumentach gminy)"
RESOLUTION = "UCHWALA"  # the shipped template's: a JST that hands it in has adopted its plan


async def add_state(
    session: AsyncSession,
    cohort_id: int,
    members: list[tuple[int, int]],
    adviser_of: dict[int, int],
    *,
    rng: random.Random,
    now: dt.datetime,
) -> dict[str, int]:
    """Rows for every JST's tasks, reports and questions; the number of rows per table."""
    steps = list(
        await session.scalars(select(ProgrammeStep).where(ProgrammeStep.cohort_id == cohort_id))
    )
    team = _teams(members)
    tasks = _Tasks(rng, now)
    for jst_id, people in team.items():
        for step in steps:
            if step.kind == TASK and step.due_on is not None:
                tasks.add(jst_id, step, people, adviser_of[jst_id])
    progress_ids = await insert_rows(session, TaskProgress, tasks.progress)
    events = tasks.events_of(progress_ids)
    await insert_rows(session, TaskEvent, events)
    reports = _reports(steps, team, rng, now)
    await insert_rows(session, MonthlyReport, reports)
    questions, answered = _questions(team, adviser_of, rng, now)
    question_ids = await insert_rows(session, Question, questions)
    answers = _answers(questions, question_ids, answered)
    await insert_rows(session, Answer, answers)
    return {
        "task_progress": len(progress_ids),
        "task_events": len(events),
        "monthly_reports": len(reports),
        "questions": len(question_ids),
        "answers": len(answers),
    }


def _teams(members: list[tuple[int, int]]) -> dict[int, list[int]]:
    """JST id -> its members' ids (`members`: person id, JST id)."""
    team: dict[int, list[int]] = defaultdict(list)
    for person_id, jst_id in members:
        team[jst_id].append(person_id)
    return team


def _answers(
    questions: list[dict[str, Any]], ids: list[int], answered: list[tuple[int, dt.datetime]]
) -> list[dict[str, Any]]:
    """The adviser's first answer to each answered question (`answered`: index, when)."""
    return [
        {
            "question_id": ids[index],
            "author_id": questions[index]["adviser_id"],
            "text": ANSWER,
            "attachments": {},
            "to_team": False,
            "source_key": f"bench:a{index}",
            "created_at": answered_at,
        }
        for index, answered_at in answered
    ]


class _Tasks:
    """TaskProgress rows and their TaskEvents (an event points at its row by index)."""

    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng, self.now, self.today = rng, now, now.date()
        self.progress: list[dict[str, Any]] = []
        self.events: list[tuple[int, dict[str, Any]]] = []

    def add(self, jst_id: int, step: ProgrammeStep, people: list[int], adviser: int) -> None:
        assert step.due_on is not None
        rng, today = self.rng, self.today
        if step.due_on < today:
            draw, state = rng.random(), TaskState.PENDING
            for candidate, share in PAST_STATES:
                if draw < share:
                    state = candidate
                    break
                draw -= share
        elif step.starts_on <= today and rng.random() < EARLY_SHARE:
            state = TaskState.SUBMITTED
        else:
            return
        if state is TaskState.PENDING:
            if rng.random() < EXTENDED_SHARE:
                self._row(jst_id, step, state, extended_until=today + dt.timedelta(days=30))
            return
        self._reviewed(jst_id, step, state, rng.choice(people), adviser)

    def events_of(self, progress_ids: list[int]) -> list[dict[str, Any]]:
        """The events, each with the id its row got."""
        return [
            event | {"details": event["details"] | {"progress_id": progress_ids[index]}}
            for index, event in self.events
        ]

    def _reviewed(
        self, jst_id: int, step: ProgrammeStep, state: TaskState, member: int, adviser: int
    ) -> None:
        submitted = self._submitted_at(step, state)
        reviewed = min(submitted + dt.timedelta(days=self.rng.uniform(1, 8)), self.now)
        returned = state is TaskState.RETURNED
        row = self._row(
            jst_id,
            step,
            state,
            submitted_at=submitted,
            submitted_by_id=member,
            evidence=EVIDENCE,
            review_round=int(returned),
            reviewed_at=reviewed if state is not TaskState.SUBMITTED else None,
            reviewed_by_id=adviser if state is not TaskState.SUBMITTED else None,
            accepted_at=reviewed if state is TaskState.ACCEPTED else None,
            review_remarks="Proszę uzupełnić wnioski z debaty." if returned else None,
            **self._resolution(step, submitted),
        )
        evidence = stored_pieces([Evidence("text", EVIDENCE)])
        self._event(row, "submitted", member, submitted, note=EVIDENCE, evidence=evidence)
        if state is TaskState.ACCEPTED:
            self._event(row, "accepted", adviser, reviewed)
        elif returned:
            until = (reviewed + dt.timedelta(days=5)).date().isoformat()
            self._event(row, "returned", adviser, reviewed, until=until)

    @staticmethod
    def _resolution(step: ProgrammeStep, submitted: dt.datetime) -> dict[str, Any]:
        """The resolution handed in with its task: adopted the day it was recorded (its JST's
        monitoring starts the month after: storage/monitoring.py)."""
        if step.code != RESOLUTION:
            return {}
        return {"resolution_number": "XIV/112/2027", "resolution_date": submitted.date()}

    def _submitted_at(self, step: ProgrammeStep, state: TaskState) -> dt.datetime:
        """Days ago for a task still in review; an accepted one some time in its phase."""
        if state is not TaskState.ACCEPTED:
            return self.now - dt.timedelta(days=self.rng.uniform(1, 12))
        opened = dt.datetime.combine(step.starts_on, dt.time(9), dt.UTC)
        return opened + (self.now - opened) * self.rng.uniform(0.2, 0.8)

    def _row(self, jst_id: int, step: ProgrammeStep, state: TaskState, **fields: Any) -> int:
        self.progress.append(
            {
                "jst_id": jst_id,
                "step_code": step.code,
                "state": state,
                "review_round": 0,
                "updated_at": fields.get("reviewed_at") or fields.get("submitted_at") or self.now,
                **fields,
            }
        )
        return len(self.progress) - 1

    def _event(
        self,
        row: int,
        action: str,
        person: int,
        at: dt.datetime,
        note: str | None = None,
        **details: Any,
    ) -> None:
        progress = self.progress[row]
        details |= {"source": f"bench:{row}:{action}", "round": 0}
        self.events.append(
            (
                row,
                {
                    "jst_id": progress["jst_id"],
                    "step_code": progress["step_code"],
                    "action": action,
                    "person_id": person,
                    "note": note,
                    "details": details,
                    "at": at,
                },
            )
        )


def _reports(
    steps: list[ProgrammeStep], team: dict[int, list[int]], rng: random.Random, now: dt.datetime
) -> list[dict[str, Any]]:
    """Months that have ended: most reports submitted (some late), a few drafts."""
    rows = []
    for step in steps:
        if step.kind == REPORT and step.ends_on < now.date() and step.due_on is not None:
            rows += _month_reports(step, team, rng, now)
    return rows


def _month_reports(
    step: ProgrammeStep, team: dict[int, list[int]], rng: random.Random, now: dt.datetime
) -> list[dict[str, Any]]:
    """The teams' reports of one month that has ended (more missing while it is collected)."""
    assert step.due_on is not None
    collecting = step.due_on >= now.date()
    rows = []
    for jst_id, people in team.items():
        draw = rng.random() * (2 if collecting else 1)
        if draw >= REPORT_SUBMITTED + REPORT_DRAFT:
            continue
        author = rng.choice(people)
        closed = dt.datetime.combine(step.ends_on, dt.time(12), dt.UTC)
        at = min(closed + dt.timedelta(days=rng.uniform(1, 20)), now)
        submitted = draw < REPORT_SUBMITTED
        rows.append(
            {
                "jst_id": jst_id,
                "step_code": step.code,
                "state": ReportState.SUBMITTED if submitted else ReportState.DRAFT,
                "answers": {"progress": rng.randint(2, 5), "done": EVIDENCE},
                "started_by_id": author,
                "submitted_by_id": author if submitted else None,
                "submitted_at": at if submitted else None,
                "late": submitted and at.date() > step.due_on,
                "version": int(submitted),
                "updated_at": at,
            }
        )
    return rows


def _questions(
    team: dict[int, list[int]], adviser_of: dict[int, int], rng: random.Random, now: dt.datetime
) -> tuple[list[dict[str, Any]], list[tuple[int, dt.datetime]]]:
    """Answered questions spread over the past months, and some waiting now."""
    rows: list[dict[str, Any]] = []
    answered: list[tuple[int, dt.datetime]] = []
    for jst_id, people in team.items():
        for asked in _asks(rng, now):
            waiting = asked > now - dt.timedelta(days=7)
            first_answer = None if waiting else asked + dt.timedelta(hours=rng.uniform(1, 72))
            if first_answer is not None:
                answered.append((len(rows), first_answer))
            rows.append(
                {
                    "jst_id": jst_id,
                    "asker_id": rng.choice(people),
                    "adviser_id": adviser_of[jst_id],
                    "text": rng.choice(QUESTIONS),
                    "attachments": {},
                    "state": QuestionState.OPEN if waiting else QuestionState.CLOSED,
                    "source_key": f"bench:q{len(rows)}",
                    "created_at": asked,
                    "first_answered_at": first_answer,
                    "closed_at": None if waiting else first_answer,
                }
            )
    return rows, answered


def _asks(rng: random.Random, now: dt.datetime) -> list[dt.datetime]:
    """When a team asked: a few times over the past months, and now and then in the last days."""
    asks = [
        now - dt.timedelta(days=rng.uniform(7, 120)) for _ in range(rng.choice(ANSWERED_PER_JST))
    ]
    if rng.random() < OPEN_QUESTION_SHARE:
        asks.append(now - dt.timedelta(days=rng.uniform(0.1, 8)))
    return asks
