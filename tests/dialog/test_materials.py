"""Issue 21, item 6: the materials' review loop between the beneficiary's coordinator and ORE's
experts, on both databases. The experts are imported like everyone else (`advisorybot import`);
the coordinator hands a schedule in with a file, an expert returns it with remarks, the
coordinator fixes it, an expert accepts it; the reminders before and after the deadlines; a
member or an adviser can neither use the command nor forge the buttons; an expert sees no JST.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select

from reminders.tick import work_calendar
from storage.models import AuditEntry, Material
from storage.workdays import working_day_from
from tests.support.dialog import (
    Speaker,
    alert,
    answered,
    dialog,
    forge,
    press,
    receives,
    upload,
)
from tests.support.flow_data import ANNA, JAN, TASK_PEOPLE
from tests.support.team_world import COHORT, World

EXPERTS = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
;;;;ekspertka;Olga Nowicka;olga@ore.example.pl;K;pl
;;;;expert;Piotr Lis;piotr.lis@ore.example.pl;M;pl
"""
KATARZYNA, OLGA, PIOTR = 8201, 8202, 8203
PEOPLE = TASK_PEOPLE | {
    KATARZYNA: ("koordynacja@example.pl", "Katarzyna"),
    OLGA: ("olga@ore.example.pl", "Olga"),
}
NEW, SEND = "➕ Nowy materiał do oceny", "✅ Wyślij ekspertom"
ACCEPT, RETURN = "✅ Przyjmij", "↩️ Zwróć do poprawy"
TITLE = "Harmonogram zjazdów I–IV"


async def _people(world: World, tmp_path: Path) -> list[Speaker]:
    """The experts imported; the coordinator, Olga, Anna and Jan joined (Piotr not)."""
    experts = tmp_path / "experts.csv"
    experts.write_text(EXPERTS, encoding="utf-8")
    await world.cli("import", str(experts), "--cohort", COHORT)
    return await world.join_all(PEOPLE, KATARZYNA, OLGA, ANNA, JAN)


async def _hand_in(katarzyna: Speaker, listed: str = "Nie przekazano") -> None:
    await dialog(
        (katarzyna, "/materialy", ("Materiały w ocenie ekspertów ORE", listed)),
        (katarzyna, press(NEW), "Jaki to materiał?"),
        (katarzyna, press("Harmonogram szkoleń"), "Napisz tytuł"),
        (katarzyna, TITLE, "Wyślij materiał"),
        (
            katarzyna,
            upload("document", b"%PDF-1.4 zjazdy", file_name="harmonogram.pdf"),
            ("Sprawdź: Harmonogram zjazdów I–IV", "harmonogram.pdf"),
        ),
        (katarzyna, press(SEND), ("Przekazano ekspertom ORE do oceny", "pierwsza wersja")),
    )


async def test_hand_in_return_fix_accept(world: World, tmp_path: Path) -> None:
    katarzyna, olga, anna, jan = await _people(world, tmp_path)
    await _hand_in(katarzyna)
    copy, first_request = await dialog(
        (olga, receives, None),
        (olga, receives, ("Do oceny: Harmonogram zjazdów I–IV", "przekazała Katarzyna")),
    )
    assert copy.message.document is not None
    assert copy.message.document.file_name == "harmonogram.pdf"
    await dialog(
        (olga, press(RETURN), "Napisz uwagi"),
        (olga, "Brakuje sal i godzin zajęć.", "Zwrócono materiał"),
        (katarzyna, receives, ("Olga Nowicka zwróciła", "Brakuje sal i godzin zajęć.")),
        (katarzyna, "/materialy", ("zwrócony do poprawy", "poprawki do")),
        (katarzyna, press(f"✏️ Poprawka: {TITLE}"), "poprawka"),
        (katarzyna, "https://example.pl/harmonogram-v2", "Sprawdź"),
        (katarzyna, press(SEND), "wersja po poprawkach"),
        (olga, receives, ("Do oceny", "wersja po poprawkach", "harmonogram-v2")),
        (olga, press(ACCEPT, on=first_request), alert("nieaktualny")),
        (olga, press(ACCEPT), "Przyjęto materiał"),
        (katarzyna, receives, "Olga Nowicka przyjęła materiał"),
        (olga, "/materialy", "Nic nie czeka na Twoją ocenę"),
    )
    # The expert who is not on Telegram got each version by e-mail.
    await world.settle()
    to_piotr = [m for m in world.mailbox.mails() if "piotr.lis@ore.example.pl" in m.recipients]
    assert [m.subject.split(" – ")[0] for m in to_piotr] == [f"Do oceny: {TITLE}"] * 2
    assert "harmonogram.pdf" in to_piotr[0].text and "wersja po poprawkach" in to_piotr[1].text
    assert "harmonogram-v2" in to_piotr[1].text

    # Nobody else may review: a member and an adviser forging the expert's button are told it
    # is another role's, and neither may use /materialy; an expert reads no JST.
    forged = olga.read[-3].callback_data(ACCEPT)
    refused = answered("dla innej roli")
    await dialog(
        *[(person, forge(forged, on=person.read[-1]), refused) for person in (anna, jan)],
        (anna, "/materialy", "dla innej roli"),
        (jan, "/materialy", "dla innej roli"),
        (olga, "/jst", "dla innej roli"),
        (olga, "/status", "dla innej roli"),
        (olga, "/pomoc", ("materiały realizatora", "/materialy")),
    )
    olga_chat = " ".join(m.text for m in await world.control.received(OLGA))
    assert "Stołeczne" not in olga_chat and "TERYT" not in olga_chat


