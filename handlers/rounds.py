"""/zjazdy (/rounds): the training rounds of the member's cohort, with buttons that send them as
a calendar file (.ics: all, or one). Read only: the list and the file go directly (DESIGN
rule 1's exception), as /moje_dane's files do."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import button, command
from handlers.common import caller_of, label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, render, reply_now
from notices.message import keyboard
from notices.round_calendar import rounds_file
from storage.round_views import RoundView, jst_rounds

FILE = button("rounds_file")
ALL = "all"


async def _rounds(context: BotContext) -> list[RoundView] | None:
    """The rounds of the caller's cohort; None for a member of no JST."""
    caller = caller_of(context)
    if not caller.jst_ids:
        return None
    async with context.services.reader() as session:
        return await jst_rounds(session, caller.jst_ids[0])


async def rounds_command(update: Update, context: BotContext) -> None:
    """Every round: its phase, and its date, hours, place or link and what to bring once set."""
    rounds = await _rounds(context)
    if rounds is None:
        await reply_now(update, context, "no_team")
        return
    dated = [r for r in rounds if r.held_on is not None]
    markup = None
    if dated:
        every = [(label(context, "rounds_all"), f"{FILE.prefix}:{ALL}")]
        each = [
            (label(context, "round_one", code=r.code), f"{FILE.prefix}:{r.code}") for r in dated
        ]
        markup = keyboard([every, each])
    await reply_now(update, context, "rounds", markup=markup, rounds=rounds, today=context.today())


async def file_pressed(update: Update, context: BotContext) -> None:
    """The calendar file of every round set, or of the one pressed; a round no longer dated
    is answered as a stale button."""
    chat = update.effective_chat
    assert chat is not None and context.pressed is not None  # checked by the gate
    wanted = context.pressed.split(":", 1)[1]
    code = None if wanted == ALL else wanted
    rounds = await _rounds(context) or []
    if not any(r.held_on is not None and code in (None, r.code) for r in rounds):
        await answer_press(update, label(context, "stale_button"))
        return
    await answer_press(update)
    services = context.services
    file = rounds_file(
        services.templates, context.language, rounds, now=services.clock.now(), code=code
    )
    await context.bot.send_document(
        chat.id,
        InputFile(file.content, filename=file.name),
        caption=render(context, "rounds_file_caption", code=code),
        parse_mode="HTML",
    )


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("rounds").names, rounds_command))
    application.add_handler(
        CallbackQueryHandler(file_pressed, pattern=FILE.pattern(f"({ALL}|[A-Z][A-Z0-9_]{{0,19}})"))
    )
