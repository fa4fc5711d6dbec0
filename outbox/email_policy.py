"""What an e-mail outbox row becomes, how the server is reached and what a failed send means:
pure rules, tested without I/O.

E-mail payload (channel EMAIL), a JSON object:
    {"template": "invitation",      # email/<template>.subject.txt.j2, .txt.j2 and .html.j2
     "values": {...},               # JSON; keys ending in "_at" hold ISO datetimes and "_on"
                                    # ISO dates, handed to the templates as datetime and date
     "to": "someone@example.pl",    # optional; default: the person's address at send time
     "forget": ["link"]}            # optional: values dropped once the server took the e-mail
The person's language chooses the templates; rows without a person use Polish. A reminder's
e-mail ("reminder") holds the Telegram reminder's template under "reminder" and its values:
its text is that template rendered for e-mail when it is sent (`reminder_payload`); one
queued by earlier versions holds the Telegram text ("html", "text": `reminder_email`).

Errors: while connecting (refused, timeout, TLS, EHLO, AUTH) the server or its configuration is
at fault, never the message, so every such error is retried; once connected, a 5xx reply (or a
message the server cannot take, e.g. a non-ASCII address without SMTPUTF8) fails the row for
good and anything else is retried with the outbox's backoff, for three days.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from html.parser import HTMLParser
from typing import Any

from aiosmtplib import SMTP, SMTPNotSupported, SMTPRecipientsRefused, SMTPResponseException

from core.settings import Settings, SettingsError, SmtpTls
from outbox.policy import GIVE_UP_AT_ATTEMPT, GiveUp, RetryAt, backoff_delay
from storage.models import Person

REMINDER_TEMPLATE = "reminder"
REMINDER_KEY = "reminder"  # in a reminder e-mail's values: the Telegram reminder's template
DATED = ("_at", "_on")  # the keys of values that hold datetimes and dates
SMTP_SETTINGS = ("smtp_host", "mail_from")
SMTP_TIMEOUT_SECONDS = 30.0
KEY_LENGTH = 200  # OutboxMessage.dedupe_key
# CPython's header folding (3.11-3.13, gh-144156) drops or doubles a space next to a folded
# encoded word ("rozwój oświaty" arrived as "rozwójoświaty"): headers are kept on one line, as
# RFC 5322 allows up to 998 characters.
UNFOLDED = email.policy.default.clone(max_line_length=998)
WIRE = UNFOLDED.clone(linesep="\r\n")  # aiosmtplib's send_message would fold with policy.SMTP
FALLBACK_SUFFIX = ":email"

EmailVerdict = RetryAt | GiveUp


def missing_smtp_setting(settings: Settings) -> str | None:
    """The SMTP variables e-mail cannot go without that are not set (as the operator spells
    them), or None."""
    try:
        settings.require(*SMTP_SETTINGS)
    except SettingsError as error:
        return error.variable
    return None


def smtp_client(settings: Settings) -> SMTP:
    """A client in exactly the TLS mode configured, certificates checked, with timeouts."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=password if settings.smtp_username else None,
        use_tls=settings.smtp_tls is SmtpTls.SSL,
        start_tls=settings.smtp_tls is SmtpTls.STARTTLS,
        validate_certs=True,
        timeout=SMTP_TIMEOUT_SECONDS,
    )


def classify(
    error: Exception, *, attempts: int, now: dt.datetime, jitter: float, connecting: bool
) -> EmailVerdict:
    """Turn an error of the `attempts`-th try into what happens to the row."""
    code = reply_code(error)
    reason = error_reason(error)
    refused = code is not None and 500 <= code < 600
    if not connecting and (refused or isinstance(error, SMTPNotSupported | ValueError)):
        return GiveUp(reason)
    if attempts >= GIVE_UP_AT_ATTEMPT:
        return GiveUp(f"gave_up: {reason}")
    return RetryAt(now + backoff_delay(attempts, jitter), reason)


def reply_code(error: Exception) -> int | None:
    """The SMTP reply code behind an error, if the server gave one."""
    if isinstance(error, SMTPRecipientsRefused) and error.recipients:
        return error.recipients[0].code
    if isinstance(error, SMTPResponseException):
        return error.code
    return None


def error_reason(error: Exception) -> str:
    """What the operator reads in `advisorybot outbox`: the server's reply, or the error."""
    code = reply_code(error)
    if isinstance(error, SMTPRecipientsRefused) and error.recipients:
        return f"{code} {error.recipients[0].message}"
    if isinstance(error, SMTPResponseException):
        return f"{code} {error.message}"
    return f"{type(error).__name__}: {error}"


