"""Who is who, as the rules read it: members per JST, coordinators, advisers' names.

Erased people are left out of every list that leads to a message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, Role


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


async def names_of(session: AsyncSession, ids: Iterable[int] | None = None) -> dict[int, str]:
    """These people's names (None: every adviser's), for others to read."""
    query = select(Person.id, Person.full_name)
    if ids is None:
        query = query.where(Person.role == Role.ADVISER)
    else:
        wanted = set(ids)
        if not wanted:
            return {}
        query = query.where(Person.id.in_(wanted))
    return {person_id: name for person_id, name in await session.execute(query)}
