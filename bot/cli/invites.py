"""`advisorybot invites`: personal invite links for everyone who has not joined yet."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError

from bot.cli.common import OperatorError, state
from bot.cli.exports import OutOption, checked_output, output_file
from bot.services import Services
from bot.settings import Settings
from storage.cohorts import find_cohort
from storage.exports import Cell, ExportTable
from storage.invites import (
    IssuedInvite,
    count_waiting_with_active_invite,
    invite_link,
    issue_invites,
)
from storage.spreadsheets import write_table

INVITES = "cli/invites.txt.j2"
HEADERS = ("full_name", "email", "role", "jst_teryt", "jst_name", "link", "expires_at")


async def bot_username(settings: Settings) -> str:
    """The bot's username for the links: from the settings, else from Telegram's getMe."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username
    if settings.telegram_bot_token is None:
        raise OperatorError(INVITES, "no_bot_username")
    base_url = f"{str(settings.telegram_api_base_url).rstrip('/')}/bot"
    try:
        async with Bot(settings.token(), base_url=base_url) as bot:
            return bot.username
    except TelegramError as error:
        # Only the error's kind: PTB puts the token into some messages.
        raise OperatorError(INVITES, "get_me_failed", problem=type(error).__name__) from None


def invites_table(issued: list[IssuedInvite], username: str) -> ExportTable:
    """What the operator mails out: who, and their personal link."""
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
    return ExportTable("invites", list(HEADERS), rows)


def invites(
    ctx: typer.Context,
    out: OutOption,
    reissue: Annotated[
        bool, typer.Option("--reissue", help="Revoke unused links and issue new ones.")
    ] = False,
    cohort: Annotated[
        str | None, typer.Option("--cohort", help="Only this cohort's team members and advisers.")
    ] = None,
) -> None:
    """Issue invite codes and write the invite links to a file for mailing."""
    cli = state(ctx)
    checked_output(cli, out)

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
                    session, now, ttl, reissue=reissue, cohort_id=cohort_id
                )
                write_table(file, invites_table(issued, username), services.settings.zone)
        return len(issued), skipped

    count, skipped = cli.run(_work)
    cli.say(INVITES, "written", count=count, path=str(out), skipped=skipped)


async def _cohort_id(session: AsyncSession, name: str | None) -> int | None:
    if name is None:
        return None
    found = await find_cohort(session, name)
    if found is None:
        raise OperatorError(INVITES, "unknown_cohort", cohort=name)
    return found.id


def register(app: typer.Typer) -> None:
    app.command("invites")(invites)
