"""`advisorybot run`: the whole bot in one process."""

from __future__ import annotations

import functools
import hashlib
import hmac
from urllib.parse import urlparse

import typer

from bot.app import Intake, build_application, serve
from bot.cli.common import state
from bot.cli.help import help_text
from bot.intake import poll, serve_webhook
from core.logging_setup import setup_logging
from core.services import Services
from core.settings import NOTICE_SETTINGS
from storage.chat_turns import ChatTurns


def _webhook_secret(token: str) -> str:
    """Derived from the token, so a webhook needs no extra configuration; never logged."""
    return hmac.new(token.encode(), b"advisorybot-webhook", hashlib.sha256).hexdigest()


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
    setup_logging(cli.secrets())

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
        await serve(build_application(services), intake)

    cli.run(_serve)


def register(app: typer.Typer) -> None:
    app.command("run", help=help_text("run"))(run)
