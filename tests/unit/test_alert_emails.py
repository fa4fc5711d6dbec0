"""The coordinators' alert e-mails render from the values the rules queue (JSON-safe)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.templates import Templates
from outbox.email_alerts import ALERTS as ALERT_TEMPLATES
from outbox.email_alerts import AlertItem, alert_item
from storage.models import OutboxMessage

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
    "report_missing_alert": {
        "code": "R03",
        "title_pl": "Raport miesięczny 3",
        "title_en": "Monthly report 3",
        "jst_name": "Gmina <Zła> & Syn",
        "teryt": "0201022",
        "due_on": "2027-04-15",
        "working_days": 20,
        "adviser": "Jan Kowalski",
    },
    "question_sla_coordinator": {
        "question": 12,
        "jst_name": "Gmina <Zła> & Syn",
        "teryt": "0201022",
        "adviser": None,
        "asked_at": "2026-11-02T14:00:00+00:00",
        "working_days": 4,
        "followup": True,
    },
}
ERASURE = {  # the request's number, dates and way, the person's role and JST; never who
    "number": 7,
    "role": "member",
    "gender": "K",
    "jst_name": "Gmina <Zła> & Syn",
    "teryt": "0201022",
    "via": "telegram",
    "requested_at": "2026-11-02T14:00:00+00:00",
    "due_on": "2026-12-02",
}
ALERTS["material_review_alert"] = {  # the experts' review of a material is overdue
    "title": "Scenariusz dla: Gmina <Zła> & Syn",  # no JST: the hostile name in the title
    "kind": "schedule",
    "cohort": "Pilotaż",
    "review_round": 1,
    "due_on": "2026-12-28",
    "days": -1,
    "working_days": 1,
}
ALERTS |= {
    name: ERASURE
    for name in ("erasure_request_alert", "erasure_deadline_alert", "erasure_cancelled_alert")
}


CONTEXT = {"recipient": {"name": "K", "joined": False, "blocked": False}, "bot_link": None}


def _item(templates: Templates, lang: str, template: str) -> AlertItem:
    """As the sender sees a queued row: the values after a JSON round trip."""
    values = json.loads(json.dumps(ALERTS[template]))
    return alert_item(
        templates, lang, OutboxMessage(payload={"template": template, "values": values})
    )


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize("template", sorted(ALERTS))
def test_one_alert_is_an_email_of_its_own(lang: str, template: str) -> None:
    templates = Templates(ZoneInfo("Europe/Warsaw"))
    item = _item(templates, lang, template)
    alerts = {"alerts": [item]}
    subject = templates.render(lang, "email/alerts.subject.txt.j2", **alerts, **CONTEXT)
    text = templates.render(lang, "email/alerts.txt.j2", **alerts, **CONTEXT)
    html = templates.render(lang, "email/alerts.html.j2", **alerts, **CONTEXT)
    assert subject == item.subject
    assert "\n" not in subject and "Gmina <Zła> & Syn" in subject
    assert "Gmina <Zła> & Syn" in text and ALERTS[template].get("teryt", "") in text
    assert "Gmina <Zła>" not in html and "Gmina &lt;Zła&gt; &amp; Syn" in html
    HTMLParser().feed(html)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_alerts_due_together_share_one_email(lang: str) -> None:
    templates = Templates(ZoneInfo("Europe/Warsaw"))
    items = [_item(templates, lang, template) for template in sorted(ALERTS)]
    alerts = {"alerts": items}
    subject = templates.render(lang, "email/alerts.subject.txt.j2", **alerts, **CONTEXT)
    text = templates.render(lang, "email/alerts.txt.j2", **alerts, **CONTEXT)
    html = templates.render(lang, "email/alerts.html.j2", **alerts, **CONTEXT)
    assert str(len(items)) in subject and "\n" not in subject
    for number, item in enumerate(items, start=1):
        assert f"{number}. {item.subject}" in text and item.text in text
        assert str(item.html) in html
    HTMLParser().feed(html)


def test_every_alert_template_has_an_example() -> None:
    assert set(ALERTS) == ALERT_TEMPLATES
