"""The questions waiting for an answer, as the service level sees them: since when each waits,
in which JST, and who should answer it (a follow-up after an answer waits again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdviserAssignment, Jst, Question, QuestionState
from storage.questions.threads import pending_followups


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
