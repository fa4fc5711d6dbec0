"""What the handlers share: the caller the gate let through, labels in the caller's
language, and the forms' Telegram side — a form kept across a re-delivered update (the update-id
guard), its buttons carrying the form's token, and `settle`, which saves what a step (forms/)
did to the form and renders what it shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Document, InlineKeyboardMarkup, PhotoSize, Update
from telegram import Message as TelegramMessage

from core.access import button
from forms.steps import CANCEL, UPDATE_KEY, Button, FormState, Message, Outcome, Show
from handlers.context import BotContext
from handlers.replies import remove_buttons, reply, reply_now
from notices.message import keyboard
from storage.forms import advance_form, current_form, finish_form, start_form
from storage.models import Form, Role
from storage.people import Caller

Label = Callable[..., str]  # (context, macro, /, **values): a short text in the caller's language
CALLBACK_PREFIX = button("form").prefix


def caller_of(context: BotContext) -> Caller:
    """The caller the gate resolved (these handlers run only behind it)."""
    assert context.caller is not None, "the gate lets only active people through"
    return context.caller


async def member_jst(update: Update, context: BotContext) -> int | None:
    """The caller's JST when they are a member of a team; otherwise they are told why not."""
    caller = caller_of(context)
    if caller.role == Role.MEMBER and caller.jst_ids:
        return caller.jst_ids[0]
    await reply_now(
        update, context, "no_team" if caller.role == Role.MEMBER else "not_for_your_role"
    )
    return None


def labels_of(file: str) -> Label:
    """The label macros of `file` (e.g. tg/task_labels.txt.j2) in the caller's language."""

    def label(context: BotContext, macro: str, /, **values: Any) -> str:
        return context.services.templates.macro(context.language, file, macro, **values)

    return label


label = labels_of("tg/labels.txt.j2")  # button labels, command descriptions
task_label = labels_of("tg/task_labels.txt.j2")


def choice_data(form: Form, choice: str) -> str:
    """Callback data for a form's button (at most 64 bytes: keep choices short)."""
    return f"{CALLBACK_PREFIX}:{form.token}:{choice}"


FileKind = Literal["document", "photo"]


def file_in(message: TelegramMessage) -> tuple[FileKind, Document | PhotoSize] | None:
    """The file a message carries: its document, or its photo's largest size; None if none."""
    if message.document is not None:
        return "document", message.document
    if message.photo:
        return "photo", message.photo[-1]
    return None


def read_message(update: Update) -> Message:
    """A free message (a text, photo or document: what the router passes on) as forms read it."""
    message = update.effective_message
    assert message is not None
    document = message.document
    file, found = file_in(message) or (None, None)
    return Message(
        update.update_id,
        text=message.text,
        caption=message.caption,
        file=file,
        file_name=document.file_name if document is not None else None,
        chat_id=message.chat_id,
        message_id=message.message_id,
        file_id=found.file_id if found is not None else None,
        file_size=found.file_size if found is not None else None,
        mime_type=document.mime_type if document is not None else None,
    )


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
