"""Joining: /start <code> binds the account, the information notice, then the person is active."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import button
from handlers.commands import publish_commands
from handlers.common import label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, remove_buttons, reply
from notices.materials import deliver_waiting_materials
from notices.message import keyboard
from notices.privacy_notice import NOTICE, notice_values
from notices.review_queue import deliver_waiting
from storage.invites import GUESS_FAILURES, InviteRefused, redeem_invite
from storage.materials.views import MaterialItem, material_items
from storage.models import MaterialState, Person, Role
from storage.people import confirm_notice
from storage.review_queue import Waiting, waiting_for

NOTICE_CALLBACK = button("notice").prefix


async def start(update: Update, context: BotContext) -> None:
    """/start, with or without an invite code."""
    caller, user, chat = context.caller, update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    if caller is not None and caller.active:
        await reply(update, context, "welcome_back", name=caller.full_name)
        return
    code = context.args[0] if context.args else None
    if code is None:
        if caller is None:
            await reply(update, context, "stranger")
        else:
            await _notice(update, context, caller.role)
        return
    services = context.services
    async with services.sessionmaker.begin() as session:
        try:
            person = await redeem_invite(session, code, user.id, chat.id, services.clock.now())
        except InviteRefused as refused:
            reason = "code_refused" if refused.reason in GUESS_FAILURES else refused.reason.value
            await reply(update, context, f"invite/{reason}", session=session)
            return
        context.language = person.language.value
        await _notice(update, context, person.role, session=session, person_id=person.id)


async def _notice(
    update: Update,
    context: BotContext,
    role: Role,
    session: AsyncSession | None = None,
    person_id: int | None = None,
) -> None:
    """The information notice in the reader's role's wording, its button on the last part."""
    markup = keyboard([[(label(context, "notice_confirm"), NOTICE_CALLBACK)]])
    values = notice_values(context.services.settings, role, confirm=True)
    await reply(
        update, context, NOTICE, markup=markup, session=session, person_id=person_id, **values
    )


async def confirm(update: Update, context: BotContext) -> None:
    """The notice button: only now does the person become active."""
    query, caller, chat = update.callback_query, context.caller, update.effective_chat
    assert query is not None and chat is not None
    if caller is None or caller.active:
        await answer_press(update, label(context, "stale_button"))
        await remove_buttons(update)
        return
    await answer_press(update)
    services = context.services
    async with services.sessionmaker.begin() as session:
        now = services.clock.now()
        confirmed = await confirm_notice(session, caller.person_id, now)
        if confirmed:
            waiting: list[Waiting] = []
            materials: list[MaterialItem] = []
            today = context.today()
            person = await session.get_one(Person, caller.person_id)
            if caller.role is Role.ADVISER:
                waiting = await waiting_for(session, adviser_id=caller.person_id, today=today)
            if caller.role is Role.EXPERT:
                materials = await material_items(session, states=(MaterialState.SUBMITTED,))
            await reply(
                update,
                context,
                "welcome",
                session=session,
                name=caller.full_name,
                role=caller.role.value,
                waiting=len(waiting) + len(materials),
            )
            await deliver_waiting(session, services, person, waiting, today=today)
            await deliver_waiting_materials(session, services, person, materials)
    await remove_buttons(update)
    if confirmed:
        await publish_commands(context, chat.id, caller.role, caller.language)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(confirm, pattern=f"^{NOTICE_CALLBACK}$"))
