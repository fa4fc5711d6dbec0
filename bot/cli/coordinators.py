"""`advisorybot coordinator scope EMAIL [--cohort C]... [--all]`: the cohorts a coordinator's
weekly digest covers (storage/coordinator_scope.py); with no option, what it covers now."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import OperatorError, state
from bot.cli.help import help_text
from core.services import Services
from storage.cohorts import find_cohort
from storage.coordinator_scope import coordinator_cohorts, set_coordinator_cohorts
from storage.models import Cohort, Person, Role

MESSAGES = "cli/coordinator.txt.j2"
coordinator_app = typer.Typer(help=help_text("coordinator"), no_args_is_help=True)


@coordinator_app.command("scope", help=help_text("coordinator.scope"))
def scope(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help=help_text("coordinator.scope.email"))],
    cohorts: Annotated[
        list[str] | None, typer.Option("--cohort", help=help_text("coordinator.scope.cohorts"))
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help=help_text("coordinator.scope.every"))
    ] = False,
) -> None:
    """Show or set the cohorts a coordinator's weekly digest covers (none: every cohort)."""
    cli = state(ctx)
    if cohorts and every:
        cli.fail("cohort_or_all", template=MESSAGES)
    actor = cli.operator()

    async def _work(services: Services) -> tuple[list[str] | None, bool]:
        async with services.sessionmaker.begin() as session:
            coordinator = await _coordinator(session, email)
            changed = False
            if cohorts or every:
                ids = [(await _cohort(session, name)).id for name in cohorts or ()]
                changed = await set_coordinator_cohorts(
                    session, coordinator.id, ids or None, now=services.clock.now(), actor=actor
                )
            return await _names(session, coordinator.id), changed

    names, changed = cli.run(_work)
    cli.say(MESSAGES, "scope", email=email, cohorts=names, changed=changed)


async def _coordinator(session: AsyncSession, email: str) -> Person:
    found = await session.scalar(
        select(Person).where(
            Person.email == email.strip().lower(),
            Person.role == Role.COORDINATOR,
            Person.erased_at.is_(None),
        )
    )
    if found is None:
        raise OperatorError(MESSAGES, "not_a_coordinator", email=email)
    return found


async def _cohort(session: AsyncSession, name: str) -> Cohort:
    found = await find_cohort(session, name)
    if found is None:
        raise OperatorError(MESSAGES, "unknown_cohort", cohort=name)
    return found


async def _names(session: AsyncSession, coordinator_id: int) -> list[str] | None:
    """The names of the cohorts covered, in order; None: every cohort."""
    ids = await coordinator_cohorts(session, coordinator_id)
    if ids is None:
        return None
    return list(
        await session.scalars(select(Cohort.name).where(Cohort.id.in_(ids)).order_by(Cohort.name))
    )


def register(app: typer.Typer) -> None:
    app.add_typer(coordinator_app, name="coordinator")
