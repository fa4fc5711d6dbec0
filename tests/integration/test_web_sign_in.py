"""Signing in and out of the web view, attacked: a stolen, reused or expired link, an expired
or ended session, a form sent without its token or from another site: refused, nothing
changed. The sign-in page tells nobody whether an address is known, and asking again and
again sends no flood of e-mails."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from core.clock import FixedClock
from core.services import Services
from outbox.claims import claim_due
from storage.erasure import erase_person
from storage.models import Channel, Language, OutboxMessage, OutboxState, Person, WebSession
from storage.web_sessions import LINKS_AT_ONCE
from tests.support.web_client import (
    WebBrowser,
    latest_link,
    session_cookie,
    sign_in,
    web_client,
)
from tests.support.web_scene import build_scene, database_rows
from web.sign_in import SIGN_IN_EMAIL
from web.visit import COOKIE

MINUTE = dt.timedelta(minutes=1)


async def sign_in_emails(services: Services) -> dict[int | None, int]:
    async with services.reader() as session:
        rows = await session.execute(
            select(OutboxMessage.person_id, func.count())
            .where(OutboxMessage.kind == SIGN_IN_EMAIL)
            .group_by(OutboxMessage.person_id)
        )
        return {person_id: count for person_id, count in rows}


async def open_sessions(services: Services) -> int:
    async with services.reader() as session:
        count = await session.scalar(
            select(func.count(WebSession.id)).where(WebSession.ended_at.is_(None))
        )
    return count or 0


async def test_a_link_works_once_for_whoever_uses_it_first(services: Services) -> None:
    """A link opened by someone else (a mail scanner, a thief) is not used by opening it; used
    once it opens no second session, for its owner or anyone; a used link's page says so."""
    adviser = (await build_scene(services)).people["adviser"]
    async with web_client(services) as client:
        owner, thief = WebBrowser(client), WebBrowser(client)
        await owner.post("/sign-in", {"email": adviser.email})
        link = await latest_link(services, adviser.person_id)
        assert (await thief.get(link)).status == 200  # looked at: still unused
        used = await thief.post(link)
        assert used.status == 303 and session_cookie(used)
        before = await database_rows(services)
        for browser in (owner, thief):
            assert (await browser.get(link)).status == 403
            again = await browser.post(link)
            assert again.status == 403 and "link" in (await again.text()).lower()
            assert session_cookie(again) is None
        assert await database_rows(services) == before
        assert await open_sessions(services) == 1


async def test_a_link_used_in_a_browser_signed_in_ends_its_session(services: Services) -> None:
    """Someone else's link used in a signed-in browser: that browser's own session ends."""
    people = (await build_scene(services)).people
    coordinator, adviser = people["coordinator"], people["adviser"]
    async with web_client(services) as client:
        browser = await sign_in(client, services, coordinator.email, coordinator.person_id)
        await WebBrowser(client).post("/sign-in", {"email": adviser.email})
        used = await browser.post(await latest_link(services, adviser.person_id))
        assert used.status == 303
        old = await browser.get("/")
        assert old.status == 303 and old.headers["Location"] == "/sign-in"
        assert await open_sessions(services) == 1


async def test_an_expired_link_opens_nothing(services: Services, clock: FixedClock) -> None:
    adviser = (await build_scene(services)).people["adviser"]
    async with web_client(services) as client:
        browser = WebBrowser(client)
        await browser.post("/sign-in", {"email": adviser.email})
        link = await latest_link(services, adviser.person_id)
        clock.advance(dt.timedelta(minutes=services.settings.web_link_minutes) + MINUTE)
        before = await database_rows(services)
        assert (await browser.get(link)).status == 403
        assert (await browser.post(link)).status == 403
        assert (await browser.post("/sign-in/not-a-token")).status == 403
        assert await database_rows(services) == before


async def test_a_session_ends_when_idle_at_its_end_and_at_sign_out(
    services: Services, clock: FixedClock
) -> None:
    settings = services.settings
    people = (await build_scene(services)).people
    idle = dt.timedelta(minutes=settings.web_idle_minutes)
    async with web_client(services) as client:

        async def refused(browser: WebBrowser) -> None:
            before = await database_rows(services)
            page = await browser.get("/")
            assert page.status == 303 and page.headers["Location"] == "/sign-in"
            assert session_cookie(page) == "", "the browser is told to forget its cookie"
            assert (await browser.post("/sign-out")).status == 200  # out already: no harm
            assert await database_rows(services) == before

        adviser = people["adviser"]
        idler = await sign_in(client, services, adviser.email, adviser.person_id)
        clock.advance(idle - MINUTE)
        assert (await idler.get("/")).status == 200  # used in time: it lives on
        clock.advance(idle)
        await refused(idler)

        coordinator = people["coordinator"]
        busy = await sign_in(client, services, coordinator.email, coordinator.person_id)
        end = clock.now() + dt.timedelta(hours=settings.web_session_hours)
        while clock.now() + idle / 2 < end:
            clock.advance(idle / 2)
            assert (await busy.get("/")).status == 200
        clock.advance(idle / 2)
        await refused(busy)

        leaver = await sign_in(client, services, coordinator.email, coordinator.person_id)
        kept = leaver.cookie
        out = await leaver.post("/sign-out")
        assert out.status == 200 and session_cookie(out) == ""
        leaver.cookie = kept  # the old cookie, kept by a copy or a back button
        await refused(leaver)


