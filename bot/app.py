"""The one place the Telegram Application is assembled; registration order is visible here."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes

from bot.context import BotApplication, BotContext, BotData
from bot.services import Services
from bot.telegram_delivery import TelegramDelivery
from handlers import commands, fallback, gate, onboarding, privacy, team

log = logging.getLogger(__name__)
OUTBOX_BATCH = 50
OUTBOX_IDLE_SECONDS = 1.0
OUTBOX_ERROR_PAUSE_SECONDS = 5.0
RATE_LIMIT_RETRIES = 2


def build_application(services: Services) -> BotApplication:
    """An Application from settings: rate-limited, in-order per chat, pointed at any Bot API."""
    settings = services.settings
    base = str(settings.telegram_api_base_url).rstrip("/")
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(False)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .build()
    )
    application.bot_data.services = services
    gate.register(application)
    onboarding.register(application)
    team.register(application)
    privacy.register(application)
    fallback.register(application)  # last: it takes what nothing else did
    return application


async def _post_init(application: BotApplication) -> None:
    try:
        await commands.publish_default_commands(application)
    except TelegramError as error:
        log.warning("could not publish the default commands: %s", error)
    application.bot_data.sender = asyncio.create_task(_outbox_loop(application))


async def _post_stop(application: BotApplication) -> None:
    sender = application.bot_data.sender
    if sender is not None:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender


async def _outbox_loop(application: BotApplication) -> None:
    """Deliver committed outbox rows: at once when woken, otherwise every second."""
    services = application.bot_data.services
    delivery = TelegramDelivery(application.bot, services.sessionmaker, services.clock)
    wakeup = application.bot_data.outbox_wakeup
    while True:
        wakeup.clear()
        try:
            stats = await delivery.deliver_due(limit=OUTBOX_BATCH)
        except Exception:
            log.exception("outbox delivery pass failed")
            await asyncio.sleep(OUTBOX_ERROR_PAUSE_SECONDS)
            continue
        if stats.claimed >= OUTBOX_BATCH:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), OUTBOX_IDLE_SECONDS)


def run_polling(application: BotApplication) -> None:
    """Long polling; pending updates are never dropped, SIGINT/SIGTERM stop cleanly."""
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


def run_webhook(
    application: BotApplication,
    *,
    webhook_url: str,
    listen: str,
    port: int,
    secret: str,
    url_path: str,
) -> None:
    """Webhook mode: Telegram's secret header is checked on every request."""
    application.run_webhook(
        listen=listen,
        port=port,
        url_path=url_path,
        webhook_url=webhook_url,
        secret_token=secret,
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
    )
