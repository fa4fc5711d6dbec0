"""The sandbox in one event loop: a local Telegram, a mail sink, the real bot and a movable clock.

Everything listens on loopback only. The settings the bot runs with are built here from the
local servers' addresses, so no token, database or mail server of the environment is used
(`isolated_settings`); the database is the sandbox's own unless the operator names one.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import AnyHttpUrl, SecretStr
from sqlalchemy import func, select

from bot.app import build_application, serve
from bot.intake import poll, until_stopped
from core.clock import Clock, OffsetClock
from core.logging_setup import setup_logging
from core.services import Services
from core.settings import Settings, SmtpTls
from handlers.context import BotApplication
from localapi import DEFAULT_TOKEN, ControlClient, Core, Limits, LocalBotApi, Options
from reminders.rules import all_rules
from reminders.tick import run_tick
from sandbox.demo import DemoPlan, create_demo, demo_start, is_empty, load_plan
from sandbox.mailbox import Mailbox
from sandbox.people import restore_users
from storage.migrate import ensure_current, upgrade
from storage.models import OutboxMessage, OutboxState
from web.server import beside_bot

BOT_USERNAME = "advisorybot_sandbox_bot"
BOT_NAME = "advisorybot"
MAIL_FROM = "sandbox@advisorybot.invalid"
LOOPBACK = "127.0.0.1"
DATABASE_FILE = "sandbox.db"
CLOCK_FILE = "clock-offset"
LOG_FILE = "sandbox.log"
MAIL_DIRECTORY = "mail"
# The information notice's controller and data protection officer where the operator has not
# named them (.invalid: nobody to write to; "przykład" says they are not the real ones).
SAMPLE_NOTICE = {
    "controller_name": "Ośrodek Rozwoju Edukacji (przykład z piaskownicy)",
    "controller_contact": "administrator@ore.invalid",
    "dpo_contact": "iod@ore.invalid",
}


class NotEmpty(Exception):
    """The walk needs an empty database, and the one it was given holds data."""


class SettableClock(Clock, Protocol):
    """A clock the sandbox moves: OffsetClock when played, FixedClock in the walk."""

    def set(self, at: dt.datetime) -> None: ...


def sandbox_database_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{(directory / DATABASE_FILE).resolve()}"


def isolated_settings(database_url: str) -> dict[str, Any]:
    """Settings overrides that keep every connection on this machine; the environment's token,
    mail server and database never reach the sandbox. The local servers' addresses are set
    once they listen (`Sandbox.start`)."""
    return {
        "telegram_bot_token": DEFAULT_TOKEN,
        "telegram_bot_username": BOT_USERNAME,
        "telegram_api_base_url": f"http://{LOOPBACK}",
        "database_url": database_url,
        "smtp_host": LOOPBACK,
        "smtp_username": None,
        "smtp_password": None,
        "smtp_tls": SmtpTls.NONE.value,
        "mail_from": MAIL_FROM,
    }


def sample_notice(settings: Settings) -> dict[str, str]:
    """The notice's settings the operator left unset, with sample values: the sandbox shows
    the operator's own notice where they named the controller and DPO."""
    return {name: value for name, value in SAMPLE_NOTICE.items() if not getattr(settings, name)}


@dataclass
class Running:
    """What a started sandbox holds; valid until it stops."""

    mailbox: Mailbox
    services: Services
    control: ControlClient
    application: BotApplication
    bot: asyncio.Task[None]  # serve(): done when the bot has stopped
    stop: asyncio.Event  # set when the bot stops, by SIGINT or SIGTERM too
    created_demo: bool


