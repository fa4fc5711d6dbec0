"""The e-mail sender: claim due e-mail outbox rows, render them, send them over SMTP, record it.

The payload format and what each error means are in outbox/email_policy.py. TLS is explicit
(SMTP_TLS): aiosmtplib's default STARTTLS-if-offered would fall back to plaintext silently.
Logs name outbox rows only, never addresses or texts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiosmtplib import SMTP, SMTPException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import metrics
from core.calendar import WorkCalendar, shared_calendar
from core.logging_setup import outbox_ids
from core.services import Services
from digest.enclosures import Build, Enclosure, enclose
from outbox import claims, queue
from outbox.email_policy import (
    classify,
    missing_smtp_setting,
    sender_address,
    smtp_client,
    wire_bytes,
)
from outbox.email_render import BAD_PAYLOAD_ERRORS, Outgoing, Renderer
from outbox.policy import GiveUp, RetryAt
from outbox.telegram_files import FileSource, FilesUnavailable, fetch_enclosures
from storage.models import Channel, OutboxMessage

log = logging.getLogger(__name__)

BATCH = 20


@dataclass
class EmailStats:
    """What delivery passes did; `missing` names the SMTP variables that keep `waiting` rows."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    waiting: int = 0
    quiet: int = 0  # quiet weeks' digests left unsent by design (DIGEST_QUIET=none)
    missing: str | None = None

    def add(self, other: EmailStats) -> None:
        for counter in ("claimed", "sent", "retried", "failed", "waiting", "quiet"):
            setattr(self, counter, getattr(self, counter) + getattr(other, counter))
        self.missing = other.missing or self.missing


