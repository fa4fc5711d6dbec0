"""Telegram replies: a template in the caller's language, queued for the chat the update came
from (notices.message makes the payload); button presses answered."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from handlers.context import BotContext
from notices.message import Recipient, Text, payloads, queue
from outbox.policy import may_have_arrived
from outbox.telegram_sender import call_bot, silent_now
from storage.models import Delivery

log = logging.getLogger(__name__)


def render(context: BotContext, name: str, /, **values: Any) -> str:
    """A Telegram template (`tg/<name>.html.j2`) in the caller's language."""
    return context.services.templates.render(context.language, f"tg/{name}.html.j2", **values)


async def reply(
    update: Update,
    context: BotContext,
    template: str,
    /,
    markup: InlineKeyboardMarkup | None = None,
    session: AsyncSession | None = None,
    *,
    person_id: int | None = None,
    secrets: tuple[str, ...] = (),
    **values: Any,
) -> None:
    """Queue a template for the chat the update came from; buttons go on the last part;
    `person_id`: whom the chat belongs to when the update's caller was not known yet (the
    notice to someone who has just joined), so the row is theirs (erasure, "my data");
    `secrets`: strings of the text the rows forget once sent (notices.message.Text).

    The rows are keyed by the update id, so an update handled twice (Telegram resends what was
    not confirmed before a crash) is answered once. Pass `session` to queue the reply in the
    same transaction as the change it reports.
    """
    message = Text(template, values, buttons=markup, secrets=secrets)
    await _queue(update, context, message, session, person_id)


async def reply_now(
    update: Update,
    context: BotContext,
    template: str,
    /,
    markup: InlineKeyboardMarkup | None = None,
    **values: Any,
) -> None:
    """A reply that carries no new information (DESIGN rule 1, as amended): the answer to a
    read-only command, or a refusal, sent at once from the handler. A part that surely did not
    arrive goes to the outbox with the parts after it, keyed as `reply` keys them; one that may
    have arrived is not sent again (a reply goes at most once); a crash before it is sent
    costs the person a repeated command, nothing else."""
    chat, services = update.effective_chat, context.services
    if chat is None:
        return
    message = Text(template, values, buttons=markup)
    silent = silent_now(services)
    for index, payload in enumerate(payloads(message, services.templates, context.language)):
        try:
            await call_bot(
                context.bot, payload["method"], chat.id, payload["params"], silent=silent
            )
        except TelegramError as error:
            if may_have_arrived(error):
                log.warning("a reply may have arrived; not sent again: %s", type(error).__name__)
                return
            log.info("a reply goes through the outbox: %s", type(error).__name__)
            await _queue(update, context, message, first=index)
            return


async def _queue(
    update: Update,
    context: BotContext,
    message: Text,
    session: AsyncSession | None = None,
    person_id: int | None = None,
    *,
    first: int = 0,
) -> None:
    """Queue `message`'s parts from `first` for the update's chat (`reply`); the sender is
    woken once they are committed."""
    chat = update.effective_chat
    if chat is None:
        return
    who = context.caller.person_id if context.caller else person_id
    to = Recipient(who, context.language, chat.id)
    async with contextlib.AsyncExitStack() as stack:
        if session is None:
            session = await stack.enter_async_context(context.services.sessionmaker.begin())
        await queue(
            session,
            context.services.templates,
            to,
            message,
            key=f"reply:{update.update_id}:{message.template}",
            now=context.services.clock.now(),
            delivery=Delivery.AT_MOST_ONCE,
            kind=f"reply:{message.template}",
            numbered=True,
            first=first,
        )
        # The sender is woken once the row is committed: woken earlier it finds nothing (or
        # on SQLite waits for the write lock this transaction holds).
        wake = context.wake_outbox
        event.listen(session.sync_session, "after_commit", lambda _: wake(), once=True)


async def answer_press(update: Update, text: str | None = None) -> None:
    """Answer a button press; a second answer after a redelivery is refused and that is fine."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=text is not None)
    except TelegramError as error:
        log.info("could not answer a button press: %s", type(error).__name__)


async def remove_buttons(update: Update) -> None:
    """Take the buttons off the pressed message; a failure here changes nothing that matters."""
    await replace_buttons(update, None)


async def replace_buttons(update: Update, markup: InlineKeyboardMarkup | None) -> None:
    """The pressed message's buttons replaced (None: taken off); a failure changes nothing
    that matters."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except TelegramError as error:
        log.info("could not change buttons: %s", type(error).__name__)
