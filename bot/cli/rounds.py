"""`advisorybot cohort event set/list/clear`: the training rounds (zjazdy) of a cohort as dated
events; their members are reminded before each and told when one changes."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.cohort import cohort_app
from bot.cli.common import CliState, OperatorError, state
from bot.cli.help import help_text
from core.days import parse_day
from core.services import Services
from storage.cohorts import find_cohort
from storage.models import Cohort, RoundMode
from storage.round_views import RoundView, cohort_rounds
from storage.rounds import RoundChange, RoundDetails, RoundRefused, clear_round, set_round

MESSAGES = "cli/rounds_messages.txt.j2"
PAGE = "cli/rounds.txt.j2"
# 10:00, 9.30, or a span: 10:00-15:30
TIMES = re.compile(r"^(\d{1,2})[:.](\d{2})(?:\s*[-–]\s*(\d{1,2})[:.](\d{2}))?$")

event_app = typer.Typer(help=help_text("cohort.event"), no_args_is_help=True)


@event_app.command("set", help=help_text("cohort.event.set"))
def event_set(
    ctx: typer.Context,
    cohort: Annotated[str, typer.Argument(help=help_text("cohort.event.set.cohort"))],
    code: Annotated[str, typer.Argument(help=help_text("cohort.event.set.code"))],
    day: Annotated[str, typer.Argument(help=help_text("cohort.event.set.day"))],
    *,
    time: Annotated[
        str | None, typer.Option("--time", help=help_text("cohort.event.set.time"))
    ] = None,
    place: Annotated[
        str | None, typer.Option("--place", help=help_text("cohort.event.set.place"))
    ] = None,
    online: Annotated[
        str | None, typer.Option("--online", help=help_text("cohort.event.set.online"))
    ] = None,
    bring: Annotated[
        str | None, typer.Option("--bring", help=help_text("cohort.event.set.bring"))
    ] = None,
) -> None:
    """Date a training round, or change its date, time or place."""
    cli = state(ctx)
    held_on = parse_day(day)
    if held_on is None:
        cli.fail("bad_date", template=MESSAGES, value=day)
    if place is not None and online is not None:
        cli.fail("place_and_online", template=MESSAGES)
    start, end = _times(cli, time)
    mode = RoundMode.ONLINE if online is not None else (RoundMode.ON_SITE if place else None)
    details = RoundDetails(held_on, start, end, mode, place, online, bring)
    change = cli.run(functools.partial(_set, cohort=cohort, code=code, details=details, cli=cli))
    for reason, params in change.warnings:
        cli.say(MESSAGES, f"warn_{reason}", err=True, **params)
    cli.say(MESSAGES, "set", round=change.round, told=change.told)


async def _set(
    services: Services, *, cohort: str, code: str, details: RoundDetails, cli: CliState
) -> RoundChange:
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        found = await _cohort(session, cohort)
        try:
            return await set_round(
                session,
                found,
                code,
                details,
                now=now,
                today=now.astimezone(services.settings.zone).date(),
                actor=cli.operator(),
            )
        except RoundRefused as refused:
            raise OperatorError(MESSAGES, refused.reason, **refused.params) from None


@event_app.command("list", help=help_text("cohort.event.list"))
def event_list(
    ctx: typer.Context,
    cohort: Annotated[str, typer.Argument(help=help_text("cohort.event.list.cohort"))],
) -> None:
    """Every training round of a cohort: its phase, and its date and place once set."""
    cli = state(ctx)

    async def _work(services: Services) -> tuple[str, list[RoundView]]:
        async with services.sessionmaker() as session:
            found = await _cohort(session, cohort)
            return found.name, await cohort_rounds(session, found.id)

    name, rounds = cli.run(_work)
    cli.show(PAGE, cohort=name, rounds=rounds)


@event_app.command("clear", help=help_text("cohort.event.clear"))
def event_clear(
    ctx: typer.Context,
    cohort: Annotated[str, typer.Argument(help=help_text("cohort.event.clear.cohort"))],
    code: Annotated[str, typer.Argument(help=help_text("cohort.event.clear.code"))],
) -> None:
    """Take a round's date back; its members are told if it was still ahead."""
    cli = state(ctx)

    async def _work(services: Services) -> RoundView:
        async with services.sessionmaker.begin() as session:
            found = await _cohort(session, cohort)
            try:
                return await clear_round(
                    session, found, code, now=services.clock.now(), actor=cli.operator()
                )
            except RoundRefused as refused:
                raise OperatorError(MESSAGES, refused.reason, **refused.params) from None

    cli.say(MESSAGES, "cleared", round=cli.run(_work))


async def _cohort(session: AsyncSession, name: str) -> Cohort:
    found = await find_cohort(session, name)
    if found is None:
        raise OperatorError(MESSAGES, "unknown_cohort", cohort=name)
    return found


def _times(cli: CliState, value: str | None) -> tuple[dt.time | None, dt.time | None]:
    """`--time 10:00` or `--time 10:00-15:30`, local wall-clock times; or a refusal."""
    if value is None:
        return None, None
    found = TIMES.match(value.strip())
    try:
        if found is None:
            raise ValueError(value)
        hour, minute, end_hour, end_minute = found.groups()
        start = dt.time(int(hour), int(minute))
        end = None if end_hour is None else dt.time(int(end_hour), int(end_minute))
    except ValueError:
        cli.fail("bad_time", template=MESSAGES, value=value)
    return start, end


def register(app: typer.Typer) -> None:
    cohort_app.add_typer(event_app, name="event")
