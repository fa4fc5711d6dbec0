"""/obecnosc (/attendance) [TERYT]: an adviser (their JSTs) or a coordinator marks who of a
team attended a training round: a round's button, then a toggle a member. Presses are signed
for the caller (the gate checks it) and checked here again: the JST still in the caller's
scope, the round begun in its cohort, the person a member of its team."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import command
from handlers.common import caller_of, label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, replace_buttons, reply
from notices.attendance import MARK, Marking
from storage.attendance import Source, begun_rounds, record_attendance, team_marks
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
        values = {"jst_name": jst.name, "rounds": rounds}
        await reply(update, context, "attendance_rounds", markup=markup, session=session, **values)


async def pressed(update: Update, context: BotContext) -> None:
    """A round's button (its team's toggles), or a member's toggle (recorded, toggles redrawn).
    Telegram is answered after the transaction, so no other press waits for its lock."""
    assert context.pressed is not None  # checked by the gate
    caller, services = caller_of(context), context.services
    _prefix, jst_text, code, *toggle = context.pressed.split(":")
    jst_id, member = int(jst_text), int(toggle[0]) if toggle else None
    markup: InlineKeyboardMarkup | None = None
    async with services.sessionmaker.begin() as session:
        rounds = {step.code: step for step in await begun_rounds(session, jst_id, context.today())}
        marks = await team_marks(session, jst_id, code)
        known = member is None or member in {mark.person_id for mark in marks}
        allowed = jst_id in caller.jst_ids and code in rounds and known
        if allowed and member is not None:
            actor, now = f"person:{caller.person_id}", services.clock.now()
            present = {member: toggle[1] == "1"}
            await record_attendance(
                session, code, present, source=Source.TELEGRAM, actor=actor, now=now
            )
            marks = await team_marks(session, jst_id, code)
        if allowed:
            words = services.templates.words(context.language, LABELS)
            marking = Marking(session, services, caller.person_id, jst_id)
            markup = await marking.members(code, marks, words)
        if allowed and member is None:
            jst = await session.get_one(Jst, jst_id)
            values = {"jst_name": jst.name, "step": rounds[code], "members": len(marks)}
            await reply(
                update, context, "attendance_team", markup=markup, session=session, **values
            )
    if not allowed:
        await answer_press(update, label(context, "stale_button"))
        return
    await answer_press(update)
    if member is not None:
        await replace_buttons(update, markup)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("attendance").names, attendance))
    pattern = MARK.pattern(r"\d{1,9}:[A-Z][A-Z0-9_]{0,19}(:\d{1,9}:[01])?")
    application.add_handler(CallbackQueryHandler(pressed, pattern=pattern))
