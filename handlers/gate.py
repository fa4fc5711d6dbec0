"""The gate (group -1): who is calling, in which language, and what they may reach."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from core.access import COMMANDS, button, pressed_button
from handlers.common import label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, reply_now
from notices.buttons import cached_button_key, verified
from storage.models import Role
from storage.people import set_reachable

GATE_GROUP = -1
ONBOARDING_COMMANDS = ("start",)
ONBOARDING_CALLBACKS = (button("notice").prefix,)


def telegram_language(code: str | None) -> str:
    """Polish unless Telegram says the user reads English."""
    return "en" if code and code.lower().startswith("en") else "pl"


def is_onboarding(update: Update) -> bool:
    """/start and the notice button are all a not-yet-active person may use."""
    if update.callback_query is not None:
        return (update.callback_query.data or "").split(":")[0] in ONBOARDING_CALLBACKS
    return _command_name(update) in ONBOARDING_COMMANDS


async def gate(update: Update, context: BotContext) -> None:
    """Resolve the caller by numeric Telegram id; stop everything else here."""
    if not await _ours(update, context):
        raise ApplicationHandlerStop
    assert update.effective_user is not None
    callers = context.services.callers
    context.caller = await callers.by_telegram(update.effective_user.id, context.today())
    if context.caller is not None:
        context.language = context.caller.language
    if not await _may_pass(update, context):
        raise ApplicationHandlerStop


async def _ours(update: Update, context: BotContext) -> bool:
    """A message or a press in a private chat with a person (a block is noted, a group
    refused); the language is the person's Telegram one until they are known."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return False
    if update.my_chat_member is not None:
        await _track_block(update, context)
        return False
    if update.effective_message is None and update.callback_query is None:
        return False
    context.language = telegram_language(user.language_code)
    if chat.type != ChatType.PRIVATE:
        if update.effective_message is not None and update.callback_query is None:
            await reply_now(update, context, "group_refused")
        return False
    return True


async def _may_pass(update: Update, context: BotContext) -> bool:
    """Whether the caller may do what the update asks; if not, they are told why."""
    caller = context.caller
    if (caller is None or not caller.active) and not is_onboarding(update):
        if update.callback_query is not None:
            await answer_press(update)
        await reply_now(update, context, "stranger" if caller is None else "confirm_notice_first")
        return False
    if update.edited_message is not None:  # handlers would take an edit for a new command
        await reply_now(update, context, "edit_ignored")
        return False
    if caller is not None and not allowed_command(update, caller.role):
        await reply_now(update, context, "not_for_your_role")
        return False
    return update.callback_query is None or await _press_allowed(update, context)


async def _press_allowed(update: Update, context: BotContext) -> bool:
    """A button of ours, for the caller's role, and (when signed) sent to the caller: the
    handler then reads `context.pressed`. Anything else is answered with an alert."""
    assert update.callback_query is not None
    data, caller = update.callback_query.data or "", context.caller
    found = pressed_button(data)
    if caller is not None and found is not None and caller.role not in found.roles:
        await answer_press(update, label(context, "button_not_for_you"))
        return False
    pressed: str | None = data
    if found is not None and found.signed:
        key = await cached_button_key(context.services)
        pressed = None if caller is None else verified(key, caller.person_id, data)
    if found is None or pressed is None:
        await answer_press(update, label(context, "stale_button"))
        return False
    context.pressed = pressed
    return True


def _command_name(update: Update) -> str | None:
    message = update.effective_message
    text = message.text if message and message.text else ""
    if not text.startswith("/") or len(text) < 2:
        return None
    return text[1:].split()[0].split("@")[0].lower()


def allowed_command(update: Update, role: Role) -> bool:
    """A known command another role uses is refused here, before any handler."""
    name = _command_name(update)
    found = next((c for c in COMMANDS if name in c.names), None)
    return found is None or role in found.roles


async def _track_block(update: Update, context: BotContext) -> None:
    """A user who blocks the bot is unreachable on Telegram until they unblock it."""
    member = update.my_chat_member
    assert member is not None
    if member.chat.type != ChatType.PRIVATE:
        return
    blocked = member.new_chat_member.status == ChatMemberStatus.BANNED
    services = context.services
    async with services.sessionmaker.begin() as session:
        await set_reachable(session, member.from_user.id, not blocked, services.clock.now())


def register(application: BotApplication) -> None:
    application.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
