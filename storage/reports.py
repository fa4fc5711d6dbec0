"""Monthly monitoring reports: one per JST and month, a team draft until a member submits it.

Answers are stored in `MonthlyReport.answers` (question key -> value) as they are given, so any
member, on any phone, after any restart, continues the same draft. Every submission (the first
and each correction until the month's due date) is kept in the audit log with its answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record
from storage.models import Cohort, Jst, MonthlyReport, Person, ProgrammeStep, ReportState
from storage.monitoring import monitoring_of
from storage.programme import (
    ReportQuestion,
    default_template_path,
    load_template,
    template_from_dict,
)
from storage.programme_calendar import CalendarStep

SUBMITTED_ACTION = "report_submitted"
YES = "yes"

Answer = int | str | bool | None


@dataclass(frozen=True)
class ReportSlot:
    """The report a JST is collecting now: its step and dates."""

    jst_id: int
    code: str
    title_pl: str
    title_en: str
    month: dt.date
    due_on: dt.date


@dataclass(frozen=True)
class Submission:
    """What a submit did: the stored version, whether it was late, a correction or refused."""

    report: MonthlyReport
    accepted: bool
    correction: bool


def _slot(jst_id: int, step: CalendarStep | ProgrammeStep) -> ReportSlot:
    assert step.due_on is not None, "report steps have a due date"
    return ReportSlot(jst_id, step.code, step.title_pl, step.title_en, step.starts_on, step.due_on)


async def ended_slots(session: AsyncSession, jst_id: int, today: dt.date) -> list[ReportSlot]:
    """Every report month of the JST that has ended by `today`, R01 first (none before its
    monitoring starts: storage/monitoring.py)."""
    monitoring = (await monitoring_of(session, [jst_id])).get(jst_id)
    return [_slot(jst_id, s) for s in monitoring.ended(today)] if monitoring else []


async def current_slot(session: AsyncSession, jst_id: int, today: dt.date) -> ReportSlot | None:
    """The report of the latest month that has ended."""
    ended = await ended_slots(session, jst_id, today)
    return ended[-1] if ended else None


async def unsent_slots(session: AsyncSession, jst_id: int, today: dt.date) -> list[ReportSlot]:
    """Ended months whose report the team has not submitted (a late report is still taken)."""
    submitted = set(
        await session.scalars(
            select(MonthlyReport.step_code).where(
                MonthlyReport.jst_id == jst_id, MonthlyReport.state == ReportState.SUBMITTED
            )
        )
    )
    return [
        slot for slot in await ended_slots(session, jst_id, today) if slot.code not in submitted
    ]


async def slot_of(session: AsyncSession, report: MonthlyReport) -> ReportSlot:
    """The month a stored report is about: the JST's own month, or the cohort's planned one
    for a report its monitoring no longer has (a resolution returned after it was written)."""
    monitoring = (await monitoring_of(session, [report.jst_id])).get(report.jst_id)
    own = monitoring.report(report.step_code) if monitoring else None
    if own is not None:
        return _slot(report.jst_id, own)
    jst = await session.get_one(Jst, report.jst_id)
    step = await session.scalar(
        select(ProgrammeStep).where(
            ProgrammeStep.cohort_id == jst.cohort_id, ProgrammeStep.code == report.step_code
        )
    )
    assert step is not None, "a report belongs to one of its cohort's steps"
    return _slot(report.jst_id, step)


async def report_questions(session: AsyncSession, jst_id: int) -> tuple[ReportQuestion, ...]:
    """The form's questions from the cohort's template (the shipped one for older cohorts)."""
    jst = await session.get_one(Jst, jst_id)
    cohort = await session.get_one(Cohort, jst.cohort_id)
    questions = template_from_dict(cohort.template).monitoring.question
    if not questions:
        questions = load_template(default_template_path()).monitoring.question
    return tuple(questions)


async def find_report(session: AsyncSession, jst_id: int, code: str) -> MonthlyReport | None:
    return await session.scalar(
        select(MonthlyReport).where(
            MonthlyReport.jst_id == jst_id, MonthlyReport.step_code == code
        )
    )


async def open_report(
    session: AsyncSession, slot: ReportSlot, person_id: int, now: dt.datetime
) -> MonthlyReport:
    """The team's report for the slot: the existing one, or a new empty draft."""
    report = await find_report(session, slot.jst_id, slot.code)
    if report is None:
        report = MonthlyReport(
            jst_id=slot.jst_id,
            step_code=slot.code,
            state=ReportState.DRAFT,
            answers={},
            started_by_id=person_id,
            late=False,
            version=0,
            updated_at=now,
        )
        session.add(report)
        await session.flush()
    return report


