"""GDPR on Telegram: the notice, a file of one's data, an erasure request carried out."""

from __future__ import annotations

import json

from localapi import ControlClient
from tests.e2e.conftest import join, running
from tests.support.bot_process import BotWorld

ANNA = 8001


async def test_my_data_file_and_erasure(world: BotWorld, control: ControlClient) -> None:
    codes = await running(world, control)
    anna, _ = await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")

    await anna.say("/moje_dane")
    sent = await anna.next_message(within=10)
    assert sent.message.document is not None
    data = json.loads(await control.file_content(sent.message.document.file_id))
    assert data["person"]["email"] == "anna.nowak@example.pl"
    assert data["person"]["jst"]["name"] == "Miasto Stołeczne Warszawa"
    assert "bartosz" not in json.dumps(data).lower(), "nobody else's data"

    await anna.say("/usun_dane")
    question = await anna.next_message(within=10)
    await anna.press(question, "Tak, usuńcie moje dane")
    assert "został zapisany" in (await anna.next_message(within=10)).text
    await anna.say("/usun_dane")
    again = await anna.next_message(within=10)
    await anna.press(again, "Tak, usuńcie moje dane")
    assert "już zapisany" in (await anna.next_message(within=10)).text

    assert "anonymised" in await world.cli("erase", "anna.nowak@example.pl")
    await anna.say("/status")
    assert "osoby zaproszone" in (await anna.next_message(within=10)).text, "now a stranger"
    exported = await world.cli("export", "people", "--out", str(world.workdir / "people.csv"))
    assert exported
    people = (world.workdir / "people.csv").read_text(encoding="utf-8-sig")
    assert "anna.nowak@example.pl" not in people and "Anna Nowak" not in people
