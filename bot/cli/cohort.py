"""`advisorybot cohort add/show/list`: start the programme for a group of JSTs, see its dates."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.common import CliState, OperatorError, state
from bot.cli.help import help_text
from core.services import Services
from storage.cohorts import CohortRefused, add_cohort, cohort_steps, find_cohort, list_cohorts
from storage.models import Cohort, ProgrammeStep
from storage.programme import TRAINING, default_template_path, template_from_dict
from storage.programme_calendar import programme_end
from storage.programme_errors import TemplateError
from storage.round_views import RoundView, cohort_rounds

MESSAGES = "cli/cohort_messages.txt.j2"
PAGE = "cli/cohort.txt.j2"
ACTOR = "operator"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

cohort_app = typer.Typer(help=help_text("cohort"), no_args_is_help=True)


@cohort_app.command("add", help=help_text("cohort.add"))
def cohort_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=help_text("cohort.add.name"))],
    start: Annotated[str, typer.Option("--start", help=help_text("cohort.add.start"))],
    template: Annotated[
        Path | None, typer.Option("--template", help=help_text("cohort.add.template"))
    ] = None,
) -> None:
    """Add a cohort: store its computed calendar."""
    cli = state(ctx)
    start_date = _parse_date(cli, start)
    path = template or default_template_path()

    async def _work(services: Services) -> dict[str, Any]:
        async with services.sessionmaker.begin() as session:
            try:
                cohort = await add_cohort(
                    session, name, start_date, path, now=services.clock.now(), actor=ACTOR
                )
            except CohortRefused as refused:
                raise OperatorError(MESSAGES, refused.reason, **refused.params) from None
            except TemplateError as error:
                raise OperatorError(
                    MESSAGES,
                    "template_error",
                    path=str(error.path),
                    line=error.line,
                    reason=error.reason,
                    params=error.params,
                ) from None
            return _calendar(cohort, await cohort_steps(session, cohort.id))

    cli.say(MESSAGES, "added", cohort=cli.run(_work))


@cohort_app.command("show", help=help_text("cohort.show"))
def cohort_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=help_text("cohort.show.name"))],
    as_json: Annotated[
        bool, typer.Option("--json", help=help_text("cohort.show.as_json"))
    ] = False,
) -> None:
    """Print a cohort's calendar."""
    cli = state(ctx)

    async def _work(services: Services) -> dict[str, Any]:
        async with services.sessionmaker() as session:
            cohort = await find_cohort(session, name)
            if cohort is None:
                raise OperatorError(MESSAGES, "unknown", cohort=name)
            rounds = await cohort_rounds(session, cohort.id)
            return _calendar(cohort, await cohort_steps(session, cohort.id), rounds)

    calendar = cli.run(_work)
    if as_json:
        typer.echo(json.dumps(calendar, default=dt.date.isoformat, ensure_ascii=False, indent=2))
    else:
        cli.show(PAGE, cohort=calendar)


@cohort_app.command("list", help=help_text("cohort.list"))
def cohort_list(ctx: typer.Context) -> None:
    """List the cohorts."""
    cli = state(ctx)

    async def _work(services: Services) -> list[dict[str, Any]]:
        async with services.sessionmaker() as session:
            return [_summary(cohort) for cohort in await list_cohorts(session)]

    cli.say(MESSAGES, "cohorts", cohorts=cli.run(_work))


def _parse_date(cli: CliState, value: str) -> dt.date:
    """A calendar date written exactly as YYYY-MM-DD, or a refusal."""
    if ISO_DATE.match(value):
        with suppress(ValueError):
            return dt.date.fromisoformat(value)
    cli.fail("bad_date", template=MESSAGES, value=value)


def _summary(cohort: Cohort) -> dict[str, Any]:
    """A cohort as plain data: name, template, first and last day, length in months."""
    template = template_from_dict(cohort.template)
    return {
        "name": cohort.name,
        "template": template.code,
        "title_pl": template.title_pl,
        "title_en": template.title_en,
        "start": cohort.start_date,
        "end": programme_end(template, cohort.start_date),
        "months": template.months,
    }


def _calendar(
    cohort: Cohort, steps: list[ProgrammeStep], rounds: Sequence[RoundView] = ()
) -> dict[str, Any]:
    """A cohort and its steps as plain data (dates stay dates; JSON makes them ISO); a training
    round's step with its event (`round`: null until dated)."""
    dated = {r.code: _round_row(r) for r in rounds if r.held_on is not None}
    rows = [
        {
            "position": step.position,
            "code": step.code,
            "kind": step.kind,
            "title_pl": step.title_pl,
            "title_en": step.title_en,
            "starts_on": step.starts_on,
            "ends_on": step.ends_on,
            "due_on": step.due_on,
        }
        | ({"round": dated.get(step.code)} if step.kind == TRAINING else {})
        for step in steps
    ]
    return {**_summary(cohort), "steps": rows}


def _round_row(found: RoundView) -> dict[str, Any]:
    """A dated round's event: when, where, what to bring."""
    names = ("held_on", "start_time", "end_time", "mode", "place", "link", "bring")
    return {name: getattr(found, name) for name in names}


def register(app: typer.Typer) -> None:
    app.add_typer(cohort_app, name="cohort")
