"""Claimed e-mail rows become messages: the template in the reader's language, the weekly
digest's files, several coordinator alerts in one e-mail. A row that cannot be rendered fails
alone, with the reason, and holds nothing else back.

Every template also knows its reader: `recipient`, `bot_link`, `coordinator` (whom an e-mail
names for "ask the coordinator"), `team_adviser` (a team member's adviser on duty: a reply goes
to them, Reply-To) and `join_link`, for someone who has not joined: a personal link drawn for
this e-mail, stored (and the reader's older codes revoked) only if the e-mail shows it; None
for someone who joined, or when the bot's username is not known. The code is never kept in
the row: a retried e-mail shows a new one.
"""

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
from digest.enclosures import Build, Enclosures, digest_enclosures
from outbox import queue
from outbox.email_alerts import BATCHED_TEMPLATE, alert_item, claim_companions, is_alert
from outbox.email_policy import (
    REMINDER_KEY,
    REMINDER_TEMPLATE,
    compose,
    message_id,
    recipient_view,
    telegram_text,
    template_values,
)
from outbox.telegram_files import FileRef, attachment_plan
from storage import audit
from storage.invites import bot_link, invite_link
from storage.models import OutboxMessage, Person, Role
from storage.personal_invites import draw_code, reissue_invite
from storage.rosters import Contact, adviser_contact, coordinator_contact

log = logging.getLogger(__name__)

BAD_PAYLOAD_ERRORS = (TemplateError, KeyError, TypeError, ValueError)
QUIET = "quiet"  # a skipped row's reason: a quiet week's digest, by DIGEST_QUIET=none


@dataclass(frozen=True)
class Outgoing:
    """Claimed rows (several only for batched alerts), rendered as one e-mail for the server."""

    rows: tuple[OutboxMessage, ...]
    message: EmailMessage
    recipient: str
    downloads: tuple[FileRef, ...] = ()  # Telegram files to attach before sending
    builds: tuple[Build, ...] = ()  # files to build before sending (the digest's)


@dataclass
class JoinLink:
    """A personal join link drawn for one e-mail; `shown` once a template wrote it out."""

    url: str
    code: str
    shown: bool = False

    def __str__(self) -> str:
        self.shown = True
        return self.url


@dataclass(frozen=True)
class Reader:
    """What every template knows of the person an e-mail goes to, beyond its payload."""

    person: Person | None
    coordinator: Contact | None
    team_adviser: Contact | None = None
    join_link: JoinLink | None = None

    def context(self, bot_link: str | None) -> dict[str, Any]:
        return {
            "recipient": recipient_view(self.person),
            "bot_link": bot_link,
            "coordinator": self.coordinator,
            "team_adviser": self.team_adviser,
            "join_link": self.join_link,
        }


@dataclass
class Rendered:
    """A pass's e-mails; `companions` rows were leased beside the claimed ones (alerts)."""

    ready: list[Outgoing] = field(default_factory=list)
    companions: int = 0
    failed: int = 0
    quiet: int = 0  # quiet weeks' digests left unsent (DIGEST_QUIET=none)


