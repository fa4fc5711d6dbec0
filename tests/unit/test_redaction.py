"""What identifies a person is found in every form it is stored in, and only as a whole."""

from __future__ import annotations

import json

from storage.redaction import ERASED_MARK, Needles

NEEDLES = Needles.of(
    "Małgorzata Zając",
    "malgorzata@example.pl",
    ["Czy możemy przesunąć debatę?\nDyrektor jest chory od tygodnia.", "Dziękuję"],
    [5551234567, None],
)


def test_the_needles_are_the_name_the_address_and_long_enough_texts() -> None:
    assert "Małgorzata Zając" in NEEDLES.strings and "malgorzata@example.pl" in NEEDLES.strings
    assert "Dyrektor jest chory od tygodnia." in NEEDLES.strings, "each long line too"
    assert "Dziękuję" not in NEEDLES.strings, "too common to look for in others' messages"
    assert Needles.of("-", "x@example.pl", [], []).strings == ("x@example.pl",)


def test_every_stored_form_is_a_fragment_to_look_for() -> None:
    fragments = NEEDLES.fragments()
    assert json.dumps("Małgorzata Zając")[1:-1] in fragments  # "Ma\\u0142gorzata ..."
    assert "5551234567" in fragments


def test_names_addresses_and_ids_are_replaced_in_any_json() -> None:
    payload = {
        "method": "copyMessage",
        "params": {"from_chat_id": 5551234567, "message_id": 12},
        "text": "<b>MAŁGORZATA ZAJĄC</b> pyta: Czy możemy przesunąć debatę?",
        "to": "Malgorzata@Example.pl",
        "key": "joined:5551234567:x",
        "other": ["15551234567", 55512345670, True],
    }
    redacted = NEEDLES.redact(payload)
    assert redacted.changed and redacted.ids
    assert redacted.value == {
        "method": "copyMessage",
        "params": {"from_chat_id": None, "message_id": 12},
        "text": f"<b>{ERASED_MARK}</b> pyta: {ERASED_MARK}",
        "to": ERASED_MARK,
        "key": f"joined:{ERASED_MARK}:x",
        "other": ["15551234567", 55512345670, True],
    }


def test_an_html_escaped_text_is_found_too() -> None:
    needles = Needles.of("Anna O'Brien & Co", "anna@example.pl", [], [])
    redacted = needles.redact("Pytanie od Anna O&#39;Brien &amp; Co")
    assert redacted.value == f"Pytanie od {ERASED_MARK}" and not redacted.ids


def test_what_holds_no_needle_is_left_as_it_is() -> None:
    value = {"text": "Dziękuję, Małgorzato", "n": 12}
    assert not NEEDLES.redact(value).changed
    assert NEEDLES.redact(value).value == value
