"""The weekly digest as e-mail on SQLite and PostgreSQL: the rule queues one per person and
week, the sender builds it with the chart inline and the workbook attached (a real SMTP
server), and `advisorybot digest preview|send` run through the CLI."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

import typer
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner, Result

from bot.cli import digest as digest_cli
from bot.cli.common import CliState
from core.clock import FixedClock
from core.services import Services
from outbox.email_sender import EmailDelivery
from reminders.digest_rule import DigestRule
from reminders.tick import run_tick
from storage.models import AuditEntry, Channel, Person
from tests.support.digest_data import NOW, seed_digest
from tests.support.outbox_rows import outbox_rows
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture

DAY = dt.timedelta(days=1)
SCHEDULE = (0, 8, 0)  # Monday 08:00, the default
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def digest_keys(keys: Iterable[str]) -> set[str]:
    return {key for key in keys if key.startswith("digest:")}


async def test_the_rule_queues_one_digest_per_person_and_week(services: Services) -> None:
    ids = await seed_digest(services)
    monday_morning = NOW.replace(hour=5)  # 07:00 in Warsaw: not yet
    assert (await run_tick(services, [DigestRule(SCHEDULE)], monday_morning)).enqueued == 0
    for moment in (NOW, NOW + DAY, NOW + 3 * DAY):
        await run_tick(services, [DigestRule(SCHEDULE)], moment)
    rows = await outbox_rows(services)
    week = {f"digest:2026-W19:{ids[p]}" for p in ("coordinator", "jan", "maria")}
    assert digest_keys(rows) == week  # Edward only stands in: no JST of his own
    assert {rows[k].kind for k in week} == {"digest", "adviser_digest"}
    assert rows[f"digest:2026-W19:{ids['coordinator']}"].payload == {
        "template": "digest",
        "values": {"week": "2026-W19"},
    }
    assert all(rows[k].channel is Channel.EMAIL for k in week)
    await run_tick(services, [DigestRule(SCHEDULE)], NOW + 7 * DAY)
    assert len(digest_keys(await outbox_rows(services))) == 6


class Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs)["src"] or "")


async def test_the_email_has_the_chart_inline_and_the_workbook_attached(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    ids = await seed_digest(services)
    clock.set(NOW)
    await run_tick(services, [DigestRule(SCHEDULE)], NOW)
    mailing = smtp.services(services)
    stats = await EmailDelivery(mailing, bot_username="advisory_test_bot").deliver_due()
    assert stats.sent == 3
    async with services.sessionmaker() as session:
        coordinator = await session.get_one(Person, ids["coordinator"])
    [message] = smtp.to(coordinator.email)
    subject = str(message["Subject"])
    assert " ".join(subject.split()) == "2 JST wymagają uwagi · 27 kwietnia – 3 maja 2026"
    assert message.get_content_type() == "multipart/mixed"
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    html = related.get_body(("html",))
    assert html is not None
    parser = Images()
    parser.feed(html.get_content())
    assert parser.sources == ["cid:digest-chart"]
    [image] = [p for p in related.iter_parts() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<digest-chart>"
    png = image.get_content()
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as opened:
        opened.verify()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == XLSX
    assert attachment.get_filename() == "digest-2026-04-27-2026-05-03.xlsx"
    workbook = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    assert (
        len(list(workbook["JST"].iter_rows(values_only=True))) == 4
    )  # header + 3 JSTs, sheets in Polish
    text = message.get_body(("plain",))
    assert text is not None and "2 z 3 JST wymagają uwagi." in text.get_content()


def cli_app() -> typer.Typer:
    """The CLI's root as bot.cli builds it, with the digest commands registered."""
    app = typer.Typer()

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState()

    digest_cli.register(app)
    return app


async def run_cli(services: Services, *args: str, **env: str) -> Result:
    environment = {
        "DATABASE_URL": services.settings.database_url,
        "OPERATOR_LANGUAGE": "en",
        **env,
    }
    return await asyncio.to_thread(CliRunner().invoke, cli_app(), list(args), env=environment)


async def test_preview_writes_the_page_and_send_queues_once_a_week(
    services: Services, smtp: SmtpServer, tmp_path: Path
) -> None:
    ids = await seed_digest(services)
    out = tmp_path / "digest.html"
    now = NOW.isoformat()
    result = await run_cli(services, "digest", "preview", "--out", str(out), "--now", now)
    assert result.exit_code == 0, result.output
    assert "2026-W19" in result.output and str(out) in result.output
    page = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and 'data-total="attention">2<' in page
    refused = await run_cli(services, "digest", "preview", "--out", str(tmp_path / "x.pdf"))
    assert refused.exit_code == 2 and not (tmp_path / "x.pdf").exists()

    first = await run_cli(services, "digest", "send", "--now", now, **smtp.env())
    assert first.exit_code == 0, first.output
    again = await run_cli(services, "digest", "send", "--now", now, **smtp.env())
    assert again.exit_code == 0, again.output
    assert "3 newly queued" in first.output and "0 newly queued" in again.output
    assert len(smtp.received) == 3
    keys = digest_keys(await outbox_rows(services))
    assert keys == {f"digest:2026-W19:{ids[p]}" for p in ("coordinator", "jan", "maria")}


async def test_an_adviser_opts_out_and_back_in(services: Services) -> None:
    ids = await seed_digest(services)
    out = await run_cli(services, "digest", "opt-out", "jan@ore.example.pl")
    assert out.exit_code == 0 and "will no longer get" in out.output, out.output
    again = await run_cli(services, "digest", "opt-out", "JAN@ore.example.pl ")
    assert again.exit_code == 0 and "had already opted out" in again.output, again.output
    refused = await run_cli(services, "digest", "opt-out", "koordynacja@example.pl")
    assert refused.exit_code == 2 and "is not an adviser" in refused.output, refused.output

    await run_tick(services, [DigestRule(SCHEDULE)], NOW)
    week = "2026-W19"
    assert digest_keys(await outbox_rows(services)) == {
        f"digest:{week}:{ids[p]}" for p in ("coordinator", "maria")
    }
    back = await run_cli(services, "digest", "opt-in", "jan@ore.example.pl")
    assert back.exit_code == 0 and "will get the weekly digest again" in back.output
    await run_tick(services, [DigestRule(SCHEDULE)], NOW + 7 * DAY)
    assert f"digest:2026-W20:{ids['jan']}" in await outbox_rows(services)
    async with services.sessionmaker() as session:
        actions = await session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == ids["jan"])
        )
        assert [a for a in actions if "digest" in a] == ["weekly_digest_off", "weekly_digest_on"]


async def test_the_digest_goes_out_when_the_schedule_says(services: Services) -> None:
    await seed_digest(services)
    friday_0730 = dt.datetime(2026, 5, 8, 5, 30, tzinfo=dt.UTC)  # 07:30 in Warsaw (CEST)
    rule = DigestRule((4, 7, 30))
    assert (await run_tick(services, [rule], friday_0730 - dt.timedelta(minutes=1))).enqueued == 0
    assert (await run_tick(services, [rule], friday_0730)).enqueued == 3
