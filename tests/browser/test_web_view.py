"""The web view end to end in Debian's chromium: the real `advisorybot run` (WEB_LISTEN on a free
loopback port) with the teams of tests/data/import/teams.csv and a coordinator imported from a
file, its sign-in e-mail really sent to a local SMTP server. The coordinator asks for a link,
opens it from the e-mail, confirms, sees the matrix, filters it, opens a JST, signs out; then
neither the back button nor the old cookie shows anything."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from playwright.async_api import Page

from localapi import LocalBotApi
from tests.browser.conftest import OpenSite
from tests.e2e.conftest import COHORT, eventually, local_api, world_on
from tests.support.bot_process import free_port
from tests.support.smtp import SmtpServer, smtp
from web.visit import COOKIE

__all__ = ["local_api", "smtp"]  # the fixtures

COORDINATOR = "kora.koordynator@example.pl"
COORDINATOR_FILE = (
    "jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language\n"
    f";;;;koordynator;Kora Koordynator;{COORDINATOR};K;pl\n"
)
LINK = re.compile(r"http://127\.0\.0\.1:\d+/sign-in/[A-Za-z0-9_-]+")
MATRIX_ROWS = "table.matrix tbody tr"


async def listening(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def emailed_link(smtp: SmtpServer, address: str) -> str:
    await eventually(lambda: _true(bool(smtp.to(address))), within=20)
    body = smtp.to(address)[-1].get_body(("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found is not None, "the e-mail carries the link"
    return found.group(0)


async def _true(value: bool) -> bool:
    return value


async def signed_out(page: Page) -> bool:
    """Whether the page is the sign-in form (where a stranger is sent), not the matrix."""
    return page.url.endswith("/sign-in") and await page.locator("table.matrix").count() == 0


async def test_a_coordinator_signs_in_by_the_emailed_link_and_out(
    tmp_path: Path, local_api: LocalBotApi, smtp: SmtpServer, open_site: OpenSite
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = f"sqlite+aiosqlite:///{tmp_path / 'advisorybot.db'}"
    async with world_on(database, tmp_path, local_api) as world:
        coordinators = tmp_path / "coordinator.csv"
        coordinators.write_text(COORDINATOR_FILE, encoding="utf-8")
        await world.cli("import", str(coordinators), "--cohort", COHORT)
        world.env |= smtp.env() | {"WEB_LISTEN": f"127.0.0.1:{port}"}
        world.start()
        await eventually(lambda: listening(port), within=30)

        page = await open_site(1280, locale="pl-PL")
        await page.goto(f"{base}/")
        assert await signed_out(page), "a stranger is sent to sign in"
        await page.fill("#email", COORDINATOR)
        await page.click("main button[type=submit]")
        await page.wait_for_selector("main [role=status]")
        await page.goto(await emailed_link(smtp, COORDINATOR))
        await page.click("main button[type=submit]")  # the link's page asks to confirm
        await page.wait_for_selector("table.matrix")
        assert page.url == f"{base}/"
        # Chromium keeps the Secure cookie on http://127.0.0.1 (loopback: a secure context).
        cookies = [c for c in await page.context.cookies() if c["name"] == COOKIE]
        assert len(cookies) == 1
        session = cookies[0]
        assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax"

        everyone = await page.locator(MATRIX_ROWS).count()
        assert everyone == 3, "the three JSTs of teams.csv"
        await page.select_option("#f-voivodeship", "małopolskie")
        await page.click("form.filters button[type=submit]")
        await page.wait_for_url(re.compile(r"voivodeship=ma%C5%82opolskie"))
        assert await page.locator(MATRIX_ROWS).count() == 1
        assert "Powiat bocheński" in await page.locator(MATRIX_ROWS).inner_text()

        jst = page.locator(f"{MATRIX_ROWS} th a").first
        href = await jst.get_attribute("href")
        assert href is not None and re.fullmatch(r"/jst/\d+", href)
        async with page.expect_navigation() as opened:
            await jst.click()
        response = await opened.value
        assert response is not None and response.status == 200
        assert "Ewa Zielińska" in await page.locator("main").inner_text(), "its team"
        await page.goto(f"{base}/")

        await page.click("form.sign-out button[type=submit]")
        await page.wait_for_selector("main [role=status]")
        assert [c for c in await page.context.cookies() if c["name"] == COOKIE] == []
        await page.go_back(wait_until="commit")  # not kept (no-store): asked again, refused
        await page.wait_for_load_state("domcontentloaded")
        assert await signed_out(page), "the back button shows the matrix no more"

        stolen = await open_site(1280, locale="pl-PL")
        await stolen.context.add_cookies(
            [{"name": COOKIE, "value": session["value"], "url": base, "secure": True}]
        )
        await stolen.goto(f"{base}/")
        assert await signed_out(stolen), "the old cookie opens nothing"
