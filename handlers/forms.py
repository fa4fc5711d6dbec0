"""Free messages and form buttons: routed to the person's form in progress, if any.

A member's plain text, photo or document answers the form they have open (a task's evidence,
the monthly report, a question being written); without one it goes to the default handler
(asking the adviser). Form buttons carry `f:<form token>:<choice>`; a token that is not the
person's current form is a stale button.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from forms.steps import Input, Press
from handlers.common import CALLBACK_PREFIX, label, read_message
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press
from storage.forms import current_form
from storage.models import Form


class FormKind(Protocol):
    """One kind of form: how it takes a free message and a button press."""

    async def on_message(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None: ...

    async def on_choice(
        self,
        update: Update,
        context: BotContext,
        form: Form,
        session: AsyncSession,
        choice: str,
    ) -> None: ...


Take = Callable[[Update, BotContext, Form, AsyncSession, Input], Awaitable[None]]


@dataclass(frozen=True)
class SteppedForm:
    """A form kind whose messages and presses both go to one step function (`take`)."""

    take: Take

    async def on_message(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None:
        await self.take(update, context, form, session, read_message(update))

    async def on_choice(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        await self.take(update, context, form, session, Press(update.update_id, choice))


FreeMessage = Callable[[Update, BotContext], Awaitable[None]]


@dataclass(frozen=True)
class Router:
    """Free messages and form buttons to the caller's form of one of `kinds`, or `default`."""

    kinds: Mapping[str, FormKind]
    default: FreeMessage

    async def message(self, update: Update, context: BotContext) -> None:
        assert context.caller is not None
        if context.caller.form not in self.kinds:  # as the gate read it: no form to look up
            await self.default(update, context)
            return
        async with context.services.sessionmaker.begin() as session:
            form = await current_form(session, context.caller.person_id)
            if form is not None and form.kind in self.kinds:
                await self.kinds[form.kind].on_message(update, context, form, session)
                return
        await self.default(update, context)

    async def choice(self, update: Update, context: BotContext) -> None:
        query = update.callback_query
        assert query is not None and context.caller is not None
        _prefix, token, choice = (query.data or "").split(":", 2)
        async with context.services.sessionmaker.begin() as session:
            form = await current_form(session, context.caller.person_id)
            if form is None or form.token != token or form.kind not in self.kinds:
                await answer_press(update, label(context, "stale_button"))
                return
            await answer_press(update)
            await self.kinds[form.kind].on_choice(update, context, form, session, choice)


FREE = (
    filters.UpdateType.MESSAGE
    & ~filters.COMMAND
    & (filters.TEXT | filters.PHOTO | filters.Document.ALL)
)


def register(
    application: BotApplication, kinds: Mapping[str, FormKind], default: FreeMessage
) -> None:
    """Register after the command handlers: commands always win over a form in progress."""
    router = Router(kinds, default)
    application.add_handler(MessageHandler(FREE, router.message))
    pattern = rf"^{CALLBACK_PREFIX}:[0-9a-f]+:.+$"
    application.add_handler(CallbackQueryHandler(router.choice, pattern=pattern))
