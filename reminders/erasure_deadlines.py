"""Erasure requests a week before their legal deadline: every coordinator is alerted by e-mail.

The alert is planned for the start of working hours (08:00 local) seven days before the
deadline (one month after the request, Art. 12(3) GDPR) of every request still pending or
being carried out, or on the last working day before that day when it is a weekend or a
holiday: never less than a week's warning (the tick moving it on past the holidays left a
Christmas alert four days). Sent once (one key per request and coordinator), never stale
(late rather than never); withdrawn when the request is done or cancelled before it goes.
The alert on the day a request comes is queued by the request itself (notices/erasure.py).

Keys: erasure:{request}:week-before:{coordinator}.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from notices.erasure import DEADLINE_ALERT, alert_values
from reminders.schedule import Due
from storage.erasure import OPEN
from storage.models import Channel, Delivery, ErasureRequest, Jst, Person
from storage.rosters import coordinator_ids

BEFORE = dt.timedelta(days=7)


@dataclass(frozen=True)
class OpenRequests:
    """The open requests with what the alert says of each, and who is alerted."""

    requests: tuple[tuple[ErasureRequest, dict[str, object]], ...]
    coordinators: tuple[int, ...]


class ErasureDeadlineRule:
    """A week before an open erasure request's deadline: the coordinators by e-mail."""

    name = "erasure_deadlines"

    async def load(self, session: AsyncSession, now: dt.datetime) -> OpenRequests:
        found = await session.execute(
            select(ErasureRequest, Person, Jst)
            .join(Person, Person.id == ErasureRequest.person_id)
            .outerjoin(Jst, Jst.id == Person.jst_id)
            .where(ErasureRequest.state.in_(OPEN))
            .order_by(ErasureRequest.id)
        )
        requests = tuple(
            (request, alert_values(request, person, jst)) for request, person, jst in found
        )
        coordinators = await coordinator_ids(session) if requests else ()
        return OpenRequests(requests, coordinators)

    def plan(
        self, state: OpenRequests, calendar: WorkCalendar, until: dt.datetime | None = None
    ) -> list[Due]:
        plan = []
        for request, values in state.requests:
            warn_on = calendar.working_day_until(request.deadline - BEFORE)
            at = calendar.at(warn_on, calendar.quiet_end)
            if until is not None and at > until:
                continue
            plan += [
                Due(
                    key=f"erasure:{request.id}:week-before:{coordinator}",
                    person_id=coordinator,
                    template=DEADLINE_ALERT,
                    at=at,
                    values=values,
                    channel=Channel.EMAIL,
                    delivery=Delivery.AT_LEAST_ONCE,
                )
                for coordinator in state.coordinators
            ]
        return plan