class Sandbox:
    """Starts the pieces in order and stops them in reverse; `async with Sandbox(...) as box`."""

    def __init__(
        self,
        settings: Settings,
        directory: Path,
        clock: SettableClock,
        *,
        limits: Limits,
        own_database: bool,
        plan: DemoPlan | None = None,
        start: dt.date | None = None,
        empty_only: bool = False,
    ) -> None:
        self.settings = settings
        self.directory = directory
        self.clock = clock
        self.limits = limits
        self.own_database = own_database
        self.plan = plan or load_plan()
        self.start = start  # of a demo cohort created now; default: `demo_start` of today
        self.empty_only = empty_only  # refuse a database with data (NotEmpty) before the bot
        self._stack = contextlib.AsyncExitStack()
        self._running: Running | None = None

    @property
    def running(self) -> Running:
        assert self._running is not None, "the sandbox has started"
        return self._running

    async def __aenter__(self) -> Sandbox:
        try:
            await self._start()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stack.aclose()

    async def _start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        options = Options(token=DEFAULT_TOKEN, username=BOT_USERNAME, first_name=BOT_NAME)
        options.limits = self.limits
        api = LocalBotApi(Core(options, self.clock))
        await api.start(LOOPBACK)
        self._stack.push_async_callback(api.stop)
        mailbox = Mailbox(self.directory / MAIL_DIRECTORY)
        port = await mailbox.start(LOOPBACK)
        self._stack.push_async_callback(mailbox.stop)
        settings = self.settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(api.token),
                "telegram_api_base_url": AnyHttpUrl(api.url),
                "smtp_port": port,
            }
            | sample_notice(self.settings)
        )
        services = Services.build(settings, self.clock)
        self._stack.push_async_callback(services.close)  # again after serve(): harmless
        await services.reachable()
        if self.own_database:
            await upgrade(services.engine)
        else:
            await ensure_current(services.engine)
        created = await self._demo(services)
        control = ControlClient(api.url)
        self._stack.push_async_callback(control.close)
        await restore_users(services, control)
        application = build_application(services)
        if settings.web_address is not None:  # the web view too (WEB_LISTEN), beside the bot
            view = beside_bot(application, *settings.web_address)
            await view.start()
            self._stack.push_async_callback(view.stop)
        stop = asyncio.Event()
        bot = asyncio.create_task(serve(application, poll, stop), name="sandbox-bot")
        self._stack.push_async_callback(_stopped, bot, stop)
        self._running = Running(mailbox, services, control, application, bot, stop, created)
        # A stop right after the bot says it runs (before its first poll) never polls: Stopped.
        await until_stopped(control.until_polling(), stop)

    async def _demo(self, services: Services) -> bool:
        async with services.sessionmaker() as session:
            if not await is_empty(session):
                if self.empty_only:
                    raise NotEmpty
                return False
        today = services.clock.now().astimezone(services.settings.zone).date()
        await create_demo(services, self.plan, self.start or demo_start(today, self.plan))
        return True

    async def tick(self) -> Pass:
        """One reminder pass at the sandbox's time; the sender is woken for what it queued."""
        services = self.running.services
        now = self.clock.now()
        stats = await run_tick(services, all_rules(services.settings), now)
        self.running.application.bot_data.outbox_wakeup.set()
        async with services.sessionmaker() as session:
            waiting, next_at = (
                await session.execute(
                    select(func.count(OutboxMessage.id), func.min(OutboxMessage.not_before)).where(
                        OutboxMessage.state == OutboxState.PENDING, OutboxMessage.not_before > now
                    )
                )
            ).one()
        return Pass(stats.enqueued, waiting, next_at)


@dataclass(frozen=True)
class Pass:
    """What a reminder pass queued, and what waits for later (quiet hours, weekends)."""

    enqueued: int
    waiting: int
    next_at: dt.datetime | None


async def _stopped(bot: asyncio.Task[None], stop: asyncio.Event) -> None:
    stop.set()
    await bot


def load_clock(directory: Path) -> OffsetClock:
    """The sandbox's time as the operator left it (the offset survives a restart)."""
    try:
        seconds = float((directory / CLOCK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        seconds = 0.0
    return OffsetClock(dt.timedelta(seconds=seconds))


def save_clock(directory: Path, clock: OffsetClock) -> None:
    (directory / CLOCK_FILE).write_text(str(clock.offset.total_seconds()), encoding="utf-8")


def log_to_file(directory: Path) -> Path:
    """The bot's log goes to a file (redacted as in `advisorybot run`): the terminal is the
    operator's."""
    directory.mkdir(parents=True, exist_ok=True)
    setup_logging([DEFAULT_TOKEN])
    root = logging.getLogger()
    configured = root.handlers[0]
    path = directory / LOG_FILE
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(configured.formatter)
    for log_filter in configured.filters:
        handler.addFilter(log_filter)
    root.handlers[:] = [handler]
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per SMTP command
    return path
