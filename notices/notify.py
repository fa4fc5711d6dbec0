"""Messages to people other than the one who wrote: rendered in their language, queued."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from core.templates import Templates
from outbox.queue import enqueue
from storage.models import Channel, Delivery, OutboxMessage, Person


async def notify(
    session: AsyncSession,
    templates: Templates,
    person: Person,
    *,
    key: str,
    template: str,
    now: dt.datetime,
    delivery: Delivery = Delivery.AT_LEAST_ONCE,
    markup: InlineKeyboardMarkup | None = None,
    link: dict[str, int] | None = None,
    **values: Any,
) -> OutboxMessage | None:
    """Queue `tg/<template>.html.j2` for a person's own chat (dedupe `key`; None if queued).

    `link` (e.g. {"question_id": 12}) is stored with the message once sent, so a reply to it
    finds what it was about (outbox.links).
    """
    text = templates.render(person.language.value, f"tg/{template}.html.j2", **values)
    params: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    payload: dict[str, Any] = {"method": "sendMessage", "params": params}
    return await _queue(
        session, person, key=key, kind=template, payload=payload, delivery=delivery, now=now,
        link=link,
    )  # fmt: skip


async def copy_to(
    session: AsyncSession,
    person: Person,
    *,
    key: str,
    from_chat_id: int,
    message_id: int,
    now: dt.datetime,
    link: dict[str, int] | None = None,
) -> OutboxMessage | None:
    """Queue a copy of a message (a photo, a document) for a person's own chat."""
    payload: dict[str, Any] = {
        "method": "copyMessage",
        "params": {"from_chat_id": from_chat_id, "message_id": message_id},
    }
    return await _queue(
        session, person, key=key, kind="copy", payload=payload,
        delivery=Delivery.AT_LEAST_ONCE, now=now, link=link,
    )  # fmt: skip


async def _queue(
    session: AsyncSession,
    person: Person,
    *,
    key: str,
    kind: str,
    payload: dict[str, Any],
    delivery: Delivery,
    now: dt.datetime,
    link: dict[str, int] | None,
) -> OutboxMessage | None:
    if link:
        payload["link"] = link
    return await enqueue(
        session,
        dedupe_key=key,
        channel=Channel.TELEGRAM,
        kind=kind,
        payload=payload,
        person_id=person.id,
        delivery=delivery,
        now=now,
    )
