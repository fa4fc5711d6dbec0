"""`advisorybot retention preview [--now]`: what the retention schedule removes, and when."""

from __future__ import annotations

import typer

from bot.cli.common import state
from bot.cli.help import help_text
from bot.cli.reminders import parse_moment
from core.clock import FixedClock, SystemClock
from core.services import Services
from reminders.retention import Schedule
from reminders.retention_preview import Going, retention_preview

retention_app = typer.Typer(help=help_text("retention"))


@retention_app.command("preview", help=help_text("retention.preview"))
def preview(
    ctx: typer.Context,
    now: str | None = typer.Option(None, help=help_text("retention.preview.now")),
) -> None:
    """By day, kind and cohort: how many rows go (counts only, no personal data)."""
    cli = state(ctx)
    clock = FixedClock(parse_moment(now, cli)) if now else SystemClock()

    async def _work(services: Services) -> list[Going]:
        return await retention_preview(services, services.clock.now())

    rows = cli.run(_work, clock=clock)
    schedule = Schedule.of(cli.settings())
    cli.show("cli/retention_preview.txt.j2", rows=rows, schedule=schedule)


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
