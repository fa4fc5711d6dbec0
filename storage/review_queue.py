"""What waits for an adviser: submissions to review and questions to answer, oldest first.

Scoped like everything an adviser does: the JSTs they advise, or stand in for today. Opening
one item again is checked the same way on every press (`waiting_submission`,
`waiting_question`): a record of another adviser's JST, or one no longer waiting, is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, Question, QuestionState, TaskEvent, TaskProgress, TaskState
from storage.people import visible_jsts
from storage.questions.threads import (
    OpenQuestion,
    QuestionRefused,
    Refusal,
    open_questions,
    question_for_adviser,
)
from storage.tasks.rows import TaskRefused, advises
from storage.tasks.transitions import FOR_REVIEW
from storage.tasks.views import TaskChange, task_changes

TASK, QUESTION = "task", "question"


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for an adviser: a submission to review, or a question to answer."""

    kind: str  # TASK | QUESTION
    record_id: int  # the task's row (TaskProgress.id), or the question's number
    jst_name: str
    teryt: str
    who: str | None  # who submitted it, or asked
    since: dt.datetime  # submitted, asked, or followed up after an answer
    files: int
    code: str | None = None  # a task: its code and short names (the `s.task` macro)
    label_pl: str | None = None
    label_en: str | None = None
    followed_up: bool = False
    review_round: int = 0  # a task: the round its submission waits in (a review names it)


async def waiting_for(session: AsyncSession, *, adviser_id: int, today: dt.date) -> list[Waiting]:
    """Submissions and open questions of the adviser's JSTs today, the oldest first."""
    adviser = await session.get_one(Person, adviser_id)
    jsts = await visible_jsts(session, adviser, today)
    items = [_submission(c) for c in await submissions_waiting(session, jsts)]
    questions = await open_questions(session, adviser_id=adviser_id, today=today)
    items += [_question(q) for q in questions]
    return sorted(items, key=lambda item: (item.since, item.kind, item.record_id))


async def submissions_waiting(session: AsyncSession, jst_ids: Sequence[int]) -> list[TaskChange]:
    """The latest submission of each task of these JSTs that waits for review."""
    if not jst_ids:
        return []
    events = await session.scalars(
        select(TaskEvent)
        .join(
            TaskProgress,
            and_(
                TaskProgress.jst_id == TaskEvent.jst_id,
                TaskProgress.step_code == TaskEvent.step_code,
            ),
        )
        .where(
            TaskProgress.state == TaskState.SUBMITTED,
            TaskEvent.jst_id.in_(jst_ids),
            TaskEvent.action.in_([action.value for action in FOR_REVIEW]),
        )
        .order_by(TaskEvent.at, TaskEvent.id)
    )
    latest = {(event.jst_id, event.step_code): event for event in events}
    return await task_changes(session, list(latest.values()))


async def waiting_submission(
    session: AsyncSession, progress_id: int, *, adviser_id: int, today: dt.date
) -> TaskChange:
    """The submission of this task row, if it waits for this adviser's review today."""
    progress = await session.get(TaskProgress, progress_id)
    if progress is None or progress.state != TaskState.SUBMITTED:
        raise TaskRefused("stale")
    if not await advises(session, adviser_id, progress.jst_id, today):
        raise TaskRefused("stale")
    found = await submissions_waiting(session, [progress.jst_id])
    change = next((c for c in found if c.progress_id == progress.id), None)
    if change is None:
        raise TaskRefused("stale")
    return change


async def waiting_question(
    session: AsyncSession, question_id: int, *, adviser_id: int, today: dt.date
) -> Question:
    """The question, if it is open and of a JST this adviser advises or stands in for today."""
    question = await question_for_adviser(session, question_id, adviser_id=adviser_id, today=today)
    if question.state is not QuestionState.OPEN:
        raise QuestionRefused(Refusal.CLOSED, question.id)
    return question


def _submission(change: TaskChange) -> Waiting:
    return Waiting(
        kind=TASK,
        record_id=change.progress_id,
        jst_name=change.jst_name,
        teryt=change.teryt,
        who=change.actor_name,
        since=change.at,
        files=sum(1 for piece in change.evidence if piece.is_file),
        code=change.code,
        label_pl=change.label_pl,
        label_en=change.label_en,
        review_round=change.review_round,
    )


def _question(question: OpenQuestion) -> Waiting:
    return Waiting(
        kind=QUESTION,
        record_id=question.number,
        jst_name=question.jst_name,
        teryt=question.teryt,
        who=question.asker,
        since=question.waiting_since,
        files=question.files,
        followed_up=question.followed_up,
    )
