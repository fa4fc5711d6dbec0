"""A question being written: the member's messages gathered in a form until they send it.

The draft is committed with its first message (a Form row), so nothing is lost when the member
never presses a button; messages sent meanwhile join the same question. Sending opens it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from storage.forms import advance_form, finish_form, start_form
from storage.models import Form
from storage.questions.threads import Part, QuestionRefused, Refusal, Thread, open_question

DRAFT_KIND = "question"
DRAFT_STEP = "draft"


async def start_draft(
    session: AsyncSession, person_id: int, parts: Sequence[Part], now: dt.datetime
) -> Form:
    """A new draft (replacing any other form of the person), possibly still empty."""
    return await start_form(
        session, person_id, kind=DRAFT_KIND, step=DRAFT_STEP, data=_data(parts), now=now
    )


def draft_parts(form: Form) -> list[Part]:
    """The messages gathered so far, in the order they came."""
    return [Part.from_json(item) for item in form.data.get("parts", [])]


def add_to_draft(form: Form, part: Part, now: dt.datetime) -> bool:
    """Append a message; False when it is already there (the update came twice)."""
    parts = draft_parts(form)
    if any((p.chat_id, p.message_id) == (part.chat_id, part.message_id) for p in parts):
        return False
    advance_form(form, step=DRAFT_STEP, data=_data([*parts, part]), now=now)
    return True


async def send_draft(
    session: AsyncSession, form: Form, *, now: dt.datetime, today: dt.date
) -> Thread:
    """Open the question from the draft (keyed by its first message) and end the draft."""
    parts = draft_parts(form)
    if not parts:
        raise QuestionRefused(Refusal.EMPTY)
    first = parts[0]
    thread = await open_question(
        session,
        asker_id=form.person_id,
        parts=parts,
        source_key=f"tg:{first.chat_id}:{first.message_id}",
        now=now,
        today=today,
    )
    await finish_form(session, form.person_id)
    return thread


def _data(parts: Sequence[Part]) -> dict[str, list[dict[str, object]]]:
    return {"parts": [part.as_json() for part in parts]}
