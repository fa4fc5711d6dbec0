"""Messages to people other than the one who wrote: rendered in their language, queued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from core.templates import Templates
from notices.message import Copy, Email, Link, Text, queue
from storage.models import Delivery, Person


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
    link: Link | None = None,
    email: Email | bool = False,
    **values: Any,
) -> int | None:
    """Queue `tg/<template>.html.j2` for a person's own chat (its row id; None if queued);
    `email` goes instead when Telegram cannot reach them (True: the text itself, as e-mail)."""
    message = Text(template, values, buttons=markup, email=email)
    return await queue(
        session, templates, person, message, key=key, now=now, delivery=delivery, link=link
    )


async def copy_to(
    session: AsyncSession,
    templates: Templates,
    person: Person,
    *,
    key: str,
    from_chat_id: int,
    message_id: int,
    now: dt.datetime,
    link: Link | None = None,
) -> int | None:
    """Queue a copy of a message (a photo, a document) for a person's own chat."""
    message = Copy(from_chat_id, message_id)
    return await queue(session, templates, person, message, key=key, now=now, link=link)


async def copy_all(
    session: AsyncSession,
    templates: Templates,
    person: Person,
    files: Sequence[tuple[int, int]],
    *,
    key: str,
    now: dt.datetime,
    link: Link | None = None,
) -> None:
    """Copies of file messages (chat, message) for a person, in order, keyed `key:<n>`."""
    for index, (chat_id, message_id) in enumerate(files):
        await copy_to(
            session,
            templates,
            person,
            key=f"{key}:{index}",
            from_chat_id=chat_id,
            message_id=message_id,
            now=now,
            link=link,
        )
