"""/zastepstwo e-mail first last: an adviser hands their JSTs to a substitute for a period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from core.days import parse_day
from handlers.common import caller_of
from handlers.context import BotContext
from handlers.replies import reply
from notices.questions import announce_substitution
from storage.questions.substitutes import SubstituteRefused, Substitution, set_substitute


@dataclass(frozen=True)
class Request:
    """What the adviser asked for: who stands in, from and until which day."""

    email: str
    first: dt.date
    last: dt.date


def read_request(args: list[str]) -> Request | None:
    """`e-mail first last`, the days as RRRR-MM-DD or DD.MM.RRRR; None if not that."""
    if len(args) != 3 or "@" not in args[0]:
        return None
    first, last = parse_day(args[1]), parse_day(args[2])
    if first is None or last is None:
        return None
    return Request(args[0], first, last)


async def substitute(update: Update, context: BotContext) -> None:
    """/zastepstwo e-mail first last: set, announce, and forward the open questions."""
    request = read_request(context.args or [])
    if request is None:
        await reply(update, context, "question_usage", command="substitute")
        return
    async with context.services.sessionmaker.begin() as session:
        try:
            done = await _set(session, context, request)
        except SubstituteRefused as refused:
            reason = refused.reason.value
            await reply(
                update, context, "question_refused", session=session, reason=reason, number=None
            )
            return
        await reply(
            update,
            context,
            "question_substitute_set",
            session=session,
            substitute=done.substitute.full_name,
            first=request.first,
            last=request.last,
            jsts=[jst.name for jst in done.jsts],
            moved=len(done.moved),
        )
    context.wake_outbox()


async def _set(session: AsyncSession, context: BotContext, request: Request) -> Substitution:
    """Set the substitution and queue what it tells people."""
    now, today = context.services.clock.now(), context.today()
    done = await set_substitute(
        session,
        adviser_id=caller_of(context).person_id,
        substitute_email=request.email,
        first=request.first,
        last=request.last,
        now=now,
        today=today,
    )
    await announce_substitution(session, context.services, done, now=now, today=today)
    return done
