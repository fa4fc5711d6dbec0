"""Which month's report: when earlier months are still unsent, `/raport` offers one button a
month (a form of its own, so a press is checked against the months on offer at that moment)."""

from __future__ import annotations

from collections.abc import Sequence

from forms.steps import Button, Show
from storage.reports import ReportSlot

MONTH = "m"


def offer(months: Sequence[ReportSlot]) -> Show:
    """The unsent earlier months, then the month that has just ended: a button each."""
    rows = tuple((Button(f"{MONTH}{slot.code}", "month", {"slot": slot}),) for slot in months)
    return Show("report_pick", {"unsent": list(months[:-1])}, rows)


def picked(choice: str, months: Sequence[ReportSlot]) -> ReportSlot | None:
    """The month pressed; None when it is not on offer now (forged, or the months changed)."""
    return next((slot for slot in months if f"{MONTH}{slot.code}" == choice), None)
