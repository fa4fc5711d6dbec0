"""The weekly digest on SQLite and PostgreSQL (issue 22): those needing attention first, riskiest
first, with why and for how long; what changed in the week covered; the matrix; every number
of the HTML recounted from the workbook; "brak" only after a deadline; full lists; a quiet week
in two lines; the subject with the attention count and the days covered."""

from __future__ import annotations

import base64
import datetime as dt
import io

from PIL import Image

from core.services import Services
from digest.attention import ReasonKind
from digest.build import Digest, build_digest
from digest.enclosures import CHART_LABELS, LABELS, digest_workbook
from digest.matrix import Light
from reminders.digest_rule import preview_html
from storage.changes import ChangeKind
from storage.rosters import Contact
from tests.support.digest_data import NOW, seed_digest
from tests.support.digest_numbers import numbers_of, recount, sheets_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def digest_at(
    services: Services, adviser_id: int | None = None, now: dt.datetime = NOW
) -> Digest:
    async with services.sessionmaker() as session:
        return await build_digest(session, now, adviser_id=adviser_id, zone=services.settings.zone)


async def test_those_needing_attention_come_first_with_why_and_since_when(
    services: Services,
) -> None:
    """Monday 4 May 2026: Bochnia's ZW1 and ZW2 are late, Przykładowa's ZW2; Bochnia's has
    lasted longer, so it comes first. The week covered is 27 April - 3 May: two reports came."""
    await seed_digest(services)
    digest = await digest_at(services)
    assert (digest.start, digest.end, digest.week) == (
        dt.date(2026, 4, 27),
        dt.date(2026, 5, 3),
        "2026-W19",
    )
    assert [item.team.teryt for item in digest.attention] == ["1201", "0201022"]
    bochnia, przykladowa = digest.attention
    late = bochnia.reason(ReasonKind.TASKS_LATE)
    assert late is not None and late.count == 2
    assert late.since == min(t.due_on for t in bochnia.team.tasks if t.overdue)
    assert late.working_days > 0
    assert [r.kind for r in przykladowa.reasons] == [ReasonKind.TASKS_LATE]
    assert bochnia.longest > przykladowa.longest
    assert digest.changed == {ChangeKind.REPORT_SENT: 2}  # Warszawa 30 April, Bochnia 2 May
    assert not digest.quiet
    assert [row.team.teryt for row in digest.matrix.rows][:2] == ["1201", "0201022"]
    assert digest.matrix.total(Light.LATE) >= 3


async def test_every_number_of_the_e_mail_is_recounted_from_the_workbook(
    services: Services,
) -> None:
    ids = await seed_digest(services)
    for adviser in (None, ids["jan"], ids["maria"]):
        digest = await digest_at(services, adviser)
        for language in ("pl", "en"):
            words = services.templates.words(language, LABELS)
            chart = services.templates.words(language, CHART_LABELS)
            html = _html(services, digest, language)
            workbook = digest_workbook(services.templates, language, digest)
            checked = recount(html, workbook, words, chart, cap=digest.cap)
            assert checked >= 10 + (7 if adviser is None else 0)


async def test_the_workbook_opens_with_the_matrix_first_in_the_reader_s_language(
    services: Services,
) -> None:
    await seed_digest(services)
    digest = await digest_at(services)
    polish = sheets_of(digest_workbook(services.templates, "pl", digest))
    assert list(polish) == [
        "Kroki JST",
        "Wymagają uwagi",
        "Zmiany w tygodniu",
        "JST",
        "Zadania otwarte",
        "Pytania",
        "Członkowie zespołów według JST",
    ]
    english = sheets_of(digest_workbook(services.templates, "en", digest))
    assert list(english)[:3] == ["JST steps", "Needing attention", "Changes this week"]
    attention = polish["Wymagają uwagi"]
    assert [(row[0], row[3], row[4]) for row in attention] == [
        ("1201", "zadania po terminie", 2),
        ("0201022", "zadania po terminie", 1),
    ]
    assert {row[0]: row[7] for row in polish["JST"]} == {
        "0201022": "w przygotowaniu",
        "1465011": "wysłany",
        "1201": "wysłany",
    }
    assert {row[0] for row in polish["Kroki JST"]} == {"0201022", "1465011", "1201"}


