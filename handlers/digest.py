"""/podsumowanie (/digest): an adviser turns their weekly e-mail digest off or on again."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import button, command
from handlers.common import label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, remove_buttons, reply
from notices.message import keyboard
from storage.models import Person, Role
from storage.people import set_weekly_digest

CALLBACK = button("digest").prefix


async def digest_state(update: Update, context: BotContext) -> None:
    """Say whether the digest comes, with the one button that changes it."""
    assert context.caller is not None
    async with context.services.sessionmaker() as session:
        person = await session.get_one(Person, context.caller.person_id)
    opted_out = person.digest_opted_out_at is not None
    choice = "on" if opted_out else "off"
    markup = keyboard([[(label(context, f"digest_{choice}"), f"{CALLBACK}:{choice}")]])
    await reply(update, context, "digest_state", markup=markup, opted_out=opted_out)


async def digest_chosen(update: Update, context: BotContext) -> None:
    """Buttons are re-authorized on every press: only an adviser's choice is stored."""
    query, caller = update.callback_query, context.caller
    assert query is not None and caller is not None
    await answer_press(update)
    if caller.role is not Role.ADVISER:
        await reply(update, context, "not_for_your_role")
        return
    wanted = (query.data or "").endswith(":on")
    services = context.services
    async with services.sessionmaker.begin() as session:
        await set_weekly_digest(
            session,
            caller.person_id,
            wanted,
            services.clock.now(),
            actor=f"person:{caller.person_id}",
        )
        await reply(update, context, "digest_set", session=session, wanted=wanted)
    await remove_buttons(update)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("digest").names, digest_state))
    application.add_handler(CallbackQueryHandler(digest_chosen, pattern=f"^{CALLBACK}:(on|off)$"))
