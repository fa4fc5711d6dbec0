"""Who is told about a submitted report: the rest of the team (done, and by whom) and the
adviser on duty (the whole report, split at Telegram's limit; asked to follow up when the team
wants support). Dedupe keys come from the report's id and version: a replay queues nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from notices.message import Text, queue
from notices.notify import notify
from storage.models import Jst, MonthlyReport, Person
from storage.oversight import SUPPORT_KEY
from storage.people import joined_members
from storage.reports import report_questions, shown_answers, slot_of, submitter
from storage.tasks.views import adviser_on_duty


async def done_values(session: AsyncSession, report: MonthlyReport) -> dict[str, Any]:
    """What the templates about a submitted report show: the month, by whom, when, late."""
    person = await submitter(session, report)
    return {
        "slot": await slot_of(session, report),
        "report": report,
        "by": person.full_name if person else None,
        "by_gender": person.gender.value if person and person.gender else None,
    }


async def announce(
    session: AsyncSession, services: Services, report: MonthlyReport, *, today: dt.date
) -> Person | None:
    """Queue the team's and the adviser's messages; returns the adviser told (None: none)."""
    now = services.clock.now()
    values = await done_values(session, report)
    key = f"report:{report.id}:v{report.version}"
    for member in await joined_members(session, [report.jst_id]):
        if member.id != report.submitted_by_id:
            await notify(
                session,
                services.templates,
                member,
                key=f"{key}:member:{member.id}",
                template="report_done_notice",
                now=now,
                **values,
            )
    adviser = await adviser_on_duty(session, report.jst_id, today)
    if adviser is None:
        return None
    await _send_report(session, services, adviser, report, key=f"{key}:adviser", values=values)
    return adviser


async def _send_report(
    session: AsyncSession,
    services: Services,
    adviser: Person,
    report: MonthlyReport,
    *,
    key: str,
    values: dict[str, Any],
) -> None:
    """The whole report for the adviser, in as many messages as Telegram's limit needs."""
    jst = await session.get_one(Jst, report.jst_id)
    rows = shown_answers(await report_questions(session, report.jst_id), report.answers)
    support = report.answers.get(SUPPORT_KEY) is True
    text = Text("report_adviser", {"jst": jst, "rows": rows, "support": support, **values})
    await queue(
        session,
        services.templates,
        adviser,
        text,
        key=key,
        now=services.clock.now(),
        numbered=True,
    )
