"""Tasks on Telegram: /zadanie, /uchwala (the council's resolution), /przedluz (an extension),
the adviser's review buttons, and the forms behind them."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from core.access import command
from core.days import parse_day
from forms.resolution import NUMBER, resolution_step
from forms.steps import FormState, Input, Outcome
from handlers import fallback
from handlers.common import buttons, caller_of, form_for, read_message, settle, state_of
from handlers.context import BotApplication, BotContext
from handlers.forms import FormKind, SteppedForm
from handlers.replies import reply
from handlers.tasks.forms import confirm_and_announce, refuse
from handlers.tasks.review import REMARKS_FORM, REMARKS_KIND, review_pressed
from handlers.tasks.submit import SUBMIT, SUBMIT_FORM, submit_command
from notices.tasks import REVIEW
from storage.forms import current_form
from storage.models import Form
from storage.tasks.resolution import adoption, record_resolution
from storage.tasks.transitions import TaskRefused, extend_deadline

RESOLUTION_FORM = "task_resolution"
EXTEND_ARGUMENTS = 3


async def resolution_command(update: Update, context: BotContext) -> None:
    """`/uchwala`: a form asks for the number and date (or takes them from the command), then
    for the document or its BIP link, then confirms; refused at once if it cannot be recorded."""
    caller = caller_of(context)
    if not caller.jst_ids:
        await reply(update, context, "no_team")
        return
    async with context.services.sessionmaker.begin() as session:
        try:
            await adoption(session, caller.jst_ids[0], context.services.settings.zone)
        except TaskRefused as refused:
            await refuse(update, context, session, refused.reason, **refused.params)
            return
        form = await form_for(session, update, context, kind=RESOLUTION_FORM, step=NUMBER, data={})
        if context.args:  # the number and date typed after the command: its first step
            typed = replace(read_message(update), text=" ".join(context.args))
            await _take(update, context, form, session, typed, state=FormState(NUMBER, {}))
            return
        markup = buttons(context, form, [])
        await reply(update, context, "task_resolution_ask", markup=markup, session=session)


async def _take(
    update: Update,
    context: BotContext,
    form: Form,
    session: AsyncSession,
    event: Input,
    *,
    state: FormState | None = None,
) -> None:
    """One step of forms/resolution.py (from `state`, else where the form is), then the
    resolution it confirms."""
    caller, zone = caller_of(context), context.services.settings.zone
    try:
        found = await adoption(session, caller.jst_ids[0], zone)
    except TaskRefused as refused:
        await settle(update, context, session, form, Outcome(None, remove_buttons=True))
        await refuse(update, context, session, refused.reason, **refused.params)
        return
    outcome = resolution_step(state or state_of(form), event, found, context.today())
    await settle(update, context, session, form, outcome)
    if outcome.effect is None:
        return
    try:
        change = await record_resolution(
            session,
            jst_id=caller.jst_ids[0],
            person_id=caller.person_id,
            number=outcome.effect.number,
            adopted_on=outcome.effect.adopted_on,
            proof=outcome.effect.proof,
            today=context.today(),
            now=context.services.clock.now(),
            zone=zone,
            source=f"form:{form.token}",
        )
    except TaskRefused as refused:
        await refuse(update, context, session, refused.reason, **refused.params)
        return
    await confirm_and_announce(update, context, session, "task_submitted", change)


async def extend_command(update: Update, context: BotContext) -> None:
    """`/przedluz TERYT ZADANIE RRRR-MM-DD`, for the adviser's own JSTs only."""
    async with context.services.sessionmaker.begin() as session:
        arguments = list(context.args or [])
        if len(arguments) != EXTEND_ARGUMENTS:
            await refuse(update, context, session, "usage_extend")
            return
        teryt, code, day_text = arguments
        until = parse_day(day_text)
        if until is None:
            await refuse(update, context, session, "bad_date", value=day_text)
            return
        try:
            change = await extend_deadline(
                session,
                teryt=teryt,
                code=code,
                until=until,
                adviser_id=caller_of(context).person_id,
                today=context.today(),
                now=context.services.clock.now(),
                source=f"tg:{update.update_id}",
            )
        except TaskRefused as refused:
            await refuse(update, context, session, refused.reason, **refused.params)
            return
        await confirm_and_announce(update, context, session, "task_extended", change)


async def other_content(update: Update, context: BotContext) -> None:
    """A sticker, voice message or the like: a task form says what it takes, else the fallback."""
    async with context.services.sessionmaker.begin() as session:
        form = await current_form(session, caller_of(context).person_id)
        if form is not None and form.kind in FORM_KINDS:
            await refuse(update, context, session, "unsupported", form=form.kind)
            return
    await fallback.unsupported(update, context)


FORM_KINDS: dict[str, FormKind] = {
    SUBMIT_FORM: SUBMIT,
    REMARKS_FORM: REMARKS_KIND,
    RESOLUTION_FORM: SteppedForm(_take),
}


def register(application: BotApplication) -> None:
    for key, callback in (
        ("submit", submit_command),
        ("resolution", resolution_command),
        ("extend", extend_command),
    ):
        application.add_handler(CommandHandler(command(key).names, callback))
    application.add_handler(
        CallbackQueryHandler(review_pressed, pattern=REVIEW.pattern(r"[ar]:\d+:\d+"))
    )
    taken_by_forms = filters.TEXT | filters.PHOTO | filters.Document.ALL
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & ~filters.COMMAND & ~taken_by_forms, other_content
        )
    )
