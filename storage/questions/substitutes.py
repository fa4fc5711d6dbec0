"""An adviser hands their JSTs to a substitute for a period (/zastepstwo).

The substitute is on duty from the first to the last day (local dates, inclusive); when the
period has begun, the open questions of those JSTs move to the substitute at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import AdviserAssignment, Jst, Person, Question, QuestionState, Role


class SubstituteRefusal(StrEnum):
    """Why /zastepstwo was refused (the reply template picks its sentence)."""

    NO_JSTS = "no_jsts"  # the caller is not the main adviser of any JST
    UNKNOWN_ADVISER = "unknown_adviser"  # no adviser with that e-mail
    SELF = "self"
    BAD_PERIOD = "bad_period"  # the first day is after the last
    PAST = "past"  # the period has already ended


class SubstituteRefused(Exception):
    """A substitution was not set; nothing changed."""

    def __init__(self, reason: SubstituteRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class Substitution:
    """What was set: who stands in, when, for which JSTs, and which questions moved now."""

    adviser: Person
    substitute: Person
    first: dt.date
    last: dt.date
    jsts: tuple[Jst, ...]
    moved: tuple[int, ...]


async def set_substitute(
    session: AsyncSession,
    *,
    adviser_id: int,
    substitute_email: str,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    today: dt.date,
) -> Substitution:
    """Set the substitute of every JST the adviser is the main adviser of (replacing any other)."""
    if first > last:
        raise SubstituteRefused(SubstituteRefusal.BAD_PERIOD)
    if last < today:
        raise SubstituteRefused(SubstituteRefusal.PAST)
    substitute = await _substitute_named(session, substitute_email, adviser_id)
    assignments = await _main_assignments(session, adviser_id)
    for assignment in assignments:
        assignment.substitute_id = substitute.id
        assignment.substitute_from = first
        assignment.substitute_until = last
    jst_ids = [assignment.jst_id for assignment in assignments]
    moved = await _move_open_questions(session, jst_ids, substitute.id) if first <= today else ()
    jsts = await session.scalars(select(Jst).where(Jst.id.in_(jst_ids)).order_by(Jst.name))
    substitution = Substitution(
        adviser=await session.get_one(Person, adviser_id),
        substitute=substitute,
        first=first,
        last=last,
        jsts=tuple(jsts),
        moved=moved,
    )
    _audit(session, now, substitution, jst_ids)
    return substitution


async def _substitute_named(session: AsyncSession, email: str, adviser_id: int) -> Person:
    """The adviser with that e-mail, who is not the one asking."""
    substitute = await session.scalar(
        select(Person).where(
            Person.email == email.strip().lower(),
            Person.role == Role.ADVISER,
            Person.erased_at.is_(None),
        )
    )
    if substitute is None:
        raise SubstituteRefused(SubstituteRefusal.UNKNOWN_ADVISER)
    if substitute.id == adviser_id:
        raise SubstituteRefused(SubstituteRefusal.SELF)
    return substitute


async def _main_assignments(session: AsyncSession, adviser_id: int) -> Sequence[AdviserAssignment]:
    """The assignments of the JSTs the adviser is the main adviser of; at least one."""
    assignments = (
        await session.scalars(
            select(AdviserAssignment).where(AdviserAssignment.adviser_id == adviser_id)
        )
    ).all()
    if not assignments:
        raise SubstituteRefused(SubstituteRefusal.NO_JSTS)
    return assignments


def _audit(
    session: AsyncSession, now: dt.datetime, substitution: Substitution, jst_ids: list[int]
) -> None:
    """Who stands in for whom and when, and which questions moved at once."""
    sub = substitution
    audit.record(
        session,
        now,
        actor=f"person:{sub.adviser.id}",
        action="substitute_set",
        entity="person",
        entity_id=sub.adviser.id,
        substitute_id=sub.substitute.id,
        first=sub.first.isoformat(),
        last=sub.last.isoformat(),
        jst_ids=jst_ids,
        moved_questions=list(sub.moved),
    )


async def _move_open_questions(
    session: AsyncSession, jst_ids: list[int], substitute_id: int
) -> tuple[int, ...]:
    questions = await session.scalars(
        select(Question)
        .where(Question.jst_id.in_(jst_ids), Question.state == QuestionState.OPEN)
        .order_by(Question.created_at, Question.id)
    )
    moved = []
    for question in questions:
        question.adviser_id = substitute_id
        moved.append(question.id)
    return tuple(moved)
