"""The real `advisorybot` process and CLI, run against a local Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner, Result

from bot.cli import app
from core.settings import Settings
from sandbox.runtime import SAMPLE_NOTICE

ADVISORYBOT = str(Path(sys.executable).with_name("advisorybot"))
STOP_TIMEOUT_SECONDS = 20
CLI_ENVIRONMENT = {"PTB_TIMEDELTA": "true"}  # as the console script's `main()` sets it


@dataclass
class BotWorld:
    """A working directory with a database, the environment the bot runs with, and its CLI."""

    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0
    logs: list[Path] = field(default_factory=list)
    invite_files: int = 0

    async def cli(self, *args: str) -> str:
        """Run one operator command to completion: the console script's Typer app, in-process
        (its start-up would cost seconds per call), in the bot's directory and environment
        only; the local servers keep serving meanwhile. `advisorybot run` is a real process."""
        result = await asyncio.to_thread(self._invoke, list(args))
        assert result.exit_code == 0, (
            f"advisorybot {' '.join(args)} failed:\n{result.output}{result.exception!r}"
        )
        return result.output

    def _invoke(self, args: list[str]) -> Result:
        unset: dict[str, str | None] = {
            name: None for name in os.environ if name.lower() in Settings.model_fields
        }
        with contextlib.chdir(self.workdir):  # a .env of the developer's is not read
            return CliRunner().invoke(app, args, env=unset | self.env | CLI_ENVIRONMENT)

    async def invite_codes(self) -> dict[str, str]:
        """E-mail -> invite code, from a fresh `advisorybot invites` file."""
        self.invite_files += 1
        out = self.workdir / f"invites-{self.invite_files}.csv"
        await self.cli("invites", "--out", str(out), "--keys")  # read by the column keys
        with out.open(encoding="utf-8-sig", newline="") as handle:
            return {
                row["email"]: row["link"].rsplit("start=", 1)[1]
                for row in csv.DictReader(handle, delimiter=";")
            }

    def start(self, *args: str) -> None:
        """Start `advisorybot run`; its output goes to a log file the test can show."""
        assert self.process is None or self.process.poll() is not None, "already running"
        self.runs += 1
        log = self.workdir / f"bot-{self.runs}.log"
        self.logs.append(log)
        with log.open("wb") as handle:
            self.process = subprocess.Popen(
                [ADVISORYBOT, "run", *args],
                cwd=self.workdir,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a crash or an OOM kill."""
        await self._signal(signal.SIGKILL)

    async def terminate(self) -> int:
        """SIGTERM, as systemd stops a service; returns the exit code.

        Waited for in a thread: the local Bot API serves the bot's last calls meanwhile.
        """
        return await self._signal(signal.SIGTERM)

    async def _signal(self, number: signal.Signals) -> int:
        assert self.process is not None
        self.process.send_signal(number)
        return await asyncio.to_thread(self.process.wait, STOP_TIMEOUT_SECONDS)

    def log_text(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs if log.exists())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_environment(workdir: Path, api_url: str, token: str, database_url: str) -> dict[str, str]:
    """Only what the bot needs: nothing from the developer's environment leaks in."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": api_url,
        "DATABASE_URL": database_url,
        "OPERATOR_LANGUAGE": "en",
        "OUTBOX_LEASE_SECONDS": "5",
        "PYTHONUNBUFFERED": "1",
    } | {name.upper(): value for name, value in SAMPLE_NOTICE.items()}
