"""Personal invite codes: issued in bulk, stored only as hashes, redeemed once from Telegram."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record
from storage.models import (
    AdviserAssignment,
    Gender,
    Invite,
    InviteAttempt,
    Jst,
    OutboxMessage,
    OutboxState,
    Person,
    Role,
)

# 24 random bytes = 192 bits, 32 URL-safe characters: a valid Telegram start parameter (≤ 64).
CODE_BYTES = 24
# Guessing a 192-bit code is hopeless; the limit stops a script from hammering the database.
MAX_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW = dt.timedelta(minutes=15)

ISSUER = "operator"
REVOKED_ERROR = "invite_revoked"


class RefusalReason(StrEnum):
    """Why a code was refused; the first four share one reply, so codes cannot be probed."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    PERSON_ALREADY_JOINED_OTHER_ACCOUNT = "person_already_joined_other_account"
    ACCOUNT_BOUND_TO_OTHER_PERSON = "account_bound_to_other_person"
    TOO_MANY_ATTEMPTS = "too_many_attempts"


# What a guess produces; these share one reply and count towards the attempt limit.
GUESS_FAILURES = frozenset(
    {RefusalReason.UNKNOWN, RefusalReason.USED, RefusalReason.EXPIRED, RefusalReason.REVOKED}
)


class InviteRefused(Exception):
    """An invite code was not accepted; `reason` says why (for choosing the reply)."""

    def __init__(self, reason: RefusalReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class IssuedInvite:
    """A freshly issued code with whom it is for; the only time the code exists in clear."""

    invite_id: int
    person_id: int
    full_name: str
    email: str
    role: Role
    gender: Gender
    jst_teryt: str | None
    jst_name: str | None
    code: str
    expires_at: dt.datetime


def hash_code(code: str) -> str:
    """The stored form of a code: SHA-256 hex (the code has 192 bits, so no salt is needed)."""
    return hashlib.sha256(code.encode()).hexdigest()


def invite_link(bot_username: str, code: str) -> str:
    """The deep link that opens the bot with `/start <code>`."""
    return f"{bot_link(bot_username)}?start={code}"


def bot_link(bot_username: str) -> str:
    """The bot's chat, for someone who has joined already (e.g. to unblock it)."""
    return f"https://t.me/{bot_username}"


def invitation_key(invite_id: int) -> str:
    """The dedupe key of the e-mail that carries an invite's code."""
    return f"invitation:{invite_id}"


def _active(now: dt.datetime) -> ColumnElement[bool]:
    return (Invite.used_at.is_(None)) & (Invite.revoked_at.is_(None)) & (Invite.expires_at > now)


def not_joined(cohort_id: int | None) -> ColumnElement[bool]:
    """People who can still join: not on Telegram, not erased; with a cohort, only its JSTs'
    members and advisers (substitutes included)."""
    waiting = Person.telegram_user_id.is_(None) & Person.erased_at.is_(None)
    if cohort_id is None:
        return waiting
    cohort_jsts = select(Jst.id).where(Jst.cohort_id == cohort_id)
    advisers = select(AdviserAssignment.adviser_id).where(
        AdviserAssignment.jst_id.in_(cohort_jsts)
    )
    substitutes = select(AdviserAssignment.substitute_id).where(
        AdviserAssignment.jst_id.in_(cohort_jsts)
    )
    return waiting & or_(
        Person.jst_id.in_(cohort_jsts), Person.id.in_(advisers), Person.id.in_(substitutes)
    )


async def count_waiting_with_active_invite(
    session: AsyncSession, now: dt.datetime, *, cohort_id: int | None = None
) -> int:
    """How many people who have not joined already hold a link that still works."""
    holders = select(Invite.person_id).where(_active(now))
    query = select(func.count(Person.id)).where(not_joined(cohort_id), Person.id.in_(holders))
    return int(await session.scalar(query) or 0)


async def issue_invites(
    session: AsyncSession,
    now: dt.datetime,
    ttl: dt.timedelta,
    *,
    reissue: bool = False,
    cohort_id: int | None = None,
    actor: str = ISSUER,
) -> list[IssuedInvite]:
    """New codes for everyone who has not joined; a link already handed out stays valid
    unless `reissue` asks to revoke it and issue a new one (audited as `actor`)."""
    holders = select(Invite.person_id).where(_active(now))
    query = (
        select(Person, Jst)
        .outerjoin(Jst, Person.jst_id == Jst.id)
        .where(not_joined(cohort_id))
        .order_by(Jst.teryt.nulls_last(), Person.full_name, Person.id)
    )
    if not reissue:
        query = query.where(Person.id.not_in(holders))
    people = (await session.execute(query)).all()
    if reissue:
        await revoke_active(session, now, [person.id for person, _ in people], actor=actor)
    codes = [secrets.token_urlsafe(CODE_BYTES) for _ in people]
    invites = [
        Invite(
            person_id=person.id, code_hash=hash_code(code), created_at=now, expires_at=now + ttl
        )
        for (person, _), code in zip(people, codes, strict=True)
    ]
    session.add_all(invites)
    await session.flush()
    issued = []
    for (person, jst), code, invite in zip(people, codes, invites, strict=True):
        audit_invite(session, now, "invite_issued", invite, actor)
        issued.append(
            IssuedInvite(
                invite_id=invite.id,
                person_id=person.id,
                full_name=person.full_name,
                email=person.email,
                role=person.role,
                gender=person.gender,
                jst_teryt=jst.teryt if jst else None,
                jst_name=jst.name if jst else None,
                code=code,
                expires_at=invite.expires_at,
            )
        )
    return issued


async def mark_emailed(session: AsyncSession, invite_ids: list[int], now: dt.datetime) -> None:
    """The invites' codes were queued for e-mail (the outbox row tells whether they arrived)."""
    await session.execute(update(Invite).where(Invite.id.in_(invite_ids)).values(emailed_at=now))


async def revoke_active(
    session: AsyncSession, now: dt.datetime, person_ids: list[int], *, actor: str = ISSUER
) -> None:
    """Revoke, and withdraw the invitation e-mails still waiting with the revoked codes."""
    invites = list(
        await session.scalars(select(Invite).where(_active(now), Invite.person_id.in_(person_ids)))
    )
    for invite in invites:
        invite.revoked_at = now
        audit_invite(session, now, "invite_revoked", invite, actor)
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.in_([invitation_key(invite.id) for invite in invites]),
            OutboxMessage.state == OutboxState.PENDING,
        )
        .values(state=OutboxState.SKIPPED, last_error=REVOKED_ERROR)
    )


