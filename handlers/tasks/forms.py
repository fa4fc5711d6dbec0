"""What the task forms share: labels, a form kept across a re-delivered update, Cancel."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from handlers.context import BotContext
from handlers.forms import choice_data
from handlers.replies import remove_buttons, reply
from notices.message import keyboard
from notices.tasks import LABELS, announce
from storage.forms import current_form, finish_form, start_form
from storage.models import Form
from storage.people import Caller
from storage.tasks.views import TaskChange, adviser_on_duty

CANCEL = "-"
UPDATE_KEY = "update"


def caller_of(context: BotContext) -> Caller:
    assert context.caller is not None, "the gate lets only active people through"
    return context.caller


def task_label(context: BotContext, macro: str, /, **values: Any) -> str:
    """A button label of tg/task_labels.txt.j2 in the caller's language."""
    return context.services.templates.macro(context.language, LABELS, macro, **values)


async def form_for(
    session: AsyncSession,
    update: Update,
    context: BotContext,
    *,
    kind: str,
    step: str,
    data: dict[str, Any],
) -> Form:
    """Start a form, unless this very update started it before (Telegram re-sent the update):
    the reply queued then carries that form's buttons, so it must stay current."""
    person_id = caller_of(context).person_id
    form = await current_form(session, person_id)
    if form is not None and form.kind == kind and form.data.get(UPDATE_KEY) == update.update_id:
        return form
    return await start_form(
        session, person_id, kind=kind, step=step, now=context.services.clock.now(),
        data=data | {UPDATE_KEY: update.update_id},
    )  # fmt: skip


def buttons(
    context: BotContext, form: Form, rows: list[list[tuple[str, str]]]
) -> InlineKeyboardMarkup:
    """Rows of (label, choice) for a form, and Cancel last."""
    cancel = [(task_label(context, "cancel"), CANCEL)]
    return keyboard(
        [[(text, choice_data(form, choice)) for text, choice in row] for row in [*rows, cancel]]
    )


class TaskForm:
    """A task form: its Cancel button ends it; a form with other buttons overrides `chosen`."""

    async def on_choice(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        if choice != CANCEL:
            await self.chosen(update, context, form, session, choice)
            return
        await finish_form(session, form.person_id)
        await reply(update, context, "task_cancelled", session=session)
        await remove_buttons(update)

    async def chosen(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        """Cancel is the only button of a form that does not override this."""


async def refuse(
    update: Update, context: BotContext, session: AsyncSession, reason: str, **details: Any
) -> None:
    """One templated refusal (a reason code of tg/task_refused.html.j2 and its details)."""
    await reply(update, context, "task_refused", session=session, reason=reason, details=details)


async def confirm_and_announce(
    update: Update, context: BotContext, session: AsyncSession, template: str, change: TaskChange
) -> None:
    """The caller's confirmation of a change, then the messages to the team and the adviser."""
    adviser = await adviser_on_duty(session, change.jst_id, context.today())
    await reply(
        update, context, template, session=session, change=change,
        adviser=adviser.full_name if adviser else None,
    )  # fmt: skip
    await announce(session, context.services, change, today=context.today())
