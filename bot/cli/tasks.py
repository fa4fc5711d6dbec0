"""`advisorybot extend TERYT TASK YYYY-MM-DD`: one JST's new deadline; its team is told."""

from __future__ import annotations

import datetime as dt
import functools
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
    change = cli.run(functools.partial(_extend, teryt=teryt, code=task, until=day))
    cli.say(MESSAGES, "extended", change=change)


async def _extend(services: Services, *, teryt: str, code: str, until: dt.date) -> TaskChange:
    """The operator's extension (no adviser, no update to replay), told to the team."""
    now = services.clock.now()
    today = now.astimezone(services.settings.zone).date()
    async with services.sessionmaker.begin() as session:
        try:
            change = await extend_deadline(
                session,
                teryt=teryt,
                code=code,
                until=until,
                adviser_id=None,
                today=today,
                now=now,
                source=None,
            )
        except TaskRefused as refused:
            raise OperatorError(
                MESSAGES, "refused", reason=refused.reason, details=refused.params
            ) from None
        await announce(session, services, change, today=today)
        return change


def register(app: typer.Typer) -> None:
    app.command("extend", help=help_text("extend"))(extend)
