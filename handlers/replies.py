"""Telegram replies: a template in the caller's language, split to 4096 characters, queued."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import TelegramError

from handlers.context import BotContext
from outbox.queue import enqueue
from outbox.telegram_sender import REPEAT_ROOM
from storage.models import Channel, Delivery

TELEGRAM_LIMIT = MessageLimit.MAX_TEXT_LENGTH - REPEAT_ROOM
log = logging.getLogger(__name__)


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at line breaks so no part exceeds the limit (templates keep tags within a line);
    the limit leaves room for a repeat's note (outbox.telegram_sender)."""
    parts: list[str] = []
    current = ""
    for whole_line in text.split("\n"):
        line = whole_line
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            cut = _safe_cut(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def _safe_cut(line: str, limit: int) -> int:
    """Where to cut an over-long line: never inside an HTML entity such as `&amp;`."""
    entity = line.rfind("&", max(0, limit - 10), limit)
    if entity != -1 and ";" not in line[entity:limit]:
        return entity
    return limit


def render(context: BotContext, name: str, /, **values: Any) -> str:
    """A Telegram template (`tg/<name>.html.j2`) in the caller's language."""
    return context.services.templates.render(context.language, f"tg/{name}.html.j2", **values)


def label(context: BotContext, macro: str, /, **values: Any) -> str:
    """A short text (button label, command description) in the caller's language."""
    return context.services.templates.macro(context.language, "tg/labels.txt.j2", macro, **values)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline buttons from (label, opaque callback data) pairs."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def reply(
    update: Update,
    context: BotContext,
    template: str,
    /,
    markup: InlineKeyboardMarkup | None = None,
    session: AsyncSession | None = None,
    **values: Any,
) -> None:
    """Queue a template for the chat the update came from; buttons go on the last part.

    The rows are keyed by the update id, so an update handled twice (Telegram resends what was
    not confirmed before a crash) is answered once. Pass `session` to queue the reply in the
    same transaction as the change it reports.
    """
    chat = update.effective_chat
    if chat is None:
        return
    parts = split_text(render(context, template, **values))
    async with contextlib.AsyncExitStack() as stack:
        if session is None:
            session = await stack.enter_async_context(context.services.sessionmaker.begin())
        await _queue(
            session, update, context, chat_id=chat.id, template=template, parts=parts,
            markup=markup,
        )  # fmt: skip
        # The sender is woken once the row is committed: woken earlier it finds nothing (or
        # on SQLite waits for the write lock this transaction holds).
        event.listen(session.sync_session, "after_commit", lambda _: context.wake_outbox(),
                     once=True)  # fmt: skip


async def _queue(
    session: AsyncSession,
    update: Update,
    context: BotContext,
    *,
    chat_id: int,
    template: str,
    parts: list[str],
    markup: InlineKeyboardMarkup | None,
) -> None:
    now = context.services.clock.now()
    for index, part in enumerate(parts):
        params: dict[str, Any] = {
            "text": part,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": {"is_disabled": True},
        }
        if markup is not None and index == len(parts) - 1:
            params["reply_markup"] = markup.to_dict()
        await enqueue(
            session,
            dedupe_key=f"reply:{update.update_id}:{template}:{index}",
            channel=Channel.TELEGRAM,
            kind=f"reply:{template}",
            payload={"method": "sendMessage", "chat_id": chat_id, "params": params},
            person_id=context.caller.person_id if context.caller else None,
            delivery=Delivery.AT_MOST_ONCE,
            now=now,
        )


async def answer_press(update: Update, text: str | None = None) -> None:
    """Answer a button press; a second answer after a redelivery is refused and that is fine."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=text is not None)
    except TelegramError as error:
        log.info("could not answer a button press: %s", type(error).__name__)


async def remove_buttons(update: Update) -> None:
    """Take the buttons off the pressed message; a failure here changes nothing that matters."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as error:
        log.info("could not remove buttons: %s", type(error).__name__)
