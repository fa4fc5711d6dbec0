"""`advisorybot material submit`: a preparation material handed in for the experts' review on a
coordinator's behalf (links and a note: Telegram files come through /materialy); the experts are
told as they are when it comes from the bot."""

from __future__ import annotations

import functools
from typing import Annotated

import typer
from sqlalchemy import select

from bot.cli.common import OperatorError, state
from bot.cli.help import help_text
from core.services import Services
from notices.materials import announce_material
from storage.materials.loop import MaterialRefused, Origin, submit_material
from storage.materials.views import MaterialChange
from storage.models import Cohort, Person
from storage.tasks.rows import TaskRefused
from storage.tasks.views import Evidence

MESSAGES = "cli/materials.txt.j2"

material_app = typer.Typer(help=help_text("material"), no_args_is_help=True)


@material_app.command("submit", help=help_text("material.submit"))
def material_submit(  # noqa: PLR0917 - the command's options
    ctx: typer.Context,
    cohort: Annotated[str, typer.Option("--cohort", help=help_text("material.submit.cohort"))],
    by: Annotated[str, typer.Option("--by", help=help_text("material.submit.by"))],
    title: Annotated[str, typer.Option("--title", help=help_text("material.submit.title"))],
    kind: Annotated[str, typer.Option("--kind", help=help_text("material.submit.kind"))],
    link: Annotated[
        list[str] | None, typer.Option("--link", help=help_text("material.submit.link"))
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help=help_text("material.submit.note"))
    ] = None,
) -> None:
    """Hand in a material for the experts' review on a coordinator's behalf."""
    cli = state(ctx)
    pieces = [Evidence("link", url) for url in link or ()]
    pieces += [Evidence("text", note)] if note else []
    work = functools.partial(
        _submit,
        cohort=cohort,
        by=by,
        title=title,
        kind=kind,
        pieces=tuple(pieces),
        operator=cli.operator(),
    )
    cli.say(MESSAGES, "submitted", change=cli.run(work))


async def _submit(
    services: Services,
    *,
    cohort: str,
    by: str,
    title: str,
    kind: str,
    pieces: tuple[Evidence, ...],
    operator: str,
) -> MaterialChange:
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        found = await session.scalar(select(Cohort.id).where(Cohort.name == cohort))
        person = await session.scalar(select(Person.id).where(Person.email == by.strip().lower()))
        try:
            if found is None:
                raise MaterialRefused("unknown_cohort", cohort=cohort)
            change = await submit_material(
                session,
                cohort_id=found,
                title=title,
                kind=kind,
                pieces=pieces,
                origin=Origin(
                    person,
                    now,
                    now.astimezone(services.settings.zone).date(),
                    None,
                    operator=operator,
                ),
            )
        except TaskRefused as refused:
            raise OperatorError(
                MESSAGES, "refused", reason=refused.reason, details=refused.params
            ) from None
        await announce_material(session, services, change)
        return change


def register(app: typer.Typer) -> None:
    app.add_typer(material_app, name="material")
