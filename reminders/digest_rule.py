"""The weekly digest e-mails: who gets one and when (a Rule), and what such an e-mail carries.

The outbox row holds only {"template": "digest" | "adviser_digest", "values": {"week": ...}};
the e-mail sender builds the digest when it sends (`digest_enclosures`), so a week-old row
never shows stale numbers and no large document is stored as JSON. Each coordinator gets
"digest" (their cohorts', storage/coordinator_scope.py); each adviser with at least one JST
gets "adviser_digest" unless they opted out (/podsumowanie in the bot, or `advisorybot digest
opt-out`).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from core.templates import Templates
from digest.build import Digest, iso_week
from digest.enclosures import ADVISER_TEMPLATE, COORDINATOR_TEMPLATE, digest_chart
from outbox.email_policy import recipient_view
from reminders.schedule import Due
from storage.models import AdviserAssignment, Channel, Delivery, Person, Role
from storage.rosters import coordinator_ids


def digest_key(week: str, person_id: int) -> str:
    """One digest per person and ISO week, whoever queues it (the rule or `digest send`)."""
    return f"digest:{week}:{person_id}"


@dataclass(frozen=True)
class DigestState:
    now: dt.datetime
    coordinators: tuple[int, ...]
    advisers: tuple[int, ...]


class DigestRule:
    """Weekly (DIGEST_SCHEDULE, Monday 08:00 local by default): the digest to each coordinator
    and each adviser of a JST who has not opted out."""

    name = "digest"

    def __init__(self, schedule: tuple[int, int, int]) -> None:
        self.weekday, self.hour, self.minute = schedule

    async def load(self, session: AsyncSession, now: dt.datetime) -> DigestState:
        return DigestState(now, *await recipients(session))

    def plan(
        self, state: DigestState, calendar: WorkCalendar, until: dt.datetime | None = None
    ) -> list[Due]:
        """This week's digest and next week's, for the preview.

        A digest belongs to the ISO week in which it may first go (DIGEST_SCHEDULE, moved to
        working time): that week names its key, and it is due only until that week's working
        time ends. One missed while the bot was down is caught up within its own week, never
        later: nobody gets two in one week, nor a catch-up beside the next week's digest."""
        today = calendar.local_date(state.now)
        latest = today - dt.timedelta(days=(today.weekday() - self.weekday) % 7)
        plan = []
        for start in (latest, latest + dt.timedelta(days=7)):
            at = calendar.at(start, self.hour, self.minute)
            goes = calendar.next_allowed(at)
            week = iso_week(goes, calendar.zone)
            stale = working_week_end(calendar, calendar.local_date(goes))
            for template, people in (
                (COORDINATOR_TEMPLATE, state.coordinators),
                (ADVISER_TEMPLATE, state.advisers),
            ):
                plan += [digest_due(template, person, week, at, stale) for person in people]
        return plan


def working_week_end(calendar: WorkCalendar, day: dt.date) -> dt.datetime:
    """When working time ends in `day`'s ISO week: its last working day's quiet hours."""
    monday = day - dt.timedelta(days=day.weekday())
    days = (monday + dt.timedelta(days=n) for n in range(7))
    last = max((d for d in days if calendar.is_working_day(d)), default=day)
    if calendar.quiet_start > calendar.quiet_end:  # over midnight: they begin in the evening
        return calendar.at(last, calendar.quiet_start)
    return calendar.at(last + dt.timedelta(days=1), 0)


def week_end(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The end of `moment`'s local ISO week (the Monday 00:00 after it), as aware UTC."""
    day = moment.astimezone(zone).date()
    monday = day + dt.timedelta(days=7 - day.weekday())
    return dt.datetime.combine(monday, dt.time(), zone).astimezone(dt.UTC)


def digest_due(
    template: str, person_id: int, week: str, at: dt.datetime, until: dt.datetime | None
) -> Due:
    return Due(
        key=digest_key(week, person_id),
        person_id=person_id,
        template=template,
        at=at,
        until=until,
        values={"week": week},
        channel=Channel.EMAIL,
        delivery=Delivery.AT_MOST_ONCE,
    )


async def recipients(session: AsyncSession) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Coordinators, and advisers assigned to a JST who want it; erased people are left out."""
    advisers = await session.scalars(
        select(Person.id)
        .where(
            Person.role == Role.ADVISER,
            Person.erased_at.is_(None),
            Person.digest_opted_out_at.is_(None),
            Person.id.in_(select(AdviserAssignment.adviser_id)),
        )
        .order_by(Person.id)
    )
    return await coordinator_ids(session), tuple(advisers)


def preview_html(templates: Templates, language: str, digest: Digest) -> str:
    """The coordinators' digest as one self-contained page: the chart as a data: URI."""
    chart = digest_chart(templates, language, digest)
    png = base64.b64encode(chart).decode("ascii")
    return templates.render(
        language,
        f"email/{COORDINATOR_TEMPLATE}.html.j2",
        digest=digest,
        chart_src=f"data:image/png;base64,{png}",
        recipient=recipient_view(None),
        bot_link=None,
    )
