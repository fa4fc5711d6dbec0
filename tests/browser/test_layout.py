"""The browser fixture and the layout checks bite: a page made to fail each check is caught,
with the element named, and a page asking for the network gets nothing."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import Offline, OpenPage
from tests.browser.layout import layout_faults, overflowing, scroll_width


async def test_a_wide_table_is_caught_and_named(open_page: OpenPage, tmp_path: Path) -> None:
    """The checks bite: a fixed 600 px table scrolls a phone's screen and is named, as is
    text set at 10 px and a language the page does not declare."""
    path = tmp_path / "wide.html"
    path.write_text(
        '<html lang="pl"><body style="margin:0"><div class="teams">'
        '<table style="width:600px"><tr><td>Gmina</td></tr></table></div>'
        '<p style="font-size:10px">drobny druk</p></body></html>',
        encoding="utf-8",
    )
    page = await open_page(375)
    await page.goto(path.as_uri())
    assert await scroll_width(page) == 600
    assert await overflowing(page) == [
        "body > div.teams > table: 600 px wide, 0..600 in a 375 px viewport"
    ]
    assert await layout_faults(page, "en") == [
        "scrolls sideways: 600 px in 375 px (body > div.teams > table: 600 px wide, 0..600 in a"
        " 375 px viewport)",
        "wider than the screen: body > div.teams > table: 600 px wide, 0..600 in a 375 px"
        " viewport",
        "text under 12 px: body > p: 10 px",
        '<html lang="pl">, not "en"',
    ]


async def test_a_page_gets_nothing_from_the_network(
    open_page: OpenPage, offline: Offline, tmp_path: Path
) -> None:
    path = tmp_path / "remote.html"
    path.write_text(
        '<html lang="en"><body><img src="http://192.0.2.1/logo.png" alt="logo"></body></html>',
        encoding="utf-8",
    )
    page = await open_page(375)
    await page.goto(path.as_uri())
    assert offline.refused == ["http://192.0.2.1/logo.png"]
    assert await layout_faults(page, "en") == ["image not loaded: body > img"]
