"""A member asks: /pytanie, a free message offered as a question, follow-ups in a thread.

A draft is committed with the first message and shown with "Send"/"Cancel" buttons; further
messages join it until it is sent. A Telegram reply to a message of one's own question's
thread (the receipt, an answer) adds to that thread instead.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update

from handlers.common import caller_of, choice_data, file_in, labels_of
from handlers.context import BotContext
from handlers.replies import remove_buttons, reply
from notices.message import keyboard
from notices.questions import forward_followup, send_question
from storage.forms import current_form, finish_form
from storage.models import Form
from storage.questions.answers import record_followup
from storage.questions.drafts import (
    DRAFT_KIND,
    add_to_draft,
    draft_parts,
    send_draft,
    start_draft,
)
from storage.questions.threads import Part, QuestionRefused, joined_text, linked_question

SEND, CANCEL = "send", "cancel"


question_label = labels_of("tg/question_labels.txt.j2")


def message_part(message: Message, text: str | None = None) -> Part:
    """What a message adds to a question or answer: its text or caption, and its file."""
    chat_id, message_id = message.chat_id, message.message_id
    if (carried := file_in(message)) is None:
        return Part(chat_id, message_id, (message.text or "") if text is None else text)
    kind, found = carried
    return Part(
        chat_id,
        message_id,
        message.caption or "",
        kind=kind,
        file_name=message.document.file_name if message.document else None,
        file_id=found.file_id,
        file_size=found.file_size,
        mime_type=message.document.mime_type if message.document else None,
    )


def source_key(message: Message) -> str:
    """The unique key of a recorded message: a redelivered update records nothing twice."""
    return f"tg:{message.chat_id}:{message.message_id}"


async def refused_reply(
    update: Update, context: BotContext, session: AsyncSession, refused: QuestionRefused
) -> None:
    """Say why, in the same transaction (nothing was changed)."""
    await reply(
        update,
        context,
        "question_refused",
        session=session,
        reason=refused.reason.value,
        number=refused.number,
    )


async def _asker(update: Update, context: BotContext) -> tuple[int, Message] | None:
    """The member and their message, or None (told why) when they have no team to ask for."""
    caller, message = caller_of(context), update.effective_message
    assert message is not None
    if not caller.jst_ids:
        await reply(update, context, "no_team")
        return None
    return caller.person_id, message


async def ask(update: Update, context: BotContext) -> None:
    """/pytanie [text]: continue the draft in progress or begin one."""
    if (asker := await _asker(update, context)) is None:
        return
    person_id, message = asker
    words = (message.text or "").split(maxsplit=1)
    now = context.services.clock.now()
    async with context.services.sessionmaker.begin() as session:
        form = await current_form(session, person_id)
        if form is None or form.kind != DRAFT_KIND:
            form = await start_draft(session, person_id, [], now)
        if len(words) > 1:
            add_to_draft(form, message_part(message, words[1]), now)
        await _show_draft(update, context, form, session)
    context.wake_outbox()


async def member_message(update: Update, context: BotContext) -> None:
    """A free message without a form: a follow-up in a thread, or a question to confirm."""
    if (asker := await _asker(update, context)) is None:
        return
    person_id, message = asker
    now = context.services.clock.now()
    async with context.services.sessionmaker.begin() as session:
        if not await _follow_up(update, context, session):
            form = await start_draft(session, person_id, [message_part(message)], now)
            await _show_draft(update, context, form, session)
    context.wake_outbox()


class DraftForm:
    """The form kind of a question being written (registered in bot/app.py `form_kinds`)."""

    async def on_message(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None:
        message = update.effective_message
        assert message is not None
        if await _follow_up(update, context, session):
            return
        add_to_draft(form, message_part(message), context.services.clock.now())
        await _show_draft(update, context, form, session)

    async def on_choice(
        self,
        update: Update,
        context: BotContext,
        form: Form,
        session: AsyncSession,
        choice: str,
    ) -> None:
        services = context.services
        now, today = services.clock.now(), context.today()
        if choice == SEND:
            try:
                thread = await send_draft(session, form, now=now, today=today)
            except QuestionRefused as refused:
                await refused_reply(update, context, session, refused)
                return
            await send_question(session, services, thread, now=now, today=today)
        elif choice == CANCEL:
            await finish_form(session, form.person_id)
            await reply(update, context, "question_cancelled", session=session)
        context.wake_outbox()
        await remove_buttons(update)


async def _show_draft(
    update: Update, context: BotContext, form: Form, session: AsyncSession
) -> None:
    """The draft so far, with its buttons; one reply per update, whatever the draft holds."""
    parts = draft_parts(form)
    buttons = [(question_label(context, "send"), choice_data(form, SEND))] if parts else []
    buttons.append((question_label(context, "cancel"), choice_data(form, CANCEL)))
    await reply(
        update,
        context,
        "question_draft",
        markup=keyboard([buttons]),
        session=session,
        text=joined_text(parts),
        messages=len(parts),
        files=sum(1 for part in parts if part.is_file),
    )


async def _follow_up(update: Update, context: BotContext, session: AsyncSession) -> bool:
    """A Telegram reply to a message of the member's own question adds to that thread."""
    message = update.effective_message
    assert message is not None
    target = message.reply_to_message
    if target is None:
        return False
    question_id = await linked_question(session, message.chat_id, target.message_id)
    if question_id is None:
        return False
    services, caller = context.services, caller_of(context)
    now = services.clock.now()
    try:
        answer = await record_followup(
            session,
            question_id,
            member_id=caller.person_id,
            parts=[message_part(message)],
            source_key=source_key(message),
            now=now,
            today=context.today(),
        )
    except QuestionRefused:
        return False  # another member's thread: their message becomes a question of their own
    await forward_followup(session, services, answer.id, now=now)
    await reply(update, context, "question_followup_sent", session=session, number=question_id)
    return True
