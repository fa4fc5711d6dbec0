"""/pliki NR: every file of a question's thread sent again, to its asker or an adviser of its
JST (a file copied to a chat scrolls away; the lists say where to get it back)."""

from __future__ import annotations

from telegram import Update

from handlers.common import caller_of
from handlers.context import BotContext
from handlers.questions.adviser import NUMBER
from handlers.replies import reply
from notices.notify import copy_to
from storage.models import Person
from storage.questions.threads import question_files

TEMPLATE = "question_files"


async def files(update: Update, context: BotContext) -> None:
    """The files come as copies through the outbox, after a line saying how many."""
    services, caller = context.services, caller_of(context)
    args = context.args or []
    found = NUMBER.match(args[0]) if len(args) == 1 else None
    if found is None or found[2]:
        await reply(update, context, TEMPLATE, usage=True)
        return
    number, now = int(found[1]), services.clock.now()
    async with services.sessionmaker.begin() as session:
        parts = await question_files(
            session, number, person_id=caller.person_id, today=context.today()
        )
        await reply(
            update,
            context,
            TEMPLATE,
            session=session,
            usage=False,
            number=number,
            refused=parts is None,
            count=len(parts or ()),
        )
        if parts is None:
            return
        person = await session.get_one(Person, caller.person_id)
        for index, part in enumerate(parts):
            await copy_to(
                session,
                services.templates,
                person,
                key=f"files:{update.update_id}:{index}",
                from_chat_id=part.chat_id,
                message_id=part.message_id,
                now=now,
            )
    context.wake_outbox()
