"""Task messages stay valid Telegram HTML, whatever the evidence says; every refusal has words."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.templates import Templates
from localapi.markup import parse_html
from storage.tasks.views import Evidence, SubmitChoices, TaskChange, TaskItem

HOSTILE = 'Gmina <b>Zła</b> & "Syn" </i> <script>'
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ITEM = TaskItem(
    "ZW1", HOSTILE, HOSTILE, HOSTILE, HOSTILE, dt.date(2026, 7, 31), "returned", HOSTILE, AT
)
CHANGE = TaskChange(
    event_id=1,
    action="submitted",
    at=AT,
    jst_id=1,
    jst_name=HOSTILE,
    teryt="1465011",
    code="ZW1",
    title_pl=HOSTILE,
    title_en=HOSTILE,
    label_pl=HOSTILE,
    label_en=HOSTILE,
    actor_id=2,
    actor_name=HOSTILE,
    actor_gender="K",
    progress_id=3,
    review_round=1,
    evidence=(Evidence("text", HOSTILE * 300),),
    remarks=HOSTILE,
    until=dt.date(2026, 3, 7),
    resolution_number=HOSTILE,
    resolution_date=dt.date(2026, 3, 1),
)
ACTIONS = ("submitted", "resolution", "returned", "accepted", "extended")
PIECES = (
    Evidence("text", HOSTILE),
    Evidence("link", "https://example.pl/a?b=<c>"),
    Evidence("document", HOSTILE, HOSTILE, 1, 2),
    Evidence("photo", None, None, 1, 2),
)
# One piece of each kind; all of them; as many of the longest as a submission keeps.
EVIDENCE = (
    *((piece,) for piece in PIECES),
    PIECES,
    (Evidence("text", "x" * 3500), Evidence("document", "y" * 3500, "z" * 255, 1, 2)) * 5,
)
REASONS: dict[str, dict[str, Any]] = {
    "unknown_task": {"code": HOSTILE, "codes": ["ZW1", "ZW2"]},
    "not_your_jst": {"teryt": HOSTILE},
    "not_your_team": {},
    "use_resolution": {"code": "UCHWALA"},
    "no_resolution_task": {},
    "empty_evidence": {},
    "too_long": {"limit": 3500},
    "too_many": {"limit": 10},
    "already_submitted": {"code": "ZW1", "by": HOSTILE, "at": AT},
    "already_accepted": {"code": "ZW1"},
    "not_open": {"code": "ZW1"},
    "choose_first": {},
    "empty_remarks": {},
    "remarks_text_only": {},
    "already_reviewed": {},
    "bad_resolution_number": {"limit": 100},
    "resolution_in_future": {"date": dt.date(2026, 4, 1)},
    "resolution_too_early": {"start": dt.date(2026, 1, 1)},
    "resolution_before_plan": {
        "date": dt.date(2026, 3, 1),
        "plan_on": dt.date(2026, 3, 5),
        "code": "HDR_ORE",
    },
    "plan_not_submitted": {"code": "HDR_ORE"},
    "resolution_no_date": {},
    "resolution_bad_date": {"written": HOSTILE},
    "resolution_many_dates": {"dates": ["3.12.2026", HOSTILE]},
    "resolution_no_number": {},
    "resolution_many_links": {},
    "proof_expected": {},
    "no_proof": {},
    "not_proof": {},
    "usage_extend": {},
    "bad_date": {"value": HOSTILE},
    "date_in_past": {"date": dt.date(2026, 3, 1)},
    "not_later": {"code": "ZW1", "due": dt.date(2026, 7, 31)},
    "unchanged": {"code": "ZW1", "until": dt.date(2026, 9, 30)},
}
FORMS = ("task_submit", "task_remarks", "task_resolution")
CLI_REASONS = ("unknown_task", "date_in_past", "not_later", "already_accepted", "unchanged")
TEMPLATES = Templates(ZoneInfo("Europe/Warsaw"))


def _cases() -> list[tuple[str, dict[str, Any]]]:
    choices = SubmitChoices((ITEM,), (ITEM,), "UCHWALA")
    cases: list[tuple[str, dict[str, Any]]] = [
        ("task_choose", {"choices": choices}),
        ("task_choose", {"choices": SubmitChoices((), (), None)}),
        ("task_evidence_ask", {"task": ITEM}),
        ("task_cancelled", {}),
        ("task_remarks_ask", {"change": CHANGE}),
        ("task_resolution_ask", {}),
        ("task_extended", {"change": replace(CHANGE, action="extended")}),
    ]
    for evidence in EVIDENCE:
        summary = {"task": ITEM, "evidence": evidence, "limit": 10}
        cases.append(("task_evidence_summary", summary))
        resolution = {"number": HOSTILE, "adopted_on": dt.date(2026, 3, 1)}
        cases.append(("task_resolution_summary", resolution | {"evidence": evidence, "limit": 10}))
        cases.append(("task_resolution_proof_ask", resolution))
        for action in ACTIONS:
            change = replace(CHANGE, action=action, evidence=evidence)
            cases.append(("task_news", {"change": change}))
            cases.append(("task_review_request", {"change": change}))
    for action in ACTIONS:
        for actor, gender in ((HOSTILE, "M"), (None, None)):
            change = replace(CHANGE, action=action, actor_name=actor, actor_gender=gender)
            cases.append(("task_news", {"change": change}))
            for adviser_gender in ("K", "M", None):
                values = {"change": change, "adviser": HOSTILE, "adviser_gender": adviser_gender}
                cases.append(("task_submitted", values))
            cases.append(
                ("task_submitted", {"change": change, "adviser": None, "adviser_gender": None})
            )
            cases.append(("task_reviewed", {"change": change}))
    return cases


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_task_message_is_valid_html_and_shows_names_as_written(lang: str) -> None:
    for name, values in _cases():
        html = TEMPLATES.render(lang, f"tg/{name}.html.j2", **values)
        text, _entities = parse_html(html)  # raises as Telegram does on broken HTML
        assert "<script>" not in html and text.strip(), name
        assert len(text) <= 4096, f"{name} fits one message (notify does not split)"
        if name not in ("task_cancelled", "task_resolution_ask", "task_choose"):
            assert HOSTILE in text or "example.pl/a?b=<c>" in text, name


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_refusal_has_its_own_words(lang: str) -> None:
    seen = set()
    cases = [(reason, details) for reason, details in REASONS.items()]
    cases += [("unsupported", {"form": form}) for form in FORMS]
    for reason, details in cases:
        html = TEMPLATES.render(lang, "tg/task_refused.html.j2", reason=reason, details=details)
        text, _entities = parse_html(html)
        assert text.strip() and "<script>" not in html, reason
        seen.add(text)
    assert len(seen) >= len(cases) - 2, "reasons do not share one vague sentence"


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_cli_refusal_is_one_line(lang: str) -> None:
    for reason in ("unknown_jst", *CLI_REASONS):
        details = REASONS.get(reason, {"teryt": "9999999"})
        line = TEMPLATES.macro(lang, "cli/tasks.txt.j2", "refused", reason=reason, details=details)
        assert line and "\n" not in line, reason


def test_history_and_buttons_in_the_team_view_languages() -> None:
    pl = TEMPLATES.macro("pl", "tg/task_parts.html.j2", "done", change=CHANGE)
    male = replace(CHANGE, actor_gender="M", action="accepted")
    assert "przesłała" in pl and "przyjął" in TEMPLATES.macro(
        "pl", "tg/task_parts.html.j2", "done", change=male
    )
    label = TEMPLATES.macro("en", "tg/task_labels.txt.j2", "task", task=ITEM)
    assert label.startswith("ZW1 – ") and len(label) <= 60
