"""A question's thread: adviser answers, the asker's follow-ups, sharing with the team, closing.

Every write is keyed by the Telegram message it came from (`source_key`), so an update handled
twice after a crash records one answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import Answer, Person, Question, QuestionState
from storage.questions.threads import (
    Part,
    QuestionRefused,
    Refusal,
    Thread,
    adviser_on_duty,
    attachments_of,
    joined_text,
    load_thread,
    question_for_adviser,
)


@dataclass(frozen=True)
class AnswerInThread:
    """An answer or follow-up with its author and its question's thread."""

    answer: Answer
    author: Person
    thread: Thread


async def load_answer(session: AsyncSession, answer_id: int) -> AnswerInThread:
    """An answer with everything its messages name."""
    answer = await session.get_one(Answer, answer_id)
    return AnswerInThread(
        answer=answer,
        author=await session.get_one(Person, answer.author_id),
        thread=await load_thread(session, answer.question_id),
    )


async def record_answer(
    session: AsyncSession,
    question_id: int,
    *,
    adviser_id: int,
    parts: Sequence[Part],
    to_team: bool,
    source_key: str,
    now: dt.datetime,
    today: dt.date,
) -> Answer:
    """An adviser's answer, allowed for the JSTs they advise or stand in for today.

    The first answer sets `first_answered_at` (when it is committed; its delivery to the asker is
    queued in the same transaction).
    """
    existing = await _by_source(session, source_key)
    if existing is not None:
        return existing
    question = await question_for_adviser(session, question_id, adviser_id=adviser_id, today=today)
    if question.state is QuestionState.CLOSED:
        raise QuestionRefused(Refusal.CLOSED, question.id)
    question.state = QuestionState.ANSWERED
    if question.first_answered_at is None:
        question.first_answered_at = now
    return await _add(
        session,
        question,
        author_id=adviser_id,
        parts=parts,
        to_team=to_team,
        source_key=source_key,
        now=now,
    )


async def record_followup(
    session: AsyncSession,
    question_id: int,
    *,
    member_id: int,
    parts: Sequence[Part],
    source_key: str,
    now: dt.datetime,
    today: dt.date,
) -> Answer:
    """The asker writes more in their thread: open again, for the adviser on duty now."""
    existing = await _by_source(session, source_key)
    if existing is not None:
        return existing
    question = await session.get(Question, question_id)
    if question is None:
        raise QuestionRefused(Refusal.UNKNOWN, question_id)
    if question.asker_id != member_id:
        raise QuestionRefused(Refusal.NOT_ASKER, question.id)
    question.state = QuestionState.OPEN
    question.closed_at = None
    adviser = await adviser_on_duty(session, question.jst_id, today)
    if adviser is not None:
        question.adviser_id = adviser.id
    return await _add(
        session,
        question,
        author_id=member_id,
        parts=parts,
        to_team=False,
        source_key=source_key,
        now=now,
    )


async def share_with_team(
    session: AsyncSession, answer_id: int, *, adviser_id: int, today: dt.date, now: dt.datetime
) -> Answer:
    """Mark an adviser's answer for the asker's whole team (re-authorized on every press;
    audited: the team reads what one member asked)."""
    answer = await session.get(Answer, answer_id)
    if answer is None:
        raise QuestionRefused(Refusal.UNKNOWN)
    question = await question_for_adviser(
        session, answer.question_id, adviser_id=adviser_id, today=today
    )
    if answer.author_id == question.asker_id:
        raise QuestionRefused(Refusal.UNKNOWN, question.id)
    if not answer.to_team:
        answer.to_team = True
        audit.record(
            session,
            now,
            actor=f"person:{adviser_id}",
            action="answer_shared",
            entity="answer",
            entity_id=answer.id,
            question_id=question.id,
        )
    return answer


async def close_question(
    session: AsyncSession, question_id: int, *, adviser_id: int, now: dt.datetime, today: dt.date
) -> bool:
    """Close a question of the adviser's JSTs; False if it was already closed."""
    question = await question_for_adviser(session, question_id, adviser_id=adviser_id, today=today)
    if question.state is QuestionState.CLOSED:
        return False
    question.state = QuestionState.CLOSED
    question.closed_at = now
    audit.record(
        session,
        now,
        actor=f"person:{adviser_id}",
        action="question_closed",
        entity="question",
        entity_id=question.id,
    )
    return True


async def _by_source(session: AsyncSession, source_key: str) -> Answer | None:
    return await session.scalar(select(Answer).where(Answer.source_key == source_key))


async def _add(
    session: AsyncSession,
    question: Question,
    *,
    author_id: int,
    parts: Sequence[Part],
    to_team: bool,
    source_key: str,
    now: dt.datetime,
) -> Answer:
    answer = Answer(
        question_id=question.id,
        author_id=author_id,
        text=joined_text(parts),
        attachments=attachments_of(parts),
        to_team=to_team,
        source_key=source_key,
        created_at=now,
    )
    session.add(answer)
    await session.flush()
    return answer
