"""Issue 6, monthly reports: the form, one report per team, told once; a late month picked.

A cohort of its own that started 16 months before this month: its first monitoring report
(R01, last month) is the one being collected today. (A form killed mid-way and finished after
a restart: tests/e2e/test_reports.py.)
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.support.dialog import Speaker, alert, dialog, press, receives
from tests.support.flow_data import ADAM, DONE_TEXT, PIOTR, ZOFIA
from tests.support.team_world import World, join_monitoring_team

LONG = ("Zażółć gęślą jaźń 🎓 <i>nie kursywa</i> & " * 120)[:4096]  # Telegram's whole limit


async def _team(world: World, tmp_path: Path, months_ago: int = 0) -> dict[int, Speaker]:
    """The monitoring cohort's team, joined; the cohort starts `months_ago` earlier than the
    one whose first report (R01) is last month's."""
    return await join_monitoring_team(world, tmp_path, (ZOFIA, PIOTR, ADAM), months_ago)


async def test_a_report_is_sent_once_told_to_the_team_and_stored_whole(
    world: World, tmp_path: Path
) -> None:
    people = await _team(world, tmp_path)
    zofia, piotr = people[ZOFIA], people[PIOTR]

    [first, *_] = await dialog(
        (zofia, "/raport", ("pytanie 1 z 6", "Jak ogólnie przebiega")),
        (zofia, press("4"), "Co zrobiliście w dniach 1–"),
        (zofia, DONE_TEXT, "Które zaplanowane działania się opóźniły?"),
        (zofia, "/raport", "Które zaplanowane działania się opóźniły?"),  # where it stopped
    )
    await dialog(
        # A button of the form before /raport: stale, changes nothing.
        (zofia, press("5", on=first), alert("nieaktualny")),
        (zofia, "Remont pracowni informatycznej", None),
        (zofia, press("Pomiń ➡️"), None),
        (zofia, press("Tak"), "W czym doradca może pomóc?"),
        (zofia, LONG, None),
    )
    parts = [zofia.read[-1]]
    while not parts[-1].buttons:  # the summary is longer than one message: buttons come last
        parts.append(await zofia.next_message())
    whole = "\n".join(part.text for part in parts)
    assert DONE_TEXT in whole and "4/5" in whole and "(pominięto)" in whole
    await dialog(
        (zofia, press("✅ Wyślij raport"), "Dziękujemy"),
        (piotr, receives, "Zofia Nowicka wysłała"),
        (piotr, "/raport", "jest już wysłany – Zofia Nowicka"),
    )

    await world.settle()
    received = await world.control.received(ADAM)
    reports = [m for m in received if "Gmina Jesionowa" in m.text]
    assert len(reports) == 1 and DONE_TEXT in reports[0].text
    assert any("prosi o wsparcie doradcy" in m.text for m in received)

    await world.cli("export", "reports", "--out", str(tmp_path / "reports.xlsx"), "--keys")
    sheet = load_workbook(tmp_path / "reports.xlsx").active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    [row] = [r for r in rows if r[0] == "1206022" and r[2] == "R01"]
    stored = dict(zip(header, row, strict=True))
    assert stored["answer_done"] == DONE_TEXT and stored["answer_support_what"] == LONG
    assert stored["answer_progress"] == 4 and stored["answer_support"] is True


async def test_an_unsent_earlier_month_is_picked_and_sent_late(
    world: World, tmp_path: Path
) -> None:
    zofia = (await _team(world, tmp_path, months_ago=1))[ZOFIA]  # R01 and R02 ended, none sent

    [offer] = await dialog((zofia, "/raport", ("nie wysłał jeszcze raportu za:", "(R01)")))
    labels = [text for text, _ in offer.buttons]
    assert [label[:3] for label in labels] == ["R01", "R02", "Anu"]
    first, second = (f"Raport za {label.split(' – ')[1]}" for label in labels[:2])
    await dialog(
        (zofia, press(labels[0]), f"{first} – pytanie 1 z 6"),
        (zofia, press("3"), None),
        (zofia, "Spotkanie zespołu", None),
        (zofia, "Brak", None),
        (zofia, press("Pomiń ➡️"), None),
        (zofia, press("Nie"), None),
        (zofia, press("✅ Wyślij raport"), (first, "wysłany (po terminie")),
        # Only the latest month is left: straight into its form.
        (zofia, "/raport", f"{second} – pytanie 1 z 6"),
    )
