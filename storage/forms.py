"""Forms in progress: what a person's next free message answers, kept in the database.

One form per person at a time. Each form has a fresh token that its buttons carry, so a
button from an older form is recognised as stale and does nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from typing import Any

from sqlalchemy import Insert, Integer, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import skipping_insert
from storage.models import Form

TOKEN_BYTES = 6
_PERSON = bindparam("person_id", type_=Integer)
_CURRENT = select(Form).where(Form.person_id == _PERSON)
_FINISH = delete(Form).where(Form.person_id == _PERSON)


async def current_form(session: AsyncSession, person_id: int) -> Form | None:
    return await session.scalar(_CURRENT, {"person_id": person_id})


async def start_form(
    session: AsyncSession,
    person_id: int,
    *,
    kind: str,
    step: str,
    data: dict[str, Any],
    now: dt.datetime,
) -> Form:
    """Begin a form, replacing any other form of the person (its buttons become stale: a new
    token), in one statement."""
    row = {
        "person_id": person_id,
        "kind": kind,
        "step": step,
        "data": data,
        "token": secrets.token_hex(TOKEN_BYTES),
        "started_at": now,
        "updated_at": now,
    }
    form: Form = (await session.scalars(_replacing(session.get_bind().dialect.name), row)).one()
    return form


@functools.cache
def _replacing(dialect: str) -> Insert:
    """The INSERT of a form that replaces the person's form if there is one (the one object
    of it the session may hold is refreshed: `populate_existing`)."""
    insert = skipping_insert(dialect, Form)
    replaced = {column: insert.excluded[column] for column in _REPLACED}
    return (
        insert.on_conflict_do_update(index_elements=[Form.person_id], set_=replaced)
        .returning(Form)
        .execution_options(populate_existing=True)
    )


_REPLACED = ("kind", "step", "data", "token", "started_at", "updated_at")


def advance_form(form: Form, *, step: str, data: dict[str, Any], now: dt.datetime) -> None:
    """Move to the next step; the data is replaced, not merged (JSON columns track by value)."""
    form.step = step
    form.data = data
    form.updated_at = now


async def finish_form(session: AsyncSession, person_id: int) -> None:
    await session.execute(_FINISH, {"person_id": person_id})
