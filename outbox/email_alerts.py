"""Coordinator alerts: one outbox row per event, but one e-mail for all that are due at once.

An escalation (overdue task, unanswered question, missing report; an erasure request) is
queued as its own row, so each event is sent exactly once whatever else happens. When the
sender takes a person's alert row it also leases their other due alerts; they travel in one
e-mail and share its outcome, so a morning with forty overdue tasks gives each coordinator
one e-mail listing forty events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.templates import Templates
from outbox.claims import lease_rows, sendable
from outbox.email_policy import template_values
from storage.models import Channel, OutboxMessage

ALERTS = frozenset(
    {
        "task_overdue_alert",
        "question_sla_coordinator",
        "report_missing_alert",
        "erasure_request_alert",
        "erasure_deadline_alert",
        "erasure_cancelled_alert",
        "material_review_alert",
    }
)
BATCHED_TEMPLATE = "alerts"
MOST_PER_EMAIL = 100


def is_alert(row: OutboxMessage) -> bool:
    return row.payload.get("template") in ALERTS


async def claim_companions(
    session: AsyncSession,
    lead: OutboxMessage,
    *,
    now: dt.datetime,
    lease: dt.timedelta,
    working: bool,
) -> list[OutboxMessage]:
    """The lead row's person's other alerts that may go now (and are not stale), leased for
    the same e-mail."""
    if not is_alert(lead) or lead.person_id is None:
        return []
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.channel == Channel.EMAIL,
                OutboxMessage.person_id == lead.person_id,
                OutboxMessage.kind.in_(ALERTS),
                sendable(now, working=working),
                or_(OutboxMessage.stale_at.is_(None), OutboxMessage.stale_at > now),
                OutboxMessage.id != lead.id,
            )
            .order_by(OutboxMessage.id)
            .limit(MOST_PER_EMAIL - 1)
            .with_for_update(skip_locked=True, of=OutboxMessage)
        )
    ).all()
    return await lease_rows(session, rows, now=now, lease=lease)


@dataclass(frozen=True)
class AlertItem:
    """One event of a batched alert e-mail, rendered in the reader's language."""

    subject: str
    text: str
    html: Markup


def alert_item(templates: Templates, language: str, row: OutboxMessage) -> AlertItem:
    """One row's event: its own subject line and body (the parts an alert template names)."""
    template = str(row.payload["template"])
    values = template_values(row.payload.get("values") or {})

    def part(name: str) -> str:
        return templates.render(language, f"email/{template}.{name}.j2", **values)

    return AlertItem(part("subject.txt"), part("body.txt"), Markup(part("body.html")))
