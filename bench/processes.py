"""The bots under measurement as real processes: `advisorybot run` (tests/support/bot_process.py
starts it, as the end-to-end tests do) and the echo bot of the baseline."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bench.measure import WORKDIR, memory_mb
from tests.support.bot_process import STOP_TIMEOUT_SECONDS, BotWorld, bot_environment


class BotProcess(Protocol):
    """A running bot: its process id, and a way to stop it."""

    @property
    def pid(self) -> int: ...

    async def stop(self) -> None: ...


def rss_mb(bot: BotProcess, field: str = "VmRSS") -> float:
    return memory_mb(bot.pid, field)


@dataclass
class Advisorybot:
    """`advisorybot run` on a database, with production settings but for the API address."""

    world: BotWorld

    @classmethod
    def start(
        cls, workdir: Path, api_url: str, token: str, database_url: str, *, rate_limit: str | None
    ) -> Advisorybot:
        """`rate_limit` "0" against a server without limits measures the bot, not Telegram's
        30/s; None keeps the production setting."""
        env = bot_environment(workdir, api_url, token, database_url)
        del env["OUTBOX_LEASE_SECONDS"]  # the tests' short lease; production keeps the default
        env["PYTHONPATH"] = str(WORKDIR)  # the code next to this bench, installed or not
        if rate_limit is not None:
            env["TELEGRAM_RATE_LIMIT"] = rate_limit
        world = BotWorld(workdir, env)
        world.start()
        return cls(world)

    @property
    def pid(self) -> int:
        assert self.world.process is not None
        return self.world.process.pid

    async def stop(self) -> None:
        code = await self.world.terminate()
        assert code == 0, self.world.log_text()[-4000:]


@dataclass
class EchoBot:
    """bench/echo_bot.py in its own process."""

    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, workdir: Path, api_url: str, token: str) -> EchoBot:
        env = {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": api_url, "HOME": str(workdir)}
        with (workdir / "echo.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bench.echo_bot"],
                cwd=WORKDIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return cls(process)

    @property
    def pid(self) -> int:
        return self.process.pid

    async def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(self.process.wait, STOP_TIMEOUT_SECONDS)
