"""The weekly digest e-mails: who gets one and when (a Rule), and what such an e-mail carries.

The outbox row holds only {"template": "digest" | "adviser_digest", "values": {"week": ...}};
the e-mail sender builds the digest when it sends (`digest_enclosures`), so a week-old row
never shows stale numbers and no large document is stored as JSON. Each coordinator gets
"digest"; each adviser with at least one JST gets "adviser_digest" unless they opted out
(/podsumowanie in the bot, or `advisorybot digest opt-out`).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from core.templates import Templates
from digest.build import Digest, build_digest, iso_week
from digest.chart import XLSX_TYPE, chart_png, digest_xlsx
from outbox.email_policy import recipient_view
from reminders.schedule import Due
from storage.models import AdviserAssignment, Channel, Delivery, Person, Role

COORDINATOR_TEMPLATE = "digest"
ADVISER_TEMPLATE = "adviser_digest"
TEMPLATES = (COORDINATOR_TEMPLATE, ADVISER_TEMPLATE)
CHART_CID = "digest-chart"
LABELS = "email/_digest.txt.j2"


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
        """This week's digest (due until next week's) and next week's, for the preview."""
        today = calendar.local_date(state.now)
        latest = today - dt.timedelta(days=(today.weekday() - self.weekday) % 7)
        plan = []
        for start in (latest, latest + dt.timedelta(days=7)):
            at = calendar.at(start, self.hour, self.minute)
            week = iso_week(at, calendar.zone)
            until = calendar.at(start + dt.timedelta(days=7), self.hour, self.minute)
            for template, people in (
                (COORDINATOR_TEMPLATE, state.coordinators),
                (ADVISER_TEMPLATE, state.advisers),
            ):
                plan += [digest_due(template, person, week, at, until) for person in people]
        return plan


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
    coordinators = await session.scalars(
        select(Person.id)
        .where(Person.role == Role.COORDINATOR, Person.erased_at.is_(None))
        .order_by(Person.id)
    )
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
    return tuple(coordinators), tuple(advisers)


@dataclass(frozen=True)
class Enclosure:
    """A file in an e-mail: inline (`cid` set, shown by the HTML) or an attachment."""

    data: bytes
    mime: str
    filename: str
    cid: str | None = None


@dataclass(frozen=True)
class Enclosures:
    """What an e-mail needs beyond its payload: more template values and files."""

    values: dict[str, Any] = field(default_factory=dict)
    files: tuple[Enclosure, ...] = ()


def enclose(message: EmailMessage, files: Sequence[Enclosure]) -> None:
    """Inline files join the HTML part (multipart/related, found by Content-ID); the others
    become attachments (multipart/mixed)."""
    html = message.get_body(("html",))
    assert html is not None  # compose() always adds the HTML alternative
    for item in files:
        maintype, subtype = item.mime.split("/")
        if item.cid is not None:
            html.add_related(
                item.data, maintype, subtype, cid=f"<{item.cid}>", filename=item.filename
            )
    for item in files:
        maintype, subtype = item.mime.split("/")
        if item.cid is None:
            message.add_attachment(
                item.data, maintype=maintype, subtype=subtype, filename=item.filename
            )


async def digest_enclosures(
    session: AsyncSession,
    templates: Templates,
    *,
    template: str,
    person: Person | None,
    now: dt.datetime,
) -> Enclosures:
    """For a digest row: the digest built now, its chart inline and its workbook attached."""
    if template not in TEMPLATES or person is None:
        return Enclosures()
    adviser = person.id if template == ADVISER_TEMPLATE else None
    digest = await build_digest(session, now, adviser_id=adviser, zone=templates.zone)
    language = person.language.value
    return Enclosures(
        values={"digest": digest, "chart_src": f"cid:{CHART_CID}"},
        files=(
            Enclosure(
                digest_chart(templates, language, digest), "image/png", "chart.png", CHART_CID
            ),
            Enclosure(digest_xlsx(digest), XLSX_TYPE, f"digest-{digest.week}.xlsx"),
        ),
    )


def digest_chart(templates: Templates, language: str, digest: Digest) -> bytes:
    """The chart with its legend in the reader's language."""
    return chart_png(
        digest,
        reports=templates.macro(language, LABELS, "chart_reports"),
        tasks=templates.macro(language, LABELS, "chart_tasks"),
    )


def preview_html(templates: Templates, language: str, digest: Digest) -> str:
    """The coordinators' digest as one self-contained page: the chart as a data: URI."""
    png = base64.b64encode(digest_chart(templates, language, digest)).decode("ascii")
    return templates.render(
        language,
        f"email/{COORDINATOR_TEMPLATE}.html.j2",
        digest=digest,
        chart_src=f"data:image/png;base64,{png}",
        recipient=recipient_view(None),
        bot_link=None,
    )
