"""The weekly digest in a real browser (issue 22): the coordinators' page as `advisorybot digest
preview` writes it, and the coordinator's and advisers' e-mails as the sender sends them, of
the sandbox's demo cohort and of the digest tests' one, read at a phone's 375 px and a
desktop's 1280 px: no sideways scroll, every image and table within the screen, no text under
12 px, the language attribute the reader's. The data is the same on both databases
(tests/integration/test_digest*.py): SQLite only here."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.generate import NATIONAL, generate
from bench.tick import START, STATE_AT
from core.clock import FixedClock
from core.services import Services
from digest.build import build_digest
from outbox.email_sender import EmailDelivery, deliver_all
from reminders.digest_rule import DigestRule, preview_html
from reminders.tick import run_tick
from sandbox.demo import create_demo, demo_start, load_plan
from storage.models import Language, Person
from tests.browser.conftest import Offline, OpenPage
from tests.browser.layout import layout_faults
from tests.support.digest_data import NOW, seed_digest
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture

WIDTHS = (375, 1280)
SCHEDULE = (0, 8, 0)  # Monday 08:00, the default; both clocks are a Monday at 10:00 or 11:00
# Whose digest e-mails are read, in which language: a coordinator and the advisers, one of them
# reading English; of the sandbox's demo cohort (a few months in, little done yet) and of the
# digest tests' cohort (tests/support/digest_data.py: tasks overdue, reports, questions answered
# and waiting, so every part of the digest shows).
READERS = {
    "demo": {
        "renata.kaminska@ore.example.pl": "pl",
        "krzysztof.pawlak@doradcy.example.pl": "pl",
        "beata.wozniak@doradcy.example.pl": "en",
    },
    "seeded": {
        "koordynacja@example.pl": "pl",
        "jan@ore.example.pl": "pl",
        "maria@ore.example.pl": "en",
    },
    "national": {},  # the benchmark's 2,800 JSTs: the coordinators' page only
}


@pytest.fixture(params=sorted(READERS))
async def digest_pages(
    request: pytest.FixtureRequest,
    services: Services,
    smtp: SmtpServer,
    clock: FixedClock,
    tmp_path: Path,
) -> dict[tuple[str, str], Path]:
    """A cohort's digests as files, by (whose, language): the coordinators' preview in both
    languages, and the e-mail each reader gets with its inline images made data: URIs, as a
    mail client shows them."""
    mailing = smtp.services(services)
    if request.param == "demo":
        plan = load_plan()
        await create_demo(mailing, plan, demo_start(clock.now().date(), plan))
    elif request.param == "national":
        clock.set(STATE_AT)
        async with services.sessionmaker.begin() as session:
            await generate(session, NATIONAL, start=START, now=STATE_AT)
    else:
        clock.set(NOW)
        await seed_digest(services)
    readers = READERS[request.param]
    now = clock.now()
    async with services.sessionmaker.begin() as session:
        for person in await session.scalars(select(Person).where(Person.email.in_(readers))):
            person.language = Language(readers[person.email])
        digest = await build_digest(session, now, zone=services.settings.zone)
    pages = {
        ("coordinators", lang): preview_html(services.templates, lang, digest)
        for lang in ("pl", "en")
    }
    smtp.received.clear()  # the demo's invitations
    if readers:
        await run_tick(mailing, [DigestRule(SCHEDULE)], now)
        await deliver_all(EmailDelivery(mailing, bot_username="advisory_test_bot"))
    for address, lang in readers.items():
        [message] = smtp.to(address)
        pages[(address, lang)] = _shown(message)
    files = {}
    for (whose, lang), html in pages.items():
        files[(whose, lang)] = tmp_path / f"{whose}-{lang}.html"
        files[(whose, lang)].write_text(html, encoding="utf-8")
    return files


def _shown(message: EmailMessage) -> str:
    """The message's HTML part with every cid: image replaced by its data."""
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    body = related.get_body(("html",))
    assert body is not None
    html = str(body.get_content())
    for part in related.iter_parts():
        if part.get_content_maintype() == "image":
            data = base64.b64encode(part.get_content()).decode("ascii")
            cid = str(part["Content-ID"]).strip("<>")
            html = html.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    return html


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_digest_reads_on_a_phone_and_a_desktop(
    digest_pages: dict[tuple[str, str], Path], open_page: OpenPage, offline: Offline
) -> None:
    faults = []
    for width in WIDTHS:
        page = await open_page(width)  # one a width: a new page costs more than reading one
        for (whose, lang), path in digest_pages.items():
            await page.goto(path.as_uri())
            faults += [
                f"{whose} ({lang}) at {width} px: {f}" for f in await layout_faults(page, lang)
            ]
    assert not faults, "\n".join(faults)
    assert offline.refused == [], "the e-mail asks for nothing from the network"
