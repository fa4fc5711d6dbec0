"""Erasure requests as the operator sees them: the list (`advisorybot erasure list`) and whom
`advisorybot erase` is about, before it asks. A name and an address only while the person is
not erased."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.erasure import OPEN, open_request
from storage.models import (
    AdviserAssignment,
    Answer,
    ErasureRequest,
    ErasureState,
    Jst,
    Person,
    Question,
)
from storage.people import erased_address, person_by_email, reachable_on_telegram


async def erased_on(session: AsyncSession, email: str) -> dt.datetime | None:
    """When the person who had this e-mail was erased (None: nobody was)."""
    return await session.scalar(
        select(Person.erased_at).where(Person.email == erased_address(email))
    )


@dataclass(frozen=True)
class ErasureTarget:
    """Whom an erasure is about, as the operator confirms it: who, their open request, what
    of theirs goes (questions, follow-ups) and what they hold (JSTs they advise)."""

    person_id: int
    name: str
    email: str
    role: str
    gender: str
    jst_name: str | None
    on_telegram: bool
    questions: int
    answers: int
    advised: int
    request: ErasureView | None

    @property
    def under_way(self) -> bool:
        """Confirmed already (a run that waited for the confirmation): not asked again."""
        return self.request is not None and self.request.state == ErasureState.CONFIRMING


async def erasure_target(session: AsyncSession, email: str) -> ErasureTarget | None:
    """The person (not erased) with this e-mail, as `advisorybot erase` shows them."""
    person = await person_by_email(session, email)
    if person is None:
        return None
    jst = await session.get(Jst, person.jst_id) if person.jst_id is not None else None
    request = await open_request(session, person.id)

    async def count(query: Any) -> int:
        return int(await session.scalar(query) or 0)

    return ErasureTarget(
        person_id=person.id,
        name=person.full_name,
        email=person.email,
        role=person.role.value,
        gender=person.gender.value,
        jst_name=jst.name if jst else None,
        on_telegram=reachable_on_telegram(person),
        questions=await count(select(func.count()).where(Question.asker_id == person.id)),
        answers=await count(select(func.count()).where(Answer.author_id == person.id)),
        advised=await count(
            select(func.count()).where(
                (AdviserAssignment.adviser_id == person.id)
                | (AdviserAssignment.substitute_id == person.id)
            )
        ),
        request=None if request is None else _view(request, person, jst.name if jst else None),
    )


@dataclass(frozen=True)
class ErasureView:
    """A request as the operator's list shows it; the name and address only while the person
    is not erased."""

    request_id: int
    person_id: int
    state: str
    via: str
    requested_at: dt.datetime
    deadline: dt.date
    cancelled_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    done_at: dt.datetime | None
    done_by: str | None
    name: str | None
    email: str | None
    role: str
    gender: str
    jst_name: str | None


async def erasure_requests(session: AsyncSession, *, closed: bool) -> list[ErasureView]:
    """Open requests, nearest deadline first; with `closed`, then the done and cancelled
    ones, newest first."""
    query = (
        select(ErasureRequest, Person, Jst.name)
        .join(Person, Person.id == ErasureRequest.person_id)
        .outerjoin(Jst, Jst.id == Person.jst_id)
    )
    open_ones = await session.execute(
        query.where(ErasureRequest.state.in_(OPEN)).order_by(
            ErasureRequest.deadline, ErasureRequest.id
        )
    )
    found = list(open_ones)
    if closed:
        found += list(
            await session.execute(
                query.where(ErasureRequest.state.not_in(OPEN)).order_by(ErasureRequest.id.desc())
            )
        )
    return [_view(request, person, jst_name) for request, person, jst_name in found]


def _view(request: ErasureRequest, person: Person, jst_name: str | None) -> ErasureView:
    erased = person.erased_at is not None
    return ErasureView(
        request_id=request.id,
        person_id=person.id,
        state=request.state.value,
        via=request.via,
        requested_at=request.requested_at,
        deadline=request.deadline,
        cancelled_at=request.cancelled_at,
        confirmed_at=request.confirmed_at,
        done_at=request.done_at,
        done_by=request.done_by,
        name=None if erased else person.full_name,
        email=None if erased else person.email,
        role=person.role.value,
        gender=person.gender.value,
        jst_name=jst_name,
    )
