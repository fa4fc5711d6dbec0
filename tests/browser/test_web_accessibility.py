"""axe-core (axe-playwright-python's bundled axe.min.js) on the web view's pages in chromium: the
sign-in page, the link-sent page, the link's page, a refusal, the overview (the matrix), a
JST's page, the adviser's questions, a thread and the review queue (with a hand-in's review
forms opened), and the coordinator's
import, invitations, failed messages, erasure and exports pages, at a desktop's 1280 px and a
phone's 375 px: no violation of impact "serious" or "critical", and no page scrolls sideways.
The Content-Security-Policy allows no script, so these contexts bypass it to inject axe; the
pages themselves run none. At 375 px the page does not scroll sideways: the matrix scrolls in
its own region. The web view in process (web.server.build_app) on loopback, SQLite only."""

from __future__ import annotations

from typing import Any, cast

import pytest
from aiohttp.test_utils import TestServer
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from core.services import Services
from tests.browser.conftest import OpenSite
from tests.browser.layout import scroll_width
from tests.support.web_client import latest_link
from tests.support.web_scene import build_scene
from web.server import build_app

WIDTHS = (1280, 375)
BLOCKING = ("serious", "critical")


async def violations(page: Page) -> list[str]:
    """axe's serious and critical violations of the page, each with the elements it names."""
    results = await Axe().run(page)
    found: list[dict[str, Any]] = results.response["violations"]
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"])
        for v in found
        if v["impact"] in BLOCKING
    ]


async def test_axe_bites(open_site: OpenSite) -> None:
    """A field without a label is a critical violation: the check above can fail."""
    page = await open_site(375, bypass_csp=True)
    await page.set_content('<html lang="pl"><title>t</title><main><input id="x"></main></html>')
    assert any(" label (critical)" in found for found in await violations(page))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_main_pages_have_no_serious_violations(
    services: Services, open_site: OpenSite
) -> None:
    scene = await build_scene(services)
    adviser, coordinator = scene.people["adviser"], scene.people["coordinator"]
    pages = {
        adviser: (
            f"/jst/{scene.jsts[0]}",
            "/questions",
            f"/questions/{scene.questions[0]}",
            "/review",
        ),
        coordinator: ("/import", "/invitations", "/outbox", "/erasure", "/exports"),
    }
    found: list[str] = []
    async with TestServer(build_app(services, lambda: None), host="127.0.0.1") as server:
        base = str(server.make_url("")).rstrip("/")
        for width in WIDTHS:
            page = await open_site(width, bypass_csp=True, locale="pl-PL")
            await page.goto(f"{base}/sign-in")
            found += await violations(page)
            await page.fill("#email", adviser.email)
            await page.click("main button[type=submit]")
            await page.wait_for_selector("main [role=status]")
            found += await violations(page)
            await page.goto(f"{base}{await latest_link(services, adviser.person_id)}")
            found += await violations(page)
            await page.click("main button[type=submit]")
            await page.wait_for_selector("table.matrix")
            found += await violations(page)
            assert await scroll_width(page) <= width, "the page scrolls sideways"
            if width == 375:
                region = await page.eval_on_selector(
                    ".scroll", "(r) => [r.scrollWidth, r.clientWidth]"
                )
                scrolled, shown = cast(list[int], region)
                assert shown <= width and scrolled > shown, "the matrix scrolls in its region"
            await page.goto(f"{base}/sign-in/no-such-link")
            found += await violations(page)
            for person, paths in pages.items():
                if person is not adviser:
                    await page.context.clear_cookies()
                    await page.goto(f"{base}/sign-in")
                    await page.fill("#email", person.email)
                    await page.click("main button[type=submit]")
                    await page.wait_for_selector("main [role=status]")
                    await page.goto(f"{base}{await latest_link(services, person.person_id)}")
                    await page.click("main button[type=submit]")
                    await page.wait_for_selector("table.matrix")
                for path in paths:
                    response = await page.goto(f"{base}{path}")
                    assert response is not None and response.status == 200, path
                    # the forms folded away (a hand-in's return) are checked open
                    await page.eval_on_selector_all(
                        "details", "(ds) => ds.forEach(d => d.open = true)"
                    )
                    found += await violations(page)
                    assert await scroll_width(page) <= width, f"{path} scrolls sideways"
    print("\n".join(found))
    assert not found, "\n".join(found)
