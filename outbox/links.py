"""After a message is delivered: remember what it was about, so replies to it find their way."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from outbox.telegram_sender import SentMessage
from storage.models import MessageLink, OutboxMessage


async def record_links(session: AsyncSession, row: OutboxMessage, sent: SentMessage) -> None:
    """The `on_sent` hook: a payload's `link` names the question the message belongs to."""
    link = row.payload.get("link") or {}
    question_id = link.get("question_id")
    if question_id is not None:
        session.add(
            MessageLink(chat_id=sent.chat_id, message_id=sent.message_id, question_id=question_id)
        )
