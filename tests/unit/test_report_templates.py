"""Report messages stay valid Telegram HTML in both languages, whatever the answers say."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.templates import Templates
from localapi.markup import parse_html
from notices.message import split_text
from storage.models import Jst, MonthlyReport, ReportState
from storage.programme import default_template_path, load_template
from storage.reports import ReportSlot, shown_answers

HOSTILE = 'Gmina <b>Zła</b> & "Syn" </i> <script> 🎓 zażółć'
AT = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
SLOT = ReportSlot(
    1, "R01", "Raport nr 1", "Report no. 1", dt.date(2026, 4, 1), dt.date(2026, 5, 15)
)
QUESTIONS = tuple(load_template(default_template_path()).monitoring.question)
ANSWERS = {
    "progress": 4,
    "done": HOSTILE * 90,
    "slipped": HOSTILE,
    "obstacles": None,
    "support": True,
    "support_what": HOSTILE,
}
REPORT = MonthlyReport(
    id=1,
    jst_id=1,
    step_code="R01",
    state=ReportState.SUBMITTED,
    answers=ANSWERS,
    submitted_at=AT,
    late=True,
    version=2,
)
TEMPLATES = Templates(ZoneInfo("Europe/Warsaw"))
REMINDER_VALUES = {
    "code": "R01",
    "title_pl": HOSTILE,
    "title_en": HOSTILE,
    "jst_name": HOSTILE,
    "month_on": SLOT.month,
    "due_on": SLOT.due_on,
}


def _cases() -> list[tuple[str, dict[str, Any]]]:
    done = {"slot": SLOT, "report": REPORT, "by": HOSTILE, "by_gender": "K"}
    rows = shown_answers(QUESTIONS, ANSWERS)
    asked = {"slot": SLOT, "answered": True, "number": 1, "total": 6}
    return [
        ("report_none", {}),
        ("report_paused", {}),
        ("report_done", done | {"corrigible": True}),
        ("report_done_notice", done),
        (
            "report_submitted",
            {
                "slot": SLOT,
                "report": REPORT,
                "correction": True,
                "adviser": HOSTILE,
                "adviser_gender": "K",
            },
        ),
        ("report_summary", {"slot": SLOT, "rows": rows, "correction": False}),
        ("report_adviser", done | {"jst": Jst(name=HOSTILE), "rows": rows, "support": True}),
        *(
            (f"reminders/{name}", REMINDER_VALUES)
            for name in ("report_request", "report_reminder", "report_adviser_notice")
        ),
        *(
            ("report_question", asked | {"question": q, "answer": ANSWERS[q.key]})
            for q in QUESTIONS
        ),
    ]


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_report_message_is_valid_html_in_parts_below_the_limit(lang: str) -> None:
    for name, values in _cases():
        html = TEMPLATES.render(lang, f"tg/{name}.html.j2", **values)
        assert "<script>" not in html, name
        for part in split_text(html):
            text, _entities = parse_html(part)  # raises as Telegram does on broken HTML
            assert text.strip() and len(text) <= 4096, name


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_summary_shows_every_answer_as_written(lang: str) -> None:
    rows = shown_answers(QUESTIONS, ANSWERS)
    html = TEMPLATES.render(
        lang, "tg/report_summary.html.j2", slot=SLOT, rows=rows, correction=False
    )
    text = "\n".join(parse_html(part)[0] for part in split_text(html))
    assert HOSTILE in text and "4/5" in text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("pl", "Co zrobiliście w dniach 1–30 września 2027?"),
        ("en", "What did you do in September 2027?"),
    ],
)
def test_the_form_asks_about_the_reports_month_by_name(lang: str, expected: str) -> None:
    """ "Co zrobiliście w tym miesiącu?" asked on 1 October about September (issue 18): the
    question names the month the report is about."""
    done = next(question for question in QUESTIONS if question.key == "done")
    slot = ReportSlot(1, "R01", "R", "R", dt.date(2027, 9, 1), dt.date(2027, 10, 15))
    text = TEMPLATES.render(
        lang,
        "tg/report_question.html.j2",
        slot=slot,
        question=done,
        number=2,
        total=6,
        answered=False,
        answer=None,
    )
    assert f"<b>{expected}</b>" in text
    assert "tym miesiącu" not in text and "this month" not in text