async def test_the_operator_hands_in_and_exports(world: World, tmp_path: Path) -> None:
    """`material submit` on a coordinator's behalf (a link): the experts are told;
    `export materials` lists each material with its state and dates."""
    katarzyna, olga, _anna, _jan = await _people(world, tmp_path)
    said = await world.cli(
        "material", "submit", "--cohort", COHORT, "--by", "Koordynacja@example.pl",
        "--title", "Scenariusz zjazdu I", "--kind", "scenario",
        "--link", "https://example.pl/scenariusz",
    )  # fmt: skip
    assert 'Handed in for review: "Scenariusz zjazdu I" (session scenario' in said
    await dialog((olga, receives, ("Do oceny: Scenariusz zjazdu I", "example.pl/scenariusz")))
    await _hand_in(
        katarzyna, "Scenariusz zjazdu I (scenariusz zajęć, edycja Pilotaż): u ekspertów"
    )
    async with world.services.sessionmaker() as session:
        actors = await session.scalars(
            select(AuditEntry.actor)
            .where(AuditEntry.action == "material.submitted")
            .order_by(AuditEntry.id)
        )
        by_operator, by_katarzyna = list(actors)
    assert by_operator.startswith("operator:") and by_katarzyna.startswith("person:")
    out = tmp_path / "materials.csv"
    await world.cli("export", "materials", "--out", str(out), "--keys")
    with out.open(encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream, delimiter=";"))
    assert [(r["material_title"], r["material_kind"], r["state"]) for r in rows] == [
        ("Scenariusz zjazdu I", "scenario", "submitted"),
        (TITLE, "schedule", "submitted"),
    ]
    assert {r["submitted_by"] for r in rows} == {"koordynacja@example.pl"}
    worded = tmp_path / "materiały.csv"
    await world.cli("export", "materials", "--out", str(worded), "--lang", "pl")
    assert "scenariusz zajęć;u ekspertów" in worded.read_text(encoding="utf-8-sig")

    # An expert who joins now, with the link of the latest e-mail he got, gets both waiting
    # versions at once (e-mailed before).
    await world.settle()
    code = world.mailbox.invitation_code("piotr.lis@ore.example.pl")
    assert code is not None
    piotr, welcome = await world.join(code, PIOTR, "Piotr")
    assert "Na ocenę czekają 2 materiały – przychodzą poniżej." in welcome.text
    requests = [(await piotr.next_message()).text for _ in range(3)]  # a file, two requests
    assert sum(text.startswith("Do oceny:") for text in requests) == 2


async def test_reminders_before_and_after_the_deadlines(world: World, tmp_path: Path) -> None:
    katarzyna, olga, _anna, _jan = await _people(world, tmp_path)
    await _hand_in(katarzyna)
    await dialog((olga, receives, None), (olga, receives, "Do oceny"))
    async with world.services.sessionmaker() as session:
        due = (await session.scalars(select(Material.due_on))).one()
    calendar = work_calendar(world.services)

    async def tick(day: dt.date, person: Speaker) -> list[str]:
        """What the person reads after a pass at 09:00 that day."""
        before = len(await world.control.received(person.user_id))
        await world.tick(calendar.at(day, 9))
        new = len(await world.control.received(person.user_id)) - before
        return [(await person.next_message()).text for _ in range(new)]

    [soon] = await tick(calendar.working_day_before(due), olga)
    assert "Termin oceny: jutro" in soon or "Termin oceny: za" in soon
    [today] = await tick(due, olga)
    assert "Termin oceny: dziś" in today
    [late] = await tick(working_day_from(due + dt.timedelta(days=1)), olga)
    assert "Termin oceny minął" in late and "1 dzień roboczy temu" in late
    alerts = [m for m in world.mailbox.mails() if "koordynacja@example.pl" in m.recipients]
    assert [m.subject for m in alerts if TITLE in m.subject] == [
        f"Alert: ocena materiału „{TITLE}” po terminie od 1 dnia roboczego"
    ]

    await dialog(
        (olga, press(RETURN), "Napisz uwagi"),
        (olga, "Dodać godziny.", "Zwrócono materiał"),
        (katarzyna, receives, "Dodać godziny."),
    )
    async with world.services.sessionmaker() as session:
        fix_by = (await session.scalars(select(Material.due_on))).one()
    [fix_soon] = await tick(calendar.working_day_before(fix_by), katarzyna)
    assert "poprawki" in fix_soon and "/materialy" in fix_soon
