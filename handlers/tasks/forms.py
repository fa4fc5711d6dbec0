"""What the forms share on Telegram: labels, a form kept across a re-delivered update, and
`settle`, which saves what a step (forms/) did to the form and renders what it shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from forms.steps import CANCEL, UPDATE_KEY, Button, FormState, Outcome, Press, Show
from forms.task import cancel_only, refusal
from handlers.context import BotContext
from handlers.forms import choice_data
from handlers.replies import remove_buttons, reply
from notices.message import keyboard
from notices.tasks import LABELS, announce
from storage.forms import advance_form, current_form, finish_form, start_form
from storage.models import Form
from storage.people import Caller
from storage.tasks.views import TaskChange, adviser_on_duty

Label = Callable[..., str]  # (context, macro, /, **values): a button label


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
    now = context.services.clock.now()
    data = data | {UPDATE_KEY: update.update_id}
    return await start_form(session, person_id, kind=kind, step=step, now=now, data=data)


def buttons(
    context: BotContext, form: Form, rows: list[list[tuple[str, str]]]
) -> InlineKeyboardMarkup:
    """Rows of (label, choice) for a form, and Cancel last."""
    cancel = [(task_label(context, "cancel"), CANCEL)]
    return keyboard(
        [[(text, choice_data(form, choice)) for text, choice in row] for row in [*rows, cancel]]
    )


def state_of(form: Form) -> FormState:
    return FormState(form.step, form.data)


async def settle(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    form: Form | None,
    outcome: Outcome[Any],
    *,
    label: Label = task_label,
    **view: Any,
) -> None:
    """Save the caller's form as the step left it (an unchanged one is left alone), take the
    pressed message's buttons off, and reply what the step shows with the handler's `view`."""
    if outcome.state is None:
        await finish_form(session, caller_of(context).person_id)
    else:
        assert form is not None, "a step goes on with a form that exists"
        if outcome.state != state_of(form):
            data, now = dict(outcome.state.data), context.services.clock.now()
            advance_form(form, step=outcome.state.step, data=data, now=now)
    if outcome.remove_buttons:
        await remove_buttons(update)
    if outcome.show is not None:
        await show(update, context, session, form, outcome.show, label=label, **view)


async def show(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    form: Form | None,
    shown: Show,
    *,
    label: Label = task_label,
    **view: Any,
) -> None:
    """Reply with a step's template, its buttons labelled and carrying the form's token."""
    markup = None
    if shown.buttons is not None:
        assert form is not None, "a form's buttons carry its token"
        rows = [[(_text(context, label, b), b.choice) for b in row] for row in shown.buttons]
        markup = buttons(context, form, rows)
    values = {**view, **shown.values}
    await reply(update, context, shown.template, markup=markup, session=session, **values)


def _text(context: BotContext, label: Label, button: Button) -> str:
    if isinstance(button.label, int):
        return str(button.label)
    return label(context, button.label, **button.values)


class TaskForm:
    """A task form whose only button is Cancel; a form with other buttons overrides this."""

    async def on_choice(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        outcome = cancel_only(state_of(form), Press(update.update_id, choice))
        await settle(update, context, session, form, outcome)


async def refuse(
    update: Update, context: BotContext, session: AsyncSession, reason: str, **details: Any
) -> None:
    """One templated refusal (a reason code of tg/task_refused.html.j2 and its details)."""
    await show(update, context, session, None, refusal(reason, **details))


async def confirm_and_announce(
    update: Update, context: BotContext, session: AsyncSession, template: str, change: TaskChange
) -> None:
    """The caller's confirmation of a change, then the messages to the team and the adviser."""
    adviser = await adviser_on_duty(session, change.jst_id, context.today())
    name = adviser.full_name if adviser else None
    await reply(update, context, template, session=session, change=change, adviser=name)
    await announce(session, context.services, change, today=context.today())
