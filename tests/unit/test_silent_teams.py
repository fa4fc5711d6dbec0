"""The silent-team notice as a pure plan, and the values its e-mail keeps (no I/O)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar
from digest.attention import silent_from
from outbox.email_policy import json_values, reminder_payload, template_values
from reminders.silent_teams import SilentJst, SilentTeamRule
from storage.oversight import SilentTeam
from storage.rosters import Contact, Duty, StandIn

ZONE = ZoneInfo("Europe/Warsaw")
CALENDAR = WorkCalendar(ZONE)
ADVISER, STAND_IN = 9, 10
TEAM = (Contact("Zofia Nowicka", "zofia@example.pl", "K"),)
ON_DUTY = Duty(ADVISER)


def local(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=ZONE).astimezone(dt.UTC)


def _jst(invited_at: dt.datetime, duty: Duty = ON_DUTY) -> SilentJst:
    return SilentJst("Gmina Cisza", "1206022", duty, SilentTeam(7, invited_at, TEAM))


def test_the_adviser_is_told_ten_working_days_after_the_first_invitation_at_nine() -> None:
    # Thursday 30 April 2026; 1 May (Friday) and 3 May (Sunday) are holidays.
    assert silent_from(local(4, 30, 22), CALENDAR) == local(5, 15, 9)
    (due,) = SilentTeamRule().plan((_jst(local(4, 30, 22)),), CALENDAR)
    assert (due.key, due.person_id, due.at, due.until) == (
        f"team-silent:7:{ADVISER}",
        ADVISER,
        local(5, 15, 9),
        None,  # never stale: told once, late rather than never
    )
    assert due.values["members"] == [
        {"name": "Zofia Nowicka", "email": "zofia@example.pl", "gender": "K"}
    ]
    assert due.values["invited_on"] == dt.date(2026, 4, 30)


def test_a_stand_in_on_that_day_is_told_and_a_tick_plans_only_what_is_due() -> None:
    away = Duty(ADVISER, StandIn(STAND_IN, dt.date(2026, 5, 14), dt.date(2026, 5, 15)))
    (due,) = SilentTeamRule().plan((_jst(local(4, 30, 10), away),), CALENDAR)
    assert (due.person_id, due.key) == (STAND_IN, f"team-silent:7:{STAND_IN}")
    assert SilentTeamRule().plan((_jst(local(4, 30, 10)),), CALENDAR, local(5, 15, 8)) == []


def test_a_reminder_e_mail_keeps_its_template_and_values_as_json_and_reads_them_back() -> None:
    values = {"due_on": dt.date(2026, 6, 30), "asked_at": local(5, 4, 10), "days": 14}
    payload = reminder_payload("task_due", values)
    assert payload == {
        "template": "reminder",
        "values": {
            "reminder": "task_due",
            "due_on": "2026-06-30",
            "asked_at": local(5, 4, 10).isoformat(),
            "days": 14,
        },
    }
    assert template_values(payload["values"]) == {"reminder": "task_due", **values}
    with pytest.raises(ValueError, match="month"):
        json_values({"month": dt.date(2026, 4, 1)})  # could not be read back as a date
