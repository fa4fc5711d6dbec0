"""The monthly report ladder over a whole monitoring year, walked hour by hour like the tick."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import replace
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from core.calendar import WorkCalendar
from core.templates import Templates
from reminders.reports import JstReports, MonthFacts, Window, plan_reports
from storage.models import Channel, Delivery
from storage.rosters import Duty

ZONE = ZoneInfo("Europe/Warsaw")
CALENDAR = WorkCalendar(ZONE)
FIRST_MONTH = dt.date(2027, 1, 1)
MEMBERS, ADVISER, COORDINATORS = (1, 2), 9, (20, 21)


def _jst(jst_id: int) -> JstReports:
    months = tuple(
        MonthFacts(
            f"R{n:02d}",
            f"Raport {n}",
            f"Report {n}",
            month,
            month.replace(day=15) + relativedelta(months=1),
            submitted=False,
        )
        for n in range(1, 13)
        for month in [FIRST_MONTH + relativedelta(months=n - 1)]
    )
    return JstReports(
        jst_id,
        "Gmina",
        MEMBERS,
        Duty(ADVISER),
        (5, 10),
        15,
        months,
        teryt="0201022",
        coordinator_days=20,
        coordinators=COORDINATORS,
        adviser_names={ADVISER: "Jan Kowalski"},
    )


def _request_day(month: dt.date) -> dt.date:
    following = month + relativedelta(months=1)
    return CALENDAR.first_working_day_of_month(following.year, following.month)


def _walk(jst: JstReports, submit_after: int | None) -> list[tuple[str, str, int]]:
    """Tick at 09:00 and 12:00 each day; the team submits `submit_after` working days after
    the request at 12:00 (None: never). Returns (month, step, person) of every message sent."""
    submitted_at = {
        m.code: CALENDAR.at(CALENDAR.add_working_days(_request_day(m.month), submit_after), 12)
        for m in jst.months
        if submit_after is not None
    }
    sent: dict[str, tuple[str, str, int]] = {}
    ticks = [
        CALENDAR.at(FIRST_MONTH + dt.timedelta(days=day), hour)
        for day in range(430)
        for hour in (9, 12)
    ]
    for now in ticks:
        months = tuple(
            replace(m, submitted=m.code in submitted_at and submitted_at[m.code] <= now)
            for m in jst.months
        )
        state = (replace(jst, months=months),)
        dues = plan_reports(state, CALENDAR)
        # the tick plans only its window (nothing stale, nothing later): the same messages due
        windowed = plan_reports(state, CALENDAR, Window(now, now))
        assert {d.key for d in windowed} == {d.key for d in dues if d.is_due(now)}
        for due in dues:
            if due.is_due(now) and due.key not in sent:
                _, _, code, step, person = due.key.split(":")
                sent[due.key] = (code, step, int(person))
                local = due.at.astimezone(ZONE)
                assert local.hour == 9 and CALENDAR.is_working_day(local.date())
    return list(sent.values())


def test_a_prompt_team_gets_only_the_monthly_request() -> None:
    sent = _walk(_jst(1), submit_after=2)
    assert Counter(step for _, step, _ in sent) == {"request": 24}
    assert {(code, person) for code, _, person in sent} == {
        (f"R{n:02d}", p) for n in range(1, 13) for p in MEMBERS
    }


def test_a_silent_team_gets_the_whole_ladder_every_month_and_the_adviser_a_notice() -> None:
    sent = _walk(_jst(2), submit_after=None)
    assert Counter(step for _, step, _ in sent) == {
        "request": 24,
        "reminder-5": 24,
        "reminder-10": 24,
        "adviser": 12,
        "coordinators": 24,
    }
    assert {person for _, step, person in sent if step == "adviser"} == {ADVISER}
    assert {person for _, step, person in sent if step == "coordinators"} == set(COORDINATORS)


def test_the_coordinators_alert_is_an_email_with_json_values() -> None:
    (alert,) = [
        d for d in plan_reports((_jst(5),), CALENDAR) if d.key == "report:5:R12:coordinators:20"
    ]
    assert alert.channel is Channel.EMAIL and alert.delivery is Delivery.AT_LEAST_ONCE
    assert alert.template == "report_missing_alert"
    assert alert.at.astimezone(ZONE).date() == CALENDAR.add_working_days(dt.date(2028, 1, 3), 20)
    assert json.loads(json.dumps(alert.values)) == alert.values
    assert alert.values["adviser"] == "Jan Kowalski" and alert.values["teryt"] == "0201022"


def test_nothing_follows_the_adviser_notice_but_the_alert_when_submitted_late() -> None:
    sent = _walk(_jst(6), submit_after=17)
    assert Counter(step for _, step, _ in sent) == {
        "request": 24,
        "reminder-5": 24,
        "reminder-10": 24,
        "adviser": 12,
    }


def test_nothing_follows_a_submission() -> None:
    sent = _walk(_jst(3), submit_after=7)
    assert Counter(step for _, step, _ in sent) == {"request": 24, "reminder-5": 24}


def test_the_ladder_counts_working_days_from_the_first_working_day() -> None:
    """R12 (December 2027): requested Monday 3 January 2028 (1 January is a holiday, then a
    weekend); 5 working days later is Tuesday 11 January (6 January, Epiphany, is a holiday)."""
    dues = [
        d for d in plan_reports((_jst(4),), CALENDAR) if ":R12:" in d.key and d.key[-2:] == ":1"
    ]
    days = {d.key.split(":")[3]: d.at.astimezone(ZONE).date() for d in dues}
    assert days["request"] == dt.date(2028, 1, 3)
    assert days["reminder-5"] == dt.date(2028, 1, 11)


def test_a_reminder_after_the_deadline_says_it_passed_and_by_how_many_working_days() -> None:
    """ "nie jest jeszcze wysłany (termin: 15 listopada 2027)" sent after 15 November read as
    if the report were still on time (issue 21): past its deadline the reminder says so."""
    templates = Templates(ZONE)
    dues = [d for d in plan_reports((_jst(3),), CALENDAR) if d.template == "report_reminder"]
    late = [d for d in dues if d.values["days"] < 0]
    on_time = [d for d in dues if d.values["days"] >= 0]
    assert late and on_time
    for due in late:
        day = due.at.astimezone(ZONE).date()
        assert due.values["late"] == CALENDAR.working_days_between(due.values["due_on"], day) > 0
        text = templates.render("pl", "tg/reminders/report_reminder.html.j2", **due.values)
        assert "minął" in text and "temu" in text and "nie jest jeszcze wysłany" not in text
    for due in on_time:
        assert due.values["late"] == 0
        text = templates.render("pl", "tg/reminders/report_reminder.html.j2", **due.values)
        assert "nie jest jeszcze wysłany" in text
