"""/zadanie: pick a task, send the evidence, confirm; then the team and the adviser are told.

Any member's submission counts for the whole team. The steps are forms/task.py's; the
submission is keyed by the form's token, so a re-delivered confirm press (the form is gone by
then) submits nothing twice.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from forms.steps import Input
from forms.task import CHOOSE, SubmitTask, needed_task, submit_step
from handlers.common import (
    buttons,
    caller_of,
    form_for,
    settle,
    state_of,
    task_label,
)
from handlers.context import BotContext
from handlers.forms import SteppedForm
from handlers.replies import reply
from handlers.tasks.forms import confirm_and_announce, refuse
from storage.models import Form
from storage.tasks.transitions import TaskRefused, submit_task
from storage.tasks.views import TaskItem, submit_choices

SUBMIT_FORM = "task_submit"


async def submit_command(update: Update, context: BotContext) -> None:
    """The team's tasks not yet accepted: those to submit as buttons, those with the adviser."""
    caller = caller_of(context)
    if not caller.jst_ids:
        await reply(update, context, "no_team")
        return
    async with context.services.sessionmaker.begin() as session:
        choices = await submit_choices(session, caller.jst_ids[0])
        markup = None
        if choices.open:
            form = await form_for(session, update, context, kind=SUBMIT_FORM, step=CHOOSE, data={})
            rows = [[(task_label(context, "task", task=t), t.code)] for t in choices.open]
            markup = buttons(context, form, rows)
        await reply(
            update, context, "task_choose", markup=markup, session=session, choices=choices
        )


async def _open_task(session: AsyncSession, context: BotContext, code: str) -> TaskItem | None:
    choices = await submit_choices(session, caller_of(context).jst_ids[0])
    return next((task for task in choices.open if task.code == code), None)


async def _take(
    update: Update, context: BotContext, form: Form, session: AsyncSession, event: Input
) -> None:
    """The submission form: forms/task.py `submit_step`, then the submission it confirms."""
    state = state_of(form)
    code = needed_task(state, event)
    task = await _open_task(session, context, code) if code is not None else None
    outcome, source = submit_step(state, event, task), f"form:{form.token}"
    await settle(update, context, session, form, outcome)
    if outcome.effect is not None:
        await _submit(update, context, session, outcome.effect, source)


async def _submit(
    update: Update, context: BotContext, session: AsyncSession, change: SubmitTask, source: str
) -> None:
    caller = caller_of(context)
    try:
        submitted = await submit_task(
            session,
            jst_id=caller.jst_ids[0],
            code=change.code,
            person_id=caller.person_id,
            evidence=change.evidence,
            now=context.services.clock.now(),
            source=source,
        )
    except TaskRefused as refused:
        await refuse(update, context, session, refused.reason, **refused.params)
        return
    await confirm_and_announce(update, context, session, "task_submitted", submitted)


SUBMIT = SteppedForm(_take)
