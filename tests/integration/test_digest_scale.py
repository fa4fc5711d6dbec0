"""The digest of the benchmark's national programme (2,800 JSTs) and of the sandbox's demo
cohort (issue 22's acceptance): HTML, text, chart and workbook rendered, every number of the
HTML recounted from the workbook, and the national one still readable — its lists capped with
"and N more in the XLSX"."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from bench.generate import NATIONAL, generate
from bench.tick import START, STATE_AT
from core.clock import FixedClock
from core.services import Services
from digest.build import Digest, build_digest
from digest.enclosures import CHART_LABELS, LABELS, digest_chart, digest_workbook
from sandbox.demo import create_demo, demo_start, load_plan
from tests.support.digest_numbers import numbers_of, recount, sheets_of
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture
RECIPIENT = {"name": "", "joined": False, "blocked": False}
TEXT_LINES = 150  # the national digest's plain text, at most: read in a minute or two


def render(services: Services, digest: Digest, language: str, part: str) -> str:
    return services.templates.render(
        language,
        f"email/digest.{part}.j2",
        digest=digest,
        chart_src="cid:digest-chart",
        recipient=RECIPIENT,
        bot_link=None,
    )


def check_every_number(services: Services, digest: Digest) -> None:
    """Both languages: the HTML's numbers from the workbook, a real chart."""
    for language in ("pl", "en"):
        words = services.templates.words(language, LABELS)
        chart = services.templates.words(language, CHART_LABELS)
        workbook = digest_workbook(services.templates, language, digest)
        html = render(services, digest, language, "html")
        assert recount(html, workbook, words, chart, cap=digest.cap) >= 17
        with Image.open(io.BytesIO(digest_chart(services.templates, language, digest))) as png:
            png.verify()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the bench's own data
async def test_the_national_digest_is_capped_and_every_number_adds_up(
    services: Services,
) -> None:
    async with services.sessionmaker.begin() as session:
        await generate(session, NATIONAL, start=START, now=STATE_AT)
    async with services.sessionmaker() as session:
        digest = await build_digest(session, STATE_AT, zone=services.settings.zone)
    assert len(digest.teams) == NATIONAL.jsts
    check_every_number(services, digest)
    html = render(services, digest, "pl", "html")
    numbers = numbers_of(html)
    assert len(numbers.listed) == digest.cap < len(digest.attention)
    assert numbers.values[("more", "attention")] == str(len(digest.attention) - digest.cap)
    text = render(services, digest, "pl", "txt")
    assert len(text.splitlines()) <= TEXT_LINES
    assert f"… i {len(digest.attention) - digest.cap} JST więcej" in text
    sheets = sheets_of(digest_workbook(services.templates, "pl", digest))
    assert len(sheets["Kroki JST"]) == len(sheets["JST"]) == NATIONAL.jsts


async def test_the_demo_cohort_s_digest_adds_up(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    plan = load_plan()
    await create_demo(smtp.services(services), plan, demo_start(clock.now().date(), plan))
    later = clock.now() + dt.timedelta(days=120)  # the first tasks late, nobody joined
    async with services.sessionmaker() as session:
        digest = await build_digest(session, later, zone=services.settings.zone)
    assert digest.attention and not digest.quiet
    check_every_number(services, digest)
