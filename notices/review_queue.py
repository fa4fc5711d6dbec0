"""/do_oceny: what waits for an adviser, with how many working days it has waited and a signed
button to open each again (a submission with its files and Accept / Return; a question's
forward with its files). The buttons name records, so each is signed for the adviser and
checked again on every press (storage/review_queue.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from core.access import button
from core.calendar import shared_calendar
from core.services import Services
from notices.buttons import button_data
from notices.message import keyboard
from notices.questions import forward_to
from notices.tasks import ask_adviser
from storage.models import Person
from storage.questions.threads import load_thread
from storage.review_queue import (
    QUESTION,
    TASK,
    Waiting,
    waiting_for,
    waiting_question,
    waiting_submission,
)

OPEN = button("waiting")
KINDS = {"t": TASK, "q": QUESTION}  # in the button's data
SHOWN = 20  # the oldest; a list of more says how many there are in all
PER_ROW = 5


@dataclass(frozen=True)
class Listed:
    """One line of the list: what waits, and for how many working days."""

    item: Waiting
    age: int


@dataclass(frozen=True)
class ReviewQueue:
    """The oldest SHOWN of `total` waiting things, and their buttons (numbered as listed)."""

    shown: tuple[Listed, ...]
    total: int
    buttons: InlineKeyboardMarkup | None


async def review_queue(
    session: AsyncSession, services: Services, adviser_id: int, *, today: dt.date
) -> ReviewQueue:
    """What waits for the adviser today, oldest first, with its buttons signed for them."""
    items = await waiting_for(session, adviser_id=adviser_id, today=today)
    calendar = shared_calendar(services.settings.zone, services.settings.quiet_hours)
    shown = tuple(
        Listed(item, calendar.working_days_between(calendar.local_date(item.since), today))
        for item in items[:SHOWN]
    )
    labels = []
    for number, listed in enumerate(shown, start=1):
        body = f"{_code(listed.item.kind)}:{listed.item.record_id}"
        labels.append(
            (str(number), await button_data(session, services, OPEN, body, person_id=adviser_id))
        )
    rows = [labels[start : start + PER_ROW] for start in range(0, len(labels), PER_ROW)]
    return ReviewQueue(shown, len(items), keyboard(rows) if rows else None)


async def open_again(
    session: AsyncSession,
    services: Services,
    adviser_id: int,
    body: str,
    *,
    key: str,
    today: dt.date,
) -> None:
    """Send the adviser the item a button names (`t:<task row>` or `q:<question>`) again;
    TaskRefused or QuestionRefused when it no longer waits for them."""
    code, record = body.split(":")
    adviser = await session.get_one(Person, adviser_id)
    now = services.clock.now()
    if KINDS[code] == TASK:
        change = await waiting_submission(session, int(record), adviser_id=adviser.id, today=today)
        await ask_adviser(session, services, change, adviser, key=key)
        return
    question = await waiting_question(session, int(record), adviser_id=adviser.id, today=today)
    thread = await load_thread(session, question.id)
    await forward_to(session, services, thread, adviser, key=key, now=now, today=today)


async def deliver_waiting(
    session: AsyncSession,
    services: Services,
    adviser: Person,
    items: Sequence[Waiting],
    *,
    today: dt.date,
) -> None:
    """What waits for an adviser who has just joined (`waiting_for`, oldest first), sent at
    once: it went by e-mail while they were not on Telegram. Keyed by their Telegram account,
    so joining again from another one delivers it again."""
    for item in items:
        body = f"{_code(item.kind)}:{item.record_id}"
        key = f"joined:{adviser.telegram_user_id}:{body}"
        await open_again(session, services, adviser.id, body, key=key, today=today)


def _code(kind: str) -> str:
    return next(code for code, name in KINDS.items() if name == kind)
