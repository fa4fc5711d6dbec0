"""Questions to the adviser (issue 4): commands, the draft form and free messages by role.

Registered under "Feature handlers" in bot/app.py; `free_message` is the forms router's
default, and `DraftForm` the form kind `DRAFT_KIND`.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import command
from handlers import fallback
from handlers.common import caller_of
from handlers.context import BotApplication, BotContext
from handlers.questions import files
from handlers.questions.adviser import (
    SHARE,
    adviser_message,
    answer_command,
    close,
    open_list,
    share,
)
from handlers.questions.member import DraftForm, ask, member_message
from handlers.questions.substitute import substitute
from storage.models import Role
from storage.questions.drafts import DRAFT_KIND

__all__ = ["DRAFT_KIND", "DraftForm", "free_message", "register"]


async def free_message(update: Update, context: BotContext) -> None:
    """Text, a photo or a document outside any form: a question, an answer, or a hint."""
    role = caller_of(context).role
    if role is Role.MEMBER:
        await member_message(update, context)
    elif role is Role.ADVISER:
        await adviser_message(update, context)
    else:
        await fallback.plain_text(update, context)


def register(application: BotApplication) -> None:
    """The commands and the team button; before the forms router (bot/app.py)."""
    for key, callback in (
        ("ask", ask),
        ("open", open_list),
        ("answer", answer_command),
        ("close", close),
        ("substitute", substitute),
    ):
        application.add_handler(CommandHandler(command(key).names, callback))
    application.add_handler(CallbackQueryHandler(share, pattern=SHARE.pattern(r"\d+")))
    files.register(application)
