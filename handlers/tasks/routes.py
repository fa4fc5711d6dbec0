"""Tasks on Telegram: /zadanie, /uchwala (the council's resolution), /przedluz (an extension),
the adviser's review buttons, and the forms behind them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from core.access import command
from core.days import parse_day
from handlers import fallback
from handlers.common import buttons, caller_of, form_for
from handlers.context import BotApplication, BotContext
from handlers.forms import FormKind
from handlers.replies import reply
from handlers.tasks.forms import TaskForm, confirm_and_announce, refuse
from handlers.tasks.input import parse_resolution
from handlers.tasks.review import REMARKS_FORM, REMARKS_KIND, review_pressed
from handlers.tasks.submit import SUBMIT_FORM, SubmitForm, submit_command
from notices.tasks import REVIEW
from storage.forms import current_form, finish_form
from storage.models import Form
from storage.tasks.transitions import TaskRefused, extend_deadline, record_resolution

RESOLUTION_FORM = "task_resolution"
EXTEND_ARGUMENTS = 3


async def resolution_command(update: Update, context: BotContext) -> None:
    """`/uchwala NUMER RRRR-MM-DD`; without arguments, a short form asks for them."""
    if not caller_of(context).jst_ids:
        await reply(update, context, "no_team")
        return
    async with context.services.sessionmaker.begin() as session:
        if context.args:
            await _record_resolution(update, context, session, " ".join(context.args))
            return
        form = await form_for(
            session, update, context, kind=RESOLUTION_FORM, step="resolution", data={}
        )
        markup = buttons(context, form, [])
        await reply(update, context, "task_resolution_ask", markup=markup, session=session)


async def _record_resolution(
    update: Update, context: BotContext, session: AsyncSession, text: str
) -> bool:
    """Record and announce the resolution; False (with a reply saying why) if refused."""
    caller = caller_of(context)
    parsed = parse_resolution(text)
    if parsed is None:
        await refuse(update, context, session, "usage_resolution")
        return False
    number, adopted_on = parsed
    try:
        change = await record_resolution(
            session,
            jst_id=caller.jst_ids[0],
            person_id=caller.person_id,
            number=number,
            adopted_on=adopted_on,
            today=context.today(),
            now=context.services.clock.now(),
            source=f"tg:{update.update_id}",
        )
    except TaskRefused as refused:
        await refuse(update, context, session, refused.reason, **refused.params)
        return False
    await confirm_and_announce(update, context, session, "task_submitted", change)
    return True


class ResolutionForm(TaskForm):
    """The next text is `NUMER RRRR-MM-DD`; a refused one leaves the form open to try again."""

    async def on_message(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None:
        message = update.effective_message
        assert message is not None
        if await _record_resolution(update, context, session, message.text or ""):
            await finish_form(session, form.person_id)


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
    SUBMIT_FORM: SubmitForm(),
    REMARKS_FORM: REMARKS_KIND,
    RESOLUTION_FORM: ResolutionForm(),
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
