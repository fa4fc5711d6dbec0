"""`advisorybot tick [--now]` (one full pass) and `advisorybot reminders preview`."""

from __future__ import annotations

import asyncio
import datetime as dt

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import InvalidToken, NetworkError

from bot.app import OUTBOX_BATCH, make_bot, make_delivery, sending_slots
from bot.cli.common import CliState, OperatorError, state
from bot.cli.help import help_text
from core.clock import FixedClock, SystemClock
from core.services import Services
from notices.questions import route_unrouted
from outbox.email_sender import deliver_emails
from outbox.rows import queued_keys
from outbox.telegram_files import BotFiles
from reminders.retention import run_retention
from reminders.rules import all_rules
from reminders.tick import TickStats, planned, run_tick, work_calendar
from storage.audit import record_reads
from storage.models import Jst, Person

MESSAGES = "cli/reminders.txt.j2"
reminders_app = typer.Typer(help=help_text("reminders"))


def parse_moment(value: str, cli: CliState) -> dt.datetime:
    """ISO 8601 with an offset, or a local wall-clock time in the programme's zone."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        cli.fail("bad_moment", template=MESSAGES, value=value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=cli.settings().zone)
    return moment.astimezone(dt.UTC)


def tick(
    ctx: typer.Context,
    now: str | None = typer.Option(None, help=help_text("tick.now")),
) -> None:
    """One full pass: enqueue what is due, then deliver it; safe beside a running bot."""
    cli = state(ctx)
    cli.token()
    clock = FixedClock(parse_moment(now, cli)) if now else SystemClock()

    async def _work(services: Services) -> tuple[TickStats, int, int]:
        await route_unrouted(services)
        # An operator's pass takes all that is due at once; the bot's minute passes take at
        # most PASS_LIMIT each, so that none holds the database long. So does retention.
        now = services.clock.now()
        stats = await run_tick(services, all_rules(services.settings), now, limit=None)
        retained = await run_retention(services, now, limit=None)
        return stats, await deliver_now(services), retained.gone.total()

    stats, sent, retained = cli.run(_work, clock=clock)
    cli.say(MESSAGES, "ticked", due=stats.due, enqueued=stats.enqueued, sent=sent)
    if retained:
        cli.say(MESSAGES, "retained", count=retained)


async def deliver_now(services: Services) -> int:
    """Deliver until nothing is due, Telegram then e-mail (the fallbacks Telegram left, too); a
    flood-control pause is waited out (the clock moves too). When Telegram cannot be reached,
    its messages stay queued and the e-mails still go before the failure is told."""
    bot = make_bot(services.settings, sending_slots(services))
    try:
        await bot.initialize()
    except (NetworkError, InvalidToken) as error:
        await bot.shutdown()
        emails = await deliver_emails(services, services.settings.telegram_bot_username)
        if isinstance(error, InvalidToken):
            raise
        raise OperatorError(MESSAGES, "telegram_unreachable", emails=emails) from error
    sent = 0
    async with bot:  # initialised: this shuts it down at the end
        delivery = make_delivery(bot, services)
        while True:
            stats = await delivery.deliver_due(limit=OUTBOX_BATCH)
            sent += stats.sent
            if stats.paused_until is not None:
                wait = stats.paused_until - services.clock.now()
                await asyncio.sleep(wait.total_seconds())
                if isinstance(services.clock, FixedClock):
                    services.clock.advance(wait)
            elif stats.claimed == 0:
                return sent + await deliver_emails(services, bot.username, BotFiles(bot))


@reminders_app.command("preview", help=help_text("reminders.preview"))
def preview(
    ctx: typer.Context,
    days: int = typer.Option(14, min=1, max=400, help=help_text("reminders.preview.days")),
    jst: str | None = typer.Option(None, help=help_text("reminders.preview.jst")),
    now: str | None = typer.Option(None, help=help_text("reminders.preview.now")),
) -> None:
    """List what the rules would send in the coming days, with local times."""
    cli = state(ctx)
    clock = FixedClock(parse_moment(now, cli)) if now else SystemClock()
    actor = cli.operator()

    async def _work(services: Services) -> list[dict[str, object]]:
        start = services.clock.now()
        horizon = start + dt.timedelta(days=days)
        calendar = work_calendar(services)
        async with services.sessionmaker.begin() as session:
            jst_id = await _jst_id(session, jst)
            schedule = [
                due
                for due in await planned(
                    session, all_rules(services.settings), start, calendar, horizon
                )
                if jst_id is None or due.jst_id == jst_id
            ]
            queued = await queued_keys(session, [due.key for due in schedule])
            rows, named = [], set()
            for due in schedule:
                when = calendar.next_allowed(max(due.at, start))
                stale = due.until is not None and when >= due.until
                if due.key in queued or stale or when >= horizon:
                    continue
                person = await session.get_one(Person, due.person_id)
                rows.append({"when": when, "to": person.full_name, "what": due.template})
                if person.erased_at is None:
                    named.add(person.id)
            now = SystemClock().now()  # when it was read, whatever moment the preview shows
            await record_reads(session, now, actor=actor, people=named, via="reminders preview")
            return rows

    cli.show("cli/reminders_preview.txt.j2", rows=cli.run(_work, clock=clock), days=days)


async def _jst_id(session: AsyncSession, teryt: str | None) -> int | None:
    if teryt is None:
        return None
    found = await session.scalar(select(Jst.id).where(Jst.teryt == teryt))
    if found is None:
        raise OperatorError(MESSAGES, "unknown_jst", teryt=teryt)
    return found


def register(app: typer.Typer) -> None:
    app.command("tick", help=help_text("tick"))(tick)
    app.add_typer(reminders_app, name="reminders")