def asked(question: ReportQuestion, answers: dict[str, Any]) -> bool:
    """A follow-up question is asked only after "yes" to the question it depends on."""
    return question.only_if is None or answers.get(question.only_if) is True


def next_question(
    questions: Sequence[ReportQuestion], answers: dict[str, Any], after: str | None
) -> ReportQuestion | None:
    """The question after `after` (None: the first not yet answered), or None: confirm."""
    keys = [q.key for q in questions]
    start = keys.index(after) + 1 if after in keys else 0
    for question in questions[start:]:
        if asked(question, answers) and (after is not None or question.key not in answers):
            return question
    return None


def previous_question(
    questions: Sequence[ReportQuestion], answers: dict[str, Any], before: str | None
) -> ReportQuestion | None:
    """The question asked before `before` (None: the last one asked), for the Back button."""
    keys = [q.key for q in questions]
    end = keys.index(before) if before in keys else len(keys)
    earlier = [q for q in questions[:end] if asked(q, answers)]
    return earlier[-1] if earlier else None


def set_answer(report: MonthlyReport, key: str, value: Answer, now: dt.datetime) -> None:
    """Store one answer at once (the JSON column is replaced, not mutated, to be saved)."""
    report.answers = {**report.answers, key: value}
    report.updated_at = now


def shown_answers(
    questions: Sequence[ReportQuestion], answers: dict[str, Any]
) -> list[tuple[ReportQuestion, Answer]]:
    """The questions asked and their answers, in the form's order (for summaries)."""
    return [(q, answers.get(q.key)) for q in questions if asked(q, answers)]


async def submit_report(
    session: AsyncSession,
    report: MonthlyReport,
    slot: ReportSlot,
    person_id: int,
    now: dt.datetime,
    *,
    answers: dict[str, Any],
    local_today: dt.date,
) -> Submission:
    """Submit the draft (once, whoever is first) or corrected answers until the due date."""
    correction = report.state == ReportState.SUBMITTED
    if correction and local_today > slot.due_on:
        return Submission(report, accepted=False, correction=True)
    result = await session.execute(
        update(MonthlyReport)
        .where(MonthlyReport.id == report.id, MonthlyReport.version == report.version)
        .values(
            state=ReportState.SUBMITTED,
            answers=answers,
            submitted_by_id=person_id,
            submitted_at=now,
            late=report.late if correction else local_today > slot.due_on,
            version=report.version + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(report)
    if getattr(result, "rowcount", 0) != 1:
        return Submission(report, accepted=False, correction=correction)
    _audit_submission(session, report, person_id, now)
    return Submission(report, accepted=True, correction=correction)


def _audit_submission(
    session: AsyncSession, report: MonthlyReport, person_id: int, now: dt.datetime
) -> None:
    """Each version submitted, with its answers (a correction is a version of its own)."""
    record(
        session,
        now,
        actor=f"person:{person_id}",
        action=SUBMITTED_ACTION,
        entity="monthly_report",
        entity_id=report.id,
        version=report.version,
        late=report.late,
        answers=report.answers,
    )


async def submitter(session: AsyncSession, report: MonthlyReport) -> Person | None:
    if report.submitted_by_id is None:
        return None
    return await session.get_one(Person, report.submitted_by_id)
