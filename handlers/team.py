"""Team context: /status, /zadania, /jst, /pomoc, /jezyk."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import button, command, commands_for
from handlers.commands import publish_commands
from handlers.common import label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, remove_buttons, reply
from notices.message import keyboard
from storage.models import Language
from storage.people import Caller, set_language
from storage.team import team_view

LANGUAGE_CALLBACK = button("language").prefix


def _caller(context: BotContext) -> Caller:
    assert context.caller is not None, "the gate lets only active people through"
    return context.caller


async def _team_reply(
    update: Update, context: BotContext, template: str, *, history: bool = False
) -> None:
    """A member's own JST only: the gate resolved it from their numeric Telegram id."""
    caller = _caller(context)
    if not caller.jst_ids:
        await reply(update, context, "no_team")
        return
    async with context.services.sessionmaker.begin() as session:  # read and answer: one
        team = await team_view(session, caller.jst_ids[0], context.today(), history=history)
        await reply(update, context, template, session=session, team=team)


async def status(update: Update, context: BotContext) -> None:
    """The team's phase, next deadlines, this month's report and open questions."""
    await _team_reply(update, context, "status")


async def tasks(update: Update, context: BotContext) -> None:
    """Every task of the programme with its due date and state."""
    await _team_reply(update, context, "tasks", history=True)


async def adviser_jsts(update: Update, context: BotContext) -> None:
    """An adviser's JSTs, each with its state."""
    caller = _caller(context)
    async with context.services.sessionmaker() as session:
        teams = [await team_view(session, jst_id, context.today()) for jst_id in caller.jst_ids]
    await reply(update, context, "adviser_jsts", teams=teams)


async def help_command(update: Update, context: BotContext) -> None:
    caller = _caller(context)
    commands = [(c.key, c.shown_name(context.language)) for c in commands_for(caller.role)]
    await reply(update, context, "help", commands=commands, role=caller.role.value)


LANGUAGE_NAMES = {
    "pl": Language.PL,
    "polski": Language.PL,
    "en": Language.EN,
    "english": Language.EN,
}


async def language(update: Update, context: BotContext) -> None:
    """`/jezyk en` (or pl) switches at once; without a known argument, the two buttons."""
    chosen = LANGUAGE_NAMES.get(" ".join(context.args or []).strip().lower())
    if chosen is not None:
        await _switch(update, context, chosen)
        return
    markup = keyboard(
        [
            [
                (label(context, "language_pl"), f"{LANGUAGE_CALLBACK}:pl"),
                (label(context, "language_en"), f"{LANGUAGE_CALLBACK}:en"),
            ]
        ]
    )
    await reply(update, context, "language_choose", markup=markup)


async def language_chosen(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await answer_press(update)
    await _switch(update, context, Language((query.data or "").split(":")[1]))
    await remove_buttons(update)


async def _switch(update: Update, context: BotContext, chosen: Language) -> None:
    """The caller's language from now on: the reply and their command menu in it."""
    caller, chat, services = _caller(context), update.effective_chat, context.services
    assert chat is not None
    context.language = chosen.value
    async with services.sessionmaker.begin() as session:
        await set_language(session, caller.person_id, chosen, services.clock.now())
        await reply(update, context, "language_set", session=session)
    await publish_commands(context, chat.id, caller.role, chosen.value)


def register(application: BotApplication) -> None:
    for key, callback in (
        ("status", status),
        ("tasks", tasks),
        ("jst", adviser_jsts),
        ("help", help_command),
        ("language", language),
    ):
        application.add_handler(CommandHandler(command(key).names, callback))
    application.add_handler(
        CallbackQueryHandler(language_chosen, pattern=f"^{LANGUAGE_CALLBACK}:(pl|en)$")
    )
