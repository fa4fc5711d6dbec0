"""The outbox: every outbound message is first a row with a unique dedupe key (DESIGN 3, 5).

Senders claim due rows with a lease (outbox/claims.py), send them outside any transaction,
then record the outcome; each outcome applies only while the row is still theirs (claimed or
sending, same `lease_until`).

Telegram payload (channel TELEGRAM), a JSON object:
    {"method": "sendMessage" | "copyMessage" | "sendDocument" | "sendPhoto",
     "params": {...Bot API parameters of that method except chat_id...},
     "chat_id": 123}                     # optional; default: the person's Telegram chat
e.g. {"method": "sendMessage", "params": {"text": "<b>…</b>", "parse_mode": "HTML",
      "reply_markup": {"inline_keyboard": [[...]]}, "reply_to_message_id": 12}};
copyMessage params hold from_chat_id and message_id; sendDocument/sendPhoto params hold
document/photo (a Telegram file_id) and an optional caption. The chat is resolved at send time.
A Telegram payload may also carry {"email": <an e-mail payload>} (the tick's reminders:
`email_policy.reminder_payload`, the reminder's template and values, rendered for e-mail when
sent), or {"email": true} (reminders queued by earlier versions) for an e-mail made from its
sendMessage text (`email_policy.reminder_email`): if Telegram cannot take the row, that e-mail
is queued instead (outbox/email_policy.py describes e-mail rows). And {"forget": [...]}: strings
of its text that open something (a one-time sign-in link's token), blotted out once Telegram
has the message, as an e-mail row's "forget" drops values once the server has it
(`forget_secrets`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import ClauseElement, CursorResult, Insert, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from outbox.claims import LEASE, ROW_ID, TAKEN
from outbox.email_policy import fallback_key, reminder_email
from outbox.rows import OUTBOX, OUTBOX_TABLE, NewMessage, insert_new
from storage import audit
from storage.models import Channel, Delivery, OutboxMessage, OutboxState, Person
from storage.retention.outbox import EXPIRED

NO_TELEGRAM_CHAT = "no_telegram_chat"
FORGOTTEN = "…"  # in a sent text, where a secret was


class PayloadExpired(Exception):
    """The row's payload went by the retention schedule (storage/retention/outbox.py)."""

    def __init__(self, row_id: int) -> None:
        super().__init__(row_id)
        self.row_id = row_id


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    channel: Channel,
    kind: str,
    payload: dict[str, Any],
    person_id: int | None,
    delivery: Delivery,
    now: dt.datetime,
    not_before: dt.datetime | None = None,
    planned_by: str | None = None,
    stale_at: dt.datetime | None = None,
) -> int | None:
    """Add a message unless its dedupe key exists: its row's id (None if the key exists, and
    the transaction lives on)."""
    message = NewMessage(
        dedupe_key, channel, kind, payload, person_id, delivery, not_before, planned_by, stale_at
    )
    statement = _insert_one(session.get_bind().dialect.name)
    row_id: int | None = (await session.scalars(statement, message.row(now))).one_or_none()
    return row_id


@functools.cache
def _insert_one(dialect: str) -> Insert:
    """One message's INSERT (its values the parameters), built once per database kind."""
    return insert_new(dialect).returning(OUTBOX.id)


async def mark_sent(
    session: AsyncSession,
    row_id: int,
    *,
    lease_until: dt.datetime,
    external_id: str,
    now: dt.datetime,
) -> bool:
    """Record the delivered message's id (e.g. Telegram's message id); False if not ours now."""
    return await _finish(
        session, row_id, lease_until, state=OutboxState.SENT, external_id=external_id, sent_at=now
    )


async def forget_secrets(session: AsyncSession, row: OutboxMessage) -> None:
    """What only the recipient may hold leaves the row once it is sent: an e-mail row's values
    named in "forget" (an invitation's or a sign-in e-mail's link) are dropped; a Telegram
    row's strings in "forget" are blotted out of its text (the sign-in link's token), which
    keeps what was said ("my data" shows it) without what would open the door."""
    forget = row.payload.get("forget")
    if not forget:
        return
    payload = {key: value for key, value in row.payload.items() if key != "forget"}
    if row.channel is Channel.EMAIL:
        kept = {k: v for k, v in (payload.get("values") or {}).items() if k not in forget}
        payload["values"] = kept
    else:
        params = dict(payload["params"])
        for secret in forget:
            params["text"] = params["text"].replace(secret, FORGOTTEN)
        payload["params"] = params
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row.id).values(payload=payload)
    )


async def mark_retry(
    session: AsyncSession,
    row_id: int,
    *,
    lease_until: dt.datetime,
    at: dt.datetime,
    error: str,
    count_attempt: bool = True,
) -> bool:
    """Put the row back for another try at `at`; an uncounted attempt does not near giving up."""
    refund = {} if count_attempt else {"attempts": OUTBOX.attempts - 1}
    return await _finish(
        session,
        row_id,
        lease_until,
        state=OutboxState.PENDING,
        next_attempt_at=at,
        last_error=error,
        lease_until=None,
        **refund,
    )


async def mark_failed(
    session: AsyncSession, row_id: int, *, lease_until: dt.datetime, error: str
) -> bool:
    """Give the row up for good with the reason."""
    return await _finish(session, row_id, lease_until, state=OutboxState.FAILED, last_error=error)


async def mark_skipped(
    session: AsyncSession, row_id: int, *, lease_until: dt.datetime, reason: str
) -> bool:
    """Leave the row unsent for good, by design (not a failure, never retried)."""
    return await _finish(
        session, row_id, lease_until, state=OutboxState.SKIPPED, last_error=reason
    )


