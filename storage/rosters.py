"""Who is who, as the rules read it: members per JST, coordinators, advisers' names, who
advises each JST; and whom an e-mail names for a reply (`Contact`).

Erased people are left out of every list that leads to a message.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdviserAssignment, Person, Role


@dataclass(frozen=True)
class Contact:
    """A person an e-mail names for its reader to write to: name, address, gender ("K"/"M")."""

    name: str
    email: str
    gender: str

    @classmethod
    def of(cls, person: Person) -> Contact:
        return cls(person.full_name, person.email, person.gender.value)


async def member_ids_by_jst(session: AsyncSession) -> dict[int | None, list[int]]:
    """Each JST's members (not erased), by id."""
    members: dict[int | None, list[int]] = defaultdict(list)
    for person_id, jst_id in await session.execute(
        select(Person.id, Person.jst_id)
        .where(Person.role == Role.MEMBER, Person.erased_at.is_(None))
        .order_by(Person.id)
    ):
        members[jst_id].append(person_id)
    return members


async def coordinator_ids(session: AsyncSession) -> tuple[int, ...]:
    """The coordinators (not erased), by id."""
    found = await session.scalars(
        select(Person.id)
        .where(Person.role == Role.COORDINATOR, Person.erased_at.is_(None))
        .order_by(Person.id)
    )
    return tuple(found)


async def adviser_names(session: AsyncSession) -> dict[int, str]:
    """Every adviser's name, for others to read."""
    rows = await session.execute(
        select(Person.id, Person.full_name).where(Person.role == Role.ADVISER)
    )
    return {person_id: name for person_id, name in rows}


async def names_of(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """These people's names, for others to read."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(Person.id, Person.full_name).where(Person.id.in_(wanted)))
    return {person_id: name for person_id, name in rows}


@dataclass(frozen=True)
class StandIn:
    """A substitute adviser for a period (first and last local day, inclusive)."""

    person_id: int
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class Duty:
    """Who advises a JST: the adviser, and a stand-in while they are away."""

    adviser_id: int
    stand_in: StandIn | None = None

    def on(self, day: dt.date) -> int:
        if self.stand_in is None:
            return self.adviser_id
        inside = self.stand_in.first <= day <= self.stand_in.last
        return self.stand_in.person_id if inside else self.adviser_id


async def load_duties(session: AsyncSession) -> dict[int, Duty]:
    """JST id -> who advises it."""
    rows = await session.execute(
        select(
            AdviserAssignment.jst_id,
            AdviserAssignment.adviser_id,
            AdviserAssignment.substitute_id,
            AdviserAssignment.substitute_from,
            AdviserAssignment.substitute_until,
        )
    )
    duties = {}
    for jst_id, adviser, substitute, first, last in rows:
        if substitute is None or first is None or last is None:
            duties[jst_id] = Duty(adviser)
        else:
            duties[jst_id] = Duty(adviser, StandIn(substitute, first, last))
    return duties


async def coordinator_contact(session: AsyncSession) -> Contact | None:
    """The programme's coordinator an e-mail names (the first imported, not erased)."""
    first = await session.scalar(
        select(Person)
        .where(Person.role == Role.COORDINATOR, Person.erased_at.is_(None))
        .order_by(Person.id)
        .limit(1)
    )
    return None if first is None else Contact.of(first)


async def adviser_contact(session: AsyncSession, jst_id: int, day: dt.date) -> Contact | None:
    """The adviser on duty for the JST on `day` (a stand-in in their period), not erased:
    whom a team member's e-mail answers go to, on Telegram or not."""
    duty = await session.scalar(
        select(AdviserAssignment).where(AdviserAssignment.jst_id == jst_id)
    )
    if duty is None:
        return None
    adviser = await session.get(Person, duty.adviser_on_duty(day))
    return None if adviser is None or adviser.erased_at is not None else Contact.of(adviser)
