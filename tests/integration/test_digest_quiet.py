"""A quiet week's digest on SQLite and PostgreSQL (nothing changed, nothing needs attention):
DIGEST_QUIET=short sends it (the short variant), DIGEST_QUIET=none leaves its row unsent as
"quiet": skipped, audited, never a failure nor retried; a week that is not quiet goes either way.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.services import Services
from outbox.email_render import QUIET
from outbox.email_sender import EmailDelivery
from reminders.digest_rule import DigestRule
from reminders.tick import run_tick
from storage.models import AuditEntry, OutboxState, Role
from tests.support.digest_data import NOW, seed_digest
from tests.support.outbox_rows import states
from tests.support.programme_data import add_person
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture

SCHEDULE = (0, 8, 0)


async def deliver(services: Services, smtp: SmtpServer, clock: FixedClock, quiet: str) -> int:
    """The week's digests queued by the rule at NOW and sent with DIGEST_QUIET=`quiet`."""
    clock.set(NOW)
    await run_tick(services, [DigestRule(SCHEDULE)], NOW)
    sender = EmailDelivery(smtp.services(services, digest_quiet=quiet), bot_username=None)
    stats = await sender.deliver_due()
    assert stats.failed == stats.retried == 0
    return stats.quiet


async def add_coordinator(services: Services) -> None:
    """A coordinator of a programme with no JST yet: a quiet week."""
    async with services.sessionmaker.begin() as session:
        await add_person(session, "krajowa@example.pl", "Krajowa", role=Role.COORDINATOR)


async def test_a_quiet_week_sends_no_digest_with_none(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    await add_coordinator(services)
    assert await deliver(services, smtp, clock, "none") == 1
    assert smtp.received == []
    [(key, found)] = (await states(services)).items()
    assert key.startswith("digest:2026-W19:")
    assert found == (OutboxState.SKIPPED, QUIET)
    async with services.sessionmaker() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "digest_quiet" in actions
    later = NOW + dt.timedelta(hours=2)  # never retried
    clock.set(later)
    await run_tick(services, [DigestRule(SCHEDULE)], later)
    stats = await EmailDelivery(smtp.services(services), bot_username=None).deliver_due()
    assert stats.claimed == 0 and smtp.received == []


async def test_a_quiet_week_sends_the_short_digest_by_default(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    await add_coordinator(services)
    assert await deliver(services, smtp, clock, "short") == 0
    assert len(smtp.to("krajowa@example.pl")) == 1
    assert [state for state, _ in (await states(services)).values()] == [OutboxState.SENT]


@pytest.mark.parametrize("quiet", ["short", "none"])
async def test_a_week_with_news_is_sent_whatever_the_setting(
    services: Services, smtp: SmtpServer, clock: FixedClock, quiet: str
) -> None:
    await seed_digest(services)  # overdue tasks: needing attention
    assert await deliver(services, smtp, clock, quiet) == 0
    assert len(smtp.received) == 3
