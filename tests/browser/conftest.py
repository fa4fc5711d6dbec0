"""Debian's chromium (tools/system-deps), driven by Playwright: Playwright's own browser download
is never used. One chromium a session (each xdist worker has its own), started here by its
executable path and reached over the DevTools protocol; each test connects from its own event
loop (a browser Playwright launched would be bound to the loop that launched it, and the tests'
async fixtures each run on a loop of their own), and gets fresh pages kept off the network and
closed after it."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Request,
    Route,
    async_playwright,
)

from tests.support.system import not_installed

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
START_SECONDS = 60  # a first start on a loaded machine builds chromium's caches

OpenPage = Callable[[int], Awaitable[Page]]
OpenSite = Callable[..., Awaitable[Page]]  # (width, **the context's options)
LOOPBACK = ("http://127.0.0.1:", "http://localhost:")


def chromium_executable() -> str | None:
    """`chromium` on PATH, else Debian's /usr/bin/chromium."""
    found = shutil.which("chromium")
    if found is not None:
        return found
    return str(DEBIAN_CHROMIUM) if DEBIAN_CHROMIUM.exists() else None


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The running browser's DevTools address (ws://...), for `connect_over_cdp`."""
    executable = chromium_executable()
    if executable is None:
        not_installed("chromium")
    profile = tmp_path_factory.mktemp("chromium")
    log = profile / "chromium.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",  # the tests may run as root (CI's containers)
                "--disable-gpu",
                "--hide-scrollbars",  # overlaid, as on a phone: the page keeps the full width
                "--no-first-run",
                # nothing of its own to the network either: updates, sync, field trials
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=output,
            stderr=output,
        )
    try:
        yield _devtools_address(profile, process, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _devtools_address(profile: Path, process: subprocess.Popen[bytes], log: Path) -> str:
    """Chromium writes its port and path to DevToolsActivePort in its profile once listening."""
    written = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        lines = written.read_text().split() if written.exists() else []
        if len(lines) == 2:
            port, path = lines
            return f"ws://127.0.0.1:{port}{path}"
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"chromium did not start: {log.read_text()[-2000:]}")


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        connected = await playwright.chromium.connect_over_cdp(chromium)
        yield connected
        await connected.close()  # closes this test's contexts, leaves the browser running


class Offline:
    """Refuses every request a page makes except the page's own document (a file:// page);
    `refused` lists them, so a test can say its page asked for nothing."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def allowed(self, request: Request) -> bool:
        return request.is_navigation_request() and request.url.startswith("file://")

    async def __call__(self, route: Route) -> None:
        if self.allowed(route.request):
            await route.continue_()
            return
        self.refused.append(route.request.url)
        await route.abort("blockedbyclient")


class LoopbackOnly(Offline):
    """Lets a page reach our own server on loopback (the web view) and nothing else."""

    def allowed(self, request: Request) -> bool:
        return request.url.startswith(LOOPBACK)


@pytest.fixture
def offline() -> Offline:
    return Offline()


@contextlib.asynccontextmanager
async def _pages(browser: Browser, guard: Offline) -> AsyncIterator[OpenSite]:
    """Pages of new contexts (each its own cookies) at a viewport width, 800 px high, their
    requests passed through `guard`; closed at the end."""
    contexts: list[BrowserContext] = []

    async def open_(width: int, **options: Any) -> Page:
        context = await browser.new_context(viewport={"width": width, "height": 800}, **options)
        contexts.append(context)
        await context.route("**/*", guard)
        return await context.new_page()

    yield open_
    for context in contexts:
        await context.close()


@pytest.fixture
async def open_page(browser: Browser, offline: Offline) -> AsyncIterator[OpenPage]:
    """`await open_page(width)`: a new page at that viewport width (800 px high), offline; the
    pages are closed with their contexts after the test."""
    async with _pages(browser, offline) as open_:
        yield open_


@pytest.fixture
async def open_site(browser: Browser) -> AsyncIterator[OpenSite]:
    """`await open_site(width, **context_options)`: a page of a new context that reaches
    127.0.0.1 only (the web view on loopback); the test fails if a page asked elsewhere."""
    guard = LoopbackOnly()
    async with _pages(browser, guard) as open_:
        yield open_
    assert guard.refused == [], "a page asked for something off loopback"
