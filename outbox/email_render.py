"""Claimed e-mail rows become messages: the template in the reader's language, the weekly
digest's files, several coordinator alerts in one e-mail. A row that cannot be rendered fails
alone, with the reason, and holds nothing else back."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from typing import Any

from jinja2 import TemplateError
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from core.templates import DEFAULT_LANGUAGE
from digest.enclosures import Enclosures, digest_enclosures, enclose
from outbox import queue
from outbox.email_alerts import BATCHED_TEMPLATE, alert_item, claim_companions, is_alert
from outbox.email_policy import compose, message_id, recipient_view, template_values
from outbox.telegram_files import FileRef, attachment_plan
from storage.models import OutboxMessage, Person

log = logging.getLogger(__name__)

BAD_PAYLOAD_ERRORS = (TemplateError, KeyError, TypeError, ValueError)


@dataclass(frozen=True)
class Outgoing:
    """Claimed rows (several only for batched alerts), rendered as one e-mail for the server."""

    rows: tuple[OutboxMessage, ...]
    message: EmailMessage
    recipient: str
    downloads: tuple[FileRef, ...] = ()  # Telegram files to attach before sending


@dataclass
class Rendered:
    """A pass's e-mails; `companions` rows were leased beside the claimed ones (alerts)."""

    ready: list[Outgoing] = field(default_factory=list)
    companions: int = 0
    failed: int = 0


class Renderer:
    def __init__(self, services: Services, bot_link: str | None, lease: dt.timedelta) -> None:
        self._services = services
        self._bot_link = bot_link
        self._lease = lease

    async def render(
        self,
        session: AsyncSession,
        rows: Sequence[OutboxMessage],
        *,
        now: dt.datetime,
        working: bool,
    ) -> Rendered:
        """Each claimed row as an e-mail, in the claim's transaction; `working`: whether
        planned rows may go now (the alerts' companions)."""
        rendered = Rendered()
        people = await queue.people_of(session, rows)
        for row in rows:
            person = people.get(row.person_id)
            try:
                if is_alert(row):
                    rendered.ready.append(
                        await self._alerts(session, row, person, now, rendered, working=working)
                    )
                    continue
                extras = await digest_enclosures(
                    session,
                    self._services.templates,
                    template=str(row.payload.get("template")),
                    person=person,
                    now=now,
                )
                listed, downloads = attachment_plan(row.payload.get("files") or ())
                values = (row.payload.get("values") or {}) | ({"files": listed} if listed else {})
                outgoing = self._message(
                    (row,), str(row.payload["template"]), values, person, now=now, extras=extras
                )
                rendered.ready.append(replace(outgoing, downloads=downloads))
            except BAD_PAYLOAD_ERRORS as error:
                rendered.failed += await _bad_payload(session, row, error)
        return rendered

    async def _alerts(
        self,
        session: AsyncSession,
        lead: OutboxMessage,
        person: Person | None,
        now: dt.datetime,
        rendered: Rendered,
        *,
        working: bool,
    ) -> Outgoing:
        """The lead alert and the person's other due alerts in one e-mail; a companion that
        cannot be rendered fails alone (the lead's failure is the caller's)."""
        templates, language = self._services.templates, _language(person)
        rows, items = [lead], [alert_item(templates, language, lead)]
        companions = await claim_companions(
            session, lead, now=now, lease=self._lease, working=working
        )
        rendered.companions += len(companions)
        for row in companions:
            try:
                items.append(alert_item(templates, language, row))
                rows.append(row)
            except BAD_PAYLOAD_ERRORS as error:
                rendered.failed += await _bad_payload(session, row, error)
        values = {"alerts": items}
        return self._message(tuple(rows), BATCHED_TEMPLATE, values, person, now=now)

    def _message(
        self,
        rows: tuple[OutboxMessage, ...],
        template: str,
        values: dict[str, Any],
        person: Person | None,
        *,
        now: dt.datetime,
        extras: Enclosures | None = None,
    ) -> Outgoing:
        """The message in the person's language, to the payload's "to" or the person's address;
        `extras` adds values and files that are built at sending (the weekly digest's)."""
        lead, extras = rows[0], extras or Enclosures()
        if person is not None and person.erased_at is not None:
            raise ValueError("erased")
        address = lead.payload.get("to") or (person.email if person is not None else None)
        if not isinstance(address, str) or not address:
            raise ValueError("no_recipient")
        context = {
            **template_values(values),
            **extras.values,
            "recipient": recipient_view(person),
            "bot_link": self._bot_link,
        }
        language = _language(person)
        parts = [
            self._services.templates.render(language, f"email/{template}.{part}.j2", **context)
            for part in ("subject.txt", "txt", "html")
        ]
        mail_from = str(self._services.settings.mail_from)
        message = compose(
            mail_from=mail_from,
            to_name=person.full_name if person is not None else "",
            to_address=address,
            subject=parts[0],
            text=parts[1],
            html=parts[2],
            message_id=message_id(lead.id, lead.dedupe_key, mail_from),
            date=now,
        )
        enclose(message, extras.files)
        return Outgoing(rows, message, address)


async def _bad_payload(session: AsyncSession, row: OutboxMessage, error: Exception) -> int:
    """A row no template can render fails for good (the operator sees why)."""
    problem = f"bad_payload: {type(error).__name__}: {error}"
    log.error("e-mail row %s (%s) cannot be rendered", row.id, row.kind)
    return await queue.mark_failed(session, row.id, lease_until=queue.lease_of(row), error=problem)


def _language(person: Person | None) -> str:
    return person.language.value if person is not None else DEFAULT_LANGUAGE
