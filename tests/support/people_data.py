"""Test data around people: advisers and their substitutes, questions, answers, invites."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.invites import hash_code
from storage.models import (
    AdviserAssignment,
    Answer,
    Base,
    Invite,
    Jst,
    Person,
    Question,
    QuestionState,
)
from tests.support.programme_data import CREATED

INVITE_TTL = dt.timedelta(days=30)
Row = TypeVar("Row", bound=Base)


async def _stored(session: AsyncSession, row: Row) -> Row:
    """The row, flushed so that it has its id."""
    session.add(row)
    await session.flush()
    return row


async def assign_adviser(
    session: AsyncSession,
    jst: Jst,
    adviser: Person,
    *,
    substitute: Person | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> AdviserAssignment:
    """The JST's adviser, and a substitute for `period` (first and last day) if given."""
    first, last = period or (None, None)
    substitute_id = substitute.id if substitute else None
    return await _stored(
        session,
        AdviserAssignment(
            jst_id=jst.id,
            adviser_id=adviser.id,
            substitute_id=substitute_id,
            substitute_from=first,
            substitute_until=last,
        ),
    )


async def add_question(
    session: AsyncSession,
    asker: Person,
    text: str,
    *,
    state: QuestionState = QuestionState.OPEN,
    at: dt.datetime = CREATED,
) -> Question:
    """A question the person asked in their own JST."""
    assert asker.jst_id is not None, "only a team member asks"
    return await _stored(
        session,
        Question(
            jst_id=asker.jst_id,
            asker_id=asker.id,
            text=text,
            attachments={},
            state=state,
            created_at=at,
        ),
    )


async def add_answer(
    session: AsyncSession, question: Question, author: Person, text: str, *, at: dt.datetime
) -> Answer:
    """An answer (or a follow-up) in the question's thread."""
    row = Answer(
        question_id=question.id, author_id=author.id, text=text, attachments={}, created_at=at
    )
    return await _stored(session, row)


async def add_invite(
    session: AsyncSession,
    person: Person,
    code: str,
    now: dt.datetime,
    *,
    used_at: dt.datetime | None = None,
    revoked_at: dt.datetime | None = None,
) -> Invite:
    """An invite created `now`, valid for INVITE_TTL unless used or revoked."""
    return await _stored(
        session,
        Invite(
            person_id=person.id,
            code_hash=hash_code(code),
            created_at=now,
            expires_at=now + INVITE_TTL,
            used_at=used_at,
            revoked_at=revoked_at,
        ),
    )
