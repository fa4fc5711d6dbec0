"""A JST's record as those who oversee it read it on the web view's JST page, beside its team
view (storage/team.py): every monthly report with its answers, the questions with their
threads, and which of its tasks have a row (their hand-ins' files are found by that row).

The caller checks the JST is one they see (`Caller.jst_ids`); a question read alone is checked
by `storage.questions.threads.question_for_adviser` before it is shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Jst, MonthlyReport, Question, TaskProgress
from storage.programme import ReportQuestion
from storage.questions.threads import files_of
from storage.reports import Answer as ReportAnswer
from storage.reports import report_questions, shown_answers, slot_of
from storage.rosters import names_of

QUESTIONS_SHOWN = 50  # the newest; older ones stay in the bot and the exports


@dataclass(frozen=True)
class ReportRecord:
    """A month's report as stored: its state, when it was sent, and the answers given."""

    code: str
    month: dt.date  # the month it is about
    state: str
    submitted_at: dt.datetime | None
    late: bool
    answers: tuple[tuple[ReportQuestion, ReportAnswer], ...]


@dataclass(frozen=True)
class ThreadEntry:
    """One message of a question's thread: an answer, or the asker's follow-up."""

    author: str
    text: str
    files: int
    at: dt.datetime
    to_team: bool
    by_asker: bool


@dataclass(frozen=True)
class QuestionRecord:
    number: int
    jst_id: int
    asker: str
    text: str
    state: str
    files: int
    created_at: dt.datetime
    entries: tuple[ThreadEntry, ...]


async def jst_reports(session: AsyncSession, jst_id: int) -> list[ReportRecord]:
    """Every report of the JST (drafts too), by month, with the answers its form asked."""
    reports = list(
        await session.scalars(
            select(MonthlyReport)
            .where(MonthlyReport.jst_id == jst_id)
            .order_by(MonthlyReport.step_code)
        )
    )
    if not reports:
        return []
    questions = await report_questions(session, jst_id)
    return [
        ReportRecord(
            code=report.step_code,
            month=(await slot_of(session, report)).month,
            state=report.state.value,
            submitted_at=report.submitted_at,
            late=report.late,
            answers=tuple(shown_answers(questions, report.answers)),
        )
        for report in reports
    ]


async def jst_questions(
    session: AsyncSession, jst_id: int, *, limit: int = QUESTIONS_SHOWN
) -> list[QuestionRecord]:
    """The JST's newest questions with their threads, newest first."""
    questions = await session.scalars(
        select(Question)
        .where(Question.jst_id == jst_id)
        .order_by(Question.created_at.desc(), Question.id.desc())
        .limit(limit)
    )
    return await question_records(session, list(questions))


async def question_records(
    session: AsyncSession, questions: Sequence[Question]
) -> list[QuestionRecord]:
    """These questions with their askers' names and their threads, in their order."""
    ids = [question.id for question in questions]
    answers = list(
        await session.scalars(
            select(Answer)
            .where(Answer.question_id.in_(ids))
            .order_by(Answer.created_at, Answer.id)
        )
    )
    names = await names_of(
        session, [q.asker_id for q in questions] + [a.author_id for a in answers]
    )
    threads: dict[int, list[ThreadEntry]] = defaultdict(list)
    askers = {question.id: question.asker_id for question in questions}
    for answer in answers:
        threads[answer.question_id].append(
            ThreadEntry(
                author=names.get(answer.author_id, ""),
                text=answer.text,
                files=len(files_of(answer.attachments)),
                at=answer.created_at,
                to_team=answer.to_team,
                by_asker=answer.author_id == askers[answer.question_id],
            )
        )
    return [
        QuestionRecord(
            number=question.id,
            jst_id=question.jst_id,
            asker=names.get(question.asker_id, ""),
            text=question.text,
            state=question.state.value,
            files=len(files_of(question.attachments)),
            created_at=question.created_at,
            entries=tuple(threads[question.id]),
        )
        for question in questions
    ]


async def task_rows(session: AsyncSession, jst_id: int) -> dict[str, int]:
    """The JST's task rows (`TaskProgress.id`) by task code: a task without one has no
    hand-in yet."""
    rows = await session.execute(
        select(TaskProgress.step_code, TaskProgress.id).where(TaskProgress.jst_id == jst_id)
    )
    return {code: progress_id for code, progress_id in rows}


async def jst_ids_by_teryt(session: AsyncSession, jst_ids: Collection[int]) -> dict[str, int]:
    """These JSTs' ids by their TERYT codes."""
    rows = await session.execute(select(Jst.teryt, Jst.id).where(Jst.id.in_(list(jst_ids))))
    return {teryt: jst_id for teryt, jst_id in rows}
