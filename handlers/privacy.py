"""GDPR: /moje_dane sends a person everything stored about them; /usun_dane asks for erasure
(Yes / No; once recorded, a signed button withdraws it while it is pending)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import button, command
from handlers.common import caller_of, label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, remove_buttons, render, reply
from notices.buttons import button_data
from notices.erasure import CANCELLED_ALERT, REQUEST_ALERT, alert_coordinators
from notices.message import keyboard
from notices.my_data import data_files
from notices.notify import copy_all
from notices.privacy_notice import NOTICE, notice_values
from outbox.email_policy import template_values
from storage.erasure import Cancelled, cancel_erasure, open_request, request_erasure
from storage.models import ErasureRequest, ErasureState, Person
from storage.personal_data import files_sent, personal_data

ERASE_CALLBACK = button("erase").prefix
CANCEL = button("erase_cancel")


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
        await copy_all(
            session,
            services.templates,
            person,
            files,
            key=f"my-data:{update.update_id}",
            now=services.clock.now(),
        )


async def erase(update: Update, context: BotContext) -> None:
    """/usun_dane: Yes or No, naming who carries it out; an open request is shown instead."""
    caller = caller_of(context)
    async with context.services.sessionmaker.begin() as session:
        request = await open_request(session, caller.person_id)
        if request is not None:
            await _tell(update, context, session, request, "erase_already_recorded")
            return
        choices = [(label(context, f"erase_{c}"), f"{ERASE_CALLBACK}:{c}") for c in ("yes", "no")]
        await reply(update, context, "erase_confirm", markup=keyboard([choices]), session=session)


async def erase_chosen(update: Update, context: BotContext) -> None:
    """Yes: the request (Art. 17) is recorded with its deadline and every coordinator alerted,
    in one transaction; carried out by the operator (`advisorybot erase`). No: nothing."""
    caller, services = caller_of(context), context.services
    await answer_press(update)
    if context.pressed == f"{ERASE_CALLBACK}:no":
        await reply(update, context, "erase_declined")
    else:
        now = services.clock.now()
        async with services.sessionmaker.begin() as session:
            request, new = await request_erasure(session, caller.person_id, now, context.today())
            if new:
                await alert_coordinators(session, request, REQUEST_ALERT, now)
            template = "erase_recorded" if new else "erase_already_recorded"
            await _tell(update, context, session, request, template)
    await remove_buttons(update)


async def erase_cancel(update: Update, context: BotContext) -> None:
    """Withdraw one's own pending request (signed for the person; checked again in storage);
    the coordinators are told."""
    caller, services = caller_of(context), context.services
    await answer_press(update)
    assert context.pressed is not None  # checked by the gate
    request_id, now = int(context.pressed.split(":")[1]), services.clock.now()
    async with services.sessionmaker.begin() as session:
        outcome = await cancel_erasure(session, request_id, caller.person_id, now)
        if outcome is Cancelled.CANCELLED:
            request = await session.get_one(ErasureRequest, request_id)
            await alert_coordinators(session, request, CANCELLED_ALERT, now)
            await reply(update, context, "erase_cancelled", session=session, number=request_id)
        else:
            await reply(update, context, "erase_not_cancellable", session=session, reason=outcome)
    await remove_buttons(update)


async def _tell(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    request: ErasureRequest,
    template: str,
) -> None:
    """The request's number and deadline; while pending, the button that withdraws it."""
    pending, markup = request.state is ErasureState.PENDING, None
    if pending:
        person_id = caller_of(context).person_id
        data = await button_data(
            session, context.services, CANCEL, str(request.id), person_id=person_id
        )
        markup = keyboard([[(label(context, "erase_cancel"), data)]])
    await reply(
        update,
        context,
        template,
        markup=markup,
        session=session,
        number=request.id,
        requested_at=request.requested_at,
        due_on=request.deadline,
        under_way=not pending,
    )


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("my_data").names, my_data))
    application.add_handler(CommandHandler(command("erase").names, erase))
    application.add_handler(
        CallbackQueryHandler(erase_chosen, pattern=f"^{ERASE_CALLBACK}:(yes|no)$")
    )
    application.add_handler(CallbackQueryHandler(erase_cancel, pattern=CANCEL.pattern(r"\d+")))