async def test_a_report_is_missing_only_after_its_deadline(services: Services) -> None:
    """May's report (R02) is being collected in June: "not sent yet" until its deadline; in
    July it is late (and June's is being collected)."""
    await seed_digest(services)
    collecting = await digest_at(services, now=dt.datetime(2026, 6, 2, 9, tzinfo=dt.UTC))
    rows = sheets_of(digest_workbook(services.templates, "pl", collecting))["JST"]
    assert {row[7] for row in rows} == {"jeszcze nie wysłany"}
    assert all(row[8].date() >= dt.date(2026, 6, 2) for row in rows)
    late = await digest_at(services, now=dt.datetime(2026, 7, 6, 9, tzinfo=dt.UTC))
    reports = [item.reason(ReasonKind.REPORTS_LATE) for item in late.attention]
    assert all(r is not None and r.count >= 1 for r in reports)


async def test_a_jst_s_late_tasks_are_all_named(services: Services) -> None:
    """A year on, Bochnia has more than five tasks late: every one is named (the list used to
    be cut at five below a count of six)."""
    await seed_digest(services)
    digest = await digest_at(services, now=dt.datetime(2027, 9, 6, 9, tzinfo=dt.UTC))
    bochnia = next(item for item in digest.attention if item.team.teryt == "1201")
    late = [task.code for task in bochnia.team.tasks if task.overdue]
    assert len(late) > 5
    text = _text(services, digest, "pl")
    line = next(line for line in text.splitlines() if "po terminie (" in line and "ZW1" in line)
    assert all(code in line for code in late)


async def test_a_quiet_week_is_two_lines(services: Services) -> None:
    """The week the programme starts: nothing changed, nothing is late."""
    await seed_digest(services)
    digest = await digest_at(services, now=dt.datetime(2025, 1, 13, 7, tzinfo=dt.UTC))
    assert digest.quiet
    for language in ("pl", "en"):
        subject = _render(services, digest, language, "subject.txt")
        assert subject.startswith({"pl": "Bez zmian · ", "en": "No changes · "}[language])
        numbers = numbers_of(_html(services, digest, language))
        assert ("total", "attention") not in numbers.values and not numbers.images
        _greeting, _title, lines, _footer = _text(services, digest, language).split("\n\n")
        assert len(lines.splitlines()) == 2 and "XLSX" in lines


async def test_the_subject_says_how_many_need_attention_and_which_days(
    services: Services,
) -> None:
    ids = await seed_digest(services)
    subjects = {
        (template, language): _render(services, digest, language, "subject.txt", template)
        for template, digest in (
            ("digest", await digest_at(services)),
            ("adviser_digest", await digest_at(services, ids["maria"])),
        )
        for language in ("pl", "en")
    }
    assert subjects == {
        ("digest", "pl"): "2 JST wymagają uwagi · 27 kwietnia\u2009–\u20093 maja 2026",
        ("digest", "en"): "2 JSTs need attention · Apr 27\u2009–\u2009May 3, 2026",
        (
            "adviser_digest",
            "pl",
        ): "Twoje JST: 1 wymaga uwagi · 27 kwietnia\u2009–\u20093 maja 2026",
        ("adviser_digest", "en"): "Your JSTs: 1 needs attention · Apr 27\u2009–\u2009May 3, 2026",
    }


async def test_the_preview_page_has_a_real_chart(services: Services) -> None:
    await seed_digest(services)
    digest = await digest_at(services)
    [chart] = numbers_of(preview_html(services.templates, "pl", digest)).images
    png = base64.b64decode(chart.removeprefix("data:image/png;base64,"))
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()


def _html(services: Services, digest: Digest, language: str) -> str:
    return _render(services, digest, language, "html")


def _text(services: Services, digest: Digest, language: str) -> str:
    return _render(services, digest, language, "txt")


def _render(
    services: Services, digest: Digest, language: str, part: str, template: str | None = None
) -> str:
    name = template or ("digest" if digest.adviser_id is None else "adviser_digest")
    context = {
        "digest": digest,
        "chart_src": "cid:digest-chart",
        "bot_link": None,
        "recipient": {"name": "", "joined": False, "blocked": False},
        "coordinator": Contact("Kasia Zielińska", "kasia@ore.example.pl", "K"),
    }
    return services.templates.render(language, f"email/{name}.{part}.j2", **context)
