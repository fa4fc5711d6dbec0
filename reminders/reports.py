"""Monthly report reminders: the request, the team's reminders, the adviser's notice.

- Each report month R01..R12 of a JST (storage/monitoring.py: from the month after its
  resolution, or the cohort's months) is requested on the first working day of the month after
  it, at 09:00 local, from every member (not erased). A JST whose monitoring waits for its
  resolution is asked for nothing.
- While the team's report is not submitted, the members are reminded after each count of
  `report_reminder_working_days` (5, 10) working days from the request, and the adviser on duty
  gets a notice after `report_adviser_notice_working_days` (15).
- Still missing `report_coordinator_alert_working_days` (20) after the request, every
  coordinator gets an e-mail alert (batched with other alerts due at once by the sender).
- A submitted report plans nothing more, from the next tick on (any member's submission counts).
- Each step is superseded by the next one (`until`), the last is stale after a week: after
  downtime only the latest step goes out. The coordinators' alert is stale after a week too.

Keys: report:{jst}:{code}:{step}:{person}, step request, reminder-5, reminder-10, adviser or
coordinators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from reminders.deadlines import Step, series
from reminders.schedule import Due
from storage.cohorts import cohort_templates
from storage.models import (
    Channel,
    Delivery,
    Jst,
    MonthlyReport,
    ReportState,
)
from storage.monitoring import monitoring_of
from storage.programme_calendar import CalendarStep
from storage.rosters import (
    Duty,
    adviser_names,
    coordinator_ids,
    load_duties,
    member_ids_by_jst,
)

HOUR = 9
STALE_AFTER = dt.timedelta(days=7)
REQUEST, REMINDER, ADVISER = "report_request", "report_reminder", "report_adviser_notice"
ALERT = "report_missing_alert"  # e-mail to the coordinators


@dataclass(frozen=True, slots=True)
class MonthFacts:
    """One report month of a JST: its step and whether the team has submitted it."""

    code: str
    title_pl: str
    title_en: str
    month: dt.date
    due_on: dt.date
    submitted: bool


@dataclass(frozen=True, slots=True)
class JstReports:
    """A JST's report months, its members, its adviser and the template's ladder."""

    jst_id: int
    name: str
    members: tuple[int, ...]
    duty: Duty | None
    reminder_days: tuple[int, ...]
    adviser_days: int
    months: tuple[MonthFacts, ...]
    teryt: str
    coordinator_days: int
    coordinators: tuple[int, ...]
    adviser_names: Mapping[int, str]  # one mapping shared by every JST


async def load_report_state(session: AsyncSession, now: dt.datetime) -> tuple[JstReports, ...]:
    """Every JST of a cohort with a valid template, with its report months."""
    templates = await cohort_templates(session)
    rows = (await session.execute(select(Jst.id, Jst.name, Jst.teryt, Jst.cohort_id))).all()
    monitoring = await monitoring_of(session, [row.id for row in rows])
    months, submitted = _JstMonths(), await _submitted(session)
    members, duties = await member_ids_by_jst(session), await load_duties(session)
    coordinators, names = await coordinator_ids(session), await adviser_names(session)
    jsts = []
    for jst in rows:
        if jst.cohort_id not in templates or jst.id not in monitoring:
            continue
        reminders = templates[jst.cohort_id].reminders
        jsts.append(
            JstReports(
                jst.id,
                jst.name,
                tuple(members.get(jst.id, ())),
                duties.get(jst.id),
                tuple(sorted(set(reminders.report_reminder_working_days))),
                reminders.report_adviser_notice_working_days,
                tuple(
                    done if (jst.id, month.code) in submitted else month
                    for month, done in months.of(monitoring[jst.id].reports)
                ),
                jst.teryt,
                reminders.report_coordinator_alert_working_days,
                coordinators,
                names,
            )
        )
    return tuple(jsts)


class _JstMonths:
    """Report months as facts, each as open and as submitted; JSTs whose monitoring starts in
    the same month share one tuple (and `_month_steps`' cache)."""

    def __init__(self) -> None:
        self._made: dict[tuple[CalendarStep, ...], tuple[tuple[MonthFacts, MonthFacts], ...]] = {}

    def of(self, steps: tuple[CalendarStep, ...]) -> tuple[tuple[MonthFacts, MonthFacts], ...]:
        if steps not in self._made:
            facts = []
            for s in steps:
                assert s.due_on is not None, "reports have due dates"
                month = MonthFacts(s.code, s.title_pl, s.title_en, s.starts_on, s.due_on, False)
                facts.append((month, replace(month, submitted=True)))
            self._made[steps] = tuple(facts)
        return self._made[steps]


async def _submitted(session: AsyncSession) -> set[tuple[int, str]]:
    """(JST id, report step) of every report sent; plain tuples: a set of rows hashes and
    compares slowly."""
    rows = await session.execute(
        select(MonthlyReport.jst_id, MonthlyReport.step_code).where(
            MonthlyReport.state == ReportState.SUBMITTED
        )
    )
    return {(jst_id, code) for jst_id, code in rows}


@dataclass(frozen=True)
class Window:
    """Which steps to plan: those not stale at `now` and due by `until` (None: no bound)."""

    now: dt.datetime | None = None
    until: dt.datetime | None = None

    def holds(self, step: Step) -> bool:
        return (self.until is None or step.at <= self.until) and (
            self.now is None or self.now < step.until
        )


def plan_reports(
    jsts: tuple[JstReports, ...], calendar: WorkCalendar, window: Window = Window()
) -> list[Due]:
    """Every reminder of every report month not yet submitted (pure: state and calendar), or
    those in `window` (the tick's: stale months of the past are not built every minute)."""
    return [
        due
        for jst in jsts
        for month in jst.months
        if not month.submitted
        for due in _month_dues(jst, month, calendar, window)
    ]


@lru_cache(maxsize=1024)  # every JST of a cohort has the same months: the calendar works once
def _month_steps(
    calendar: WorkCalendar, month: dt.date, reminder_days: tuple[int, ...], adviser_days: int
) -> tuple[dt.date, tuple[Step, ...]]:
    following = month + relativedelta(months=1)
    request = calendar.first_working_day_of_month(following.year, following.month)
    moments = [("request", request)] + [
        (f"reminder-{days}", calendar.add_working_days(request, days)) for days in reminder_days
    ]
    moments.append(("adviser", calendar.add_working_days(request, adviser_days)))
    steps = series(
        calendar,
        tuple((name, calendar.at(day, HOUR)) for name, day in moments),
        last_for=STALE_AFTER,
    )
    return request, steps


def _month_dues(
    jst: JstReports, month: MonthFacts, calendar: WorkCalendar, window: Window
) -> list[Due]:
    request, steps = _month_steps(calendar, month.month, jst.reminder_days, jst.adviser_days)
    if window.until is not None and steps[0].at > window.until:
        return []  # not requested yet: every step is later still
    values = _month_values(jst, month)
    dues: list[Due] = []
    for step in steps:
        if not window.holds(step):
            continue
        people, template = _recipients(jst, step, calendar)
        day = calendar.local_date(step.at)
        days = (month.due_on - day).days
        late = calendar.working_days_between(month.due_on, day)  # 0 until the deadline passed
        dues.extend(
            Due(
                key=f"report:{jst.jst_id}:{month.code}:{step.name}:{person_id}",
                person_id=person_id,
                template=template,
                at=step.at,
                until=step.until,
                values=values | {"days": days, "late": late},
                jst_id=jst.jst_id,
            )
            for person_id in people
        )
    return dues + _alert(jst, month, request, calendar, window)


def _month_values(jst: JstReports, month: MonthFacts) -> dict[str, Any]:
    """What the team's request and reminders and the adviser's notice say (with `days`: to
    the deadline on the step's day, below 0 past it; `late`: working days past it, or 0)."""
    return {
        "code": month.code,
        "title_pl": month.title_pl,
        "title_en": month.title_en,
        "month_on": month.month,
        "due_on": month.due_on,
        "jst_name": jst.name,
    }


def _recipients(
    jst: JstReports, step: Step, calendar: WorkCalendar
) -> tuple[tuple[int, ...], str]:
    """Who a step goes to, and its template: the team, or the adviser on duty that day."""
    if step.name == "adviser":
        day = calendar.local_date(step.at)
        return ((jst.duty.on(day),) if jst.duty else ()), ADVISER
    return jst.members, REQUEST if step.name == "request" else REMINDER


def _alert(
    jst: JstReports, month: MonthFacts, request: dt.date, calendar: WorkCalendar, window: Window
) -> list[Due]:
    """Every coordinator, by e-mail (values are JSON: the e-mail is rendered when sent)."""
    moment = calendar.at(calendar.add_working_days(request, jst.coordinator_days), HOUR)
    (step,) = series(calendar, (("coordinators", moment),), last_for=STALE_AFTER)
    if not window.holds(step):
        return []
    values = _alert_values(jst, month, calendar.local_date(step.at))
    return [
        Due(
            key=f"report:{jst.jst_id}:{month.code}:coordinators:{coordinator}",
            person_id=coordinator,
            template=ALERT,
            at=step.at,
            until=step.until,
            values=values,
            channel=Channel.EMAIL,
            delivery=Delivery.AT_LEAST_ONCE,  # an alert may not be lost; its Message-ID is stable
            jst_id=jst.jst_id,
        )
        for coordinator in jst.coordinators
    ]


def _alert_values(jst: JstReports, month: MonthFacts, day: dt.date) -> dict[str, Any]:
    """What the coordinators' e-mail says: the month, the JST, and its adviser on `day`."""
    adviser = jst.duty.on(day) if jst.duty else None
    return {
        "code": month.code,
        "title_pl": month.title_pl,
        "title_en": month.title_en,
        "jst_name": jst.name,
        "teryt": jst.teryt,
        "due_on": month.due_on.isoformat(),
        "month_on": month.month.isoformat(),
        "working_days": jst.coordinator_days,
        "adviser": None if adviser is None else jst.adviser_names.get(adviser),
    }


class ReportRule:
    """Monthly monitoring reports: requested, reminded, escalated to the adviser."""

    name = "reports"

    async def load(
        self, session: AsyncSession, now: dt.datetime
    ) -> tuple[dt.datetime, tuple[JstReports, ...]]:
        return now, await load_report_state(session, now)

    def plan(
        self,
        state: tuple[dt.datetime, tuple[JstReports, ...]],
        calendar: WorkCalendar,
        until: dt.datetime | None = None,
    ) -> list[Due]:
        now, jsts = state
        return plan_reports(jsts, calendar, Window(now, until))
