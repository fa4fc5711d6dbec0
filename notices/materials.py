"""Who is told about a material's change: every expert of a version handed in (a copy of each
file first, then the request with signed Accept / Return buttons), the coordinator who handed it
in of a return (the remarks, the date to fix it by) or an acceptance. Used by the bot and the
CLI; the expert's /materialy sends a waiting version again.

Dedupe keys come from the change's event id, so a change replayed queues nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from core.access import button
from core.services import Services
from notices.buttons import button_data
from notices.message import Email, keyboard
from notices.notify import notify
from notices.tasks import email_files, email_texts, request_review
from storage.materials.loop import SUBMITTED
from storage.materials.views import MaterialChange, MaterialItem, experts, latest_version
from storage.models import Person

REVIEW = button("material_review")
ACCEPT, RETURN, OPEN = "a", "r", "o"
LABELS = "tg/material_labels.txt.j2"


async def announce_material(
    session: AsyncSession, services: Services, change: MaterialChange
) -> None:
    """Queue every message about the change, in each person's language."""
    if change.action == SUBMITTED:
        for expert in await experts(session):
            await ask_expert(session, services, change, expert, key=f"material:{change.event_id}")
        return
    submitter = await session.get_one(Person, change.submitted_by_id)
    if submitter.erased_at is None:
        await notify(
            session,
            services.templates,
            submitter,
            key=f"material:{change.event_id}:{submitter.id}",
            template="material_news",
            now=services.clock.now(),
            email=True,
            change=change,
        )


async def ask_expert(
    session: AsyncSession, services: Services, change: MaterialChange, expert: Person, *, key: str
) -> None:
    """The files first (copies of the coordinator's messages, in the order sent), then the
    request listing every piece, with its buttons; by e-mail when Telegram cannot reach them."""
    await request_review(
        session,
        services,
        expert,
        key=f"{key}:{expert.id}",
        template="material_review_request",
        pieces=change.pieces,
        markup=await review_buttons(session, services, expert, change),
        email=review_email(change),
        change=change,
    )


def review_email(change: MaterialChange) -> Email:
    """The version for an expert Telegram cannot reach: its texts, its files attached, and
    how to review it in the bot."""
    return Email(
        "material_review_request",
        {
            "title": change.title,
            "kind": change.kind,
            "cohort": change.cohort,
            "review_round": change.review_round,
            "by": change.actor_name,
            "submitted_at": change.at.isoformat(),
            "due_on": change.due_on.isoformat(),
            "texts": email_texts(change.pieces),
        },
        files=email_files(change.pieces),
    )


async def review_buttons(
    session: AsyncSession, services: Services, expert: Person, change: MaterialChange
) -> InlineKeyboardMarkup:
    """Accept / Return, signed for the expert: the material's id and its review round."""
    row = []
    for verdict, name in ((ACCEPT, "accept"), (RETURN, "return_")):
        body = f"{verdict}:{change.material_id}:{change.review_round}"
        data = await button_data(session, services, REVIEW, body, person_id=expert.id)
        row.append((services.templates.macro(expert.language.value, LABELS, name), data))
    return keyboard([row])


async def open_buttons(
    session: AsyncSession, services: Services, expert: Person, waiting: list[tuple[int, int]]
) -> InlineKeyboardMarkup | None:
    """The /materialy list's numbered buttons (material, round): each sends that version again."""
    if not waiting:
        return None
    rows = []
    for number, (material_id, review_round) in enumerate(waiting, start=1):
        body = f"{OPEN}:{material_id}:{review_round}"
        data = await button_data(session, services, REVIEW, body, person_id=expert.id)
        rows.append((str(number), data))
    return keyboard([rows[i : i + 5] for i in range(0, len(rows), 5)])


async def deliver_waiting_materials(
    session: AsyncSession, services: Services, expert: Person, waiting: Sequence[MaterialItem]
) -> None:
    """The versions waiting for review (`material_items`), sent at once to an expert who has
    just joined (they went by e-mail while the expert was not on Telegram); keyed by their
    Telegram account, as an adviser's waiting items are."""
    for item in waiting:
        version = await latest_version(session, item.id)
        key = f"joined:{expert.telegram_user_id}:material:{version.event_id}"
        await ask_expert(session, services, version, expert, key=key)