async def mark_uncertain(
    session: AsyncSession, row: OutboxMessage, *, at: dt.datetime, error: str
) -> bool:
    """The request went out but no answer came (a timeout): it may have arrived. A row sent at
    most once stays unconfirmed; one sent at least once goes again at `at`, as a repeat."""
    lease = lease_of(row)
    if row.delivery is Delivery.AT_MOST_ONCE:
        state = OutboxState.UNCONFIRMED
        return await _finish(session, row.id, lease, state=state, last_error=error)
    return await _finish(
        session,
        row.id,
        lease,
        state=OutboxState.PENDING,
        next_attempt_at=at,
        last_error=error,
        lease_until=None,
        repeat=True,
    )


async def leave_for_email(
    session: AsyncSession, row_id: int, *, lease_until: dt.datetime, reason: str
) -> bool:
    """A row Telegram cannot take (no chat, bot blocked) is skipped; its e-mail version, if it
    has one (reminders; never replies), is queued for the same person under `<key>:email`.

    The e-mail row keeps the Telegram row's times (it was due when that one was), and what
    the rules said of it: working time, staleness, withdrawal.
    """
    if not await _finish(
        session, row_id, lease_until, state=OutboxState.SKIPPED, last_error=reason
    ):
        return False
    row = (
        await session.execute(
            select(OutboxMessage, Person.erased_at)
            .outerjoin(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.id == row_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    message, erased_at = row
    email = message.payload.get("email")
    if email is True:  # a reminder: its e-mail is made from the text Telegram did not take
        email = reminder_email(message.payload["params"]["text"])
    if isinstance(email, dict) and message.person_id is not None and erased_at is None:
        await enqueue(
            session,
            dedupe_key=fallback_key(message.dedupe_key),
            channel=Channel.EMAIL,
            kind=message.kind,
            payload=email,
            person_id=message.person_id,
            delivery=message.delivery,
            now=message.created_at,
            not_before=message.not_before,
            planned_by=message.planned_by,
            stale_at=message.stale_at,
        )
    return True


async def mark_unreachable(session: AsyncSession, person_id: int, now: dt.datetime) -> bool:
    """The person blocked the bot: stop using Telegram for them; False if already recorded."""
    result = await session.execute(
        update(Person)
        .where(Person.id == person_id, Person.telegram_unreachable_at.is_(None))
        .values(telegram_unreachable_at=now, updated_at=now)
    )
    if cast("CursorResult[Any]", result).rowcount != 1:
        return False
    audit.record(
        session,
        now,
        actor="telegram",
        action="telegram_unreachable",
        entity="person",
        entity_id=person_id,
    )
    return True


def lease_of(row: OutboxMessage) -> dt.datetime:
    """The lease its sender holds on a claimed row."""
    if row.lease_until is None:
        raise ValueError(f"outbox row {row.id} is not leased")
    return row.lease_until


async def people_of(
    session: AsyncSession, rows: Iterable[OutboxMessage]
) -> dict[int | None, Person]:
    """The people claimed rows go to, by id (rows for no person find none)."""
    wanted = {row.person_id for row in rows if row.person_id is not None}
    if not wanted:
        return {}
    found = await session.scalars(PEOPLE, {"ids": list(wanted)})
    return {person.id: person for person in found}


PEOPLE = select(Person).where(Person.id.in_(bindparam("ids", expanding=True)))


async def rows_in(
    session: AsyncSession, states: Sequence[OutboxState], *, limit: int
) -> list[tuple[OutboxMessage, Person | None]]:
    """Rows in these states with their people, newest first: what the operator looks at."""
    found = await session.execute(
        select(OutboxMessage, Person)
        .outerjoin(Person, Person.id == OutboxMessage.person_id)
        .where(OutboxMessage.state.in_(states))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return [(message, person) for message, person in found]


async def requeue_failed(
    session: AsyncSession, row_id: int, *, now: dt.datetime, actor: str
) -> OutboxState | None:
    """Put a failed row back to be sent now, with a fresh allowance of tries.

    Returns the row's state before (FAILED when requeued; another state changes nothing), or
    None for no such row. A row whose payload went by the retention schedule has nothing left
    to send: `PayloadExpired`.
    """
    row = await session.get(OutboxMessage, row_id, with_for_update=True)
    if row is None or row.state is not OutboxState.FAILED:
        return None if row is None else row.state
    if row.last_error == EXPIRED:
        raise PayloadExpired(row_id)
    row.state = OutboxState.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.lease_until = None
    audit.record(
        session, now, actor=actor, action="outbox_requeued", entity="outbox", entity_id=row.id
    )
    return OutboxState.FAILED


async def _finish(session: AsyncSession, row_id: int, lease: dt.datetime, **values: Any) -> bool:
    """Apply an outcome only to a row still being sent under this lease (not taken over)."""
    computed = {k: v for k, v in values.items() if isinstance(v, ClauseElement)}  # attempts - 1
    plain = {f"new_{k}": v for k, v in values.items() if k not in computed}
    statement = _finishing(frozenset(values) - set(computed))
    statement = statement.values(**computed) if computed else statement
    result = await session.execute(statement, {"row_id": row_id, "lease": lease} | plain)
    return cast("CursorResult[Any]", result).rowcount == 1


@functools.cache
def _finishing(columns: frozenset[str]) -> Update:
    """The UPDATE of `_finish` setting these columns, built once for each set of them."""
    return (
        update(OUTBOX_TABLE)
        .where(OUTBOX.id == ROW_ID, OUTBOX.state.in_(TAKEN), OUTBOX.lease_until == LEASE)
        .values({c: bindparam(f"new_{c}", type_=OUTBOX[c].type) for c in columns})
    )
