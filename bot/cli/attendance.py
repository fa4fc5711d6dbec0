"""`advisorybot attendance import|mark`: who attended a training round of a cohort."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import OperatorError, state
from bot.cli.help import help_text
from core.services import Services
from storage.attendance import (
    MarkCounts,
    Source,
    cohort_members,
    people_by_email,
    person_issue,
    record_attendance,
    training_rounds,
)
from storage.cohorts import find_cohort
from storage.imports.attendance import COLUMNS, OPTIONAL, check_attendance
from storage.imports.read import ImportFileError, read_rows
from storage.models import Cohort

ATTENDANCE = "cli/attendance.txt.j2"

attendance_app = typer.Typer(help=help_text("attendance"), no_args_is_help=True)


@dataclass(frozen=True)
class Recorded:
    """What a command recorded in a round: the counts, how many present and absent."""

    counts: MarkCounts
    present: int
    absent: int
    not_listed: int = 0


@attendance_app.command("import", help=help_text("attendance.import"))
def attendance_import(
    ctx: typer.Context,
    cohort: Annotated[str, typer.Argument(help=help_text("attendance.import.cohort"))],
    round_code: Annotated[str, typer.Argument(help=help_text("attendance.import.round_code"))],
    file: Annotated[Path, typer.Argument(help=help_text("attendance.import.file"))],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=help_text("attendance.import.dry_run"))
    ] = False,
) -> None:
    """Record a round's attendance from its list of signatures; importing it again changes
    nothing."""
    cli = state(ctx)
    try:
        rows = read_rows(file, cli.settings().import_max_rows, COLUMNS, OPTIONAL)
    except ImportFileError as error:
        if error.issues:
            cli.fail("refused", template=ATTENDANCE, errors=error.issues)
        cli.fail(error.code, template=ATTENDANCE, **error.params)
    actor = cli.operator()

    async def _work(services: Services) -> Recorded:
        async with services.sessionmaker() as session, session.begin() as transaction:
            found = await _cohort_round(session, services, cohort, round_code)
            plan = await check_attendance(session, rows, found)
            if plan.errors:
                raise OperatorError(ATTENDANCE, "refused", errors=plan.errors)
            recorded = await _record(session, services, round_code, plan.marks, actor=actor)
            members = await cohort_members(session, found.id)
            if dry_run:
                await transaction.rollback()
            return replace(recorded, not_listed=len(members - set(plan.marks)))

    result = cli.run(_work)
    cli.say(ATTENDANCE, "summary", result=result, round=round_code, cohort=cohort, dry_run=dry_run)


@attendance_app.command("mark", help=help_text("attendance.mark"))
def attendance_mark(
    ctx: typer.Context,
    cohort: Annotated[str, typer.Argument(help=help_text("attendance.mark.cohort"))],
    round_code: Annotated[str, typer.Argument(help=help_text("attendance.mark.round_code"))],
    emails: Annotated[list[str], typer.Argument(help=help_text("attendance.mark.emails"))],
    absent: Annotated[
        bool, typer.Option("--absent", help=help_text("attendance.mark.absent"))
    ] = False,
) -> None:
    """Mark team members present (or, with --absent, absent) in a round."""
    cli = state(ctx)
    actor = cli.operator()
    wanted = [email.strip().lower() for email in emails]

    async def _work(services: Services) -> Recorded:
        async with services.sessionmaker.begin() as session:
            found = await _cohort_round(session, services, cohort, round_code)
            people = await people_by_email(session, wanted)
            marks = {}
            for email in wanted:
                person = people.get(email)
                issue = await person_issue(session, person, found)
                if issue is not None:
                    raise OperatorError(
                        ATTENDANCE, "person_refused", email=email, code=issue.code, p=issue.params
                    )
                assert person is not None
                marks[person.id] = not absent
            return await _record(
                session, services, round_code, marks, actor=actor, source=Source.OPERATOR
            )

    result = cli.run(_work)
    cli.say(ATTENDANCE, "summary", result=result, round=round_code, cohort=cohort, dry_run=False)


async def _cohort_round(
    session: AsyncSession, services: Services, name: str, round_code: str
) -> Cohort:
    """The cohort, once it is sure `round_code` is one of its rounds and has begun."""
    cohort = await find_cohort(session, name)
    if cohort is None:
        raise OperatorError(ATTENDANCE, "unknown_cohort", cohort=name)
    rounds = {step.code: step for step in await training_rounds(session, cohort.id)}
    step = rounds.get(round_code)
    if step is None:
        raise OperatorError(
            ATTENDANCE, "unknown_round", round=round_code, cohort=name, rounds=list(rounds)
        )
    today = services.clock.now().astimezone(services.settings.zone).date()
    if step.starts_on > today:
        starts = step.starts_on
        raise OperatorError(ATTENDANCE, "round_not_started", round=round_code, starts=starts)
    return cohort


async def _record(
    session: AsyncSession,
    services: Services,
    round_code: str,
    marks: dict[int, bool],
    *,
    actor: str,
    source: Source = Source.IMPORT,
) -> Recorded:
    now: dt.datetime = services.clock.now()
    counts = await record_attendance(
        session, round_code, marks, source=source, actor=actor, now=now
    )
    present = sum(marks.values())
    return Recorded(counts, present, len(marks) - present)


def register(app: typer.Typer) -> None:
    app.add_typer(attendance_app, name="attendance")
