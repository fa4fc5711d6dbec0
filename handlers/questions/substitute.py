"""/zastepstwo e-mail first last: an adviser hands their JSTs to a substitute for a period."""

from __future__ import annotations

from telegram import Update

from core.days import parse_day
from handlers.common import caller_of
from handlers.context import BotContext
from handlers.replies import reply
from notices.questions import announce_substitution
from storage.questions.substitutes import SubstituteRefused, set_substitute


async def substitute(update: Update, context: BotContext) -> None:
    """/zastepstwo e-mail first last: set, announce, and forward the open questions."""
    args = context.args or []
    days = [parse_day(text) for text in args[1:]]
    if len(args) != 3 or "@" not in args[0] or None in days:
        await reply(update, context, "question_usage", command="substitute")
        return
    first, last = days
    assert first is not None and last is not None
    services, caller = context.services, caller_of(context)
    now, today = services.clock.now(), context.today()
    async with services.sessionmaker.begin() as session:
        try:
            done = await set_substitute(
                session, adviser_id=caller.person_id, substitute_email=args[0], first=first,
                last=last, now=now, today=today,
            )  # fmt: skip
        except SubstituteRefused as refused:
            await reply(update, context, "question_refused", session=session,
                        reason=refused.reason.value, number=None)  # fmt: skip
            return
        await announce_substitution(session, services, done, now=now, today=today)
        await reply(
            update, context, "question_substitute_set", session=session,
            substitute=done.substitute.full_name, first=first, last=last,
            jsts=[jst.name for jst in done.jsts], moved=len(done.moved),
        )  # fmt: skip
    context.wake_outbox()
