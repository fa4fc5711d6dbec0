"""`advisorybot erase EMAIL` (GDPR Art. 17) and `advisorybot erasure list`.

`erase` shows whom it is about and asks before anything changes. Then, in two steps: the
request becomes `confirming` and the person's confirmation is queued (Telegram if it reaches
them, and e-mail) and delivered at once (Telegram through the bot when its token is set, or by
the running bot); once every part of it has gone (or failed for good) the person is anonymised
and the request recorded as done. The data goes only after the confirmation, which needs the
address and the chat. A confirmation still on its way after CONFIRM_WAIT_SECONDS (Telegram or
the mail server down) leaves the request `confirming`: the same command run again finishes it,
without asking again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Annotated

import typer

from bot.cli.common import OperatorError, state
from bot.cli.help import help_text
from bot.cli.reminders import deliver_now
from core.services import Services
from notices.erasure import (
    ErasureChanged,
    confirmation_states,
    finish_erasure,
    settled,
    start_erasure,
)
from outbox.email_policy import SMTP_SETTINGS
from outbox.email_sender import deliver_emails
from storage.anonymise import Anonymised
from storage.audit import record_reads
from storage.db import flush_log
from storage.erasure_views import (
    ErasureTarget,
    ErasureView,
    erased_on,
    erasure_requests,
    erasure_target,
)
from storage.models import Channel, OutboxState

MESSAGES = "cli/erasure.txt.j2"
CONFIRM_WAIT_SECONDS = 30.0
POLL_SECONDS = 0.2
erasure_app = typer.Typer(help=help_text("erasure"))


@dataclass(frozen=True)
class Outcome:
    """What `erase` did: the request, where its confirmation is, what was anonymised (None:
    not yet, the confirmation is still on its way)."""

    request_id: int
    states: dict[Channel, list[OutboxState]]
    done: Anonymised | None


def erase(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help=help_text("erase.email"))],
    yes: Annotated[bool, typer.Option("--yes", help=help_text("erase.yes"))] = False,
) -> None:
    """Carry out an erasure request: confirm it to the person, then anonymise them."""
    cli = state(ctx)
    actor = cli.operator()
    target = cli.run(functools.partial(_target, email=email))
    cli.show("cli/erase_target.txt.j2", target=target)
    language = cli.settings().operator_language
    if not (target.under_way or yes):
        question = cli.templates().macro(language, MESSAGES, "prompt")
        if not typer.confirm(question, default=False):
            cli.say(MESSAGES, "aborted")
            raise typer.Exit(1)
    shown = target.request.request_id if target.request else None
    erase_it = functools.partial(_erase, person_id=target.person_id, shown=shown, actor=actor)
    outcome = cli.run(erase_it)
    states = {channel.value: [s.value for s in found] for channel, found in outcome.states.items()}
    if outcome.done is None:
        cli.say(MESSAGES, "waiting", number=outcome.request_id, states=states, email=email)
        return
    counts = outcome.done.as_json()
    cli.say(MESSAGES, "erased", number=outcome.request_id, states=states, counts=counts)


async def _target(services: Services, *, email: str) -> ErasureTarget:
    async with services.sessionmaker() as session:
        target = await erasure_target(session, email)
        if target is None:
            erased = await erased_on(session, email)
            if erased is not None:
                raise OperatorError(
                    MESSAGES, "already_erased", email=email.strip().lower(), at=erased
                )
            raise OperatorError("cli/errors.txt.j2", "unknown_person", email=email)
    services.settings.require(*SMTP_SETTINGS)  # the confirmation goes by e-mail too
    return target


async def _erase(services: Services, *, person_id: int, shown: int | None, actor: str) -> Outcome:
    """Confirm the request the operator was shown (none: one is recorded now), tell the
    person, and once that has gone, anonymise (each its own transaction)."""
    now = services.clock.now()
    today = now.astimezone(services.settings.zone).date()
    async with services.sessionmaker.begin() as session:
        try:
            request_id = await start_erasure(
                session, services.templates, person_id, shown, now=now, today=today, actor=actor
            )
        except ErasureChanged as changed:
            raise OperatorError(MESSAGES, "changed", email=str(changed)) from None
    await _deliver(services)
    states = await _confirmation(services, request_id)
    if not settled(states):
        return Outcome(request_id, states, None)
    async with services.sessionmaker.begin() as session:
        done = await finish_erasure(session, request_id, services.clock.now(), actor=actor)
    await flush_log(services.engine)
    return Outcome(request_id, states, done)


async def _deliver(services: Services) -> None:
    """Telegram through the bot when its token is set (else the running bot sends it), then
    e-mail; Telegram unreachable leaves its part waiting."""
    if services.settings.telegram_bot_token is None:
        await deliver_emails(services, services.settings.telegram_bot_username)
        return
    with contextlib.suppress(OperatorError):  # Telegram unreachable: the e-mails went
        await deliver_now(services)


async def _confirmation(services: Services, request_id: int) -> dict[Channel, list[OutboxState]]:
    """Where the confirmation is, once it has gone or after CONFIRM_WAIT_SECONDS (another
    sender, the running bot, may be sending it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CONFIRM_WAIT_SECONDS
    while True:
        async with services.sessionmaker() as session:
            states = await confirmation_states(session, request_id)
        if settled(states) or loop.time() >= deadline:
            return states
        await asyncio.sleep(POLL_SECONDS)


@erasure_app.command("list", help=help_text("erasure.list"))
def listing(ctx: typer.Context) -> None:
    """Open requests (nearest deadline first), then those done or withdrawn."""
    cli = state(ctx)
    actor = cli.operator()

    async def _work(services: Services) -> tuple[list[ErasureView], dt.date]:
        now = services.clock.now()
        async with services.sessionmaker.begin() as session:
            found = await erasure_requests(session, closed=True)
            shown = [view.person_id for view in found if view.email is not None]
            await record_reads(session, now, actor=actor, people=shown, via="erasure list")
        return found, now.astimezone(services.settings.zone).date()

    requests, today = cli.run(_work)
    cli.show("cli/erasure_list.txt.j2", requests=requests, today=today)


def register(app: typer.Typer) -> None:
    app.command("erase", help=help_text("erase"))(erase)
    app.add_typer(erasure_app, name="erasure")
