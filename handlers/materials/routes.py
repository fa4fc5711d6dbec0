"""The materials' review loop on Telegram: /materialy (a coordinator's materials and forms, an
expert's queue), the expert's buttons, and the forms behind them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import command
from handlers.common import caller_of
from handlers.context import BotApplication, BotContext
from handlers.forms import FormKind
from handlers.materials.review import REMARKS_FORM, REMARKS_KIND, expert_list, review_pressed
from handlers.materials.submit import SUBMIT, SUBMIT_FORM, coordinator_list
from notices.materials import REVIEW
from storage.models import Role


async def materials_command(update: Update, context: BotContext) -> None:
    """A coordinator's materials (and what to hand in), or an expert's queue (the table of
    commands lets no one else here)."""
    async with context.services.sessionmaker.begin() as session:
        if caller_of(context).role is Role.EXPERT:
            await expert_list(update, context, session)
        else:
            await coordinator_list(update, context, session)


FORM_KINDS: dict[str, FormKind] = {SUBMIT_FORM: SUBMIT, REMARKS_FORM: REMARKS_KIND}


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("materials").names, materials_command))
    pattern = REVIEW.pattern(r"[aro]:\d{1,9}:\d{1,4}")  # a row id is a 32-bit INTEGER
    application.add_handler(CallbackQueryHandler(review_pressed, pattern=pattern))
