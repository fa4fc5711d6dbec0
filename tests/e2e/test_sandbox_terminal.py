"""Issue 8 acceptance: `make run` with no bot token opens the sandbox, played in a real terminal.

The Makefile's `run` target runs in tmux from an empty directory with no token anywhere; the
test types as an operator would and reads the screen: a member joins, asks, the adviser answers
by replying, time moves past a deadline and the reminder appears.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar
from sandbox.demo import demo_start, load_plan
from storage.programme import default_template_path, load_template
from storage.programme_calendar import TASK, compute_calendar

ROOT = Path(__file__).parents[2]
VENV = Path(sys.executable).parent.parent
TMUX = shutil.which("tmux")
ZONE = ZoneInfo("Europe/Warsaw")
ADVISER = "krzysztof.pawlak@doradcy.example.pl"
MEMBER = "agnieszka.kowalczyk@stary-sacz.example.pl"

# CI installs tmux: there the test fails without it rather than being skipped.
pytestmark = pytest.mark.skipif(
    TMUX is None and not os.environ.get("CI"), reason="tmux is not installed"
)


class Pane:
    """A tmux session on a private server: keys in, the screen (with its history) out."""

    def __init__(self, name: str) -> None:
        assert TMUX is not None, "the terminal test needs tmux (apt-get install tmux)"
        self.base = [TMUX, "-u", "-L", name]
        self.target = name

    def start(self, workdir: Path, command: str) -> None:
        self._tmux("new-session", "-d", "-s", self.target, "-x", "200", "-y", "50")
        self._tmux("send-keys", "-t", self.target, f"cd {workdir} && {command}", "Enter")

    def type(self, line: str) -> None:
        self._tmux("send-keys", "-t", self.target, "-l", line)
        self._tmux("send-keys", "-t", self.target, "Enter")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", "-t", self.target)

    async def shows(self, text: str, times: int = 1, within: float = 30.0) -> str:
        """Polls the screen until `text` is on it `times` times; returns the screen."""
        deadline = asyncio.get_running_loop().time() + within
        while (screen := self.screen()).count(text) < times:
            assert asyncio.get_running_loop().time() < deadline, f"{text!r} not shown:\n{screen}"
            await asyncio.sleep(0.1)
        return screen

    def stop(self) -> None:
        subprocess.run([*self.base, "kill-server"], check=False, capture_output=True)

    def _tmux(self, *args: str) -> str:
        done = subprocess.run([*self.base, *args], check=True, capture_output=True, text=True)
        return done.stdout


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    terminal = Pane(f"advisorybot-test-{os.getpid()}-{tmp_path.name}")
    yield terminal
    terminal.stop()


def past_next_deadline() -> str:
    """A working morning after the demo cohort's next task deadline, as `/time` takes it."""
    today = dt.datetime.now(ZONE).date()
    start = demo_start(today, load_plan())
    steps = compute_calendar(load_template(default_template_path()), start)
    due = min(s.due_on for s in steps if s.kind == TASK and s.due_on and s.due_on >= today)
    return f"{WorkCalendar(ZONE).add_working_days(due, 1).isoformat()}T10:00"


async def test_make_run_without_a_token_opens_the_sandbox_and_plays_a_question(
    tmp_path: Path, pane: Pane
) -> None:
    shutil.copy2(ROOT / "pyproject.toml", tmp_path)  # what `make` reads besides the Makefile
    environment = f"env -i PATH={os.environ['PATH']} HOME={tmp_path} LANG=C.UTF-8 TERM=xterm"
    make = f"make -s -f {ROOT / 'Makefile'} run VENV={VENV} STAMP="
    pane.start(tmp_path, f"{environment} {make}")
    await pane.shows("Zacznij od /as e-mail")
    assert "Brak TELEGRAM_BOT_TOKEN" in pane.screen()

    pane.type(f"/as {ADVISER}")
    await pane.shows("Grasz jako Krzysztof Pawlak")
    pane.type(f"/as {MEMBER}")
    await pane.shows("Grasz jako Agnieszka Kowalczyk")
    pane.type("Jak wypełnić arkusz diagnozy?")
    await pane.shows("#1 [Wyślij]")
    pane.type("#1")
    await pane.shows("Pytanie nr 1 zapisane")
    await pane.shows("❓ Pytanie nr 1 · Gmina Stary Sącz")  # the adviser's chat, shown too

    pane.type(f"/as {ADVISER}")
    await pane.shows("Grasz jako Krzysztof Pawlak", times=2)
    pane.type("> Proszę użyć arkusza A.")
    await pane.shows("Odpowiedź doradcy (Krzysztof Pawlak) na Twoje pytanie nr 1")

    pane.type(f"/time {past_next_deadline()}")
    screen = await pane.shows("Termin minął")  # the member's overdue reminder
    # The same day may bring the next training round's first reminder: the overdue one is the
    # member's message that says the term is over.
    over = screen.rindex("Termin minął")
    reminder = screen[screen.rindex("→ Agnieszka Kowalczyk", 0, over) : over]
    assert "⚠️" in reminder and "\n→ " not in reminder

    pane.type("/inbox")
    await pane.shows("renata.kaminska@ore.example.pl")
    pane.type("/quit")
    await pane.shows("Do zobaczenia")
    assert (tmp_path / ".sandbox" / "sandbox.db").is_file()
    assert list((tmp_path / ".sandbox" / "mail").glob("*.eml"))
