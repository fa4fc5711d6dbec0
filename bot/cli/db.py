"""`advisorybot db upgrade`: bring the schema to the current revision."""

from __future__ import annotations

import typer

from bot.cli.common import state
from bot.cli.help import help_text
from core.services import Services
from storage.migrate import current_revision, upgrade

db_app = typer.Typer(help=help_text("db"), no_args_is_help=True)


@db_app.command("upgrade", help=help_text("db.upgrade"))
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the newest revision."""
    cli = state(ctx)

    async def _work(services: Services) -> str | None:
        await upgrade(services.engine)
        return await current_revision(services.engine)

    revision = cli.run(_work, check_schema=False)
    cli.say("cli/messages.txt.j2", "db_upgraded", revision=revision)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
