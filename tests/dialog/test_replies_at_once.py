"""Issue 23: a reply that carries no new information (/status) is sent at once from the handler
(DESIGN rule 1 as amended), under the same rule of quiet as the outbox's: outside working time
it goes without a sound, in working time it rings. (A send that may have arrived, and one
refused: tests/dialog/test_unreliable_api.py.)"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from storage.models import OutboxMessage
from storage.workdays import is_working_day
from tests.support.dialog import dialog
from tests.support.team_world import World

ANNA = 7001
PEOPLE = {ANNA: ("anna.nowak@example.pl", "Anna")}
WARSAW = ZoneInfo("Europe/Warsaw")


def _next(after: dt.date, weekday: int) -> dt.date:
    return after + dt.timedelta(days=(weekday - after.weekday()) % 7 or 7)


async def test_status_goes_silently_at_night_and_rings_on_a_working_morning(world: World) -> None:
    [anna] = await world.join_all(PEOPLE, ANNA)
    saturday = _next(world.today(), 5)
    monday = _next(saturday, 0)
    while not is_working_day(monday):
        monday += dt.timedelta(days=1)

    world.clock.set(dt.datetime.combine(saturday, dt.time(23, 30), tzinfo=WARSAW))
    [night] = await dialog((anna, "/status", "Warszawa"))
    world.clock.set(dt.datetime.combine(monday, dt.time(10), tzinfo=WARSAW))
    [morning] = await dialog((anna, "/status", "Warszawa"))

    assert (night.silent, morning.silent) == (True, False)
    async with world.services.sessionmaker() as session:
        queued = select(func.count()).where(OutboxMessage.kind == "reply:status")
        assert await session.scalar(queued) == 0, "sent at once, not through the outbox"
