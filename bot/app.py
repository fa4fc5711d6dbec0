"""The one place the Telegram Application is assembled and run; registration order is visible.

The lifecycle is ours rather than `run_polling`: updates come in through `bot.intake` (confirmed
only after handling), and the outbox sender runs beside it until SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseRateLimiter,
    ContextTypes,
    ExtBot,
)

from bot import memory
from bot.intake import Stopped, pause, until_stopped
from core import metrics
from core.logging_setup import log_failure
from core.services import Services
from core.settings import Settings
from handlers import (
    attendance,
    commands,
    digest,
    fallback,
    forms,
    gate,
    onboarding,
    panel,
    privacy,
    review_queue,
    rounds,
    self_assessment,
    team,
)
from handlers.context import BotApplication, BotContext, BotData
from handlers.forms import FormKind, SteppedForm
from handlers.materials import routes as materials
from handlers.questions import routes as questions
from handlers.reports import routes as reports
from handlers.tasks import routes as tasks
from notices.questions import route_unrouted
from outbox.email_sender import EmailDelivery, warn_missing
from outbox.links import record_links
from outbox.send_slots import SendSlots, SharedRateLimiter, shared_slots
from outbox.telegram_files import BotFiles
from outbox.telegram_sender import TelegramDelivery
from outbox.transport import AiohttpRequest
from reminders.leader import Leader
from reminders.retention import DailyRetention, run_retention
from reminders.rules import all_rules
from reminders.tick import TickStats, run_tick, work_calendar

log = logging.getLogger(__name__)
OUTBOX_BATCH = 20
OUTBOX_IDLE_SECONDS = 1.0
OUTBOX_ERROR_PAUSE_SECONDS = 5.0
TICK_SECONDS = 60
RETENTION_FIRST_SECONDS = 30  # the first retention pass, after the first ticks
SEND_CONNECTIONS = 8
START_RETRY_FIRST_SECONDS = 1.0
START_RETRY_MAX_SECONDS = 60.0

Intake = Callable[[BotApplication, asyncio.Event], Awaitable[None]]


def make_bot(settings: Settings, slots: SendSlots | None = None) -> ExtBot[Any]:
    """The bot every sending path shares, with one rate limiter, pointed at any Bot API.

    The rate limiter does not retry a 429 itself: the outbox records Telegram's retry time and
    the sender pauses (DESIGN 5). Its rate is just under Telegram's ~30 messages/s unless
    configured (TELEGRAM_RATE_LIMIT); with `slots` (several instances on PostgreSQL) that rate
    is the bot's, shared by every instance (outbox/send_slots.py). A slow answer is waited for
    (TELEGRAM_TIMEOUT_SECONDS): a send that times out may still have been delivered; a few
    connections let a button's answer pass a slow send. Requests go over aiohttp
    (outbox/transport.py).
    """
    base = str(settings.telegram_api_base_url).rstrip("/")
    local = AIORateLimiter(overall_max_rate=settings.telegram_rate_limit, max_retries=0)
    limiter: BaseRateLimiter[Any] = local if slots is None else SharedRateLimiter(local, slots)
    return ExtBot(
        settings.token(),
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        rate_limiter=limiter,
        request=AiohttpRequest(
            connections=SEND_CONNECTIONS, read_timeout=settings.telegram_timeout_seconds
        ),
        get_updates_request=AiohttpRequest(connections=1),  # PTB's own timeouts
    )


def sending_slots(services: Services) -> SendSlots | None:
    """The send rate shared by instances on PostgreSQL (None on SQLite: one instance)."""
    return shared_slots(services.engine, services.settings.telegram_rate_limit)


def make_delivery(bot: ExtBot[Any], services: Services) -> TelegramDelivery:
    lease = dt.timedelta(seconds=services.settings.outbox_lease_seconds)
    return TelegramDelivery(bot, services, lease=lease, on_sent=record_links)


def build_application(services: Services) -> BotApplication:
    """An Application from settings: in order per chat, handlers behind the gate."""
    application: BotApplication = (
        ApplicationBuilder()
        .bot(make_bot(services.settings, sending_slots(services)))
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .concurrent_updates(False)
        .updater(None)
        .build()
    )
    application.bot_data.services = services
    gate.register(application)
    onboarding.register(application)
    team.register(application)
    privacy.register(application)
    # Feature handlers (commands and their buttons) go here, one line each.
    tasks.register(application)
    questions.register(application)
    reports.register(application)
    review_queue.register(application)
    digest.register(application)
    panel.register(application)
    rounds.register(application)
    materials.register(application)
    self_assessment.register(application)
    attendance.register(application)
    # Free messages and form buttons, after every command: a form kind per feature.
    form_kinds: dict[str, FormKind] = {
        questions.DRAFT_KIND: questions.DraftForm(),
        **tasks.FORM_KINDS,
        **reports.FORM_KINDS,
        **materials.FORM_KINDS,
        self_assessment.KIND: SteppedForm(self_assessment.take_self_assessment),
    }
    forms.register(application, kinds=form_kinds, default=questions.free_message)
    fallback.register(application)  # last: it takes what nothing else did
    return application


async def serve(
    application: BotApplication, intake: Intake, stop: asyncio.Event | None = None
) -> None:
    """Run intake and the outbox sender until SIGINT/SIGTERM (or `stop` is set), then stop
    cleanly; the sandbox passes its own `stop` to end the bot with its terminal."""
    if stop is None:
        stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, stop.set)
    reached = False
    try:
        reached = await _reach_bot_api(application, stop)
    finally:
        if not reached:  # stopped, or the token rejected: its connections closed all the same
            await application.bot.shutdown()
            await application.bot_data.services.close()
    if not reached:
        log.info("advisorybot stopped before the Bot API answered")
        return
    async with application:  # initialised already: this only shuts it down at the end
        await application.start()
        application.create_task(_publish_commands(application), name="commands")  # beside intake
        sender = asyncio.create_task(outbox_loop(application, stop))
        application.create_task(email_loop(application, stop), name="email")  # stop() awaits it
        assert application.job_queue is not None
        leader = Leader(application.bot_data.services.engine)  # one instance ticks (PostgreSQL)
        application.job_queue.run_repeating(
            _tick_job,
            interval=TICK_SECONDS,
            first=1,
            name="tick",
            data=leader,
            job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": TICK_SECONDS},
        )
        application.job_queue.run_repeating(
            _retention_job,
            interval=TICK_SECONDS,
            first=RETENTION_FIRST_SECONDS,
            name="retention",
            data=DailyRetention(work_calendar(application.bot_data.services)),
            job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": TICK_SECONDS},
        )
        log.info("advisorybot is running")
        try:
            await intake(application, stop)
        finally:
            stop.set()
            await sender
            await application.stop()
            await leader.release()
            await application.bot_data.services.close()
    log.info("advisorybot stopped")


async def _publish_commands(application: BotApplication) -> None:
    """A stranger's menu, published while the intake starts: its two round trips to the Bot
    API no longer come before the first update is taken in (issue 23, start-up)."""
    try:
        await commands.publish_default_commands(application)
    except TelegramError as error:
        log.warning("could not publish the default commands: %s", type(error).__name__)


async def _reach_bot_api(application: BotApplication, stop: asyncio.Event) -> bool:
    """Initialise the bot (getMe) until the Bot API answers, waiting twice as long after each
    failure up to a cap; False when stopped first. A rejected token is raised, not retried."""
    delay = START_RETRY_FIRST_SECONDS
    attempt = 1
    while not stop.is_set():
        try:
            await until_stopped(application.initialize(), stop)
            return True
        except Stopped:
            break
        except (NetworkError, RetryAfter) as error:
            log.warning(
                "the Bot API did not answer (attempt %d: %s); trying again in %.0f s",
                attempt,
                error,
                delay,
            )
        await pause(delay, stop)
        delay = min(2 * delay, START_RETRY_MAX_SECONDS)
        attempt += 1
    return False


async def outbox_loop(application: BotApplication, stop: asyncio.Event) -> None:
    """Deliver committed outbox rows: at once when woken, otherwise every second."""
    services = application.bot_data.services
    delivery = make_delivery(application.bot, services)
    wakeup = application.bot_data.outbox_wakeup
    while not stop.is_set():
        wakeup.clear()
        try:
            stats = await delivery.deliver_due(limit=OUTBOX_BATCH)
        except Exception as error:
            log_failure(log, "outbox delivery pass", error)
            await pause(OUTBOX_ERROR_PAUSE_SECONDS, stop)
            continue
        if stats.paused_until is not None:
            wait = (stats.paused_until - services.clock.now()).total_seconds()
            await pause(max(wait, 0.0), stop)
        elif stats.claimed == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(wakeup, stop), OUTBOX_IDLE_SECONDS)


async def email_loop(application: BotApplication, stop: asyncio.Event) -> None:
    """Beside the Telegram sender in `advisorybot run`: a pass every second until stopped."""
    services = application.bot_data.services
    delivery = EmailDelivery(
        services, bot_username=application.bot.username, files=BotFiles(application.bot)
    )
    warned = False
    while not stop.is_set():
        try:
            stats = await delivery.deliver_due()
        except Exception as error:
            log_failure(log, "e-mail delivery pass", error)
            await pause(OUTBOX_ERROR_PAUSE_SECONDS, stop)
            continue
        if not warned:
            warned = warn_missing(stats)
        if stats.claimed == 0:
            await pause(OUTBOX_IDLE_SECONDS, stop)


async def _tick_job(context: BotContext) -> None:
    """The periodic tick (APScheduler): a pass, then wake the sender if it left work."""
    assert context.job is not None
    leader = context.job.data
    assert isinstance(leader, Leader)
    done = await tick_pass(context.services, leader)
    if done is not None and (done.stats.enqueued or done.routed):
        context.wake_outbox()
    memory.after_tick()  # in every instance: the cycles are the intake's and the sender's too


class TickPass(NamedTuple):
    routed: int  # questions that waited for an adviser, routed now
    stats: TickStats


async def tick_pass(services: Services, leader: Leader) -> TickPass | None:
    """Route questions that waited for an adviser, enqueue what is due; in the instance that
    holds the tick's lock only (None in the others, and not timed there)."""
    if not await leader.holds():
        return None
    return await _pass(services)


@metrics.timed_tick
async def _pass(services: Services) -> TickPass:
    routed = await route_unrouted(services)
    stats = await run_tick(services, all_rules(services.settings), services.clock.now())
    metrics.tick_rows(stats)
    return TickPass(routed, stats)


async def _retention_job(context: BotContext) -> None:
    """Retention (reminders/retention.py): a pass when the day's is due, in bounded batches;
    the job looks every minute, the pass runs once a day unless the last one left work."""
    assert context.job is not None
    daily = context.job.data
    assert isinstance(daily, DailyRetention)
    now = context.services.clock.now()
    if daily.due(now):
        daily.passed(now, await run_retention(context.services, now))


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
