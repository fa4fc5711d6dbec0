"""Team context: /status, /zadania, /jst, /pomoc, /jezyk."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import button, command, commands_for
from handlers.commands import publish_commands
from handlers.common import label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, remove_buttons, reply, reply_now
from notices.message import keyboard
from reminders.attention import SERVICE_LEVEL_DAYS, jst_states
from reminders.tick import work_calendar
from storage.models import Language
from storage.oversight import jst_id_of
from storage.people import Caller, set_language

LANGUAGE_CALLBACK = button("language").prefix
TERYT = re.compile(r"[0-9]{2,7}")  # ASCII digits: what a TERYT code can be, nothing else looked up
LIST_LIMIT = 100  # JSTs /jst lists at most (about three messages); the rest by /jst TERYT


def _caller(context: BotContext) -> Caller:
    assert context.caller is not None, "the gate lets only active people through"
    return context.caller


async def _team_reply(
    update: Update, context: BotContext, template: str, *, history: bool = False
) -> None:
    """A member's own JST only: the gate resolved it from their numeric Telegram id."""
    caller = _caller(context)
    if not caller.jst_ids:
        await reply_now(update, context, "no_team")
        return
    views, jst_id, today = context.services.views, caller.jst_ids[0], context.today()
    async with context.services.reader() as session:
        team = await views.view(session, jst_id, today, caller.versions, history=history)
    await reply_now(update, context, template, team=team)


async def status(update: Update, context: BotContext) -> None:
    """The team's phase, next deadlines, this month's report and open questions."""
    await _team_reply(update, context, "status")


async def tasks(update: Update, context: BotContext) -> None:
    """Every task of the programme with its due date and state."""
    await _team_reply(update, context, "tasks", history=True)


async def jsts(update: Update, context: BotContext) -> None:
    """/jst: the JSTs the caller may see (an adviser's; every JST for a coordinator), those
    needing attention first; `/jst TERYT`: one of them, read only."""
    wanted = " ".join(context.args or [])
    if wanted:
        await _one_jst(update, context, wanted if TERYT.fullmatch(wanted) else None)
        return
    caller, services = _caller(context), context.services
    now, calendar = services.clock.now(), work_calendar(services)
    async with services.reader() as session:
        states = await jst_states(session, caller.jst_ids, now, calendar)
    role, limit, days = caller.role.value, LIST_LIMIT, SERVICE_LEVEL_DAYS
    await reply_now(
        update, context, "jst_list", jst_states=states, role=role, limit=limit, sla_days=days
    )


async def _one_jst(update: Update, context: BotContext, teryt: str | None) -> None:
    """The JST of this TERYT if the caller may see it; otherwise one refusal, whether that
    JST exists elsewhere or not (None: the argument is no TERYT at all)."""
    caller, services = _caller(context), context.services
    now, calendar = services.clock.now(), work_calendar(services)
    async with services.reader() as session:
        jst_id = await jst_id_of(session, teryt) if teryt else None
        visible = [jst_id] if jst_id is not None and jst_id in caller.jst_ids else []
        states = await jst_states(session, visible, now, calendar)
    if states:
        await reply_now(update, context, "jst", jst_state=states[0], sla_days=SERVICE_LEVEL_DAYS)
    else:
        await reply_now(update, context, "jst_refused", teryt=teryt)


async def help_command(update: Update, context: BotContext) -> None:
    caller = _caller(context)
    commands = [(c.key, c.shown_name(context.language)) for c in commands_for(caller.role)]
    await reply_now(update, context, "help", commands=commands, role=caller.role.value)


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
        ("jst", jsts),
        ("help", help_command),
        ("language", language),
    ):
        application.add_handler(CommandHandler(command(key).names, callback))
    application.add_handler(
        CallbackQueryHandler(language_chosen, pattern=f"^{LANGUAGE_CALLBACK}:(pl|en)$")
    )
