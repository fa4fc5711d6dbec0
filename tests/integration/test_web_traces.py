"""The web view's sign-in traces: an erasure signs the person out everywhere and spoils their
links; links and sessions go by the retention schedule once they expired (as long after as
the invitation codes typed), not before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from core.clock import FixedClock
from core.services import Services
from reminders.retention import run_retention
from storage.erasure import erase_person
from storage.models import Person, WebLink, WebSession
from storage.web_sessions import current_session, issue_link, open_session, use_link
from tests.support.team_world import add_team

TEAMS = Path(__file__).parents[1] / "data" / "import" / "teams.csv"
ADVISER = "jan.kowalski@example.pl"
LINK_LIFE = dt.timedelta(minutes=15)
SESSION_LIFE = dt.timedelta(hours=12)
IDLE = dt.timedelta(hours=1)


async def _adviser(services: Services) -> int:
    await add_team(services, TEAMS, "Pilotaż", services.clock.now().date())
    async with services.reader() as session:
        found = await session.scalar(select(Person.id).where(Person.email == ADVISER))
    assert found is not None
    return found


async def test_an_erasure_ends_the_sessions_and_spoils_the_links(services: Services) -> None:
    adviser, now = await _adviser(services), services.clock.now()
    async with services.sessionmaker.begin() as session:
        opened = await open_session(session, adviser, now, SESSION_LIFE)
        unused = await issue_link(session, adviser, now, LINK_LIFE)
    assert opened.token is not None and unused is not None
    async with services.sessionmaker.begin() as session:
        await erase_person(session, ADVISER, now, now.date(), actor="operator:test")
    async with services.sessionmaker.begin() as session:
        assert await current_session(session, opened.token, now, IDLE) is None
        assert await use_link(session, unused, now) is None


async def test_expired_links_and_sessions_go_by_the_schedule(
    services: Services, clock: FixedClock
) -> None:
    adviser, now = await _adviser(services), services.clock.now()
    async with services.sessionmaker.begin() as session:
        await open_session(session, adviser, now, SESSION_LIFE)
        await issue_link(session, adviser, now, LINK_LIFE)
    kept = dt.timedelta(days=services.settings.retention_invite_attempts_days)
    minute = dt.timedelta(minutes=1)
    clock.advance(LINK_LIFE + kept - minute)
    await run_retention(services, clock.now())
    assert await _rows(services) == (1, 1), "kept until the period after its end is over"
    clock.advance(2 * minute)
    assert (await run_retention(services, clock.now())).gone["web_links"] == 1
    assert await _rows(services) == (0, 1), "the session ends later than the link"
    clock.advance(SESSION_LIFE - LINK_LIFE)
    assert (await run_retention(services, clock.now())).gone["web_sessions"] == 1
    assert await _rows(services) == (0, 0)


async def _rows(services: Services) -> tuple[int, int]:
    async with services.reader() as session:
        links = await session.scalar(select(func.count(WebLink.id)))
        sessions = await session.scalar(select(func.count(WebSession.id)))
    return links or 0, sessions or 0
