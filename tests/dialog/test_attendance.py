"""Issue 21, attendance marked in the bot: Jan (adviser of Warszawa and Przykładowa) marks who of
Warszawa's team attended round Z1 with /obecnosc; Maria (Bochnia's adviser) cannot reach
Warszawa, nor press Jan's buttons; a forged toggle for a member of another JST is refused; the
team sees the marks in /status.
"""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Attendance, Person
from tests.support.dialog import alert, dialog, forge, press, quietly
from tests.support.flow_data import ANNA, JAN, MARIA, TASK_PEOPLE
from tests.support.team_world import World

WARSZAWA = "1465011"


async def _marks(world: World) -> dict[str, bool]:
    async with world.services.sessionmaker() as session:
        rows = await session.execute(
            select(Person.full_name, Attendance.present).join(
                Attendance, Attendance.person_id == Person.id
            )
        )
        return {name: present for name, present in rows}


async def test_an_adviser_marks_the_round_and_the_team_sees_it(world: World) -> None:
    anna, jan, maria = await world.join_all(TASK_PEOPLE, ANNA, JAN, MARIA)
    await dialog((jan, "/obecnosc", "Po /obecnosc wpisz kod TERYT"))  # two JSTs: which one?
    [rounds] = await dialog(
        (jan, f"/obecnosc {WARSZAWA}", ("Obecność na zjazdach – Miasto Stołeczne Warszawa")),
    )
    [team] = await dialog((jan, press("Z1", on=rounds), ("I zjazd szkoleniowy",)))
    assert [text for text, _ in team.buttons] == [
        "▫️ Anna Nowak",
        "▫️ Bartosz Wiśniewski",
        "▫️ Celina Wójcik",
    ]
    await dialog(
        (jan, press("▫️ Anna Nowak", on=team), quietly),
        (jan, press("▫️ Celina Wójcik", on=team), quietly),
    )
    assert await _marks(world) == {"Anna Nowak": True, "Celina Wójcik": True}
    [again] = await dialog((jan, press("Z1", on=rounds), "I zjazd szkoleniowy"))
    assert again.buttons[0][0] == "✅ Anna Nowak"
    await dialog((jan, press("✅ Celina Wójcik", on=again), quietly))  # pressed again: absent
    assert await _marks(world) == {"Anna Nowak": True, "Celina Wójcik": False}
    await dialog((anna, "/status", ("Zjazdy szkoleniowe", "obecni: Anna Nowak")))

    # Maria advises Bochnia only; Jan's buttons are signed for Jan.
    await dialog(
        (maria, f"/obecnosc {WARSZAWA}", "Nie znajduję JST o kodzie TERYT 1465011"),
        (maria, forge(str(rounds.buttons[0][1])), alert("nieaktualny")),  # on her own chat
    )
    # Jan's signature does not carry over to other data: Bochnia's member in Warszawa's round.
    _text, data = team.buttons[0]
    signature = str(data).rsplit(":", 1)[1]
    await dialog((jan, forge(f"att:1:Z1:999:1:{signature}", on=team), alert("nieaktualny")))
    assert await _marks(world) == {"Anna Nowak": True, "Celina Wójcik": False}
