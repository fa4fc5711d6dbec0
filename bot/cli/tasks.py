"""`advisorybot extend TERYT TASK YYYY-MM-DD`: one JST's new deadline; its team is told."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import OperatorError, state
from bot.cli.help import help_text
from core.days import parse_day
from core.services import Services
from notices.tasks import announce
from storage.tasks.transitions import TaskRefused, extend_deadline
from storage.tasks.views import TaskChange

MESSAGES = "cli/tasks.txt.j2"


def extend(
    ctx: typer.Context,
    teryt: Annotated[str, typer.Argument(help=help_text("extend.teryt"))],
    task: Annotated[str, typer.Argument(help=help_text("extend.task"))],
    until: Annotated[str, typer.Argument(help=help_text("extend.until"))],
) -> None:
    """Extend one JST's deadline for a task; its reminders follow the new date."""
    cli = state(ctx)
    day = parse_day(until)
    if day is None:
        cli.fail("bad_date", template=MESSAGES, value=until)

    async def _work(services: Services) -> TaskChange:
        now = services.clock.now()
        today = now.astimezone(services.settings.zone).date()
        async with services.sessionmaker.begin() as session:
            try:
                change = await extend_deadline(
                    session, teryt=teryt, code=task, until=day, adviser_id=None, today=today,
                    now=now, source=None,
                )  # fmt: skip
            except TaskRefused as refused:
                raise OperatorError(
                    MESSAGES, "refused", reason=refused.reason, details=refused.params
                ) from None
            await announce(session, services, change, today=today)
            return change

    cli.say(MESSAGES, "extended", change=cli.run(_work))


def register(app: typer.Typer) -> None:
    app.command("extend", help=help_text("extend"))(extend)
