"""The overview's matrix and its filters, on both databases: an adviser sees their JSTs, a
coordinator every JST; each filter narrows the rows to what it names, an unknown value is
ignored; a long list shows its first rows, those needing attention first, and says so."""

from __future__ import annotations

import re
from html import unescape

import pytest

from core.services import Services
from tests.support.web_client import WebBrowser, signed_in
from tests.support.web_scene import build_scene
from web import overview

ROW = re.compile(r'<th scope="row"><a href="/jst/(\d+)">')


async def _rows(browser: WebBrowser, path: str) -> tuple[list[int], str]:
    """The JSTs of the matrix's rows, in order, and the page."""
    page = unescape(await (await browser.get(path)).text())
    return [int(found) for found in ROW.findall(page)], page


async def test_each_filter_narrows_the_matrix_to_what_it_names(services: Services) -> None:
    scene = await build_scene(services)
    ours, theirs = scene.jsts
    async with signed_in(services, scene.people["adviser"].email) as adviser:
        assert (await _rows(adviser, "/"))[0] == [ours], "an adviser sees their JSTs only"
    async with signed_in(services, scene.people["coordinator"].email) as coordinator:
        everyone, page = await _rows(coordinator, "/")
        assert sorted(everyone) == sorted(scene.jsts)
        assert "Pokazano 2 z 2 JST." in page
        assert (await _rows(coordinator, "/?voivodeship=dolnośląskie"))[0] == [theirs]
        assert (await _rows(coordinator, "/?voivodeship=nowhere"))[0] == everyone, "ignored"
        assert (await _rows(coordinator, "/?adviser=Adviser"))[0] == [ours], "by name"
        assert (await _rows(coordinator, "/?state=done"))[0] == [], "nothing done yet"


async def test_a_long_list_shows_its_first_rows_and_says_so(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = await build_scene(services)
    monkeypatch.setattr(overview, "ROWS_SHOWN", 1)
    async with signed_in(services, scene.people["coordinator"].email) as coordinator:
        shown, page = await _rows(coordinator, "/")
    assert len(shown) == 1
    assert "Pokazano 2 z 2 JST. Tabela pokazuje pierwsze 1 z nich" in page
