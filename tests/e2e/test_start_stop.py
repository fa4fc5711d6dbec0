"""Start and stop (issue 16, items 2 and 8): the real `advisorybot` processes meet a rejected
token, a second instance, a Bot API or database that is down, and SIGTERM; each says so in one
line (never with a secret), retries where it can, and stops when told.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

from localapi import ControlClient, LocalBotApi
from tests.e2e.conftest import eventually
from tests.support.bot_process import ADVISORYBOT, STOP_TIMEOUT_SECONDS, BotWorld, free_port
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture

REVOKED = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"  # well formed, unknown to the server
DB_PASSWORD = "db-Secret-42"
INVITED = 9  # the people of tests/data/import/teams.csv
WALK_START_SECONDS = 120  # migrating and creating the demo cohort, on a loaded CI machine


async def finished(world: BotWorld, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `advisorybot` with these arguments, run to its end in the bot's world."""
    return await asyncio.to_thread(
        subprocess.run,
        [ADVISORYBOT, *args],
        cwd=world.workdir,
        env=world.env,
        capture_output=True,
        text=True,
        timeout=STOP_TIMEOUT_SECONDS * 3,
    )


def started(cwd: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """The installed `advisorybot` with these arguments, started; its output kept."""
    return subprocess.Popen(
        [ADVISORYBOT, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def one_line(process: subprocess.CompletedProcess[str]) -> str:
    """The refusal a command ended with; nothing that looks like a traceback before it."""
    output = process.stdout + process.stderr
    assert "Traceback" not in output and "Error:" not in output, output
    return process.stderr.strip().splitlines()[-1]


async def test_a_rejected_token_is_one_line_and_never_printed(world: BotWorld) -> None:
    world.env["TELEGRAM_BOT_TOKEN"] = REVOKED
    for command in ("run", "tick"):
        process = await finished(world, command)
        assert process.returncode != 0
        assert "Telegram rejected the bot token" in one_line(process)
        assert REVOKED not in process.stdout + process.stderr
        assert REVOKED.partition(":")[2] not in process.stdout + process.stderr


async def test_a_second_instance_makes_the_first_stop_with_one_line(
    world: BotWorld, control: ControlClient
) -> None:
    world.start()
    await control.until_polling()
    first = world.process
    assert first is not None
    second = started(world.workdir, world.env, "run")
    try:
        assert await asyncio.to_thread(first.wait, STOP_TIMEOUT_SECONDS) != 0
        log = world.log_text()
        assert "Traceback" not in log, log
        last = log.strip().splitlines()[-1]
        assert "Another process is already taking this bot's updates" in last
        assert "stop the other one" in last
        assert second.poll() is None, "the newer instance keeps running"
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.to_thread(second.communicate, timeout=STOP_TIMEOUT_SECONDS)
        assert second.returncode == 0


async def test_run_waits_for_an_unreachable_bot_api_and_stops_on_sigterm(world: BotWorld) -> None:
    port = free_port()
    world.env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{port}"
    world.start()

    await eventually(lambda: _attempts(world, 2), within=30)
    assert world.process is not None and world.process.poll() is None, world.log_text()
    assert "trying again in 1 s" in world.log_text() and "trying again in 2 s" in world.log_text()

    late = LocalBotApi()  # the Bot API comes up: the bot starts polling without a restart
    await late.start(port=port)
    try:
        async with ControlClient(late.url) as late_control:
            await late_control.until_polling(within=30)
        assert await world.terminate() == 0
    finally:
        await late.stop()

    world.start()  # down again: SIGTERM stops it while it waits
    await eventually(lambda: _attempts(world, 3))
    assert await world.terminate() == 0
    assert "Traceback" not in world.log_text()


async def _attempts(world: BotWorld, at_least: int) -> bool:
    """Whether the runs so far logged at least so many attempts to reach the Bot API."""
    return world.log_text().count("the Bot API did not answer") >= at_least


async def test_tick_sends_the_emails_when_telegram_is_unreachable(
    world: BotWorld, smtp: SmtpServer
) -> None:
    world.env.update(smtp.env(), TELEGRAM_BOT_USERNAME="local_test_bot")
    del world.env["QUIET_HOURS"]  # the tick runs at 10:00 of its own (tests/e2e/conftest.py)
    smtp.stop()
    assert "E-mails sent now: 0." in await world.cli("invites", "--send")
    smtp.start()
    world.env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{free_port()}"

    process = await finished(world, "tick", "--now", _working_morning().isoformat())

    assert process.returncode != 0
    sent = len(smtp.received)
    assert "Cannot connect to Telegram" in one_line(process)
    assert f"E-mails sent: {sent}." in one_line(process)
    invited = {address for item in smtp.received for address in item.recipients}
    assert len(invited) >= INVITED, "every invitation went although Telegram was down"


def _working_morning() -> dt.datetime:
    """Ten o'clock of the next Wednesday in Warsaw: inside working time, after any backoff."""
    zone = ZoneInfo("Europe/Warsaw")
    day = dt.datetime.now(zone).date() + dt.timedelta(days=1)
    while day.weekday() != 2:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone)


async def test_a_database_that_is_down_is_one_line_for_every_command(world: BotWorld) -> None:
    world.env["DATABASE_URL"] = (
        f"postgresql+asyncpg://advisorybot:{DB_PASSWORD}@127.0.0.1:{free_port()}/advisorybot"
    )
    for args in (("run",), ("tick",), ("outbox",), ("db", "upgrade")):
        process = await finished(world, *args)
        assert process.returncode != 0
        assert "Cannot connect to the database" in one_line(process), args
        assert DB_PASSWORD not in process.stdout + process.stderr


async def test_sandbox_walk_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    env |= {"OPERATOR_LANGUAGE": "en", "PYTHONUNBUFFERED": "1"}
    walk = started(tmp_path, env, "sandbox", "--walk")
    log = tmp_path / ".sandbox" / "sandbox.log"

    async def walking() -> bool:
        return log.exists() and "advisorybot is running" in log.read_text()

    try:
        await eventually(walking, within=WALK_START_SECONDS)
        walk.send_signal(signal.SIGTERM)
        out, err = await asyncio.to_thread(walk.communicate, timeout=STOP_TIMEOUT_SECONDS)
    finally:
        if walk.poll() is None:
            walk.kill()
    assert walk.returncode != 0, "the walk did not end, so it wrote no report"
    assert "Traceback" not in out + err
    assert "The walk was stopped before its end" in err.strip().splitlines()[-1]
    assert not (tmp_path / ".sandbox" / "walk-report.html").exists()


async def test_run_without_the_controller_and_the_dpo_names_them_in_one_line(
    world: BotWorld,
) -> None:
    """The information notice names them (issue 20): the bot does not start without them."""
    del world.env["CONTROLLER_NAME"], world.env["DPO_CONTACT"]
    process = await finished(world, "run")
    assert process.returncode == 2
    assert one_line(process) == (
        "Configuration error: CONTROLLER_NAME, DPO_CONTACT: not set "
        "(set the environment variable or put it in the .env file)."
    )
