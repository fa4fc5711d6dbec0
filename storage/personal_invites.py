"""A fresh invite code for one person, shown in an e-mail to them (outbox/email_render.py):
stored as every code is (its hash only), their other active codes revoked with it, so the
link of their latest e-mail is the one that works."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from storage.invites import CODE_BYTES, audit_invite, hash_code, revoke_active
from storage.models import Invite, Person

ISSUER = "email"


def draw_code() -> str:
    """A new code in clear, as `issue_invites` draws them (192 bits)."""
    return secrets.token_urlsafe(CODE_BYTES)


async def reissue_invite(
    session: AsyncSession, person_id: int, code: str, *, now: dt.datetime, ttl: dt.timedelta
) -> Invite | None:
    """Store `code` as the person's one active invite, e-mailed now; None (nothing stored)
    for someone who joined meanwhile or was erased."""
    person = await session.get(Person, person_id)
    if person is None or person.telegram_user_id is not None or person.erased_at is not None:
        return None
    await revoke_active(session, now, [person_id])
    invite = Invite(
        person_id=person_id,
        code_hash=hash_code(code),
        created_at=now,
        expires_at=now + ttl,
        emailed_at=now,
    )
    session.add(invite)
    await session.flush()
    audit_invite(session, now, "invite_issued", invite, actor=ISSUER)
    return invite
