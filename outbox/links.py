"""After a message is delivered: remember what it was about, so replies to it find their way."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from outbox.telegram_sender import SentMessage
from storage.models import MessageLink, OutboxMessage

_LINK = insert(cast(Table, MessageLink.__table__))  # Core: no unit of work for one row


async def record_links(session: AsyncSession, row: OutboxMessage, sent: SentMessage) -> None:
    """The `on_sent` hook: a payload's `link` names the question the message belongs to."""
    link = row.payload.get("link") or {}
    question_id = link.get("question_id")
    if question_id is not None:
        await session.execute(
            _LINK,
            {"chat_id": sent.chat_id, "message_id": sent.message_id, "question_id": question_id},
        )
