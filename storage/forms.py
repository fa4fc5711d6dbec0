"""Forms in progress: what a person's next free message answers, kept in the database.

One form per person at a time. Each form has a fresh token that its buttons carry, so a
button from an older form is recognised as stale and does nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Form

TOKEN_BYTES = 6


async def current_form(session: AsyncSession, person_id: int) -> Form | None:
    return await session.scalar(select(Form).where(Form.person_id == person_id))


async def start_form(
    session: AsyncSession,
    person_id: int,
    *,
    kind: str,
    step: str,
    data: dict[str, Any],
    now: dt.datetime,
) -> Form:
    """Begin a form, replacing any other form of the person (its buttons become stale)."""
    await finish_form(session, person_id)
    form = Form(
        person_id=person_id,
        kind=kind,
        step=step,
        data=data,
        token=secrets.token_hex(TOKEN_BYTES),
        started_at=now,
        updated_at=now,
    )
    session.add(form)
    await session.flush()
    return form


def advance_form(form: Form, *, step: str, data: dict[str, Any], now: dt.datetime) -> None:
    """Move to the next step; the data is replaced, not merged (JSON columns track by value)."""
    form.step = step
    form.data = data
    form.updated_at = now


async def finish_form(session: AsyncSession, person_id: int) -> None:
    await session.execute(delete(Form).where(Form.person_id == person_id))
