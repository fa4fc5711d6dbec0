"""/pliki NR or /pliki ZADANIE, and the 📎 button: a question's or a submission's files sent
again (a file copied into a chat scrolls away). Who may see them is checked in storage on every
use; the files come as copies through the outbox, after a line saying how many."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.access import command
from handlers.common import caller_of, label
from handlers.context import BotApplication, BotContext
from handlers.questions.adviser import NUMBER
from handlers.replies import answer_press, reply
from notices.files import FILES, QUESTION, SUBMISSION, files_named
from notices.notify import copy_all
from storage.models import Person, Role
from storage.tasks.files import progress_of

TEMPLATE = "question_files"
TASK_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,19}$")


async def files(update: Update, context: BotContext) -> None:
    """/pliki NR (a question's) or, for a member, /pliki ZW1 (their JST's hand-in of a task)."""
    services, caller = context.services, caller_of(context)
    args = context.args or []
    word = args[0] if len(args) == 1 else ""
    number = NUMBER.match(word)
    member = caller.role is Role.MEMBER and bool(caller.jst_ids)
    if number is not None and number[2]:
        number = None  # "12!" is no question's number
    if number is None and not (TASK_CODE.match(word) and member):
        await reply(update, context, TEMPLATE, usage=True)
        return
    async with services.sessionmaker.begin() as session:
        if number is not None:
            body = f"{QUESTION}:{number[1]}"
        else:
            progress = await progress_of(session, caller.jst_ids[0], word)
            body = f"{SUBMISSION}:{progress or 0}"
        person = await session.get_one(Person, caller.person_id)
        found = await files_named(session, services, person, body)
        await reply(
            update,
            context,
            TEMPLATE,
            session=session,
            usage=False,
            question=number is not None,
            name=word.upper() if number is None else number[1],
            refused=found is None,
            count=len(found or ()),
        )
        await _copies(session, update, context, person, found or ())
    context.wake_outbox()


async def files_pressed(update: Update, context: BotContext) -> None:
    """The 📎 button under a question or a review request: its files again."""
    assert context.pressed is not None  # checked by the gate: ours, signed for this person
    services, caller = context.services, caller_of(context)
    body = context.pressed.split(":", 1)[1]
    async with services.sessionmaker.begin() as session:
        person = await session.get_one(Person, caller.person_id)
        found = await files_named(session, services, person, body)
        await _copies(session, update, context, person, found or ())
    await answer_press(update, label(context, "stale_button") if found is None else None)
    context.wake_outbox()


async def _copies(
    session: AsyncSession,
    update: Update,
    context: BotContext,
    person: Person,
    found: Sequence[tuple[int, int]],
) -> None:
    """The files as copies, keyed by the update: a redelivered one queues none twice."""
    services = context.services
    key, now = f"files:{update.update_id}", services.clock.now()
    await copy_all(session, services.templates, person, found, key=key, now=now)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("files").names, files))
    pattern = FILES.pattern(r"[qt]:\d{1,9}")  # 9 digits: a row id is a 32-bit INTEGER
    application.add_handler(CallbackQueryHandler(files_pressed, pattern=pattern))
