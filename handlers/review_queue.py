"""/do_oceny (/to_review): what waits for an adviser, oldest first, and a button to open each
again. The list and the messages it opens are notices/review_queue.py's; a press is checked
by the gate (signed for this adviser) and again in storage (still theirs, still waiting)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import command
from handlers.common import caller_of, label
from handlers.context import BotApplication, BotContext
from handlers.replies import answer_press, reply
from notices.review_queue import OPEN, open_again, review_queue
from storage.questions.threads import QuestionRefused
from storage.tasks.rows import TaskRefused


async def to_review(update: Update, context: BotContext) -> None:
    """Submissions to review and questions to answer, oldest first, with their ages."""
    services, caller = context.services, caller_of(context)
    async with services.sessionmaker.begin() as session:
        queue = await review_queue(session, services, caller.person_id, today=context.today())
        await reply(
            update,
            context,
            "review_queue",
            markup=queue.buttons,
            session=session,
            items=queue.shown,
            total=queue.total,
        )


async def open_pressed(update: Update, context: BotContext) -> None:
    """A listed item's button: the submission or question sent to the adviser again."""
    assert context.pressed is not None  # checked by the gate
    services, caller = context.services, caller_of(context)
    body = context.pressed.split(":", 1)[1]
    async with services.sessionmaker.begin() as session:
        try:
            await open_again(
                session,
                services,
                caller.person_id,
                body,
                key=f"again:{update.update_id}:{body}",
                today=context.today(),
            )
        except (TaskRefused, QuestionRefused):
            await answer_press(update, label(context, "stale_button"))
            return
    await answer_press(update)
    context.wake_outbox()


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("to_review").names, to_review))
    pattern = OPEN.pattern(r"[tq]:\d{1,9}")  # 9 digits: a row id is a 32-bit INTEGER
    application.add_handler(CallbackQueryHandler(open_pressed, pattern=pattern))