async def test_the_sign_in_page_tells_nothing_of_who_is_known(services: Services) -> None:
    """The same page for every address; an e-mail only to an adviser or a coordinator."""
    people = (await build_scene(services)).people
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        today = now.astimezone(services.settings.zone).date()
        await erase_person(session, people["erased"].email, now, today, actor="tests")
    pages = {}
    async with web_client(services) as client:
        for name in ("adviser", "coordinator", "member", "expert", "erased", "nobody"):
            address = f"{name}@example.pl"
            response = await WebBrowser(client).post("/sign-in", {"email": address.upper()})
            assert response.status == 200
            assert session_cookie(response) is None
            pages[name] = (await response.text()).replace(address.upper(), "ADDRESS")
    assert len(set(pages.values())) == 1, "every address gets the same page"
    assert await sign_in_emails(services) == {
        people["adviser"].person_id: 1,
        people["coordinator"].person_id: 1,
    }


async def test_a_sign_in_asked_from_another_site_sends_nothing(services: Services) -> None:
    adviser = (await build_scene(services)).people["adviser"]
    async with web_client(services) as client:
        before = await database_rows(services)
        response = await WebBrowser(client).post(
            "/sign-in", {"email": adviser.email}, origin="https://evil.example"
        )
        assert response.status == 403
        assert await database_rows(services) == before


async def test_asking_again_and_again_sends_few_links(
    services: Services, clock: FixedClock
) -> None:
    adviser = (await build_scene(services)).people["adviser"]
    async with web_client(services) as client:
        for _ in range(LINKS_AT_ONCE + 3):
            response = await WebBrowser(client).post("/sign-in", {"email": adviser.email})
            assert response.status == 200
        assert await sign_in_emails(services) == {adviser.person_id: LINKS_AT_ONCE}
        clock.advance(dt.timedelta(minutes=services.settings.web_link_minutes) + MINUTE)
        await WebBrowser(client).post("/sign-in", {"email": adviser.email})
        assert await sign_in_emails(services) == {adviser.person_id: LINKS_AT_ONCE + 1}


async def test_the_session_cookie_is_httponly_secure_and_lax(services: Services) -> None:
    adviser = (await build_scene(services)).people["adviser"]
    async with web_client(services) as client:
        browser = WebBrowser(client)
        await browser.post("/sign-in", {"email": adviser.email})
        used = await browser.post(await latest_link(services, adviser.person_id))
        set_cookie = used.headers["Set-Cookie"]
        assert set_cookie.startswith(f"{COOKIE}=")
        flags = {part.strip().split("=")[0].lower(): part for part in set_cookie.split(";")}
        assert {"httponly", "secure", "samesite", "path"} <= flags.keys()
        assert flags["samesite"].strip() == "SameSite=Lax"
        assert flags["path"].strip() == "Path=/"


async def test_the_language_switch_sets_the_persons_language_and_goes_back(
    services: Services,
) -> None:
    """The header's switch changes the person's language (the pages', and what the bot sends
    them, as /jezyk), back to the page it was pressed on; never to another site."""
    adviser = (await build_scene(services)).people["adviser"]
    async with web_client(services) as client:
        browser = await sign_in(client, services, adviser.email, adviser.person_id)
        page = await (await browser.get("/?state=late")).text()
        assert 'name="back" value="/?state=late"' in page and ">English<" in page
        switched = await browser.post("/language", {"language": "en", "back": "/?state=late"})
        assert switched.status == 303 and switched.headers["Location"] == "/?state=late"
        assert "JST overview" in await (await browser.get("/")).text()
        away = await browser.post("/language", {"language": "pl", "back": "//evil.example/"})
        assert away.headers["Location"] == "/"
        refused = await browser.post("/language", {"language": "de", "back": "/"})
        assert refused.status == 400
    async with services.reader() as session:
        language = await session.scalar(
            select(Person.language).where(Person.id == adviser.person_id)
        )
    assert language is Language.PL


async def test_without_a_mail_server_the_page_points_to_panel_on_telegram(
    services: Services,
) -> None:
    """The link waits in the outbox while no mail server is set: the page says so and how to
    get one on Telegram instead; with a mail server it does not."""
    adviser = (await build_scene(services)).people["adviser"]
    async with web_client(services) as client:
        page = await (await WebBrowser(client).post("/sign-in", {"email": adviser.email})).text()
    assert "/panel" in page
    services.settings.smtp_host, services.settings.mail_from = "127.0.0.1", "bot@example.pl"
    async with web_client(services) as client:
        page = await (await WebBrowser(client).post("/sign-in", {"email": adviser.email})).text()
    assert "/panel" not in page and "Jeśli adres" in page


async def test_a_link_that_cannot_reach_its_person_in_time_is_not_sent(
    services: Services, clock: FixedClock
) -> None:
    """The e-mail goes stale when its link expires: a mail server down for longer sends no
    dead link later (the sender skips stale rows: outbox.claims)."""
    adviser = (await build_scene(services)).people["adviser"]
    async with web_client(services) as client:
        await WebBrowser(client).post("/sign-in", {"email": adviser.email})
    async with services.reader() as session:
        stale_at = await session.scalar(
            select(OutboxMessage.stale_at).where(OutboxMessage.kind == SIGN_IN_EMAIL)
        )
    life = dt.timedelta(minutes=services.settings.web_link_minutes)
    assert stale_at == clock.now() + life
    clock.advance(life)
    async with services.sessionmaker.begin() as session:
        taken = await claim_due(
            session, now=clock.now(), limit=10, lease=MINUTE, channel=Channel.EMAIL
        )
    assert taken == []
    async with services.reader() as session:
        state = await session.scalar(
            select(OutboxMessage.state).where(OutboxMessage.kind == SIGN_IN_EMAIL)
        )
    assert state is OutboxState.SKIPPED
