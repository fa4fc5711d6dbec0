"""Bad input of every kind gets a clear reply in the person's language; the bot keeps running."""

from __future__ import annotations

from sqlalchemy import func, select

from localapi import ControlClient, LocalBotApi
from storage.db import create_engine
from storage.models import InviteAttempt, Person
from tests.e2e.conftest import join, running
from tests.support.bot_process import BotWorld

ANNA, STRANGER, ENGLISH_STRANGER, THIEF, GUESSER, GROUP = 6001, 6002, 6003, 6004, 6005, -100777


async def _count(world: BotWorld, statement: object) -> int:
    engine = create_engine(world.env["DATABASE_URL"])
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(statement)).scalar_one())  # type: ignore[call-overload]
    finally:
        await engine.dispose()


async def test_strangers_and_wrong_codes(world: BotWorld, control: ControlClient) -> None:
    codes = await running(world, control)

    stranger = await control.user(STRANGER, "Obcy")
    await stranger.say("/start")
    assert "osoby zaproszone" in (await stranger.next_message(within=10)).text
    await stranger.say("Dzień dobry, jak dołączyć?")
    assert "osoby zaproszone" in (await stranger.next_message(within=10)).text
    english = await control.user(ENGLISH_STRANGER, "Stranger", language_code="en")
    await english.say("/status")
    assert "Only invited people" in (await english.next_message(within=10)).text
    assert await _count(world, select(func.count()).select_from(InviteAttempt)) == 0

    await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")
    thief = await control.user(THIEF, "Złodziej")
    await thief.say(f"/start {codes['anna.nowak@example.pl']}")
    used = (await thief.next_message(within=10)).text
    await thief.say("/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    unknown = (await thief.next_message(within=10)).text
    assert used == unknown and "nie da się użyć" in used, "one refusal for every bad code"

    guesser = await control.user(GUESSER, "Zgadywacz")
    for attempt in range(6):
        await guesser.say(f"/start guess{attempt:028d}")
        last = (await guesser.next_message(within=10)).text
    assert "Zbyt wiele nieudanych prób" in last
    await guesser.say(f"/start {codes['bartosz.wisniewski@example.pl']}")
    assert "Zbyt wiele" in (await guesser.next_message(within=10)).text, "slowed down"
    bound = select(func.count()).select_from(Person).where(Person.telegram_user_id.is_not(None))
    assert await _count(world, bound) == 1


async def test_member_odd_messages_and_buttons(
    world: BotWorld, control: ControlClient, local_api: LocalBotApi
) -> None:
    codes = await running(world, control)
    anna, _ = await join(control, codes["anna.nowak@example.pl"], ANNA, "Anna")
    notice = next(m for m in await control.received(ANNA) if "RODO" in m.text)
    assert not (await control.next_callback_answer(ANNA)).get("text"), "joining answers quietly"

    await control.send_file(ANNA, "sticker", b"sticker-bytes", emoji="👍")
    assert "naklejki" in (await anna.next_message(within=10)).text
    await control.send_file(ANNA, "photo", _png(), caption="zdjęcie")
    offer = await anna.next_message(within=10)
    assert "Wysłać to doradcy jako pytanie?" in offer.text and "pliki: 1" in offer.text
    await anna.say("ż" * 4096)
    assert "wiadomości: 2" in (await anna.next_message(within=10)).text, "joins the draft"
    await anna.press(offer, "Anuluj")
    assert "Anulowano" in (await anna.next_message(within=10)).text
    assert not (await control.next_callback_answer(ANNA)).get("text"), "cancelled quietly"
    await anna.say("/nieznane_polecenie")
    assert "Nie znam tego polecenia" in (await anna.next_message(within=10)).text
    await anna.say("/jst")
    assert "innej roli" in (await anna.next_message(within=10)).text
    sent = await anna.say("/status")
    await anna.next_message(within=10)
    await control.edit(ANNA, sent.message_id, "/zadania")
    assert "Zmiany w wysłanej" in (await anna.next_message(within=10)).text

    await control.press(ANNA, notice.message_id, "notice", chat_id=ANNA, forged=True)
    stale = await control.next_callback_answer(ANNA, within=10)
    assert stale["show_alert"] and "nieaktualny" in stale["text"]
    await control.press(ANNA, notice.message_id, "lang:de", chat_id=ANNA, forged=True)
    forged = await control.next_callback_answer(ANNA, within=10)
    assert "nieaktualny" in forged["text"]

    await control.group(GROUP, "Zespół", [ANNA])
    await control.say(ANNA, "/status", chat_id=GROUP)
    assert "tylko w rozmowie prywatnej" in (await control.next_message(GROUP, within=10)).text

    await anna.say("/status")
    assert "Miasto Stołeczne Warszawa" in (await anna.next_message(within=10)).text
    assert local_api.token not in world.log_text(), "the token never reaches a log line"


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()
