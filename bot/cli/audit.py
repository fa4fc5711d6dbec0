"""`advisorybot audit PERSON`: who read or changed one person's data, when and how.

PERSON is an e-mail or a person's number (as `erasure list` and `outbox` show it). An erased
person is found by their former e-mail too: their row keeps a digest of it
(storage.people.erased_address), never the address. Looking is itself recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import OperatorError, state
from bot.cli.help import help_text
from core.services import Services
from storage.audit import about_person, record_reads
from storage.models import Person
from storage.people import erased_address

MESSAGES = "cli/audit.txt.j2"
LARGEST_ID = 2**31 - 1


@dataclass(frozen=True)
class Subject:
    """The person the entries are about: no name or address once erased."""

    person_id: int
    name: str | None
    email: str | None
    erased_at: Any


def audit(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help=help_text("audit.person"))],
) -> None:
    """List every audit entry about one person, oldest first."""
    cli = state(ctx)
    actor = cli.operator()

    async def _work(services: Services) -> tuple[Subject, list[dict[str, Any]]]:
        now = services.clock.now()
        async with services.sessionmaker.begin() as session:
            found = await _person(session, person)
            if found is None:
                raise OperatorError(MESSAGES, "unknown", person=person)
            entries = [
                {
                    "at": entry.at,
                    "actor": entry.actor,
                    "action": entry.action,
                    "details": entry.details,
                }
                for entry in await about_person(session, found.id)
            ]
            subject = Subject(
                found.id,
                None if found.erased_at else found.full_name,
                None if found.erased_at else found.email,
                found.erased_at,
            )
            if found.erased_at is None:
                await record_reads(session, now, actor=actor, people=[found.id], via="audit")
        return subject, entries

    subject, entries = cli.run(_work)
    cli.show("cli/audit_entries.txt.j2", subject=subject, entries=entries)


async def _person(session: AsyncSession, given: str) -> Person | None:
    """By number, by e-mail, or by the e-mail an erased person had."""
    text = given.strip()
    if text.isascii() and text.isdigit():
        number = int(text)
        return await session.get(Person, number) if 0 < number <= LARGEST_ID else None
    address = text.lower()
    return await session.scalar(
        select(Person).where(Person.email.in_((address, erased_address(address))))
    )


def register(app: typer.Typer) -> None:
    app.command("audit", help=help_text("audit"))(audit)
