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

from localapi import ControlClient, LocalBotApi
from tests.browser.conftest import OpenSite
from tests.e2e.conftest import COHORT, control, eventually, join, local_api, running, world_on
from tests.support.bot_process import free_port
from tests.support.smtp import SmtpServer, smtp
from web.visit import COOKIE

__all__ = ["control", "local_api", "smtp"]  # the fixtures

COORDINATOR = "kora.koordynator@example.pl"
COORDINATOR_FILE = (
    "jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language\n"
    f";;;;koordynator;Kora Koordynator;{COORDINATOR};K;pl\n"
)
LINK = re.compile(r"http://127\.0\.0\.1:\d+/sign-in/[A-Za-z0-9_-]+")
MATRIX_ROWS = "table.matrix tbody tr"
ADVISER = "jan.kowalski@example.pl"  # Warszawa's adviser in teams.csv
ANNA = 9501
HEADER = "jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language\n"
STARY_SACZ = "1210133;Gmina Stary Sącz;gmina miejsko-wiejska;małopolskie"
GOOD_TEAM = (
    HEADER
    + f"{STARY_SACZ};członek;Piotr Nowicki;piotr.nowicki@example.pl;M;pl\n"
    + f"{STARY_SACZ};członkini;Zofia Kruk;zofia.kruk@example.pl;K;pl\n"
    + f"{STARY_SACZ};członek;Adam Sowa;adam.sowa@example.pl;M;pl\n"
    + f"{STARY_SACZ};doradca;Tadeusz Adamski;tadeusz.adamski@example.pl;M;pl\n"
)
BAD_TEAM = GOOD_TEAM.replace("piotr.nowicki@example.pl", "piotr.nowicki(at)example.pl")


async def listening(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


def emailed_links(smtp: SmtpServer, address: str) -> list[str]:
    """The sign-in links of the e-mails to `address`, oldest first (the same address gets
    its invitation and a question's forward too)."""
    found = []
    for message in smtp.to(address):
        body = message.get_body(("plain",))
        link = LINK.search(body.get_content()) if body is not None else None
        if link is not None:
            found.append(link.group(0))
    return found


async def sign_in(page: Page, base: str, smtp: SmtpServer, address: str) -> None:
    """In the browser: a link asked for, opened from the e-mail that brings it, confirmed."""
    before = len(emailed_links(smtp, address))
    await page.goto(f"{base}/sign-in")
    await page.fill("#email", address)
    await page.click("main button[type=submit]")
    await page.wait_for_selector("main [role=status]")

    async def arrived() -> bool:
        return len(emailed_links(smtp, address)) > before

    await eventually(arrived, within=20)
    await page.goto(emailed_links(smtp, address)[-1])
    await page.click("main button[type=submit]")  # the link's page asks to confirm
    await page.wait_for_selector("table.matrix")


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
        await sign_in(page, base, smtp, COORDINATOR)
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


async def test_a_coordinator_imports_a_file_and_an_adviser_answers_on_the_page(
    tmp_path: Path,
    local_api: LocalBotApi,
    control: ControlClient,
    smtp: SmtpServer,
    open_site: OpenSite,
) -> None:
    """A bad team file shows its errors by row and column and imports nothing; a good one is
    checked first, then imported, and its JST is in the matrix. A member asks on Telegram;
    the adviser answers on the page, and the answer arrives on Telegram."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = f"sqlite+aiosqlite:///{tmp_path / 'advisorybot.db'}"
    bad, good = tmp_path / "zespol-zly.csv", tmp_path / "zespol.csv"
    bad.write_text(BAD_TEAM, encoding="utf-8")
    good.write_text(GOOD_TEAM, encoding="utf-8")
    async with world_on(database, tmp_path, local_api) as world:
        coordinators = tmp_path / "coordinator.csv"
        coordinators.write_text(COORDINATOR_FILE, encoding="utf-8")
        await world.cli("import", str(coordinators), "--cohort", COHORT)
        world.env |= smtp.env() | {"WEB_LISTEN": f"127.0.0.1:{port}"}
        codes = await running(world, control)
        await eventually(lambda: listening(port), within=30)

        page = await open_site(1280, locale="pl-PL")
        await sign_in(page, base, smtp, COORDINATOR)
        await page.goto(f"{base}/import")
        await page.set_input_files("#file", str(bad))
        await page.click("main form button[type=submit]")
        errors = page.locator("table#errors tbody tr")
        await errors.first.wait_for()
        assert await errors.count() == 1
        cells = await errors.first.locator("th, td").all_inner_texts()
        assert cells[:2] == ["2", "email"], cells
        assert await page.locator("form[action='/import/apply']").count() == 0, "no import"

        await page.goto(f"{base}/import")
        await page.set_input_files("#file", str(good))
        await page.click("main form button[type=submit]")
        await page.wait_for_selector("form[action='/import/apply']")
        beside = await page.context.new_page()  # the same session, in another tab
        await beside.goto(f"{base}/")
        assert await beside.locator(MATRIX_ROWS).count() == 3, "the dry run imported nothing"
        await page.click("form[action='/import/apply'] button[type=submit]")
        await page.wait_for_selector("main [role=status]")
        await page.goto(f"{base}/")
        assert "Gmina Stary Sącz" in await page.locator("table.matrix").inner_text()

        anna, _ = await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")
        await anna.say("/pytanie Czy debata może odbyć się online?")
        await anna.press(await anna.next_message(within=10), "Wyślij")
        await anna.next_message(within=10)  # the receipt

        adviser = await open_site(375, locale="pl-PL")  # on a phone
        await sign_in(adviser, base, smtp, ADVISER)
        await adviser.click("nav a[href='/questions']")
        await adviser.click("main a:has-text('Czy debata może odbyć się online?')")
        await adviser.fill("#answer-text", "Tak, jeśli weźmie w niej udział rada gminy.")
        await adviser.click("form.stacked button[type=submit]")
        await adviser.wait_for_selector("main [role=status].done")
        answer = await anna.next_message(within=20)
        assert "Tak, jeśli weźmie w niej udział rada gminy." in answer.text
