"""The metrics read from the database when /metrics is scraped (core.metrics.read_database):
outbox rows not yet done by channel, state and origin with the oldest one's age, and the people
who joined, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from prometheus_client import REGISTRY
from sqlalchemy import update

from core import metrics
from core.clock import FixedClock
from core.services import Services
from storage.models import Channel, OutboxMessage, OutboxState
from tests.support.outbox_rows import Queued, given

MINUTE = dt.timedelta(minutes=1)


def gauge(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_outbox_depth_age_and_people_joined(services: Services, clock: FixedClock) -> None:
    await given(
        services,
        {"ann": 501, "bob": None},
        Queued("ann", "answer"),
        Queued("ann", "later", not_before=10 * MINUTE),  # not due yet: counted, not the oldest
        Queued("ann", "reminder", planned_by="deadlines"),
        Queued("bob", "digest", channel=Channel.EMAIL, planned_by="digest"),
        Queued("ann", "delivered"),
        Queued("ann", "refused"),
    )
    async with services.sessionmaker.begin() as session:
        for key, state in (("delivered", OutboxState.SENT), ("refused", OutboxState.FAILED)):
            done = update(OutboxMessage).where(OutboxMessage.dedupe_key == key)
            await session.execute(done.values(state=state))
    clock.advance(dt.timedelta(seconds=90))

    await metrics.read_database(services.reader, clock.now())

    people = {"channel": "telegram", "state": "pending", "origin": "people"}
    planned = people | {"origin": "planned"}
    email = planned | {"channel": "email"}
    assert gauge("advisorybot_outbox_depth", **people) == 2  # not the sent nor the failed one
    assert gauge("advisorybot_outbox_oldest_age_seconds", **people) == 90
    assert gauge("advisorybot_outbox_depth", **planned) == 1
    assert gauge("advisorybot_outbox_depth", **email) == 1
    assert gauge("advisorybot_outbox_oldest_age_seconds", **email) == 90
    claimed = people | {"state": "claimed"}
    assert (
        gauge("advisorybot_outbox_depth", **claimed),
        gauge("advisorybot_outbox_oldest_age_seconds", **claimed),
    ) == (0, 0)
    assert gauge("advisorybot_people_joined", role="member") == 1  # Bob has not joined
    assert gauge("advisorybot_people_joined", role="adviser") == 0
