"""Rendering Telegram messages from templates, split to Telegram's 4096-character limit."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit, ParseMode

from bot.context import BotContext

TELEGRAM_LIMIT = MessageLimit.MAX_TEXT_LENGTH


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at line breaks so no part exceeds the limit (templates keep tags within a line)."""
    parts: list[str] = []
    current = ""
    for whole_line in text.split("\n"):
        line = whole_line
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


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
    **values: Any,
) -> Message | None:
    """Send a template to the chat the update came from; buttons go on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_text(render(context, template, **values))
    sent = None
    for index, part in enumerate(parts):
        sent = await context.bot.send_message(
            chat.id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if index == len(parts) - 1 else None,
            disable_web_page_preview=True,
        )
    return sent
