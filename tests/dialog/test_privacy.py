"""GDPR on Telegram: the notice, a file of one's data, an erasure request carried out."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.dialog import dialog, press, receives
from tests.support.team_world import World

ANNA = 8001
ERASE = "Tak, usuńcie moje dane"


async def test_my_data_file_and_erasure(world: World, tmp_path: Path) -> None:
    codes = await world.invite_codes()
    anna, _ = await world.join(codes["anna.nowak@example.pl"], ANNA, "Anna")

    [sent, _, summary, *_] = await dialog(
        (anna, "/moje_dane", None),
        (anna, receives, None),  # the same as CSV (tests/dialog/test_my_data.py)
        (anna, receives, ("Twoje dane w bocie programu", "anna.nowak@example.pl", "Pytania")),
        (anna, receives, "Informacja o przetwarzaniu danych osobowych"),
        (anna, "/usun_dane", None),
        (anna, press(ERASE), "został zapisany"),
        (anna, "/usun_dane", "już zapisany"),
    )
    assert sent.message.document is not None
    assert "Miasto Stołeczne Warszawa" in summary.text and "{" not in summary.text, "readable"
    data = json.loads(await world.control.file_content(sent.message.document.file_id))
    assert data["person"]["email"] == "anna.nowak@example.pl"
    assert data["person"]["jst"]["name"] == "Miasto Stołeczne Warszawa"
    assert "bartosz" not in json.dumps(data).lower(), "nobody else's data"

    assert "anonymised" in await world.cli("erase", "anna.nowak@example.pl", "--yes")
    await dialog(
        (anna, receives, "Twoje dane są usuwane"),  # before they go
        (anna, "/status", "osoby zaproszone"),  # now a stranger
    )
    exported = await world.cli("export", "people", "--out", str(tmp_path / "people.csv"))
    assert exported
    people = (tmp_path / "people.csv").read_text(encoding="utf-8-sig")
    assert "anna.nowak@example.pl" not in people and "Anna Nowak" not in people
