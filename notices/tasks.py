"""Who is told about a task change: the team (all but whoever made it) and, for a submission,
the adviser on duty with the evidence (a copy of every file sent) and Accept / Return buttons.
Used by the bot and the CLI; /do_oceny sends the adviser a waiting submission again.

Dedupe keys come from the change's event id, so a change replayed (a re-delivered update)
queues nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from core.access import button
from core.services import Services
from notices.buttons import button_data
from notices.files import SUBMISSION, files_button
from notices.message import Email, keyboard
from notices.notify import copy_all, notify
from storage.models import Person
from storage.people import joined_members
from storage.tasks.transitions import FOR_REVIEW
from storage.tasks.views import Evidence, TaskChange, adviser_on_duty, file_messages

REVIEW = button("review")
ACCEPT, RETURN = "a", "r"
LABELS = "tg/task_labels.txt.j2"


async def announce(
    session: AsyncSession, services: Services, change: TaskChange, *, today: dt.date
) -> None:
    """Queue every message about the change, in each person's language."""
    now = services.clock.now()
    for member in await joined_members(session, [change.jst_id]):
        if member.id != change.actor_id:
            await notify(
                session,
                services.templates,
                member,
                key=f"task:{change.event_id}:{member.id}",
                template="task_news",
                now=now,
                change=change,
            )
    if change.action in FOR_REVIEW:
        adviser = await adviser_on_duty(session, change.jst_id, today)
        if adviser is not None:
            key = f"task:{change.event_id}:{adviser.id}"
            await ask_adviser(session, services, change, adviser, key=key)


async def ask_adviser(
    session: AsyncSession, services: Services, change: TaskChange, adviser: Person, *, key: str
) -> None:
    """The files first (copies of the members' messages, in the order sent), then the request
    that lists every piece, with its buttons."""
    await request_review(
        session,
        services,
        adviser,
        key=key,
        template="task_review_request",
        pieces=change.evidence,
        markup=await review_buttons(session, services, adviser, change),
        email=review_email(change),
        change=change,
    )


async def request_review(
    session: AsyncSession,
    services: Services,
    reviewer: Person,
    *,
    key: str,
    template: str,
    pieces: Sequence[Evidence],
    markup: InlineKeyboardMarkup,
    email: Email,
    **values: Any,
) -> None:
    """A review request (a task's to its adviser, a material's to an expert): a copy of each
    file handed in first, in the order sent, then `template` with the buttons; `email` where
    Telegram cannot reach the reviewer."""
    now = services.clock.now()
    await copy_all(
        session, services.templates, reviewer, file_messages(pieces), key=f"{key}:file", now=now
    )
    await notify(
        session,
        services.templates,
        reviewer,
        key=key,
        template=template,
        now=now,
        markup=markup,
        email=email,
        **values,
    )


def review_email(change: TaskChange) -> Email:
    """The review request for an adviser Telegram cannot reach: what was handed in, with the
    files attached, and how to review it in the bot."""
    return Email(
        "task_review_request",
        {
            "jst_name": change.jst_name,
            "teryt": change.teryt,
            "code": change.code,
            "label_pl": change.label_pl,
            "label_en": change.label_en,
            "by": change.actor_name,
            "submitted_at": change.at.isoformat(),
            "review_round": change.review_round,
            "resolution_number": change.resolution_number,
            "resolution_on": _iso(change.resolution_date),
            "texts": email_texts(change.evidence),
        },
        files=email_files(change.evidence),
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def email_texts(pieces: Sequence[Evidence]) -> list[dict[str, Any]]:
    """The texts and links of a submission (a task's evidence, a material's pieces), as an
    e-mail lists them; its files are `email_files`."""
    return [{"kind": p.kind, "text": p.text} for p in pieces if p.text and not p.is_file]


def email_files(pieces: Sequence[Evidence]) -> tuple[dict[str, Any], ...]:
    """The Telegram files of a submission, as an e-mail attaches them (when they fit)."""
    return tuple(piece.file_ref() for piece in pieces if piece.is_file)


async def review_buttons(
    session: AsyncSession, services: Services, adviser: Person, change: TaskChange
) -> InlineKeyboardMarkup:
    """Accept / Return, signed for the adviser: the task row's id and its review round; below
    them, when the evidence has files, a button that sends them again."""
    language, buttons = adviser.language.value, []
    for verdict, name in ((ACCEPT, "accept"), (RETURN, "return_")):
        body = f"{verdict}:{change.progress_id}:{change.review_round}"
        data = await button_data(session, services, REVIEW, body, person_id=adviser.id)
        buttons.append((services.templates.macro(language, LABELS, name), data))
    files = sum(piece.is_file for piece in change.evidence)
    if not files:
        return keyboard([buttons])
    again = await files_button(
        session, services, adviser, kind=SUBMISSION, record=change.progress_id, count=files
    )
    return keyboard([buttons, [again]])
