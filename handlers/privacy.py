"""GDPR: /moje_dane sends a person everything stored about them; /usun_dane records erasure."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import button, command
from handlers.common import label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, remove_buttons, render, reply
from notices.files import send_copies
from notices.message import keyboard
from notices.my_data import data_files
from notices.privacy_notice import NOTICE, notice_values
from outbox.email_policy import template_values
from storage.models import Person
from storage.people import request_erasure
from storage.personal_data import files_sent, personal_data

ERASE_CALLBACK = button("erase").prefix


async def my_data(update: Update, context: BotContext) -> None:
    """Art. 15: all the person's data as a JSON and a CSV file (read-only: sent directly, DESIGN
    rule 1), then a readable summary, the notice's information and copies of the files they
    sent, to their own chat only."""
    caller, chat = context.caller, update.effective_chat
    assert caller is not None and chat is not None
    services = context.services
    async with services.sessionmaker() as session:
        data = await personal_data(session, caller.person_id)
    for file in data_files(services, context.language, data):
        await context.bot.send_document(
            chat.id,
            InputFile(file.content, filename=file.name),
            caption=render(context, "my_data_caption", format=file.format),
            parse_mode="HTML",
        )
    summary = data | {"person": template_values(data["person"])}
    notice = notice_values(services.settings, caller.role, confirm=False)
    files = files_sent(data)
    async with services.sessionmaker.begin() as session:
        await reply(update, context, "my_data", session=session, data=summary, files=len(files))
        await reply(update, context, NOTICE, session=session, **notice)
        person = await session.get_one(Person, caller.person_id)
        await send_copies(session, services, person, files, key=f"my-data:{update.update_id}")


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
