"""/zadanie: pick a task, send the evidence, confirm; then the team and the adviser are told.

Any member's submission counts for the whole team. The submission is keyed by the form's token,
so a re-delivered confirm press (the form is gone by then) submits nothing twice.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from handlers.context import BotContext
from handlers.replies import remove_buttons, reply
from handlers.tasks.forms import (
    TaskForm,
    buttons,
    caller_of,
    confirm_and_announce,
    form_for,
    refuse,
    task_label,
)
from handlers.tasks.input import evidence_from
from storage.forms import advance_form, finish_form
from storage.models import Form
from storage.tasks.transitions import TaskRefused, check_evidence, submit_task
from storage.tasks.views import Evidence, TaskItem, submit_choices

SUBMIT_FORM = "task_submit"
CHOOSE, EVIDENCE, CONFIRM = "task", "evidence", "confirm"
CONFIRMED = "ok"


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


class SubmitForm(TaskForm):
    """Steps: task (a button) → evidence (the next message) → confirm (a button)."""

    async def chosen(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        if form.step == CHOOSE:
            await self._task_chosen(update, context, form, session, choice)
        elif form.step == CONFIRM and choice == CONFIRMED:
            await self._confirmed(update, context, form, session)

    async def on_message(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None:
        """The evidence; a second message before confirming replaces the first."""
        message = update.effective_message
        assert message is not None
        if form.step == CHOOSE:
            await refuse(update, context, session, "choose_first")
            return
        evidence = evidence_from(message)
        task = await _open_task(session, context, form.data["task"])
        try:
            check_evidence(evidence)
        except TaskRefused as refused:
            await refuse(update, context, session, refused.reason, **refused.params)
            return
        if task is None:
            await finish_form(session, form.person_id)
            await refuse(update, context, session, "not_open", code=form.data["task"])
            return
        advance_form(
            form, step=CONFIRM, data=form.data | {"evidence": evidence.as_json()},
            now=context.services.clock.now(),
        )  # fmt: skip
        markup = buttons(context, form, [[(task_label(context, "confirm"), CONFIRMED)]])
        await reply(
            update, context, "task_evidence_summary", markup=markup, session=session,
            task=task, evidence=evidence,
        )  # fmt: skip

    async def _task_chosen(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, code: str
    ) -> None:
        task = await _open_task(session, context, code)
        await remove_buttons(update)
        if task is None:
            await finish_form(session, form.person_id)
            await refuse(update, context, session, "not_open", code=code)
            return
        advance_form(
            form, step=EVIDENCE, data=form.data | {"task": code}, now=context.services.clock.now()
        )
        markup = buttons(context, form, [])
        await reply(
            update, context, "task_evidence_ask", markup=markup, session=session, task=task
        )

    async def _confirmed(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None:
        caller = caller_of(context)
        await finish_form(session, caller.person_id)
        await remove_buttons(update)
        try:
            change = await submit_task(
                session, jst_id=caller.jst_ids[0], code=form.data["task"],
                person_id=caller.person_id, evidence=Evidence(**form.data["evidence"]),
                now=context.services.clock.now(), source=f"form:{form.token}",
            )  # fmt: skip
        except TaskRefused as refused:
            await refuse(update, context, session, refused.reason, **refused.params)
            return
        await confirm_and_announce(update, context, session, "task_submitted", change)