class Renderer:
    def __init__(self, services: Services, bot_username: str | None, lease: dt.timedelta) -> None:
        self._services = services
        self._username = bot_username
        self._bot_link = bot_link(bot_username) if bot_username else None
        self._lease = lease
        self._ttl = dt.timedelta(days=services.settings.invite_ttl_days)

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
        coordinator = await coordinator_contact(session) if rows else None
        for row in rows:
            reader = await self._reader(session, row, people.get(row.person_id), coordinator, now)
            try:
                if is_alert(row):
                    outgoing = await self._alerts(
                        session, row, reader, rendered, now=now, working=working
                    )
                else:
                    extras = await digest_enclosures(
                        session,
                        self._services.templates,
                        template=str(row.payload.get("template")),
                        person=reader.person,
                        now=now,
                    )
                    if extras.quiet and self._services.settings.digest_quiet == "none":
                        rendered.quiet += await _quiet(session, row, now)
                        continue
                    listed, downloads = attachment_plan(row.payload.get("files") or ())
                    values = row.payload.get("values") or {}
                    values = values | ({"files": listed} if listed else {})
                    template = str(row.payload["template"])
                    message = self._message(
                        (row,), template, values, reader, now=now, extras=extras
                    )
                    outgoing = replace(message, downloads=downloads)
            except BAD_PAYLOAD_ERRORS as error:
                rendered.failed += await _bad_payload(session, row, error)
                continue
            await self._keep_join_link(session, reader, now)
            rendered.ready.append(outgoing)
        return rendered

    async def _reader(
        self,
        session: AsyncSession,
        row: OutboxMessage,
        person: Person | None,
        coordinator: Contact | None,
        now: dt.datetime,
    ) -> Reader:
        """The reader's adviser on duty today (a team member's), and a join link drawn for
        them if they have not joined and the e-mail goes to their own address."""
        if person is None:
            return Reader(None, coordinator)
        adviser = None
        if person.role is Role.MEMBER and person.jst_id is not None:
            today = now.astimezone(self._services.settings.zone).date()
            adviser = await adviser_contact(session, person.jst_id, today)
        join = None
        own_address = row.payload.get("to") in (None, person.email)
        may_join = person.telegram_user_id is None and person.erased_at is None
        if self._username and own_address and may_join:
            code = draw_code()
            join = JoinLink(invite_link(self._username, code), code)
        return Reader(person, coordinator, adviser, join)

    async def _keep_join_link(
        self, session: AsyncSession, reader: Reader, now: dt.datetime
    ) -> None:
        """A join link the e-mail shows becomes the reader's one working invite."""
        join, person = reader.join_link, reader.person
        if join is not None and join.shown and person is not None:
            await reissue_invite(session, person.id, join.code, now=now, ttl=self._ttl)

    async def _alerts(
        self,
        session: AsyncSession,
        lead: OutboxMessage,
        reader: Reader,
        rendered: Rendered,
        *,
        now: dt.datetime,
        working: bool,
    ) -> Outgoing:
        """The lead alert and the person's other due alerts in one e-mail; a companion that
        cannot be rendered fails alone (the lead's failure is the caller's)."""
        templates, language = self._services.templates, _language(reader.person)
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
        return self._message(tuple(rows), BATCHED_TEMPLATE, values, reader, now=now)

    def _message(
        self,
        rows: tuple[OutboxMessage, ...],
        template: str,
        values: dict[str, Any],
        reader: Reader,
        *,
        now: dt.datetime,
        extras: Enclosures | None = None,
    ) -> Outgoing:
        """The message in the person's language, to the payload's "to" or the person's address;
        `extras` adds values and files that are built at sending (the weekly digest's)."""
        lead, extras, person = rows[0], extras or Enclosures(), reader.person
        if person is not None and person.erased_at is not None:
            raise ValueError("erased")
        address = lead.payload.get("to") or (person.email if person is not None else None)
        if not isinstance(address, str) or not address:
            raise ValueError("no_recipient")
        context = template_values(values) | extras.values | reader.context(self._bot_link)
        language = _language(person)
        if template == REMINDER_TEMPLATE and REMINDER_KEY in context:
            context |= self._reminder_text(language, context)
        parts = [
            self._services.templates.render(language, f"email/{template}.{part}.j2", **context)
            for part in ("subject.txt", "txt", "html")
        ]
        mail_from = str(self._services.settings.mail_from)
        adviser = reader.team_adviser
        message = compose(
            mail_from=mail_from,
            to_name=person.full_name if person is not None else "",
            to_address=address,
            subject=parts[0],
            text=parts[1],
            html=parts[2],
            message_id=message_id(lead.id, lead.dedupe_key, mail_from),
            date=now,
            reply_to=None if adviser is None else (adviser.name, adviser.email),
        )
        return Outgoing(rows, message, address, builds=extras.builds)

    def _reminder_text(self, language: str, context: dict[str, Any]) -> dict[str, str]:
        """A reminder's text from its Telegram template, worded for e-mail when the reader
        is not on Telegram (what to do without the bot instead of its commands)."""
        name = f"tg/reminders/{context[REMINDER_KEY]}.html.j2"
        by_email = not context["recipient"]["joined"]
        html = self._services.templates.render(language, name, **context, by_email=by_email)
        return {"html": html, "text": telegram_text(html)}


async def _bad_payload(session: AsyncSession, row: OutboxMessage, error: Exception) -> int:
    """A row no template can render fails for good (the operator sees why)."""
    problem = f"bad_payload: {type(error).__name__}: {error}"
    log.error("e-mail row %s (%s) cannot be rendered", row.id, row.kind)
    return await queue.mark_failed(session, row.id, lease_until=queue.lease_of(row), error=problem)


async def _quiet(session: AsyncSession, row: OutboxMessage, now: dt.datetime) -> int:
    """A quiet week's digest is not sent (DIGEST_QUIET=none): skipped, recorded, never retried."""
    skipped = await queue.mark_skipped(
        session, row.id, lease_until=queue.lease_of(row), reason=QUIET
    )
    if skipped:
        audit.record(
            session, now, actor="outbox", action="digest_quiet", entity="outbox", entity_id=row.id
        )
    return int(skipped)


def _language(person: Person | None) -> str:
    return person.language.value if person is not None else DEFAULT_LANGUAGE
