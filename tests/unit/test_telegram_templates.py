"""Telegram templates stay valid Telegram HTML whatever names and texts they carry."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.templates import Templates
from handlers.team import LIST_LIMIT
from localapi.markup import parse_html
from notices.message import split_text
from reminders.attention import JstState
from storage.oversight import MemberView
from storage.team import ReportView, StepView, TaskView, TeamView

HOSTILE = 'Gmina <b>Zła</b> & "Syn" </i> &amp; <script>'


def _team(name: str) -> TeamView:
    task = TaskView(
        "ZW1", f"{name} pl", f"{name} en", None, None, dt.date(2026, 10, 1), True, "pending", True
    )
    done = TaskView(
        "ZW2", "Debata", "Debate", None, None, dt.date(2027, 2, 1), False, "accepted", False
    )
    return TeamView(
        jst_id=1,
        jst_name=name,
        teryt="1465011",
        cohort=name,
        adviser=name,
        phase=StepView("D1", name, name),
        tasks=(task, done),
        report=ReportView("R01", dt.date(2027, 7, 1), dt.date(2027, 8, 15), "draft"),
        open_questions=3,
    )


def _state(name: str, late: int = 1) -> JstState:
    members = (MemberView(name, True), MemberView(f"{name} 2", False))
    return JstState(_team(name), members, reports_overdue=late, questions_late=late)


CASES: dict[str, dict[str, Any]] = {
    "status": {"team": _team(HOSTILE)},
    "tasks": {"team": _team(HOSTILE)},
    "jst_list": {
        "jst_states": [_state(HOSTILE), _state("Powiat <i>", late=0)],
        "role": "coordinator",
        "limit": 100,
        "sla_days": 2,
    },
    "jst": {"jst_state": _state(HOSTILE), "sla_days": 2},
    "welcome": {"name": HOSTILE, "role": "member"},
    "welcome_back": {"name": HOSTILE},
    "help": {"commands": [("status", "status"), ("help", "pomoc")], "role": "member"},
    "my_data": {
        "data": {
            "person": {
                "full_name": HOSTILE,
                "email": "anna@example.pl",
                "role": "member",
                "jst": {"name": HOSTILE, "teryt": "1465011"},
                "language": "pl",
                "gender": "K",
                "joined_at": dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),
                "notice_confirmed_at": dt.datetime(2026, 3, 2, 9, 1, tzinfo=dt.UTC),
                "digest_opted_out_at": None,
                "erasure_requested_at": dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC),
            },
            "questions": [{"text": HOSTILE}],
            "answers": [],
            "task_changes": [],
            "reports": [],
            "messages_to_you": [],
            "advised_jsts": [{"jst_name": HOSTILE}],
        },
        "files": 2,
    },
    "notice": {
        "role": "adviser",
        "controller_name": HOSTILE,
        "controller_contact": HOSTILE,
        "dpo_contact": HOSTILE,
        "retention_months": 60,
        "confirm": True,
    },
}


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_values_render_as_text(lang: str, name: str) -> None:
    html = Templates(ZoneInfo("Europe/Warsaw")).render(lang, f"tg/{name}.html.j2", **CASES[name])
    for part in split_text(html):
        parse_html(part)  # raises as Telegram does on broken HTML
        assert "<script>" not in part
    if name != "help":
        assert HOSTILE in parse_html(html)[0], "shown exactly as written"


def test_long_lists_split_below_telegram_limit() -> None:
    """/jst of a coordinator at national scale: LIST_LIMIT JSTs, in parts Telegram takes."""
    states = [_state(f"Gmina {n:04d} " + "ą" * 80, late=n % 2) for n in range(2_800)]
    html = Templates(ZoneInfo("Europe/Warsaw")).render(
        "pl",
        "tg/jst_list.html.j2",
        jst_states=states,
        role="coordinator",
        limit=LIST_LIMIT,
        sla_days=2,
    )
    parts = split_text(html)
    assert len(parts) > 1
    assert all(len(part) <= 4096 for part in parts)
    texts = [parse_html(part)[0] for part in parts]
    assert sum(text.count("(1465011)") for text in texts) == LIST_LIMIT
    assert "…i jeszcze 2700 JST poza tą listą." in texts[-1]


def test_an_over_long_line_is_never_cut_inside_an_entity() -> None:
    line = "a" * 4093 + "&amp;" + "b" * 10
    parts = split_text(line)
    assert all(len(part) <= 4096 for part in parts)
    assert "".join(parts) == line
    for part in parts:
        parse_html(part)
