"""The adviser's Accept / Return buttons on a submission, and the remarks a return asks for.

A press is looked up and re-authorized every time: only the JST's adviser or the substitute on
duty, only for the review round the button was sent for; anything else is a stale button.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Update
from telegram.error import TelegramError

from forms.task import ReturnTask, remarks_step
from handlers.common import buttons, caller_of, form_for, label
from handlers.context import BotContext
from handlers.replies import remove_buttons, reply
from handlers.tasks.forms import RemarksForm, confirm_and_announce
from notices.tasks import ACCEPT
from storage.models import Form
from storage.tasks.transitions import TaskRefused, check_reviewable, review_task
from storage.tasks.views import TaskChange, task_history

log = logging.getLogger(__name__)
REMARKS_FORM = "task_remarks"
REMARKS = "remarks"


async def review_pressed(update: Update, context: BotContext) -> None:
    """Accept now, or ask for the remarks of a return."""
    query = update.callback_query
    assert query is not None
    assert context.pressed is not None  # checked by the gate
    _prefix, verdict, progress_id, review_round = context.pressed.split(":")
    async with context.services.sessionmaker.begin() as session:
        try:
            if verdict == ACCEPT:
                await _accept(update, context, session, int(progress_id), int(review_round))
            else:
                await _ask_remarks(update, context, session, int(progress_id), int(review_round))
        except TaskRefused:
            await _answer(query, label(context, "stale_button"))
            return
    await _answer(query, None)
    if verdict == ACCEPT:  # Return keeps them: the adviser may cancel the remarks
        await remove_buttons(update)


async def _answer(query: CallbackQuery, alert: str | None) -> None:
    """A press re-delivered after a crash was answered before: Telegram refuses a second one."""
    try:
        await query.answer(alert, show_alert=alert is not None)
    except TelegramError as error:
        log.info("could not answer a press: %s", type(error).__name__)


async def _accept(
    update: Update, context: BotContext, session: AsyncSession, progress_id: int, round_: int
) -> None:
    change = await review_task(
        session,
        progress_id=progress_id,
        review_round=round_,
        adviser_id=caller_of(context).person_id,
        accept=True,
        remarks=None,
        today=context.today(),
        now=context.services.clock.now(),
        source=f"tg:{update.update_id}",
    )
    await confirm_and_announce(update, context, session, "task_reviewed", change)


async def _ask_remarks(
    update: Update, context: BotContext, session: AsyncSession, progress_id: int, round_: int
) -> None:
    progress = await check_reviewable(
        session,
        progress_id=progress_id,
        review_round=round_,
        adviser_id=caller_of(context).person_id,
        today=context.today(),
    )
    submission = await task_history(session, progress.jst_id, code=progress.step_code, limit=1)
    data = {"progress": progress_id, "round": round_}
    form = await form_for(session, update, context, kind=REMARKS_FORM, step=REMARKS, data=data)
    markup = buttons(context, form, [])
    await reply(
        update, context, "task_remarks_ask", markup=markup, session=session, change=submission[0]
    )


async def _return(
    context: BotContext, session: AsyncSession, form: Form, change: ReturnTask
) -> TaskChange:
    return await review_task(
        session,
        progress_id=change.progress_id,
        review_round=change.review_round,
        adviser_id=form.person_id,
        accept=False,
        remarks=change.remarks,
        today=context.today(),
        now=context.services.clock.now(),
        source=f"form:{form.token}",
    )


async def _returned(
    update: Update, context: BotContext, session: AsyncSession, change: TaskChange
) -> None:
    await confirm_and_announce(update, context, session, "task_reviewed", change)


# The adviser's next text is the remarks of the return (forms/task.py `remarks_step`).
REMARKS_KIND = RemarksForm(remarks_step, _return, _returned)
