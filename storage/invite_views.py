"""Who has not joined yet, and where their invitation is: what a coordinator sees before
reissuing and sending invitations (the web view's invitations page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.invites import not_joined
from storage.models import Invite, Jst, Person

NONE, ACTIVE, EXPIRED, REVOKED, USED = "none", "active", "expired", "revoked", "used"


@dataclass(frozen=True)
class WaitingPerson:
    """A person who has not joined, and their latest invitation's state (`NONE`: never
    invited), when it expires and when it was e-mailed."""

    person_id: int
    name: str
    role: str
    gender: str
    jst_name: str | None
    state: str
    expires_at: dt.datetime | None
    emailed_at: dt.datetime | None


async def waiting_people(
    session: AsyncSession, now: dt.datetime, *, cohort_id: int | None = None
) -> list[WaitingPerson]:
    """Everyone not joined (in a cohort, when given), by JST then name."""
    people = await session.execute(
        select(Person, Jst.name)
        .outerjoin(Jst, Person.jst_id == Jst.id)
        .where(not_joined(cohort_id))
        .order_by(Jst.teryt.nulls_last(), Person.full_name, Person.id)
    )
    found = list(people)
    latest: dict[int, Invite] = {}
    ids = [person.id for person, _ in found]
    if ids:
        invites = await session.scalars(
            select(Invite).where(Invite.person_id.in_(ids)).order_by(Invite.id)
        )
        latest = {invite.person_id: invite for invite in invites}
    return [_view(person, jst_name, latest.get(person.id), now) for person, jst_name in found]


def _view(
    person: Person, jst_name: str | None, invite: Invite | None, now: dt.datetime
) -> WaitingPerson:
    return WaitingPerson(
        person_id=person.id,
        name=person.full_name,
        role=person.role.value,
        gender=person.gender.value,
        jst_name=jst_name,
        state=_state(invite, now),
        expires_at=invite.expires_at if invite else None,
        emailed_at=invite.emailed_at if invite else None,
    )


def _state(invite: Invite | None, now: dt.datetime) -> str:
    if invite is None:
        return NONE
    if invite.used_at is not None:
        return USED
    if invite.revoked_at is not None:
        return REVOKED
    return ACTIVE if invite.expires_at > now else EXPIRED
