"""Erasure requests (GDPR Art. 17) from request to done, in the caller's transaction.

A request is recorded with its date and its legal deadline, one month later (Art. 12(3)); the
person may cancel it while it is pending. The operator confirms it (`advisorybot erase`): it is
then `confirming` while the person's confirmation goes out, and `done` once the person is
anonymised (storage/anonymise.py), with when, by whom and counts of what changed. The request
row stays, naming only the person's (anonymised) row. `people.erasure_requested_at` follows the
open request, for what the person reads about themselves (/moje_dane).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.anonymise import Anonymised, anonymise_person
from storage.models import ErasureRequest, ErasureState, Person
from storage.people import person_by_email

DEADLINE = relativedelta(months=1)  # Art. 12(3): within one month of receipt
OPEN = (ErasureState.PENDING, ErasureState.CONFIRMING)
VIA_TELEGRAM = "telegram"
VIA_OPERATOR = "operator"  # a request that came another way (a letter, an e-mail)


class Cancelled(StrEnum):
    """What a press of "cancel the request" found."""

    CANCELLED = "cancelled"
    UNDER_WAY = "under_way"  # the operator has begun carrying it out
    GONE = "gone"  # not the presser's open request (cancelled, done, someone else's)


def deadline_for(received: dt.date) -> dt.date:
    """The legal deadline of a request received on this local day."""
    return received + DEADLINE


async def open_request(session: AsyncSession, person_id: int) -> ErasureRequest | None:
    """The person's request that is pending or being carried out, if any."""
    return await session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.person_id == person_id, ErasureRequest.state.in_(OPEN))
        .order_by(ErasureRequest.id)
        .limit(1)
    )


async def request_erasure(
    session: AsyncSession,
    person_id: int,
    now: dt.datetime,
    today: dt.date,
    *,
    via: str = VIA_TELEGRAM,
    actor: str | None = None,
) -> tuple[ErasureRequest, bool]:
    """Record a request received `today` (local); an open one is returned as it is. Whether
    it is new (audited, by the person unless `actor` recorded it for them)."""
    existing = await open_request(session, person_id)
    if existing is not None:
        return existing, False
    request = ErasureRequest(
        person_id=person_id,
        state=ErasureState.PENDING,
        via=via,
        requested_at=now,
        deadline=deadline_for(today),
        summary={},
    )
    session.add(request)
    await _stamp(session, person_id, now, now)
    await session.flush()
    _audit(session, now, actor or f"person:{person_id}", "erasure_requested", request)
    return request, True


async def cancel_erasure(
    session: AsyncSession, request_id: int, person_id: int, now: dt.datetime
) -> Cancelled:
    """The person withdraws their own pending request (checked on every press)."""
    request = await session.get(ErasureRequest, request_id, with_for_update=True)
    if request is None or request.person_id != person_id or request.state not in OPEN:
        return Cancelled.GONE
    if request.state is ErasureState.CONFIRMING:
        return Cancelled.UNDER_WAY
    request.state, request.cancelled_at = ErasureState.CANCELLED, now
    await _stamp(session, person_id, None, now)
    _audit(session, now, f"person:{person_id}", "erasure_cancelled", request)
    return Cancelled.CANCELLED


async def confirm_erasure(
    session: AsyncSession, person_id: int, now: dt.datetime, today: dt.date, *, actor: str
) -> ErasureRequest:
    """The operator's go-ahead: the open request (recorded now when it came another way)
    becomes `confirming`; one confirming already stays as it is."""
    request, _ = await request_erasure(
        session, person_id, now, today, via=VIA_OPERATOR, actor=actor
    )
    if request.state is ErasureState.PENDING:
        request.state, request.confirmed_at, request.confirmed_by = (
            ErasureState.CONFIRMING,
            now,
            actor,
        )
        _audit(session, now, actor, "erasure_confirmed", request)
    return request


async def complete_erasure(
    session: AsyncSession, request: ErasureRequest, now: dt.datetime, *, actor: str
) -> Anonymised:
    """Anonymise the person and record that it was done, when and by whom."""
    done = await anonymise_person(session, request.person_id, now)
    person = await session.get_one(Person, request.person_id)
    person.erased_at = now
    request.state, request.done_at, request.done_by = ErasureState.DONE, now, actor
    request.summary = done.as_json()
    _audit(session, now, actor, "person_erased", request, **done.as_json())
    return done


async def erase_person(
    session: AsyncSession, email: str, now: dt.datetime, today: dt.date, *, actor: str
) -> int | None:
    """Confirm and carry out at once (no confirmation to the person: for tests and the
    sandbox); the person's id, None for no such person."""
    person = await person_by_email(session, email)
    if person is None:
        return None
    request = await confirm_erasure(session, person.id, now, today, actor=actor)
    await complete_erasure(session, request, now, actor=actor)
    return person.id


async def _stamp(
    session: AsyncSession, person_id: int, requested_at: dt.datetime | None, now: dt.datetime
) -> None:
    await session.execute(
        update(Person)
        .where(Person.id == person_id)
        .values(erasure_requested_at=requested_at, updated_at=now)
    )


def _audit(
    session: AsyncSession,
    now: dt.datetime,
    actor: str,
    action: str,
    request: ErasureRequest,
    **details: int,
) -> None:
    audit.record(
        session,
        now,
        actor=actor,
        action=action,
        entity="person",
        entity_id=request.person_id,
        request=request.id,
        **details,
    )
