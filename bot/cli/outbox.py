"""`advisorybot outbox`: what waits to be sent or has failed, and `outbox retry ID`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from bot.cli.common import OperatorError, state
from bot.cli.help import help_text
from core.services import Services
from outbox.queue import PayloadExpired, requeue_failed, rows_in
from storage.audit import record_reads
from storage.models import OutboxState

MESSAGES = "cli/outbox.txt.j2"
LISTING_LIMIT = 200
outbox_app = typer.Typer(help=help_text("outbox"))


class Shown(StrEnum):
    """Which rows the listing shows; the default is pending and failed ones."""

    PENDING = "pending"
    FAILED = "failed"
    ALL = "all"


STATES = {
    None: (
        OutboxState.PENDING,
        OutboxState.CLAIMED,
        OutboxState.SENDING,
        OutboxState.UNCONFIRMED,
        OutboxState.FAILED,
    ),
    Shown.PENDING: (OutboxState.PENDING, OutboxState.CLAIMED, OutboxState.SENDING),
    Shown.FAILED: (OutboxState.FAILED, OutboxState.UNCONFIRMED),  # both may need a look
    Shown.ALL: tuple(OutboxState),
}


@outbox_app.callback(invoke_without_command=True)
def listing(
    ctx: typer.Context,
    shown: Annotated[
        Shown | None,
        typer.Option("--state", help=help_text("outbox.shown")),
    ] = None,
) -> None:
    """List outbox rows, newest first: channel, kind, person, tries, next try, last error."""
    if ctx.invoked_subcommand is not None:
        return
    cli = state(ctx)
    actor = cli.operator()

    async def _work(services: Services) -> list[dict[str, Any]]:
        async with services.sessionmaker.begin() as session:
            found = await rows_in(session, STATES[shown], limit=LISTING_LIMIT)
            named = [p.id for _, p in found if p is not None and p.erased_at is None]
            now = services.clock.now()
            await record_reads(session, now, actor=actor, people=named, via="outbox")
        return [
            {
                "id": row.id,
                "state": row.state.value,
                "channel": row.channel.value,
                "kind": row.kind,
                "person": person.full_name if person is not None else None,
                "person_id": row.person_id,
                "attempts": row.attempts,
                "next_at": row.next_attempt_at,
                "error": row.last_error,
            }
            for row, person in found
        ]

    cli.show("cli/outbox_rows.txt.j2", rows=cli.run(_work), limit=LISTING_LIMIT)


LARGEST_ID = 2**31 - 1  # row ids are INTEGER, 32 bits in PostgreSQL: a larger one is no row


@outbox_app.command("retry", help=help_text("outbox.retry"))
def retry(
    ctx: typer.Context,
    row_ids: Annotated[
        list[int], typer.Argument(min=1, max=LARGEST_ID, help=help_text("outbox.retry.row_ids"))
    ],
) -> None:
    """Put failed rows back to be sent now, with a fresh allowance of tries."""
    cli = state(ctx)
    actor = cli.operator()

    async def _work(services: Services) -> None:
        now = services.clock.now()
        async with services.sessionmaker.begin() as session:
            for row_id in row_ids:
                try:
                    before = await requeue_failed(session, row_id, now=now, actor=actor)
                except PayloadExpired:
                    raise OperatorError(MESSAGES, "expired", row_id=row_id) from None
                if before is None:
                    raise OperatorError(MESSAGES, "unknown_row", row_id=row_id)
                if before is not OutboxState.FAILED:
                    raise OperatorError(MESSAGES, "not_failed", row_id=row_id, state=before.value)

    cli.run(_work)
    cli.say(MESSAGES, "requeued", count=len(row_ids))


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
