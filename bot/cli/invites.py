"""`advisorybot invites`: personal invite links for everyone who has not joined yet.

Written to a file (`--out`) for the operator to mail, or e-mailed by the bot (`--send`). Either
way a person who still holds a valid, unused link is skipped, so a re-run hands out nothing
twice: only people added since, or whose link expired, get one. `--reissue` (file) and
`--resend` (e-mail) revoke the unused links and hand out new ones to everyone not yet joined;
an invitation e-mail still waiting with a revoked code is withdrawn. The code exists in clear
only in the file, or in the queued e-mail until the SMTP server has taken it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliState, OperatorError, state
from bot.cli.exports import checked_output, output_file
from bot.cli.help import help_text
from core.services import Services
from core.settings import Settings
from core.templates import Words
from digest.table_words import LABELS, READER_LANGUAGE, worded
from notices.invitations import NoBotUsername, invite_by_email
from notices.invitations import bot_username as username_of
from outbox.email_policy import SMTP_SETTINGS
from outbox.email_sender import EmailDelivery, EmailStats, deliver_all
from storage.audit import record_reads
from storage.cohorts import find_cohort
from storage.exports import Cell, ExportTable
from storage.invites import (
    IssuedInvite,
    count_waiting_with_active_invite,
    invite_link,
    issue_invites,
)
from storage.models import Language
from storage.spreadsheets import write_table

INVITES = "cli/invites.txt.j2"
SENDING = "cli/invites_send.txt.j2"
HEADERS = ("full_name", "email", "role", "jst_teryt", "jst_name", "link", "expires_at")


async def bot_username(settings: Settings) -> str:
    """The bot's username for the links (notices.invitations.bot_username), or a refusal."""
    try:
        return await username_of(settings)
    except NoBotUsername as error:
        if error.problem is None:
            raise OperatorError(INVITES, "no_bot_username") from None
        raise OperatorError(INVITES, "get_me_failed", problem=error.problem) from None


def invites_table(issued: list[IssuedInvite], username: str, words: Words | None) -> ExportTable:
    """What the operator mails out: who, and their personal link; worded by `words` for a
    person (a role by the person's gender), or with the stable keys and codes when None."""
    rows: list[list[Cell]] = [
        [
            invite.full_name,
            invite.email,
            invite.role.value,
            invite.jst_teryt,
            invite.jst_name,
            invite_link(username, invite.code),
            invite.expires_at,
        ]
        for invite in issued
    ]
    table = ExportTable("invites", list(HEADERS), rows)
    if words is None:
        return table
    return worded(table, words, unseen=[{"gender": invite.gender.value} for invite in issued])


def invites(
    ctx: typer.Context,
    *,
    out: Annotated[Path | None, typer.Option("--out", help=help_text("invites.out"))] = None,
    reissue: Annotated[bool, typer.Option("--reissue", help=help_text("invites.reissue"))] = False,
    cohort: Annotated[
        str | None, typer.Option("--cohort", help=help_text("invites.cohort"))
    ] = None,
    send: Annotated[bool, typer.Option("--send", help=help_text("invites.send"))] = False,
    resend: Annotated[bool, typer.Option("--resend", help=help_text("invites.resend"))] = False,
    lang: Annotated[
        Language, typer.Option("--lang", help=help_text("invites.lang"))
    ] = READER_LANGUAGE,
    keys: Annotated[bool, typer.Option("--keys", help=help_text("invites.keys"))] = False,
) -> None:
    """Issue invite codes: write the links to a file (--out) or e-mail them (--send)."""
    cli = state(ctx)
    if resend and not send:
        cli.fail("resend_needs_send", template=SENDING)
    if send:
        if out is not None:
            cli.fail("out_or_send", template=SENDING)
        send_invitations(cli, cohort=cohort, resend=resend or reissue)
        return
    if out is None:
        cli.fail("out_or_send", template=SENDING)
    checked_output(cli, out)
    actor = cli.operator()

    async def _work(services: Services) -> tuple[int, int]:
        username = await bot_username(services.settings)
        now = services.clock.now()
        ttl = dt.timedelta(days=services.settings.invite_ttl_days)
        # The file is written inside the transaction and put in place once it has committed:
        # a failed write issues nothing, and no file holds codes that were rolled back.
        with output_file(out) as file:
            async with services.sessionmaker.begin() as session:
                cohort_id = await _cohort_id(session, cohort)
                skipped = (
                    0
                    if reissue
                    else await count_waiting_with_active_invite(session, now, cohort_id=cohort_id)
                )
                issued = await issue_invites(
                    session, now, ttl, reissue=reissue, cohort_id=cohort_id, actor=actor
                )
                shown = [invite.person_id for invite in issued]
                await record_reads(session, now, actor=actor, people=shown, via="invites --out")
                words = None if keys else services.templates.words(lang.value, LABELS)
                write_table(file, invites_table(issued, username, words), services.settings.zone)
        return len(issued), skipped

    count, skipped = cli.run(_work)
    cli.say(INVITES, "written", count=count, path=str(out), skipped=skipped)


def send_invitations(cli: CliState, *, cohort: str | None, resend: bool) -> None:
    """Issue codes and queue their e-mails in one transaction, then deliver what is due."""
    actor = cli.operator()

    async def _work(services: Services) -> tuple[int, int, EmailStats]:
        services.settings.require(*SMTP_SETTINGS)
        username = await bot_username(services.settings)
        now = services.clock.now()
        ttl = dt.timedelta(days=services.settings.invite_ttl_days)
        async with services.sessionmaker.begin() as session:
            cohort_id = await _cohort_id(session, cohort)
            count, skipped = await invite_by_email(
                session, now, ttl, username, cohort_id=cohort_id, resend=resend, actor=actor
            )
        stats = await deliver_all(EmailDelivery(services, bot_username=username))
        return count, skipped, stats

    count, skipped, stats = cli.run(_work)
    cli.say(
        SENDING,
        "queued",
        count=count,
        skipped=skipped,
        sent=stats.sent,
        retried=stats.retried,
        failed=stats.failed,
    )


async def _cohort_id(session: AsyncSession, name: str | None) -> int | None:
    if name is None:
        return None
    found = await find_cohort(session, name)
    if found is None:
        raise OperatorError(INVITES, "unknown_cohort", cohort=name)
    return found.id


def register(app: typer.Typer) -> None:
    app.command("invites", help=help_text("invites"))(invites)
