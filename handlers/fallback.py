"""What no other handler took: unknown commands, unsupported content, stale buttons, errors."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from core.logging_setup import log_failure
from handlers.common import label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, reply_now

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: BotContext) -> None:
    await reply_now(update, context, "unknown_command")


async def plain_text(update: Update, context: BotContext) -> None:
    await reply_now(update, context, "text_hint")


async def unsupported(update: Update, context: BotContext) -> None:
    await reply_now(update, context, "unsupported_content")


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message, or callback data nobody issued."""
    assert update.callback_query is not None
    await answer_press(update, label(context, "stale_button"))


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure (never the message text) and tell the person; the bot keeps running."""
    if context.error is not None:
        log_failure(log, "handler", context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await reply_now(update, context, "internal_error")
    except Exception as error:  # the error handler itself must never fail
        log.warning("could not tell the chat about the failure: %s", type(error).__name__)


def register(application: BotApplication) -> None:
    """Register last: within a group the first matching handler wins."""
    new_messages = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            MessageHandler(new_messages & filters.COMMAND, unknown_command),
            MessageHandler(new_messages & filters.TEXT, plain_text),
            MessageHandler(new_messages, unsupported),
            CallbackQueryHandler(stale_button),
        ]
    )
    application.add_error_handler(on_error)
