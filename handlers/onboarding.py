"""Joining: /start <code> binds the account, the information notice, then the person is active."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotApplication, BotContext
from bot.replies import keyboard, label, reply
from handlers.commands import publish_commands
from storage.invites import GUESS_FAILURES, InviteRefused, redeem_invite
from storage.people import confirm_notice

NOTICE_CALLBACK = "notice"


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
            await _send_notice(update, context)
        return
    services = context.services
    reason: str | None = None
    async with services.sessionmaker.begin() as session:
        try:
            person = await redeem_invite(session, code, user.id, chat.id, services.clock.now())
        except InviteRefused as refused:
            reason = "code_refused" if refused.reason in GUESS_FAILURES else refused.reason.value
        else:
            context.language = person.language.value
    if reason is not None:
        await reply(update, context, f"invite/{reason}")
        return
    await _send_notice(update, context)


async def _send_notice(update: Update, context: BotContext) -> None:
    markup = keyboard([[(label(context, "notice_confirm"), NOTICE_CALLBACK)]])
    await reply(update, context, "notice", markup=markup)


async def confirm(update: Update, context: BotContext) -> None:
    """The notice button: only now does the person become active."""
    query, caller, chat = update.callback_query, context.caller, update.effective_chat
    assert query is not None and chat is not None
    if caller is None:
        await query.answer(label(context, "stale_button"), show_alert=True)
        return
    services = context.services
    async with services.sessionmaker.begin() as session:
        confirmed = await confirm_notice(session, caller.person_id, services.clock.now())
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if confirmed:
        await publish_commands(context, chat.id, caller.role, caller.language)
        await reply(update, context, "welcome", name=caller.full_name, role=caller.role.value)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(confirm, pattern=f"^{NOTICE_CALLBACK}$"))
