"""Every outgoing payload is made in notices.message: split, HTML, no link previews, buttons on
the last part, silent on request; copies and e-mails in the outbox's format."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from core.templates import Templates
from notices.message import (
    TELEGRAM_LIMIT,
    Copy,
    Email,
    Text,
    keyboard,
    payloads,
    single_text_payload,
    text_payloads,
)

TEMPLATES = Templates(ZoneInfo("Europe/Warsaw"))
LONG = "\n".join(f"<b>Wiersz {n}</b> " + "ż" * 80 for n in range(100))  # ~9,700 characters


def test_a_long_text_is_split_below_the_limit_with_buttons_on_its_last_part() -> None:
    buttons = keyboard([[("Tak", "f:1:y")]])
    made = text_payloads(LONG, buttons=buttons, link={"question_id": 7})
    assert len(made) == 3
    assert all(len(p["params"]["text"]) <= TELEGRAM_LIMIT for p in made)
    assert "\n".join(p["params"]["text"] for p in made) == LONG
    assert [("reply_markup" in p["params"]) for p in made] == [False, False, True]
    for payload in made:
        assert payload["method"] == "sendMessage"
        assert payload["params"]["parse_mode"] == "HTML"
        assert payload["params"]["link_preview_options"] == {"is_disabled": True}
        assert payload["link"] == {"question_id": 7}
        assert "disable_notification" not in payload["params"] and "email" not in payload


def test_silent_and_email_fallback_are_carried_by_each_part() -> None:
    (made,) = text_payloads("Termin jutro.", silent=True, email=True)
    assert made["params"]["disable_notification"] is True
    assert made["email"] is True


def test_a_secret_is_marked_on_the_parts_that_hold_it() -> None:
    """The rows forget it once sent (outbox.queue.forget_secrets): only those holding it say
    so, and a text with none says nothing."""
    secret = "Wiersz 99"  # in the last part of three
    made = text_payloads(LONG, forget=(secret, "nowhere"))
    assert [payload.get("forget") for payload in made] == [None, None, [secret]]
    assert all("forget" not in payload for payload in text_payloads(LONG))


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_text_is_rendered_in_the_readers_language(language: str) -> None:
    message = Text("question_usage", {"command": "substitute"})
    (made,) = payloads(message, TEMPLATES, language)
    expected = TEMPLATES.render(language, "tg/question_usage.html.j2", command="substitute")
    assert made["params"]["text"] == expected


def test_a_copy_and_an_email_in_the_outbox_format() -> None:
    (copy,) = payloads(Copy(from_chat_id=501, message_id=12), TEMPLATES, "pl", link={"q": 1})
    assert copy == {
        "method": "copyMessage",
        "params": {"from_chat_id": 501, "message_id": 12},
        "link": {"q": 1},
    }
    email = Email("invitation", {"link": "x"}, forget=("link",)).payload()
    assert email == {"template": "invitation", "values": {"link": "x"}, "forget": ["link"]}
    assert Email("digest", {"week": "2026-W49"}).payload() == {
        "template": "digest",
        "values": {"week": "2026-W49"},
    }


def test_a_reminder_over_the_limit_is_cut_to_one_message_and_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    made = single_text_payload(LONG, email=True)
    assert made["params"]["text"] == text_payloads(LONG)[0]["params"]["text"]
    assert made["email"] is True
    assert "cut to Telegram's limit" in caplog.text
