"""The sandbox's terminal commands against the real bot, in-process, on a named database of each
kind (the tmux test plays the same through a real terminal; this one reads every line)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from core.clock import OffsetClock
from core.services import Services
from core.settings import load_settings
from localapi import Limits
from sandbox.commands import parse
from sandbox.runtime import Sandbox, isolated_settings, load_clock
from sandbox.terminal import Terminal
from storage.models import Person
from tests.support.bot_process import free_port

TOMASZ = "tomasz.wrobel@stary-sacz.example.pl"
COORDINATOR = "renata.kaminska@ore.example.pl"  # the demo cohort's coordinator
SIGN_IN = re.compile(r"http://127\.0\.0\.1:\d+/sign-in/[A-Za-z0-9_-]+")
INVITATION = re.compile("Zaproszenie do bota|Your invitation to the bot")  # e-mail's subject


class Screen:
    """What the terminal printed, and a way to wait for what the feed prints later."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str) -> None:
        self.lines.append(text)

    def last(self) -> str:
        return self.lines[-1]

    async def shows(self, text: str, within: float = 15.0) -> None:
        deadline = asyncio.get_running_loop().time() + within
        while not any(text in line for line in self.lines):
            assert asyncio.get_running_loop().time() < deadline, f"{text!r} not in {self.lines}"
            await asyncio.sleep(0.02)


@pytest.fixture
async def terminal(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Terminal, Screen]]:
    """A sandbox on the test's (migrated, empty) database, named as with --database-url."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as `main()` sets it for the console script
    overrides = isolated_settings(services.settings.database_url)
    settings = load_settings(_env_file=None, operator_language="en", **overrides)
    clock = OffsetClock()
    screen = Screen()
    async with Sandbox(
        settings, tmp_path / ".sandbox", clock, limits=Limits(), own_database=False
    ) as sandbox:
        console = Terminal(sandbox, clock, screen)
        follower = asyncio.create_task(console.follow())
        yield console, screen
        follower.cancel()


async def test_commands_say_what_they_did_and_refuse_with_a_reason(
    terminal: tuple[Terminal, Screen], services: Services, tmp_path: Path
) -> None:
    console, screen = terminal

    async def type_(line: str) -> bool:
        command = parse(line)
        assert command is not None
        return await console.handle(command)

    await type_("Good morning")
    assert screen.last() == "First choose whom you play: /as e-mail (list: /people)."
    await type_("/as nobody@example.pl")
    assert "Nobody has the address nobody@example.pl" in screen.last()
    await type_(f"/as {TOMASZ.upper()}")
    assert screen.last() == "You play Tomasz Wróbel (team member: Gmina Stary Sącz)."
    assert console.prompt() == "Tomasz Wróbel> "
    await screen.shows("→ Tomasz Wróbel")  # the notice and the welcome, printed by the feed
    async with services.sessionmaker() as session:
        tomasz = await session.scalar(select(Person).where(Person.email == TOMASZ))
        assert tomasz is not None and tomasz.active

    await type_("#1")
    assert "No message with buttons in Tomasz Wróbel's chat" in screen.last(), "notice pressed"
    await type_("/zjazdy")  # the demo's rounds are dated: days, hours, places, the online one
    await screen.shows("Zjazdy szkoleniowe")
    await screen.shows("Gdzie: Ośrodek Rozwoju Edukacji, Al. Ujazdowskie 28, Warszawa")
    await screen.shows("Online: https://meet.example.pl/ore-zjazd-3")
    await type_("> Czy diagnoza obejmuje przedszkola?")
    await screen.shows("#1 [Wyślij]   #2 [Anuluj]")  # Tomasz reads Polish
    await type_("#3")
    assert "There is no button #3: the last message with buttons has 2." in screen.last()
    await type_("#2")
    evidence = tmp_path / "protokol.pdf"
    evidence.write_bytes(b"%PDF-1.4 protokol")
    await type_(f"/file {evidence} Protokół z debaty")
    await screen.shows("w tym 1 plik")
    await type_(f"/file {tmp_path / 'missing.pdf'}")
    assert "Cannot read the file" in screen.last()

    await type_("/time 2000-01-01")
    assert "only moves forward" in screen.last()
    await type_("/time +1d")
    assert screen.last().startswith("Sandbox time:") and "Reminder pass:" in screen.last()
    offset = load_clock(tmp_path / ".sandbox").offset
    assert dt.timedelta(hours=23, minutes=59) < offset < dt.timedelta(days=1, minutes=1)

    await type_("/inbox")
    # The 15 invitations, and what the day moved brings by e-mail as the date falls (a round's
    # first reminder to everyone not on Telegram, a Monday's digests).
    found = re.search(r"E-mails \((\d+);", screen.last())
    assert found is not None and "renata.kaminska@ore.example.pl" in screen.last()
    emails = int(found.group(1))
    invitations = screen.last().splitlines()[1:16]
    assert all(INVITATION.search(line) for line in invitations) and 15 <= emails < 99
    await type_("/inbox 1")
    assert screen.last().startswith("E-mail no. 1") and "?start=" in screen.last()
    await type_("/inbox 99")
    assert screen.last() == f"There is no e-mail no. 99 (there are {emails})."
    await type_("/people")
    assert f"▶ {TOMASZ} – Tomasz Wróbel" in screen.last()
    await type_("/help")
    assert "/time +7d" in screen.last()
    assert await type_("/quit") is False


async def test_the_sandbox_serves_the_web_view_with_its_sign_in_links_in_the_inbox(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WEB_LISTEN set: the sandbox's bot serves the web view too; the demo's coordinator asks
    for a link and it arrives in the sandbox's mailbox, which signs her in."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    port = free_port()
    overrides = isolated_settings(services.settings.database_url)
    settings = load_settings(_env_file=None, web_listen=str(port), **overrides)
    async with Sandbox(
        settings, tmp_path / ".sandbox", OffsetClock(), limits=Limits(), own_database=False
    ) as sandbox:
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            asked = await http.post(f"{base}/sign-in", data={"email": COORDINATOR})
            assert asked.status == 200
            link = await _emailed_link(sandbox)
            used = await http.post(link, allow_redirects=False)
            assert used.status == 303 and used.headers["Location"] == "/"


async def _emailed_link(sandbox: Sandbox) -> str:
    deadline = asyncio.get_running_loop().time() + 15
    while True:
        for mail in sandbox.running.mailbox.mails():
            found = SIGN_IN.search(mail.text)
            if found is not None and COORDINATOR in mail.recipients:
                return found.group(0)
        assert asyncio.get_running_loop().time() < deadline, "no sign-in e-mail"
        await asyncio.sleep(0.05)
