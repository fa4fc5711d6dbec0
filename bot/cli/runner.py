"""`advisorybot run`: the bot process (Telegram comes with the next issue)."""

from __future__ import annotations

import typer

from bot.cli.common import state


def run(ctx: typer.Context) -> None:
    """Run the bot: Telegram polling, the periodic tick and the outbox sender."""
    cli = state(ctx)
    cli.token()


def register(app: typer.Typer) -> None:
    app.command("run")(run)