def audit_invite(
    session: AsyncSession, now: dt.datetime, action: str, invite: Invite, actor: str = ISSUER
) -> None:
    record(
        session,
        now,
        actor=actor,
        action=action,
        entity="invite",
        entity_id=invite.id,
        person_id=invite.person_id,
    )


async def redeem_invite(
    session: AsyncSession,
    code: str,
    telegram_user_id: int,
    telegram_chat_id: int,
    now: dt.datetime,
) -> Person:
    """Bind a Telegram account to the invited person, or raise InviteRefused.

    A refused guess (GUESS_FAILURES) counts towards the attempt limit and is recorded in the
    session: catch InviteRefused inside the transaction so that it commits. A valid code
    refused for its binding is no guess and is not counted.
    """
    if await _recent_failures(session, telegram_user_id, now) >= MAX_FAILED_ATTEMPTS:
        raise InviteRefused(RefusalReason.TOO_MANY_ATTEMPTS)
    found = (
        await session.execute(
            select(Invite, Person)
            .join(Person, Invite.person_id == Person.id)
            .where(Invite.code_hash == hash_code(code.strip()))
            .with_for_update()
        )
    ).first()
    if found is None:
        await _record_failure(session, telegram_user_id, now)
        raise InviteRefused(RefusalReason.UNKNOWN)
    invite, person = found
    if person.telegram_user_id == telegram_user_id and person.erased_at is None:
        return _confirm_joined(person, invite, telegram_chat_id, now)
    problem = _code_problem(invite, person, now)
    if problem is not None:
        await _record_failure(session, telegram_user_id, now)
        raise InviteRefused(problem)
    await _check_binding(session, person, telegram_user_id)
    invite.used_at = now
    person.telegram_user_id = telegram_user_id
    person.telegram_chat_id = telegram_chat_id
    person.joined_at = now
    person.updated_at = now
    record(
        session,
        now,
        actor=f"person:{person.id}",
        action="invite_redeemed",
        entity="person",
        entity_id=person.id,
        invite_id=invite.id,
    )
    return person


def _confirm_joined(
    person: Person, invite: Invite, telegram_chat_id: int, now: dt.datetime
) -> Person:
    """The account already is this person: a repeated /start succeeds and spends the code."""
    if invite.used_at is None and invite.revoked_at is None:
        invite.used_at = now
    person.telegram_chat_id = telegram_chat_id
    return person


def _code_problem(invite: Invite, person: Person, now: dt.datetime) -> RefusalReason | None:
    """What is wrong with the code itself; all of these look the same to the person."""
    if invite.revoked_at is not None or person.erased_at is not None:
        return RefusalReason.REVOKED
    if invite.used_at is not None:
        return RefusalReason.USED
    if invite.expires_at <= now:
        return RefusalReason.EXPIRED
    return None


async def _check_binding(session: AsyncSession, person: Person, telegram_user_id: int) -> None:
    """One Telegram account per person and one person per account (the code itself was fine)."""
    if person.telegram_user_id is not None:
        raise InviteRefused(RefusalReason.PERSON_ALREADY_JOINED_OTHER_ACCOUNT)
    bound = await session.scalar(
        select(Person.id).where(Person.telegram_user_id == telegram_user_id)
    )
    if bound is not None:
        raise InviteRefused(RefusalReason.ACCOUNT_BOUND_TO_OTHER_PERSON)


async def _recent_failures(session: AsyncSession, telegram_user_id: int, now: dt.datetime) -> int:
    query = select(func.count(InviteAttempt.id)).where(
        InviteAttempt.telegram_user_id == telegram_user_id,
        InviteAttempt.at > now - ATTEMPT_WINDOW,
    )
    return int(await session.scalar(query) or 0)


async def _record_failure(session: AsyncSession, telegram_user_id: int, now: dt.datetime) -> None:
    """Remember a failed guess; this account's attempts older than the window are dropped."""
    await session.execute(
        delete(InviteAttempt).where(
            InviteAttempt.telegram_user_id == telegram_user_id,
            InviteAttempt.at <= now - ATTEMPT_WINDOW,
        )
    )
    session.add(InviteAttempt(telegram_user_id=telegram_user_id, at=now))
