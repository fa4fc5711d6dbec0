"""What the task forms share: Cancel, a refusal, and the confirmation of a change with the
notices it makes (the forms' Telegram side in general: handlers/common.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from forms.steps import Input, Press
from forms.task import cancel_only, refusal
from handlers.common import read_message, settle, show, state_of
from handlers.context import BotContext
from handlers.replies import reply
from notices.tasks import announce
from storage.models import Form
from storage.people import reachable_on_telegram
from storage.tasks.views import TaskChange, adviser_on_duty


class TaskForm:
    """A task form whose only button is Cancel; a form with other buttons overrides this."""

    async def on_choice(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        outcome = cancel_only(state_of(form), Press(update.update_id, choice))
        await settle(update, context, session, form, outcome)


Take = Callable[[Update, BotContext, Form, AsyncSession, Input], Awaitable[None]]


@dataclass(frozen=True)
class StepForm:
    """A form whose presses and messages alike go to one step of its own (`take`)."""

    take: Take

    async def on_choice(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        await self.take(update, context, form, session, Press(update.update_id, choice))

    async def on_message(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None:
        await self.take(update, context, form, session, read_message(update))


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