class EmailDelivery:
    """Sends the e-mail outbox; several instances may run at once on one database."""

    def __init__(
        self,
        services: Services,
        *,
        bot_username: str | None,
        files: FileSource | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """`files`: where Telegram files an e-mail carries are fetched from (the bot); without
        it such e-mails wait for a sender that has one."""
        self._services = services
        self._files = files
        self._settings = services.settings
        self._lease = dt.timedelta(seconds=services.settings.outbox_lease_seconds)
        self._renderer = Renderer(services, bot_username, self._lease)
        self._jitter = jitter
        self._calendar: WorkCalendar = shared_calendar(
            services.settings.zone, services.settings.quiet_hours
        )

    async def deliver_due(self, *, limit: int = BATCH) -> EmailStats:
        """One pass: claim and render in one transaction, send, record each outcome in its own."""
        missing = missing_smtp_setting(self._settings)
        if missing is not None:
            return EmailStats(waiting=await self._count_due(), missing=missing)
        stats = EmailStats()
        ready = await self._claim(limit, stats)
        client: SMTP | None = None
        try:
            for index, item in enumerate(ready):
                if client is None or not client.is_connected:
                    try:
                        client = await self._connect()
                    except (SMTPException, OSError) as error:
                        # The server is down or refuses us: the rest of the batch waits too.
                        for waiting in ready[index:]:
                            await self._record(waiting, error, stats, connecting=True)
                        return stats
                if not await self._mark_sending(item):
                    continue
                outcome = await self._attach(item) or await self._send(client, item)
                await self._record(item, outcome, stats, connecting=False)
        finally:
            if client is not None:
                await _quit(client)
        return stats

    async def _count_due(self) -> int:
        now = self._services.clock.now()
        working = self._calendar.is_working_time(now)
        async with self._services.sessionmaker() as session:
            count = await session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.channel == Channel.EMAIL,
                    claims.sendable(now, working=working),
                )
            )
        return int(count or 0)

    async def _claim(self, limit: int, stats: EmailStats) -> list[Outgoing]:
        """Rows that may go now: outside working time only those caused by people."""
        now = self._services.clock.now()
        working = self._calendar.is_working_time(now)
        async with self._services.sessionmaker.begin() as session:
            rows = await claims.claim_due(
                session,
                now=now,
                limit=limit,
                lease=self._lease,
                channel=Channel.EMAIL,
                working=working,
            )
            rendered = await self._renderer.render(session, rows, now=now, working=working)
        stats.claimed = len(rows) + rendered.companions
        stats.failed += rendered.failed
        stats.quiet += rendered.quiet
        return rendered.ready

    async def _mark_sending(self, item: Outgoing) -> bool:
        """From here the e-mail may reach the server; False if its rows were taken over."""
        async with self._services.sessionmaker.begin() as session:
            mine = await claims.mark_sending(session, item.rows)
            if not mine:
                await session.rollback()
        if not mine:
            log.warning("e-mail rows %s were taken over before sending", [r.id for r in item.rows])
        return mine

    async def _connect(self) -> SMTP:
        client = smtp_client(self._settings)
        await client.connect()
        return client

    async def _attach(self, item: Outgoing) -> Exception | None:
        """The files the e-mail carries: those built from what was read (in a thread, outside
        any transaction) and the Telegram files, fetched now; an error (retried) when those
        cannot be fetched."""
        if item.builds:
            try:
                enclose(item.message, await asyncio.to_thread(_built, item.builds))
            except BAD_PAYLOAD_ERRORS as error:
                # What could not be built from what was read never will be: given up, as a
                # row that cannot be rendered is (a ValueError: classify's permanent error).
                return ValueError(f"bad_payload: {type(error).__name__}")
        try:
            enclose(item.message, await fetch_enclosures(self._files, item.downloads))
        except FilesUnavailable as error:
            return error
        return None

    async def _send(self, client: SMTP, item: Outgoing) -> str | Exception:
        """The server's reply on success; errors are returned, to be classified and recorded."""
        sender = sender_address(str(self._settings.mail_from))
        try:
            _refused, reply = await client.sendmail(
                sender, [item.recipient], wire_bytes(item.message)
            )
        except (SMTPException, OSError, ValueError) as error:
            return error
        return reply

    async def _record(
        self, item: Outgoing, outcome: str | Exception, stats: EmailStats, *, connecting: bool
    ) -> None:
        """Every row of the e-mail shares its outcome, each in the same transaction."""
        now = self._services.clock.now()
        async with self._services.sessionmaker.begin() as session:
            for row in item.rows:
                if isinstance(outcome, str):
                    applied = await queue.mark_sent(
                        session,
                        row.id,
                        lease_until=queue.lease_of(row),
                        external_id=outcome[:200],
                        now=now,
                    )
                    if applied:
                        await queue.forget_secrets(session, row)
                    stats.sent += applied
                    metrics.sent(row, now)
                    log.info("e-mail row %s (%s) sent", row.id, row.kind, extra=outbox_ids(row))
                else:
                    applied = await self._apply_error(session, row, outcome, connecting, stats)
                if not applied:
                    log.warning(
                        "e-mail row %s (%s) was taken over; outcome dropped", row.id, row.kind
                    )

    async def _apply_error(
        self,
        session: AsyncSession,
        row: OutboxMessage,
        error: Exception,
        connecting: bool,
        stats: EmailStats,
    ) -> bool:
        now, lease = self._services.clock.now(), queue.lease_of(row)
        verdict = classify(
            error, attempts=row.attempts, now=now, jitter=self._jitter(), connecting=connecting
        )
        problem = type(error).__name__  # the server's reply may quote the address: not logged
        match verdict:
            case RetryAt(at=at, error=reason):
                applied = await queue.mark_retry(
                    session, row.id, lease_until=lease, at=at, error=reason
                )
                stats.retried += applied
                log.warning(
                    "e-mail row %s (%s) retry at %s: %s",
                    row.id,
                    row.kind,
                    at,
                    problem,
                    extra=outbox_ids(row),
                )
            case GiveUp(error=reason):
                applied = await queue.mark_failed(session, row.id, lease_until=lease, error=reason)
                stats.failed += applied
                log.error(
                    "e-mail row %s (%s) failed: %s",
                    row.id,
                    row.kind,
                    problem,
                    extra=outbox_ids(row),
                )
        metrics.not_sent(row, verdict, error)
        return applied


async def deliver_all(delivery: EmailDelivery) -> EmailStats:
    """Passes until nothing more is due now (retries wait for a later pass): for the CLI."""
    total = EmailStats()
    while True:
        stats = await delivery.deliver_due()
        total.add(stats)
        if stats.claimed == 0:
            return total


async def deliver_emails(
    services: Services, bot_username: str | None, files: FileSource | None = None
) -> int:
    """Deliver the due e-mail rows if SMTP is configured; otherwise say once what is missing.
    E-mails carrying Telegram files wait when there is no `files` source (no bot here)."""
    stats = await deliver_all(EmailDelivery(services, bot_username=bot_username, files=files))
    warn_missing(stats)
    return stats.sent


def warn_missing(stats: EmailStats) -> bool:
    """One log line when e-mail must wait for a setting; True once said."""
    if stats.missing is None or stats.waiting == 0:
        return False
    log.warning("%d e-mail(s) wait: %s not set", stats.waiting, stats.missing)
    return True


async def _quit(client: SMTP) -> None:
    try:
        await client.quit()
    except (SMTPException, OSError):
        client.close()


def _built(builds: Sequence[Build]) -> list[Enclosure]:
    return [build() for build in builds]
