"""What a digest e-mail carries beyond its row: the digest built when it is sent, its chart
inline and its workbook attached (the outbox row holds only the template and the week).

The digest's numbers are read in the claim's transaction; its files (matplotlib, openpyxl:
seconds of CPU, more on a first run that builds matplotlib's font cache) are built by the
sender after it, in a thread (`Enclosures.builds`), so neither the event loop nor the
database's write lock waits for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.templates import Templates
from digest.build import Digest, build_digest
from digest.chart import chart_png, digest_xlsx
from digest.matrix import Matrix, build_matrix
from digest.workbook import XLSX_TYPE
from storage.cohorts import cohort_steps, list_cohorts
from storage.models import Person, ProgrammeStep

COORDINATOR_TEMPLATE = "digest"
ADVISER_TEMPLATE = "adviser_digest"
TEMPLATES = (COORDINATOR_TEMPLATE, ADVISER_TEMPLATE)
CHART_CID = "digest-chart"
LABELS = "email/_digest.txt.j2"
CHART_LABELS = "email/_digest_chart.txt.j2"


@dataclass(frozen=True)
class Enclosure:
    """A file in an e-mail: inline (`cid` set, shown by the HTML) or an attachment."""

    data: bytes
    mime: str
    filename: str
    cid: str | None = None


Build = Callable[[], Enclosure]  # a file made from data already read, outside any transaction


@dataclass(frozen=True)
class Enclosures:
    """What an e-mail needs beyond its payload: more template values, and the files to build
    when it is sent."""

    values: dict[str, Any] = field(default_factory=dict)
    builds: tuple[Build, ...] = ()


def enclose(message: EmailMessage, files: Sequence[Enclosure]) -> None:
    """Inline files join the HTML part (multipart/related, found by Content-ID); the others
    become attachments (multipart/mixed)."""
    html = message.get_body(("html",))
    assert html is not None  # compose() always adds the HTML alternative
    for item in files:
        maintype, subtype = item.mime.split("/")
        if item.cid is not None:
            html.add_related(
                item.data, maintype, subtype, cid=f"<{item.cid}>", filename=item.filename
            )
    for item in files:
        maintype, subtype = item.mime.split("/")
        if item.cid is None:
            message.add_attachment(
                item.data, maintype=maintype, subtype=subtype, filename=item.filename
            )


async def digest_enclosures(
    session: AsyncSession,
    templates: Templates,
    *,
    template: str,
    person: Person | None,
    now: dt.datetime,
) -> Enclosures:
    """For a digest row: the digest built now, its chart inline and its workbook attached."""
    if template not in TEMPLATES or person is None:
        return Enclosures()
    adviser = person.id if template == ADVISER_TEMPLATE else None
    digest = await build_digest(session, now, adviser_id=adviser, zone=templates.zone)
    matrix = await digest_matrix(session, digest, templates)
    language = person.language.value
    chart = partial(digest_chart, templates, language, digest, matrix)
    workbook = partial(
        digest_xlsx,
        digest,
        matrix,
        templates.words(language, LABELS),
        templates.words(language, CHART_LABELS),
    )
    return Enclosures(
        values={"digest": digest, "chart_src": f"cid:{CHART_CID}"},
        builds=(
            lambda: Enclosure(chart(), "image/png", "chart.png", CHART_CID),
            lambda: Enclosure(workbook(), XLSX_TYPE, f"digest-{digest.week}.xlsx"),
        ),
    )


async def digest_matrix(session: AsyncSession, digest: Digest, templates: Templates) -> Matrix:
    """The digest's JSTs and every cohort's steps, those needing attention first."""
    steps: dict[str, Sequence[ProgrammeStep]] = {
        c.name: await cohort_steps(session, c.id) for c in await list_cohorts(session)
    }
    late = {item.team.jst_id: item.reports_overdue for item in digest.attention}
    first = [item.team for item in digest.attention]
    rest = [team for team in digest.teams if team.jst_id not in late]
    return build_matrix([*first, *rest], steps, late, _today(digest, templates))


def digest_chart(templates: Templates, language: str, digest: Digest, matrix: Matrix) -> bytes:
    """The chart in the reader's language; the indicators in the coordinators' digest only."""
    return chart_png(
        matrix,
        digest.indicators if digest.adviser_id is None else None,
        _today(digest, templates),
        templates.words(language, CHART_LABELS),
    )


def _today(digest: Digest, templates: Templates) -> dt.date:
    return digest.now.astimezone(templates.zone).date()
