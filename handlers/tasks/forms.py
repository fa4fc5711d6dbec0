"""What the task forms share: Cancel, a refusal, the remarks of a return, a form whose every
input goes to one step, and the confirmation of a change with the notices it makes (the forms'
Telegram side in general: handlers/common.py). The materials' forms (handlers/materials) are
built on the same."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from forms.steps import FormState, Message, Outcome, Press, Show
from forms.task import cancel_only, refusal, remarks_refused
from handlers.common import read_message, settle, show, state_of
from handlers.context import BotContext
from handlers.replies import reply
from notices.tasks import announce
from storage.models import Form
from storage.people import reachable_on_telegram
from storage.tasks.rows import TaskRefused
from storage.tasks.views import TaskChange, adviser_on_duty


class TaskForm:
    """A task form whose only button is Cancel; a form with other buttons overrides this."""

    async def on_choice(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        outcome = cancel_only(state_of(form), Press(update.update_id, choice))
        await settle(update, context, session, form, outcome)


Return = TypeVar("Return")  # the return a remarks step makes (forms/)
Change = TypeVar("Change")  # the change storage records for it


@dataclass(frozen=True)
class RemarksForm(TaskForm, Generic[Return, Change]):
    """A reviewer's next text is the remarks of a return: `step` reads it, `make` returns the
    work with it (storage's refusal goes back to the form in `refuse`'s words: reviewed
    meanwhile ends it, blank remarks keep it), `confirm` tells the reviewer and whom it
    concerns."""

    step: Callable[[FormState, Message], Outcome[Return]]
    make: Callable[[BotContext, AsyncSession, Form, Return], Awaitable[Change]]
    confirm: Callable[[Update, BotContext, AsyncSession, Change], Awaitable[None]]
    refuse: Callable[..., Show] = refusal

    async def on_message(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None:
        state = state_of(form)
        outcome: Outcome[Return] = self.step(state, read_message(update))
        change = None
        if outcome.effect is not None:
            try:
                change = await self.make(context, session, form, outcome.effect)
            except TaskRefused as refused:
                outcome = remarks_refused(state, refused.reason, refused.params, self.refuse)
        await settle(update, context, session, form, outcome)
        if change is not None:
            await self.confirm(update, context, session, change)


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
    await reply(
        update,
        context,
        template,
        session=session,
        change=change,
        adviser=adviser.full_name if adviser else None,
        adviser_gender=adviser.gender.value if adviser else None,
        by_email=adviser is not None and not reachable_on_telegram(adviser),
    )
    await announce(session, context.services, change, today=context.today())
