"""Who is told what about an erasure request: every coordinator by e-mail when it comes and
when it is withdrawn (the week-before alert is a rule: reminders/erasure_deadlines.py), and
the person, on Telegram and by e-mail, just before their data goes.

The alerts name the request's number, the person's role and JST and the dates, never the
person: an e-mail in a coordinator's mailbox stays there after the erasure. The operator finds
who it is in `advisorybot erasure list`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.templates import Templates
from notices.message import Email, Text, queue
from outbox.queue import enqueue
from storage.anonymise import Anonymised
from storage.erasure import complete_erasure, confirm_erasure, open_request
from storage.models import (
    Channel,
    Delivery,
    ErasureRequest,
    ErasureState,
    Jst,
    OutboxMessage,
    OutboxState,
    Person,
)
from storage.people import reachable_on_telegram
from storage.rosters import coordinator_ids

REQUEST_ALERT = "erasure_request_alert"
CANCELLED_ALERT = "erasure_cancelled_alert"
DEADLINE_ALERT = "erasure_deadline_alert"
CONFIRMATION = "erasure_done"
SETTLED = (
    OutboxState.SENT,
    OutboxState.FAILED,
    OutboxState.SKIPPED,
    OutboxState.UNCONFIRMED,
)


def alert_values(request: ErasureRequest, person: Person, jst: Jst | None) -> dict[str, Any]:
    """What the coordinators' e-mails say of a request (JSON: rendered when sent): its number,
    dates and way, the person's role and JST; never who it is."""
    return {
        "number": request.id,
        "role": person.role.value,
        "gender": person.gender.value,
        "jst_name": jst.name if jst else None,
        "teryt": jst.teryt if jst else None,
        "via": request.via,
        "requested_at": request.requested_at.isoformat(),
        "due_on": request.deadline.isoformat(),
    }


async def alert_coordinators(
    session: AsyncSession, request: ErasureRequest, template: str, now: dt.datetime
) -> int:
    """An alert (REQUEST_ALERT or CANCELLED_ALERT) for every coordinator, once each."""
    person = await session.get_one(Person, request.person_id)
    jst = await session.get(Jst, person.jst_id) if person.jst_id is not None else None
    values = alert_values(request, person, jst)
    queued = 0
    for coordinator in await coordinator_ids(session):
        row = await enqueue(
            session,
            dedupe_key=f"erasure:{request.id}:{template}:{coordinator}",
            channel=Channel.EMAIL,
            kind=template,
            payload=Email(template, values).payload(),
            person_id=coordinator,
            delivery=Delivery.AT_LEAST_ONCE,  # an alert may not be lost
            now=now,
        )
        queued += row is not None
    return queued


def confirmation_keys(request_id: int) -> tuple[str, str]:
    """The keys of the person's confirmation: on Telegram (a longer text's parts add
    `:<n>`), by e-mail."""
    return f"erasure:{request_id}:telegram", f"erasure:{request_id}:email"


async def queue_confirmation(
    session: AsyncSession,
    templates: Templates,
    person: Person,
    request: ErasureRequest,
    now: dt.datetime,
) -> None:
    """The person is told their data goes now: on Telegram if it reaches them, and by e-mail;
    at least once each (queued again by a second `erase`, they are not repeated)."""
    telegram, email = confirmation_keys(request.id)
    values = {"number": request.id, "requested_at": request.requested_at.isoformat()}
    if reachable_on_telegram(person):
        shown = {"number": request.id, "requested_at": request.requested_at}
        message = Text(CONFIRMATION, shown)
        await queue(session, templates, person, message, key=telegram, now=now)
    await enqueue(
        session,
        dedupe_key=email,
        channel=Channel.EMAIL,
        kind=CONFIRMATION,
        payload=Email(CONFIRMATION, values).payload(),
        person_id=person.id,
        delivery=Delivery.AT_LEAST_ONCE,
        now=now,
    )


async def confirmation_states(
    session: AsyncSession, request_id: int
) -> dict[Channel, list[OutboxState]]:
    """Where the person's confirmation is, by channel (nothing for a channel not used)."""
    telegram, email = confirmation_keys(request_id)
    key = OutboxMessage.dedupe_key
    rows = await session.execute(
        select(OutboxMessage.channel, OutboxMessage.state)
        .where(or_(key == telegram, key.startswith(f"{telegram}:", autoescape=True), key == email))
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    found: dict[Channel, list[OutboxState]] = {}
    for channel, state in rows:
        found.setdefault(channel, []).append(state)
    return found


def settled(states: dict[Channel, list[OutboxState]]) -> bool:
    """Every part of the confirmation has gone, or will never go (failed, person unreachable):
    the data may be erased now."""
    return bool(states) and all(s in SETTLED for parts in states.values() for s in parts)


class ErasureChanged(Exception):
    """The person's open request is not the one the operator was shown (withdrawn, or made,
    while they were asked): nothing was done."""


async def start_erasure(
    session: AsyncSession,
    templates: Templates,
    person_id: int,
    shown: int | None,
    *,
    now: dt.datetime,
    today: dt.date,
    actor: str,
) -> int:
    """The first step of `advisorybot erase` and of the web view's erasure: the request the
    operator was shown (`shown`; None: one is recorded now) confirmed and the person told;
    the request's number. The data goes in `finish_erasure`, once the telling has gone."""
    person = await session.get_one(Person, person_id)
    found = await open_request(session, person_id)
    if (found.id if found else None) != shown:
        raise ErasureChanged(person.email)
    request = await confirm_erasure(session, person_id, now, today, actor=actor)
    await queue_confirmation(session, templates, person, request, now)
    return request.id


async def finish_erasure(
    session: AsyncSession, request_id: int, now: dt.datetime, *, actor: str
) -> Anonymised:
    """The second step, once the confirmation has `settled`: the person anonymised (done
    already by another run: what that one did)."""
    request = await session.get_one(ErasureRequest, request_id, with_for_update=True)
    if request.state is not ErasureState.CONFIRMING:
        return Anonymised(**request.summary)
    return await complete_erasure(session, request, now, actor=actor)
