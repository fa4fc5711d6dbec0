"""The service level of questions: a question waits its first working day from its first
working moment, and is past the level after REMIND_AFTER counted working days (the moment its
adviser is reminded; the coordinators are alerted after ESCALATE_AFTER). One place for the
reminder rule (reminders/questions_sla.py), /jst and the weekly digest."""

from __future__ import annotations

import datetime as dt

from core.calendar import WorkCalendar
from storage.questions.waiting import WaitingQuestion

REMIND_AFTER = 2
ESCALATE_AFTER = 4


def past_service_level(question: WaitingQuestion, now: dt.datetime, cal: WorkCalendar) -> bool:
    """Whether a question waits past the service level at `now`: REMIND_AFTER working days
    waited, the moment its adviser is reminded."""
    return question.waiting and due_at(first_day(question, cal), REMIND_AFTER, cal) <= now


def first_day(question: WaitingQuestion, cal: WorkCalendar) -> dt.date:
    """The first local day the question counts as waited: its first working moment's."""
    return cal.local_date(cal.next_allowed(question.asked_at))


def due_at(first_day: dt.date, working_days: int, cal: WorkCalendar) -> dt.datetime:
    """The start of the working day after `working_days` counted from `first_day`."""
    return cal.at(cal.add_working_days(first_day, working_days), cal.quiet_end)
