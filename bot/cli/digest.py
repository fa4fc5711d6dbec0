"""`advisorybot digest preview --out F.html` and `advisorybot digest send`: the weekly digest
on demand (the tick sends it every Monday by itself)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from bot.cli.common import OperatorError, state
from bot.cli.exports import output_file
from bot.cli.help import help_text
from bot.cli.reminders import parse_moment
from core.clock import FixedClock, SystemClock
from core.services import Services
from digest.build import Digest, build_digest, iso_week
from digest.enclosures import ADVISER_TEMPLATE, COORDINATOR_TEMPLATE
from notices.message import Email
from outbox.email_sender import deliver_emails
from outbox.queue import enqueue
from reminders.digest_rule import digest_due, preview_html, recipients, week_end
from storage.audit import record_reads
from storage.models import Person, Role
from storage.people import set_weekly_digest

MESSAGES = "cli/digest.txt.j2"
HTML_SUFFIXES = (".html", ".htm")
digest_app = typer.Typer(help=help_text("digest"))


@digest_app.command("preview", help=help_text("digest.preview"))
def preview(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help=help_text("digest.preview.out"))],
    now: Annotated[str | None, typer.Option("--now", help=help_text("digest.preview.now"))] = None,
) -> None:
    """Write the coordinators' digest as one HTML page (chart included) to look at."""
    cli = state(ctx)
    if out.suffix.lower() not in HTML_SUFFIXES or not out.parent.is_dir() or out.is_dir():
        cli.fail("bad_out", template=MESSAGES, path=str(out))
    clock = FixedClock(parse_moment(now, cli)) if now else SystemClock()
    actor = cli.operator()

    async def _work(services: Services) -> Digest:
        async with services.sessionmaker.begin() as session:
            digest = await build_digest(session, services.clock.now(), zone=services.settings.zone)
            read_at = SystemClock().now()  # when, whatever moment the digest shows
            named = digest.people
            await record_reads(session, read_at, actor=actor, people=named, via="digest preview")
        page = preview_html(services.templates, services.settings.operator_language, digest)
        with output_file(out) as file:
            file.write_text(page, encoding="utf-8")
        return digest

    digest = cli.run(_work, clock=clock)
    cli.say(MESSAGES, "written", path=str(out), week=digest.week, teams=len(digest.teams))


@digest_app.command("send", help=help_text("digest.send"))
def send(
    ctx: typer.Context,
    now: Annotated[str | None, typer.Option("--now", help=help_text("digest.send.now"))] = None,
) -> None:
    """Queue this week's digest for every coordinator and adviser now (once a week), send it."""
    cli = state(ctx)
    clock = FixedClock(parse_moment(now, cli)) if now else SystemClock()

    async def _work(services: Services) -> tuple[str, int, int, int]:
        moment = services.clock.now()
        week = iso_week(moment, services.settings.zone)
        queued = 0
        async with services.sessionmaker.begin() as session:
            coordinators, advisers = await recipients(session)
            stale = week_end(moment, services.settings.zone)  # sent in its week or not at all
            dues = [digest_due(COORDINATOR_TEMPLATE, p, week, moment, stale) for p in coordinators]
            dues += [digest_due(ADVISER_TEMPLATE, p, week, moment, stale) for p in advisers]
            for due in dues:
                row = await enqueue(
                    session,
                    dedupe_key=due.key,
                    channel=due.channel,
                    kind=due.template,
                    payload=Email(due.template, due.values).payload(),
                    person_id=due.person_id,
                    delivery=due.delivery,
                    now=moment,
                    stale_at=due.until,
                )
                queued += row is not None
        sent = await deliver_emails(services, services.settings.telegram_bot_username)
        return week, len(dues), queued, sent

    week, people, queued, sent = cli.run(_work, clock=clock)
    cli.say(MESSAGES, "queued", week=week, people=people, queued=queued, sent=sent)


@digest_app.command("opt-out", help=help_text("digest.opt-out"))
def opt_out(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help=help_text("digest.opt-out.email"))],
) -> None:
    """Stop an adviser's weekly e-mail (they can also do it in the bot: /podsumowanie)."""
    _set_weekly_digest(ctx, email, wanted=False)


@digest_app.command("opt-in", help=help_text("digest.opt-in"))
def opt_in(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help=help_text("digest.opt-in.email"))],
) -> None:
    """Send an adviser the weekly e-mail again."""
    _set_weekly_digest(ctx, email, wanted=True)


def _set_weekly_digest(ctx: typer.Context, email: str, *, wanted: bool) -> None:
    cli = state(ctx)
    actor = cli.operator()

    async def _work(services: Services) -> bool:
        async with services.sessionmaker.begin() as session:
            adviser = await session.scalar(
                select(Person).where(
                    Person.email == email.strip().lower(),
                    Person.role == Role.ADVISER,
                    Person.erased_at.is_(None),
                )
            )
            if adviser is None:
                raise OperatorError(MESSAGES, "not_an_adviser", email=email)
            now = services.clock.now()
            return await set_weekly_digest(session, adviser.id, wanted, now, actor=actor)

    changed = cli.run(_work)
    cli.say(MESSAGES, "weekly_digest", email=email, wanted=wanted, changed=changed)


def register(app: typer.Typer) -> None:
    app.add_typer(digest_app, name="digest")
