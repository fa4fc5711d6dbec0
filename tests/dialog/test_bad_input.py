"""Bad input of every kind gets a clear reply in the person's language; the bot keeps running.

(The token never reaching a log line is checked on the real process's log: tests/e2e/.)
"""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import ColumnElement, func, select

from storage.models import InviteAttempt, Person
from tests.support.dialog import (
    alert,
    answered,
    dialog,
    edit,
    forge,
    press,
    quietly,
    receives,
    upload,
)
from tests.support.team_world import World

ANNA, STRANGER, ENGLISH_STRANGER, THIEF, GUESSER, GROUP = 6001, 6002, 6003, 6004, 6005, -100777


async def _count(
    world: World, table: type[InviteAttempt | Person], *where: ColumnElement[bool]
) -> int:
    async with world.services.sessionmaker() as session:
        return int(
            await session.scalar(select(func.count()).select_from(table).where(*where)) or 0
        )


async def test_strangers_and_wrong_codes(world: World) -> None:
    codes = await world.invite_codes()
    stranger = await world.user(STRANGER, "Obcy")
    english = await world.user(ENGLISH_STRANGER, "Stranger", language="en")
    await dialog(
        (stranger, "/start", "osoby zaproszone"),
        (stranger, "Dzień dobry, jak dołączyć?", "osoby zaproszone"),
        (english, "/status", "Only invited people"),
    )
    assert await _count(world, InviteAttempt) == 0

    await world.join(codes["anna.nowak@example.pl"], ANNA, "Anna")
    thief = await world.user(THIEF, "Złodziej")
    used, unknown = await dialog(
        (thief, f"/start {codes['anna.nowak@example.pl']}", None),
        (thief, "/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None),
    )
    assert used.text == unknown.text and "nie da się użyć" in used.text, "one refusal for all"

    guesser = await world.user(GUESSER, "Zgadywacz")
    *_, last = await dialog(*[(guesser, f"/start guess{n:028d}", None) for n in range(6)])
    assert "Zbyt wiele nieudanych prób" in last.text
    await dialog((guesser, f"/start {codes['bartosz.wisniewski@example.pl']}", "Zbyt wiele"))
    assert await _count(world, Person, Person.telegram_user_id.is_not(None)) == 1


async def test_member_odd_messages_and_buttons(world: World) -> None:
    control = world.control
    codes = await world.invite_codes()
    anna, _ = await world.join(codes["anna.nowak@example.pl"], ANNA, "Anna")
    notice = next(m for m in await control.received(ANNA) if "RODO" in m.text)
    assert not (await control.next_callback_answer(ANNA)).get("text"), "joining answers quietly"

    await dialog(
        (anna, upload("sticker", b"sticker-bytes", emoji="👍"), "naklejki"),
        (
            anna,
            upload("photo", _png(), caption="zdjęcie"),
            (
                "Wysłać to doradcy jako pytanie?",
                "(1 wiadomość, w tym 1 plik)",
            ),
        ),
        (anna, "ż" * 4096, "(2 wiadomości, w tym 1 plik)"),  # joins the draft
        (anna, press("Anuluj"), quietly),
        (anna, receives, "Anulowano"),
        (anna, "/nieznane_polecenie", "Nie znam tego polecenia"),
        (anna, "/jst", "innej roli"),
        (anna, "/status", None),
    )
    status = [m for m in await control.messages(ANNA) if m.text == "/status"][-1]
    await dialog(
        (anna, edit(status, "/zadania"), "Zmiany w wysłanej"),
        (anna, forge("notice", on=notice), alert("nieaktualny")),
        (anna, forge("lang:de", on=notice), answered("nieaktualny")),
    )

    await control.group(GROUP, "Zespół", [ANNA])
    await control.say(ANNA, "/status", chat_id=GROUP)
    assert "tylko w rozmowie prywatnej" in (await control.next_message(GROUP, within=10)).text
    await dialog((anna, "/status", "Miasto Stołeczne Warszawa"))


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()
