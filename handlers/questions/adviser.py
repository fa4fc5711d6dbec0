"""An adviser answers: a Telegram reply to a question's message, /odpowiedz, /otwarte, /zamknij.

An answer is committed and queued for the asker at once; the confirmation offers to send it
to the whole team as well (`/odpowiedz NR! text` does so directly). Authorization is by the
question's JST, checked in the domain on every answer and every press.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from core.access import button
from handlers.common import caller_of
from handlers.context import BotContext
from handlers.questions.member import message_part, question_label, refused_reply, source_key
from handlers.replies import remove_buttons, reply, reply_now
from notices.buttons import button_data
from notices.message import keyboard
from notices.questions import deliver_answer, deliver_to_team, notify_closed
from outbox.claims import being_sent
from storage.questions.answers import close_question, record_answer, share_with_team
from storage.questions.threads import Part, QuestionRefused, linked_question, open_questions

SHARE = button("share")
NUMBER = re.compile(r"^(?:nr|#)?(\d{1,9})(!?)$", re.IGNORECASE)
HINT_LIST = 10
LINK_WAIT_SECONDS = 0.1
LINK_WAIT_TRIES = 100  # ten seconds: well above a slow send, well below the timeout


async def adviser_message(update: Update, context: BotContext) -> None:
    """A free message: an answer when it replies to a question's message, else how to answer."""
    message = update.effective_message
    assert message is not None
    target = message.reply_to_message
    question_id = None
    if target is not None:
        question_id = await _replied_question(context, message.chat_id, target.message_id)
    async with context.services.sessionmaker.begin() as session:
        if question_id is not None:
            await _answer(
                update, context, session, question_id, [message_part(message)], to_team=False
            )
        else:
            await _explain(update, context, session, target is not None)
    context.wake_outbox()


async def _replied_question(context: BotContext, chat_id: int, message_id: int) -> int | None:
    """The question a replied message belongs to. Its link is stored once the send's answer
    came back; a quick adviser may reply first, so while a message to them is still being
    sent the lookup waits for it (a few seconds at most)."""
    services = context.services
    for _ in range(LINK_WAIT_TRIES):
        async with services.sessionmaker() as session:
            found = await linked_question(session, chat_id, message_id)
            if found is not None or not await being_sent(session, caller_of(context).person_id):
                return found
        await asyncio.sleep(LINK_WAIT_SECONDS)
    return None


async def _explain(
    update: Update, context: BotContext, session: AsyncSession, replied: bool
) -> None:
    """Not a reply to a question: how to answer, with the message's text kept in the reply."""
    message = update.effective_message
    assert message is not None
    waiting = await open_questions(
        session, adviser_id=caller_of(context).person_id, today=context.today()
    )
    part = message_part(message)
    await reply(
        update,
        context,
        "question_not_linked",
        session=session,
        text=part.text,
        has_file=part.is_file,
        replied=replied,
        waiting=waiting[:HINT_LIST],
    )


async def answer_command(update: Update, context: BotContext) -> None:
    """/odpowiedz NR text (to the asker) or /odpowiedz NR! text (to the whole team)."""
    message = update.effective_message
    assert message is not None
    words = (message.text or "").split(maxsplit=2)
    found = NUMBER.match(words[1]) if len(words) > 1 else None
    if found is None or len(words) < 3:
        await reply(update, context, "question_usage", command="answer")
        return
    part = message_part(message, words[2])
    async with context.services.sessionmaker.begin() as session:
        await _answer(update, context, session, int(found[1]), [part], to_team=bool(found[2]))
    context.wake_outbox()


async def _answer(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    question_id: int,
    parts: Sequence[Part],
    *,
    to_team: bool,
) -> None:
    services, caller, message = context.services, caller_of(context), update.effective_message
    assert message is not None
    now = services.clock.now()
    try:
        answer = await record_answer(
            session,
            question_id,
            adviser_id=caller.person_id,
            parts=parts,
            to_team=to_team,
            source_key=source_key(message),
            now=now,
            today=context.today(),
        )
    except QuestionRefused as refused:
        await refused_reply(update, context, session, refused)
        return
    asker = await deliver_answer(session, services, answer.id, now=now)
    await reply(
        update,
        context,
        "question_answered",
        session=session,
        markup=None if answer.to_team else await _share_button(session, context, answer.id),
        number=question_id,
        asker=asker,
        to_team=answer.to_team,
    )


async def _share_button(
    session: AsyncSession, context: BotContext, answer_id: int
) -> InlineKeyboardMarkup:
    """ "To the whole team", signed for the adviser who answered."""
    person_id = caller_of(context).person_id
    share = await button_data(
        session, context.services, SHARE, str(answer_id), person_id=person_id
    )
    return keyboard([[(question_label(context, "to_team"), share)]])


async def share(update: Update, context: BotContext) -> None:
    """The "to the whole team" button under an answer's confirmation."""
    query, caller, services = update.callback_query, caller_of(context), context.services
    assert query is not None
    await query.answer()
    assert context.pressed is not None  # checked by the gate
    answer_id = int(context.pressed.split(":")[1])
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        try:
            answer = await share_with_team(
                session, answer_id, adviser_id=caller.person_id, today=context.today(), now=now
            )
        except QuestionRefused as refused:
            await refused_reply(update, context, session, refused)
            return
        count = await deliver_to_team(session, services, answer.id, now=now)
        await reply(
            update,
            context,
            "question_shared",
            session=session,
            number=answer.question_id,
            count=count,
        )
    context.wake_outbox()
    await remove_buttons(update)


async def open_list(update: Update, context: BotContext) -> None:
    """/otwarte: the open questions of the adviser's JSTs, oldest first."""
    caller = caller_of(context)
    async with context.services.reader() as session:
        waiting = await open_questions(session, adviser_id=caller.person_id, today=context.today())
    await reply_now(update, context, "question_open_list", questions=waiting)


async def close(update: Update, context: BotContext) -> None:
    """/zamknij NR: the question leaves the open list; the asker is told."""
    services, caller = context.services, caller_of(context)
    args = context.args or []
    found = NUMBER.match(args[0]) if len(args) == 1 else None
    if found is None or found[2]:
        await reply(update, context, "question_usage", command="close")
        return
    number, now = int(found[1]), services.clock.now()
    async with services.sessionmaker.begin() as session:
        try:
            closed = await close_question(
                session, number, adviser_id=caller.person_id, now=now, today=context.today()
            )
        except QuestionRefused as refused:
            await refused_reply(update, context, session, refused)
            return
        if closed:
            await notify_closed(session, services, number, by=caller.full_name, now=now)
        await reply(
            update, context, "question_closed", session=session, number=number, already=not closed
        )
    context.wake_outbox()