def message_id(row_id: int, dedupe_key: str, mail_from: str) -> str:
    """Stable per outbox row, so a resent e-mail is recognised as the same one."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:16]
    return f"<outbox-{row_id}.{digest}@{sender_domain(mail_from)}>"


def sender_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def sender_address(mail_from: str) -> str:
    """The envelope sender: the address part of MAIL_FROM ("Name <addr>" or a bare address)."""
    return parseaddr(mail_from)[1] or mail_from


def one_line(text: str) -> str:
    """Line breaks and other control whitespace become single spaces: nothing starts a header."""
    return " ".join(text.split())


def compose(
    *,
    mail_from: str,
    to_name: str,
    to_address: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    date: dt.datetime,
    reply_to: tuple[str, str] | None = None,
) -> EmailMessage:
    """A multipart (plain text + HTML) message; names and subjects cannot add headers.
    `reply_to`: (name, address) a reply goes to instead of MAIL_FROM."""
    message = EmailMessage(policy=UNFOLDED)
    message["From"] = mail_from
    message["To"] = Address(display_name=one_line(to_name), addr_spec=to_address.strip())
    if reply_to is not None:
        name, address = reply_to
        message["Reply-To"] = Address(display_name=one_line(name), addr_spec=address.strip())
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as it goes to the server: CRLF line ends, headers unfolded (see UNFOLDED)."""
    return message.as_bytes(policy=WIRE)


def recipient_view(person: Person | None) -> dict[str, Any]:
    """What every e-mail template knows about its reader (plain values, no ORM object)."""
    if person is None:
        return {"name": "", "joined": False, "blocked": False}
    return {
        "name": person.full_name,
        "joined": person.telegram_user_id is not None,
        "blocked": person.telegram_unreachable_at is not None,
    }


def template_values(values: dict[str, Any]) -> dict[str, Any]:
    """JSON values as the templates want them: "_at" keys as datetimes, "_on" keys as dates."""
    decoded = dict(values)
    for key, value in values.items():
        if isinstance(value, str) and key.endswith(DATED[0]):
            decoded[key] = dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and key.endswith(DATED[1]):
            decoded[key] = dt.date.fromisoformat(value)
    return decoded


def json_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values kept in a row to be rendered later: dates and datetimes as ISO text, under keys
    ending in "_on" and "_at" (`template_values` reads them back; a date under another key
    could not be, and is refused)."""
    encoded = dict(values)
    for key, value in values.items():
        if isinstance(value, dt.date):
            if not key.endswith(DATED):
                raise ValueError(f"a date under {key!r}: its key must end in _on or _at")
            encoded[key] = value.isoformat()
    return encoded


def reminder_payload(template: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The e-mail of a Telegram reminder (`tg/reminders/<template>`), if Telegram cannot take
    it: rendered when sent, so its subject can name the task or the report month and its text
    say what to do without the bot."""
    return {
        "template": REMINDER_TEMPLATE,
        "values": {REMINDER_KEY: template, **json_values(values)},
    }


def reminder_email(telegram_html: str) -> dict[str, Any]:
    """The e-mail version of a reminder already rendered for Telegram (rows queued before
    `reminder_payload`; tests)."""
    return {
        "template": REMINDER_TEMPLATE,
        "values": {"html": telegram_html, "text": telegram_text(telegram_html)},
    }


def fallback_key(key: str) -> str:
    """The dedupe key of a Telegram row's e-mail fallback, within the column's length."""
    if len(key) + len(FALLBACK_SUFFIX) <= KEY_LENGTH:
        return key + FALLBACK_SUFFIX
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    kept = KEY_LENGTH - len(digest) - len(FALLBACK_SUFFIX) - 1
    return f"{key[:kept]}:{digest}{FALLBACK_SUFFIX}"


class _TelegramText(HTMLParser):
    """Telegram's HTML subset as plain text: tags dropped, a link's address after its label."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._links: list[tuple[str | None, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._links.append((dict(attrs).get("href"), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            href, start = self._links.pop()
            if href and href != "".join(self.parts[start:]):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def telegram_text(telegram_html: str) -> str:
    """The plain-text part of an e-mail made from a Telegram HTML message."""
    parser = _TelegramText()
    parser.feed(telegram_html)
    parser.close()
    return "".join(parser.parts).strip()
