"""/obecnosc (/attendance) [TERYT]: an adviser (their JSTs) or a coordinator marks who of a
team attended a training round: a round's button, then a toggle a member. Presses are signed
for the caller (the gate checks it) and checked here again: the JST still in the caller's
scope, the round begun in its cohort, the person a member of its team."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import command
from handlers.common import caller_of, label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, replace_buttons, reply
from notices.attendance import MARK, Marking, press
from storage.attendance import begun_rounds
from storage.models import Jst
from storage.oversight import jst_id_of

LABELS = "tg/attendance_labels.txt.j2"


async def attendance(update: Update, context: BotContext) -> None:
    """The rounds of the JST named (or of the caller's only JST) begun so far, as buttons."""
    caller, services = caller_of(context), context.services
    wanted = " ".join(context.args or [])
    async with services.sessionmaker.begin() as session:
        jst_id = await jst_id_of(session, wanted) if wanted else None
        if not wanted and len(caller.jst_ids) == 1:
            jst_id = caller.jst_ids[0]
        if jst_id is None or jst_id not in caller.jst_ids:
            await reply(update, context, "attendance_which", session=session, teryt=wanted)
            return
        jst = await session.get_one(Jst, jst_id)
        rounds = await begun_rounds(session, jst_id, context.today())
        marking = Marking(session, services, caller.person_id, jst_id)
        markup = await marking.rounds(rounds) if rounds else None
        values: dict[str, Any] = {"jst_name": jst.name, "rounds": rounds}
        await reply(update, context, "attendance_rounds", markup=markup, session=session, **values)


async def pressed(update: Update, context: BotContext) -> None:
    """A round's button (its team's toggles), or a member's toggle (recorded, toggles redrawn).
    Telegram is answered after the transaction, so no other press waits for its lock."""
    assert context.pressed is not None  # checked by the gate
    services = context.services
    words = services.templates.words(context.language, LABELS)
    async with services.sessionmaker.begin() as session:
        shown = await press(
            session,
            services,
            caller_of(context),
            context.pressed,
            today=context.today(),
            words=words,
        )
        if shown is not None and shown.team is not None:
            values = {"markup": shown.markup, "session": session, **shown.team}
            await reply(update, context, "attendance_team", **values)
    if shown is None:
        await answer_press(update, label(context, "stale_button"))
        return
    await answer_press(update)
    if shown.team is None:
        await replace_buttons(update, shown.markup)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("attendance").names, attendance))
    pattern = MARK.pattern(r"\d{1,9}:[A-Z][A-Z0-9_]{0,19}(:\d{1,9}:[01])?")
    application.add_handler(CallbackQueryHandler(pressed, pattern=pattern))
