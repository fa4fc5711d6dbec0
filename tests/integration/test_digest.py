"""The weekly digest on SQLite and PostgreSQL: a seeded cohort's exact numbers in the data,
the HTML (parsed), the chart (a real PNG) and the workbook (opened with openpyxl)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from html.parser import HTMLParser

from openpyxl import Workbook, load_workbook
from PIL import Image

from core.services import Services
from digest.build import Digest, build_digest
from digest.chart import digest_xlsx
from digest.enclosures import CHART_LABELS, LABELS, digest_matrix
from digest.matrix import Light, Matrix
from reminders.digest_rule import preview_html
from storage.rosters import Contact
from tests.support.digest_data import NOW, seed_digest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
H = dt.timedelta(hours=1)
VOID = {"br", "img", "meta", "hr", "input", "link"}


async def digest_at(services: Services, adviser_id: int | None = None) -> Digest:
    async with services.sessionmaker() as session:
        return await build_digest(session, NOW, adviser_id=adviser_id, zone=services.settings.zone)


class Marked(HTMLParser):
    """The numbers the digest marks with data-* attributes, and the chart's address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[tuple[str, ...], str] = {}
        self.images: list[str] = []
        self._scope: list[tuple[str, str]] = []
        self._open: list[tuple[int, tuple[str, ...] | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "img":
            self.images.append(found["src"])
        if tag in VOID:
            return
        scopes = [
            (s, found[s]) for s in ("data-jst", "data-indicator", "data-month") if s in found
        ]
        self._scope += scopes
        key: tuple[str, ...] | None = None
        if "data-total" in found:
            key = ("total", found["data-total"])
        elif "data-field" in found:
            key = (*(value for _, value in self._scope), found["data-field"])
        self._open.append((len(scopes), key))

    def handle_endtag(self, tag: str) -> None:
        scopes, _ = self._open.pop()
        del self._scope[len(self._scope) - scopes :]

    def handle_data(self, data: str) -> None:
        for _, key in reversed(self._open):
            if key is not None:
                self.values[key] = self.values.get(key, "") + data.strip()
                return


def parsed(html: str) -> Marked:
    parser = Marked()
    parser.feed(html)
    parser.close()
    return parser


async def test_the_digest_holds_the_numbers_of_the_database(services: Services) -> None:
    await seed_digest(services)
    digest = await digest_at(services)
    teams = {team.teryt: team for team in digest.teams}
    assert digest.week == "2026-W19"
    assert {t: team.overdue for t, team in teams.items()} == {
        "0201022": 1,
        "1465011": 0,
        "1201": 2,
    }
    assert {t: team.report.state for t, team in teams.items() if team.report} == {
        "0201022": "draft",
        "1465011": "submitted",
        "1201": "submitted",
    }
    assert {t: team.open_questions for t, team in teams.items()} == {
        "0201022": 0,
        "1465011": 1,
        "1201": 0,
    }
    assert (digest.overdue, digest.open_questions, digest.reports_missing) == (3, 1, 1)
    times = {r.teryt: (r.answered, r.median, r.open, r.oldest_open) for r in digest.response}
    assert times == {"0201022": (1, 4 * H, 0, None), "1465011": (0, None, 1, 96 * H)}
    numbers = digest.indicators
    assert [
        (i.value, i.target)
        for i in (
            numbers.staff_supported,
            numbers.staff_women,
            numbers.staff_men,
            numbers.jsts_under_advisory,
        )
    ] == [(5, 150), (4, 105), (1, 45), (3, 50)]
    active = {m.month.isoformat()[:7]: (m.reports, m.tasks) for m in digest.months}
    assert len(active) == 12 and min(active) == "2025-06" and max(active) == "2026-05"
    assert {month: counts for month, counts in active.items() if counts != (0, 0)} == {
        "2026-01": (0, 1),
        "2026-02": (0, 2),
        "2026-04": (1, 0),
        "2026-05": (1, 0),
    }


async def test_an_adviser_digest_covers_only_their_jsts(services: Services) -> None:
    ids = await seed_digest(services)
    jan = await digest_at(services, ids["jan"])
    maria = await digest_at(services, ids["maria"])
    assert [team.teryt for team in jan.teams] == ["0201022", "1465011"]
    assert [team.teryt for team in maria.teams] == ["1201"]
    assert (jan.overdue, maria.overdue) == (1, 2)
    assert [m.tasks for m in maria.months] == [0] * 12  # Bochnia accepted nothing


async def matrix_of(services: Services, digest: Digest) -> Matrix:
    async with services.sessionmaker() as session:
        return await digest_matrix(session, digest, services.templates)


async def test_the_preview_page_shows_those_numbers_and_a_real_chart(
    services: Services,
) -> None:
    await seed_digest(services)
    digest = await digest_at(services)
    matrix = await matrix_of(services, digest)
    for language in ("pl", "en"):
        page = parsed(preview_html(services.templates, language, digest, matrix))
        values = page.values
        assert values[("total", "overdue")] == "3"
        assert values[("total", "open_questions")] == "1"
        assert values[("total", "reports_missing")] == "1"
        assert values[("0201022", "overdue")] == "1"
        assert values[("1201", "overdue")] == "2"
        assert values[("1465011", "open_questions")] == "1"
        assert values[("1465011", "waiting")] == "1"
        assert values[("0201022", "answered")] == "1"
        rounds = {"pl": "Z1 – 3 osoby, Z2 – 3 osoby", "en": "Z1 – 3 people, Z2 – 3 people"}
        assert values[("1465011", "attendance")].startswith(rounds[language])  # all of Warszawa
        assert values[("staff_supported", "value")] == "5"
        assert values[("staff_supported", "target")] == "150"
        assert (values[("staff_women", "value")], values[("staff_women", "target")]) == (
            "4",
            "105",
        )
        assert (values[("staff_men", "value")], values[("staff_men", "target")]) == ("1", "45")
        assert values[("jsts_under_advisory", "target")] == "50"
        assert (values[("2026-02", "reports")], values[("2026-02", "tasks")]) == ("0", "2")
        assert values[("2026-05", "reports")] == "1"
        [chart] = page.images
        prefix = "data:image/png;base64,"
        assert chart.startswith(prefix)
        png = base64.b64decode(chart.removeprefix(prefix))
        assert png.startswith(PNG_SIGNATURE)
        with Image.open(io.BytesIO(png)) as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] > 100


async def test_the_workbook_opens_and_holds_the_rows(services: Services) -> None:
    """In the reader's language: sheets, headers, states and titles (issue 18: English headers
    and codes such as "missing" in a Polish workbook)."""
    await seed_digest(services)
    digest = await digest_at(services)
    matrix = await matrix_of(services, digest)
    english = _workbook(services, digest, matrix, "en")
    assert english.sheetnames == ["JST steps", "JSTs", "Tasks", "Questions"]
    assert next(english["JSTs"].iter_rows(values_only=True))[3:7] == (
        "Stage",
        "Overdue",
        "Open tasks",
        "Monthly report",
    )
    workbook = _workbook(services, digest, matrix, "pl")
    assert workbook.sheetnames == ["Kroki JST", "JST", "Zadania", "Pytania"]
    teams = list(workbook["JST"].iter_rows(values_only=True))
    assert teams[0] == (
        "TERYT",
        "JST",
        "Doradca",
        "Etap",
        "Po terminie",
        "Zadania otwarte",
        "Raport miesięczny",
        "Otwarte pytania",
    )
    by_teryt = {row[0]: row for row in teams[1:]}
    assert {t: (row[4], row[6], row[7]) for t, row in by_teryt.items()} == {
        "0201022": (1, "w przygotowaniu", 0),
        "1465011": (0, "wysłany", 1),
        "1201": (2, "wysłany", 0),
    }
    tasks = list(workbook["Zadania"].iter_rows(values_only=True))[1:]
    assert len(tasks) == 21  # seven tasks for each of three JSTs
    assert [row[2] for row in tasks if row[6] == 1] == ["ZW2", "ZW1", "ZW2"]
    assert {row[5] for row in tasks} <= {"do zrobienia", "zgłoszone", "zwrócone", "przyjęte"}
    questions = list(workbook["Pytania"].iter_rows(values_only=True))[1:]
    assert {row[0]: (row[3], row[4], row[6], row[7]) for row in questions} == {
        "0201022": (1, 4.0, 0, None),
        "1465011": (0, None, 1, 96.0),
    }


async def test_every_part_renders_in_both_languages(services: Services) -> None:
    ids = await seed_digest(services)
    for adviser, template in ((None, "digest"), (ids["maria"], "adviser_digest")):
        digest = await digest_at(services, adviser)
        context = {"digest": digest, "chart_src": "cid:digest-chart", "bot_link": None}
        context["recipient"] = {"name": "", "joined": False, "blocked": False}
        context["coordinator"] = Contact("Kasia Zielińska", "kasia@ore.example.pl", "K")
        for language in ("pl", "en"):
            subject, text, html = (
                services.templates.render(language, f"email/{template}.{part}.j2", **context)
                for part in ("subject.txt", "txt", "html")
            )
            span = services.templates.env.filters["week_span"](digest.week, language)
            assert span in subject and str(digest.overdue) in subject
            assert digest.week not in subject, "no ISO week a coordinator reads (issue 18)"
            assert "Powiat bocheński (TERYT 1201)" in text
            if template == "adviser_digest":  # the coordinator named where the text says so
                assert "Kasia Zielińska (kasia@ore.example.pl)" in text
            assert parsed(html).values[("1201", "overdue")] == "2"
            decimals = r"\d,\d%" if language == "pl" else r"\d\.\d%"
            if template == "digest":  # the indicators, as the language writes decimals
                assert re.search(decimals, text) and re.search(decimals, html)


async def test_the_workbook_opens_on_the_matrix_of_the_cohort(services: Services) -> None:
    """Those needing attention first (Przykładowa and Bochnia: tasks late), a light per step in
    words and colour; the chart's bars count the same lights against the steps past their date."""
    await seed_digest(services)
    digest = await digest_at(services)
    matrix = await matrix_of(services, digest)
    today = digest.now.astimezone(services.settings.zone).date()
    assert [matrix.count(i, Light.DONE) for i in range(6)] == [3, 2, 3, 1, 3, 3]
    assert [matrix.expected(i, today) for i in range(7)] == [3, 3, 3, 3, 3, 3, 0]
    page = _workbook(services, digest, matrix, "pl")["Kroki JST"]
    rows = list(page.iter_rows(values_only=True))
    assert rows[0][:5] == ("TERYT", "JST", "Edycja", "Doradca", "Z1 – I zjazd szkoleniowy")
    assert rows[0][-1] == "Raporty miesięczne"
    late, done, soon = "po terminie", "zrobione", "termin wkrótce"
    assert [row[:4] for row in rows[1:]] == [
        ("0201022", "Gmina Przykładowa", "pilot", "Jan Kowalski"),
        ("1201", "Powiat bocheński", "pilot", "Maria Szymańska"),
        ("1465011", "Miasto Stołeczne Warszawa", "pilot", "Edward K."),
    ]
    assert (rows[1][7], rows[1][-1], rows[2][5], rows[3][7]) == (late, soon, late, done)
    english = _workbook(services, digest, matrix, "en")["JST steps"]
    assert next(english.iter_rows(min_row=2, values_only=True))[4:8] == (
        "done",
        "done",
        "done",
        "late",
    )


def _workbook(services: Services, digest: Digest, matrix: Matrix, language: str) -> Workbook:
    words = services.templates.words(language, LABELS)
    chart_words = services.templates.words(language, CHART_LABELS)
    data = digest_xlsx(digest, matrix, words, chart_words)
    return load_workbook(io.BytesIO(data), read_only=True)
