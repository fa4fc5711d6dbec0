"""One outgoing message, typed, and the one place its outbox payloads are made.

A `Text` is a Telegram template rendered in the reader's language and split at Telegram's limit
(never inside a tag's line or an entity), HTML, without link previews, its buttons on the last
part; a `Copy` copies a message or a file of another chat; an `Email` is rendered by the e-mail
sender when it goes (its row holds `Email.payload()`). `queue` puts a text or a copy in the
outbox for a person (or a chat); the tick makes its many rows from `single_text_payload`. The
payload format is described in outbox/queue.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit, ParseMode

from core.templates import Templates
from outbox.queue import enqueue
from outbox.telegram_sender import REPEAT_ROOM
from storage.models import Channel, Delivery, Person

# Texts are split this far below Telegram's limit, so a repeat's note still fits.
TELEGRAM_LIMIT = MessageLimit.MAX_TEXT_LENGTH - REPEAT_ROOM
Link = Mapping[str, int]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    """`email/<template>.*.j2`, rendered when sent; `forget`: values dropped once it has gone
    (an invitation's link); `files`: Telegram files it carries as attachments
    (`Part.file_ref()`: file_id, name, size, mime), fetched when it is sent."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    forget: tuple[str, ...] = ()
    files: tuple[Mapping[str, Any], ...] = ()

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"template": self.template, "values": dict(self.values)}
        if self.forget:
            payload["forget"] = list(self.forget)
        if self.files:
            payload["files"] = [dict(file) for file in self.files]
        return payload


@dataclass(frozen=True)
class Text:
    """`tg/<template>.html.j2` with `values`; `email`: if Telegram cannot reach the person, an
    e-mail goes instead: made from the text (True: reminders) or the one given (a question's
    forward, with its files); `secrets`: strings of the text its outbox rows forget once sent
    (a one-time sign-in link's token: outbox.queue.forget_secrets)."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    buttons: InlineKeyboardMarkup | None = None
    silent: bool = False
    email: bool | Email = False
    secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Copy:
    """A copy of a message (a photo, a document) from another chat."""

    from_chat_id: int
    message_id: int


Message = Text | Copy  # what `queue` sends on Telegram; an e-mail row holds Email.payload()


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline buttons from (label, opaque callback data) pairs."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at line breaks so no part exceeds the limit (templates keep tags within a line)."""
    parts: list[str] = []
    current = ""
    for whole_line in text.split("\n"):
        line = whole_line
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            cut = _safe_cut(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def _safe_cut(line: str, limit: int) -> int:
    """Where to cut an over-long line: never inside an HTML entity such as `&amp;`."""
    entity = line.rfind("&", max(0, limit - 10), limit)
    if entity != -1 and ";" not in line[entity:limit]:
        return entity
    return limit


def text_payloads(
    html: str,
    *,
    buttons: InlineKeyboardMarkup | None = None,
    silent: bool = False,
    email: bool | Email = False,
    link: Link | None = None,
    forget: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """The sendMessage payloads of a rendered text, one per part; an e-mail to go instead of
    the text rides on its first part (the one whose failure says the person is unreachable);
    `forget`: secrets of the text, blotted out of the parts that hold them once sent."""
    parts = split_text(html)
    payloads = []
    for index, part in enumerate(parts):
        params: dict[str, Any] = {
            "text": part,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": {"is_disabled": True},
        }
        if silent:
            params["disable_notification"] = True
        if buttons is not None and index == len(parts) - 1:
            params["reply_markup"] = buttons.to_dict()
        payload = _payload("sendMessage", params, link, email if index == 0 else False)
        if held := [secret for secret in forget if secret in part]:
            payload["forget"] = held
        payloads.append(payload)
    return payloads


def single_text_payload(
    html: str, *, email: bool = False, buttons: InlineKeyboardMarkup | None = None
) -> dict[str, Any]:
    """A reminder is one message (its key is the rule's plan): a text over the limit, which
    its short templates never make, is cut there and said in the log."""
    parts = text_payloads(html, email=email, buttons=buttons)
    if len(parts) > 1:
        log.warning("a text of %d characters was cut to Telegram's limit", len(html))
    return parts[0]


def _payload(
    method: str, params: dict[str, Any], link: Link | None, email: bool | Email
) -> dict[str, Any]:
    payload: dict[str, Any] = {"method": method, "params": params}
    if link:
        payload["link"] = dict(link)
    if isinstance(email, Email):
        payload["email"] = email.payload()  # outbox.queue.leave_for_email queues it
    elif email:
        payload["email"] = True  # outbox.queue.leave_for_email makes the e-mail from the text
    return payload


def payloads(
    message: Message, templates: Templates, language: str, *, link: Link | None = None
) -> list[dict[str, Any]]:
    """The outbox payloads of a message for a reader of `language`."""
    match message:
        case Text():
            name = f"tg/{message.template}.html.j2"
            html = templates.render(language, name, **message.values)
            buttons, silent, email = message.buttons, message.silent, message.email
            return text_payloads(
                html,
                buttons=buttons,
                silent=silent,
                email=email,
                link=link,
                forget=message.secrets,
            )
        case Copy():
            params = {"from_chat_id": message.from_chat_id, "message_id": message.message_id}
            return [_payload("copyMessage", params, link, False)]


@dataclass(frozen=True)
class Recipient:
    """Who a message is for: a person (their own chat, their language), or the chat an update
    came from (`chat_id`; `person_id` None for someone not known yet)."""

    person_id: int | None
    language: str
    chat_id: int | None = None

    @classmethod
    def of(cls, person: Person) -> Recipient:
        return cls(person.id, person.language.value)


async def queue(
    session: AsyncSession,
    templates: Templates,
    to: Recipient | Person,
    message: Message,
    *,
    key: str,
    now: dt.datetime,
    delivery: Delivery = Delivery.AT_LEAST_ONCE,
    kind: str | None = None,
    link: Link | None = None,
    numbered: bool = False,
    first: int = 0,
) -> int | None:
    """Queue a message in the caller's transaction; each part keyed `key` (`numbered`: every
    part `key:<n>`; otherwise the first `key`, the next ones `key:<n>`); `first`: the parts
    before it went already (a direct reply, handlers.replies). `link` (e.g.
    {"question_id": 12}) is stored with the message once sent, so a reply to it finds what it
    was about (outbox.links). The first queued part's row id, None if it was queued before."""
    recipient = Recipient.of(to) if isinstance(to, Person) else to
    made = payloads(message, templates, recipient.language, link=link)
    if recipient.chat_id is not None:
        made = [payload | {"chat_id": recipient.chat_id} for payload in made]
    rows = [
        await enqueue(
            session,
            dedupe_key=f"{key}:{index}" if numbered or index else key,
            channel=Channel.TELEGRAM,
            kind=kind or _kind(message),
            payload=payload,
            person_id=recipient.person_id,
            delivery=delivery,
            now=now,
        )
        for index, payload in enumerate(made)
        if index >= first
    ]
    return rows[0]


def _kind(message: Message) -> str:
    return "copy" if isinstance(message, Copy) else message.template
