"""Invitation e-mails: each new invite code becomes one e-mail row (the operator's `invites
--send` and the sandbox's demo cohort queue them the same way)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError

from core.settings import Settings
from notices.message import Email
from outbox.queue import enqueue
from storage.invites import (
    IssuedInvite,
    count_waiting_with_active_invite,
    invitation_key,
    invite_link,
    issue_invites,
    mark_emailed,
)
from storage.models import Channel, Delivery

INVITATION = "invitation"


class NoBotUsername(Exception):
    """The links cannot be written: no username set and no token (`problem` None), or
    Telegram's getMe failed (`problem`: the error's kind)."""

    def __init__(self, problem: str | None = None) -> None:
        super().__init__(problem or "no_bot_username")
        self.problem = problem


async def bot_username(settings: Settings) -> str:
    """The bot's username for the links: from the settings, else from Telegram's getMe."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username
    if settings.telegram_bot_token is None:
        raise NoBotUsername()
    base_url = f"{str(settings.telegram_api_base_url).rstrip('/')}/bot"
    try:
        async with Bot(settings.token(), base_url=base_url) as bot:
            return bot.username
    except TelegramError as error:
        # Only the error's kind: PTB puts the token into some messages.
        raise NoBotUsername(type(error).__name__) from None


async def invite_by_email(
    session: AsyncSession,
    now: dt.datetime,
    ttl: dt.timedelta,
    username: str,
    *,
    cohort_id: int | None,
    resend: bool,
    actor: str,
) -> tuple[int, int]:
    """New codes for everyone not joined (`resend`: revoking the unused ones first), their
    e-mails queued in the same transaction; how many were issued, and how many were skipped
    as they still hold a working link."""
    skipped = (
        0 if resend else await count_waiting_with_active_invite(session, now, cohort_id=cohort_id)
    )
    issued = await issue_invites(
        session, now, ttl, reissue=resend, cohort_id=cohort_id, actor=actor
    )
    await queue_invitations(session, issued, username, now)
    return len(issued), skipped


async def queue_invitations(
    session: AsyncSession, issued: list[IssuedInvite], username: str, now: dt.datetime
) -> None:
    """One invitation e-mail per new code, in the transaction that issued the codes; the link
    is forgotten once the server has taken the e-mail."""
    for invite in issued:
        values = {
            "link": invite_link(username, invite.code),
            "expires_at": invite.expires_at.isoformat(),
            "role": invite.role.value,
            "jst_name": invite.jst_name,
        }
        await enqueue(
            session,
            dedupe_key=invitation_key(invite.invite_id),
            channel=Channel.EMAIL,
            kind=INVITATION,
            payload=Email(INVITATION, values, forget=("link",)).payload(),
            person_id=invite.person_id,
            delivery=Delivery.AT_LEAST_ONCE,
            now=now,
        )
    await mark_emailed(session, [invite.invite_id for invite in issued], now)
