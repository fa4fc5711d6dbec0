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
from digest.chart import chart_png
from digest.sheets import digest_sheets
from digest.workbook import XLSX_TYPE, workbook_bytes
from storage.coordinator_scope import coordinator_cohorts
from storage.models import Person

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
    quiet: bool = False  # a digest of a week in which nothing changed or needs attention


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
    cohorts = None if adviser is not None else await coordinator_cohorts(session, person.id)
    digest = await build_digest(
        session, now, adviser_id=adviser, zone=templates.zone, cohort_ids=cohorts
    )
    language = person.language.value
    chart = partial(digest_chart, templates, language, digest)
    workbook = partial(digest_workbook, templates, language, digest)
    return Enclosures(
        values={"digest": digest, "chart_src": f"cid:{CHART_CID}"},
        builds=(
            lambda: Enclosure(chart(), "image/png", "chart.png", CHART_CID),
            lambda: Enclosure(workbook(), XLSX_TYPE, f"digest-{digest.start}-{digest.end}.xlsx"),
        ),
        quiet=digest.quiet,
    )


def digest_chart(templates: Templates, language: str, digest: Digest) -> bytes:
    """The matrix chart in the reader's language; the indicators in the coordinators' only."""
    indicators = digest.indicators if digest.adviser_id is None else None
    words = templates.words(language, CHART_LABELS)
    return chart_png(digest.matrix, indicators, digest.today, words)


def digest_workbook(templates: Templates, language: str, digest: Digest) -> bytes:
    """The workbook: the matrix first, then every row the e-mail's numbers count."""
    words = templates.words(language, LABELS)
    return workbook_bytes(digest_sheets(digest, words, templates.words(language, CHART_LABELS)))
