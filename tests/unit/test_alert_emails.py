"""The coordinators' alert e-mails render from the values the rules queue (JSON-safe)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.email_policy import template_values
from bot.templates import Templates

ALERTS: dict[str, dict[str, Any]] = {
    "task_overdue_alert": {
        "code": "ZW1",
        "title_pl": "Diagnoza wstępna",
        "title_en": "Initial diagnosis",
        "jst_name": "Gmina <Zła> & Syn",
        "teryt": "0201022",
        "due_on": "2026-10-01",
        "extended": True,
        "resolution": False,
        "days": 7,
        "adviser": "Jan Kowalski",
    },
    "question_sla_coordinator": {
        "question": 12,
        "jst_name": "Gmina <Zła> & Syn",
        "teryt": "0201022",
        "adviser": None,
        "asked_at": "2026-11-02T14:00:00+00:00",
        "working_days": 4,
    },
}


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize("template", sorted(ALERTS))
def test_alert_renders_subject_text_and_html(lang: str, template: str) -> None:
    templates = Templates(ZoneInfo("Europe/Warsaw"))
    values = template_values(json.loads(json.dumps(ALERTS[template])))
    context = {"recipient": {"name": "K", "joined": False, "blocked": False}, "bot_link": None}
    subject = templates.render(lang, f"email/{template}.subject.txt.j2", **values, **context)
    text = templates.render(lang, f"email/{template}.txt.j2", **values, **context)
    html = templates.render(lang, f"email/{template}.html.j2", **values, **context)
    assert "\n" not in subject and "Gmina <Zła> & Syn" in subject
    assert "Gmina <Zła> & Syn" in text and "0201022" in text
    assert "Gmina &lt;Zła&gt; &amp; Syn" in html
    HTMLParser().feed(html)
