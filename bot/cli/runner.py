"""`advisorybot run`: the whole bot in one process."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse

import typer

from bot.app import Intake, build_application, serve
from bot.cli.common import ERRORS, OperatorError, state
from bot.cli.help import help_text
from bot.intake import poll, serve_webhook
from bot.ops_http import OpsEndpoint
from core.logging_setup import setup_logging
from core.services import Services
from core.settings import NOTICE_SETTINGS
from storage.chat_turns import ChatTurns


def _webhook_secret(token: str) -> str:
    """Derived from the token, so a webhook needs no extra configuration; never logged."""
    return hmac.new(token.encode(), b"advisorybot-webhook", hashlib.sha256).hexdigest()


async def _start(start: Callable[[], Awaitable[object]], error: str, listen: str) -> None:
    """Start a server of `run` beside the bot; an address taken stops `run` saying which."""
    try:
        await start()
    except OSError as failed:
        reason = failed.strerror or type(failed).__name__
        raise OperatorError(ERRORS, error, listen=listen, reason=reason) from None


def run(
    ctx: typer.Context,
    webhook_url: str | None = typer.Option(None, help=help_text("run.webhook_url")),
    listen: str = typer.Option("127.0.0.1", help=help_text("run.listen")),
    port: int = typer.Option(8443, help=help_text("run.port")),
) -> None:
    """Run the bot: Telegram (long polling, or a webhook) and the outbox sender."""
    cli = state(ctx)
    token = cli.token()
    cli.require(*NOTICE_SETTINGS)  # the information notice names them
    settings = cli.settings()
    setup_logging(cli.secrets(), settings.log_level, settings.log_format)

    async def _serve(services: Services) -> None:
        intake: Intake = poll
        if webhook_url is not None:
            intake = functools.partial(
                serve_webhook,
                webhook_url=webhook_url,
                listen=listen,
                port=port,
                url_path=urlparse(webhook_url).path.strip("/") or "telegram",
                secret=_webhook_secret(token),
                turns=ChatTurns(services.engine),  # several instances: a chat's turn
            )
        application = build_application(services)
        settings = services.settings
        async with contextlib.AsyncExitStack() as servers:
            if settings.ops_address is not None:
                ops = OpsEndpoint(application, *settings.ops_address)
                await _start(ops.start, "ops_listen_failed", settings.ops_listen)
                servers.push_async_callback(ops.stop)
            if settings.web_address is not None:
                from web.server import beside_bot  # noqa: PLC0415 - only when WEB_LISTEN is set

                view = beside_bot(application, *settings.web_address)
                await _start(view.start, "web_listen_failed", settings.web_listen)
                servers.push_async_callback(view.stop)
            await serve(application, intake)

    cli.run(_serve)


def register(app: typer.Typer) -> None:
    app.command("run", help=help_text("run"))(run)
