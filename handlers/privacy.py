"""GDPR: /moje_dane sends a person everything stored about them; /usun_dane records erasure."""

from __future__ import annotations

import json

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import button, command
from handlers.common import label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, remove_buttons, render, reply
from notices.message import keyboard
from outbox.email_policy import template_values
from storage.people import personal_data, request_erasure

ERASE_CALLBACK = button("erase").prefix


async def my_data(update: Update, context: BotContext) -> None:
    """Art. 15: a JSON file of all the person's data (read-only: sent directly, DESIGN rule 1),
    then a readable summary of it, to their own chat only."""
    caller, chat = context.caller, update.effective_chat
    assert caller is not None and chat is not None
    async with context.services.sessionmaker() as session:
        data = await personal_data(session, caller.person_id)
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    person = template_values(data["person"])
    await context.bot.send_document(
        chat.id,
        InputFile(payload, filename=f"{label(context, 'my_data_file')}.json"),
        caption=render(context, "my_data_caption"),
        parse_mode="HTML",
    )
    await reply(update, context, "my_data", data=data | {"person": person})


async def erase(update: Update, context: BotContext) -> None:
    markup = keyboard([[(label(context, "erase_confirm"), f"{ERASE_CALLBACK}:yes")]])
    await reply(update, context, "erase_confirm", markup=markup)


async def erase_confirmed(update: Update, context: BotContext) -> None:
    """Art. 17: recorded now, carried out by the operator (`advisorybot erase`)."""
    query, caller = update.callback_query, context.caller
    assert query is not None and caller is not None
    services = context.services
    await answer_press(update)
    async with services.sessionmaker.begin() as session:
        new = await request_erasure(session, caller.person_id, services.clock.now())
        template = "erase_recorded" if new else "erase_already_recorded"
        await reply(update, context, template, session=session)
    await remove_buttons(update)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("my_data").names, my_data))
    application.add_handler(CommandHandler(command("erase").names, erase))
    application.add_handler(
        CallbackQueryHandler(erase_confirmed, pattern=f"^{ERASE_CALLBACK}:yes$")
    )
