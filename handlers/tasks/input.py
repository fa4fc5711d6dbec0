"""What people type for tasks, read into plain values: evidence, dates, a resolution."""

from __future__ import annotations

import datetime as dt
import re

from telegram import Message

from core.days import parse_day
from storage.tasks.views import Evidence

LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)


def parse_resolution(text: str) -> tuple[str, dt.date] | None:
    """`NUMER RRRR-MM-DD`: the resolution's number (it may hold spaces) and the day adopted."""
    number, _, day_text = text.strip().rpartition(" ")
    day = parse_day(day_text)
    if not number.strip() or day is None:
        return None
    return number.strip(), day


def evidence_from(message: Message) -> Evidence:
    """A text or link, or a document or photo (copied to the adviser), as evidence."""
    text = (message.text or message.caption or "").strip() or None
    if message.document is not None or message.photo:
        kind = "document" if message.document is not None else "photo"
        name = message.document.file_name if message.document is not None else None
        return Evidence(kind, text, name, message.chat_id, message.message_id)
    return Evidence("link" if text and LINK.match(text) else "text", text)
