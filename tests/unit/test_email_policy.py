"""What an e-mail row becomes and what a failed send means: pure rules, no I/O."""

from __future__ import annotations

import datetime as dt
import email.policy
from email import message_from_bytes

import pytest
from aiosmtplib import (
    SMTPConnectError,
    SMTPDataError,
    SMTPNotSupported,
    SMTPRecipientRefused,
    SMTPRecipientsRefused,
    SMTPServerDisconnected,
)

from outbox.email_policy import (
    KEY_LENGTH,
    classify,
    compose,
    fallback_key,
    message_id,
    sender_address,
    telegram_text,
    template_values,
    wire_bytes,
)
from outbox.policy import GIVE_UP_AT_ATTEMPT, GiveUp, RetryAt

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
REFUSED = SMTPRecipientsRefused([SMTPRecipientRefused(550, "5.1.1 Unknown", "a@b.pl")])


@pytest.mark.parametrize(
    ("error", "connecting", "verdict"),
    [
        (REFUSED, False, GiveUp("550 5.1.1 Unknown")),
        (SMTPDataError(554, "5.7.1 Spam"), False, GiveUp("554 5.7.1 Spam")),
        (
            SMTPNotSupported("SMTPUTF8 is not supported"),
            False,
            GiveUp("SMTPNotSupported: SMTPUTF8 is not supported"),
        ),
        (
            SMTPDataError(451, "4.3.0 Later"),
            False,
            RetryAt(NOW + dt.timedelta(seconds=10), "451 4.3.0 Later"),
        ),
        (
            SMTPDataError(535, "5.7.8 Bad credentials"),
            True,
            RetryAt(NOW + dt.timedelta(seconds=10), "535 5.7.8 Bad credentials"),
        ),
        (
            SMTPConnectError("refused"),
            True,
            RetryAt(NOW + dt.timedelta(seconds=10), "SMTPConnectError: refused"),
        ),
        (
            SMTPServerDisconnected("gone"),
            False,
            RetryAt(NOW + dt.timedelta(seconds=10), "SMTPServerDisconnected: gone"),
        ),
    ],
)
def test_a_refusal_after_connecting_is_final_and_everything_else_is_retried(
    error: Exception, connecting: bool, verdict: RetryAt | GiveUp
) -> None:
    assert classify(error, attempts=2, now=NOW, jitter=0.0, connecting=connecting) == verdict


def test_retries_give_up_at_the_three_day_horizon() -> None:
    error = SMTPConnectError("refused")
    last = classify(error, attempts=GIVE_UP_AT_ATTEMPT, now=NOW, jitter=0.5, connecting=True)
    before = classify(error, attempts=GIVE_UP_AT_ATTEMPT - 1, now=NOW, jitter=0.5, connecting=True)
    assert last == GiveUp("gave_up: SMTPConnectError: refused")
    assert isinstance(before, RetryAt)


def test_the_message_id_is_stable_and_names_the_sender_domain() -> None:
    first = message_id(12, "deadline:1:ZW1", "Bot ORE <bot@ore.example.pl>")
    assert first == message_id(12, "deadline:1:ZW1", "bot@ore.example.pl")
    assert first.startswith("<outbox-12.") and first.endswith("@ore.example.pl>")
    assert first != message_id(12, "deadline:1:ZW2", "bot@ore.example.pl")
    assert sender_address("Bot ORE <bot@ore.example.pl>") == "bot@ore.example.pl"


def test_names_and_subjects_cannot_start_a_header() -> None:
    message = compose(
        mail_from="bot@ore.example.pl",
        to_name="Anna\r\nBcc: x@evil.example",
        to_address="anna@example.pl",
        subject="Termin\nX-Injected: 1",
        text="tekst",
        html="<p>tekst</p>",
        message_id="<outbox-1.abc@ore.example.pl>",
        date=NOW,
    )
    flat = message.as_string()
    assert "\nBcc:" not in flat and "\nX-Injected:" not in flat
    assert message["To"] == '"Anna Bcc: x@evil.example" <anna@example.pl>'
    assert message["Subject"] == "Termin X-Injected: 1"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


def test_a_bad_address_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        compose(
            mail_from="bot@ore.example.pl",
            to_name="",
            to_address="a@b.pl\r\nBcc: c@d.pl",
            subject="s",
            text="t",
            html="h",
            message_id="<m@x>",
            date=NOW,
        )


def test_telegram_html_becomes_plain_text() -> None:
    html = (
        "<b>ZW1</b> &amp; <i>raport</i> &lt;pilne&gt;\n"
        '<a href="https://ore.edu.pl/a">instrukcja</a> '
        '<a href="https://ore.edu.pl/b">https://ore.edu.pl/b</a>\n<code>R01</code>'
    )
    assert telegram_text(html) == (
        "ZW1 & raport <pilne>\ninstrukcja (https://ore.edu.pl/a) https://ore.edu.pl/b\nR01"
    )


def test_json_values_give_templates_dates_back() -> None:
    values = {"due_on": "2026-03-31", "sent_at": "2026-03-02T09:00:00+00:00", "name": "x_at"}
    assert template_values(values) == {
        "due_on": dt.date(2026, 3, 31),
        "sent_at": NOW,
        "name": "x_at",
    }


def test_a_fallback_key_fits_the_column_and_stays_unique() -> None:
    assert fallback_key("deadline:1:ZW1") == "deadline:1:ZW1:email"
    long_a, long_b = "k" * 199 + "a", "k" * 199 + "b"
    assert len(fallback_key(long_a)) == KEY_LENGTH
    assert fallback_key(long_a) != fallback_key(long_b)
    assert fallback_key(long_a).endswith(":email")


# Polish letters, curly quotes and spaces at every offset of a 13-character period: shifted
# through the period and cut at every length, they meet every place a header may fold.
SUBJECT_PATTERN = "Zaproszenie do „Cyfrowy rozwój oświaty w JST” – żółć ĄĘŚ ńź "


def _subjects() -> list[str]:
    subjects = []
    for shift in range(13):
        text = (SUBJECT_PATTERN[shift:] + SUBJECT_PATTERN * 4)[:200]
        subjects += [text[:length].strip() or "ż" for length in range(1, 201)]
    return sorted(set(subjects))


def test_every_subject_arrives_as_it_was_written() -> None:
    """The bytes as sent, parsed as a mail program parses them, give the subject back: a folded
    header lost the space in "rozwój oświaty" (issue 18)."""
    for subject in _subjects():
        message = compose(
            mail_from="Bot programu <bot@ore.edu.pl>",
            to_name="Żaneta Ślęzak-Łukasiewicz",
            to_address="zaneta@example.pl",
            subject=subject,
            text="Treść",
            html="<p>Treść</p>",
            message_id="<1@ore.edu.pl>",
            date=dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC),
        )
        raw = wire_bytes(message)
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
        parsed = message_from_bytes(raw, policy=email.policy.default)
        assert parsed["Subject"] == subject
        assert parsed["To"].addresses[0].display_name == "Żaneta Ślęzak-Łukasiewicz"
