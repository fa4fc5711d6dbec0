"""Invitation e-mails: each new invite code becomes one e-mail row (the operator's `invites
--send` and the sandbox's demo cohort queue them the same way)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from notices.message import Email
from outbox.queue import enqueue
from storage.invites import IssuedInvite, invitation_key, invite_link, mark_emailed
from storage.models import Channel, Delivery

INVITATION = "invitation"


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
