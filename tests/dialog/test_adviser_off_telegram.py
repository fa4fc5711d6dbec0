"""Issue 19, items 1 and 2: a question or a submission reaches an adviser who is not on
Telegram by e-mail, with its files attached; when the adviser joins, everything still open for
them comes on Telegram at once, oldest first, and their answer reaches the member once; a
question's files come again on request (`/pliki NR`) to those who may see them.

The real bot over the local Bot API, the sandbox's SMTP server (every e-mail a file): Anna
(Warszawa) asks and submits while Jan Kowalski, her JST's adviser, has not joined.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from PIL import Image

from sandbox.mailbox import FILE_NAME, Mail
from tests.support.dialog import Speaker, dialog, press, receives, reply, upload
from tests.support.team_world import World

START_CODE = re.compile(r"\?start=([A-Za-z0-9_-]+)")
ANNA, JAN, DOROTA = 8401, 8402, 8403
ANNA_EMAIL, JAN_EMAIL = "anna.nowak@example.pl", "jan.kowalski@example.pl"
DOROTA_EMAIL = "dorota.lewandowska@example.pl"  # a member of another JST
FILES_AGAIN = "📎 Pliki jeszcze raz (2)"
MARIA_EMAIL = "maria.szymanska@example.pl"  # an adviser of another JST, Jan's substitute
SHEET = b"PK a spreadsheet of the schools"
SECOND = b"PK the secondary schools"


async def _anna(world: World) -> tuple[Speaker, dict[str, str]]:
    """Anna joined, and everyone's invite codes (the others join later)."""
    codes = await world.invite_codes()
    anna, welcome = await world.join(codes[ANNA_EMAIL], ANNA, "Anna")
    assert "Anna Nowak" in welcome.text
    return anna, codes


def _mails_to(world: World, address: str) -> list[tuple[Mail, EmailMessage]]:
    """The e-mails to `address`, each with its parsed message (for the attachments)."""
    found = []
    for mail in world.mailbox.mails():
        if address in mail.recipients:
            raw = (world.mailbox.directory / FILE_NAME.format(number=mail.number)).read_bytes()
            parsed = message_from_bytes(raw, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            found.append((mail, parsed))
    return found


async def _submit_two_sheets(world: World, anna: Speaker, *, on_telegram: bool) -> None:
    """Anna hands in ZW1 with two spreadsheets, a day after the world's start; her receipt
    says whether the adviser got it on Telegram or by e-mail."""
    world.clock.set(world.clock.now() + dt.timedelta(days=1))
    [choose] = await dialog((anna, "/zadanie", None))
    zw1 = next(text for text, _ in choose.buttons if text.startswith("ZW1"))
    await dialog(
        (anna, press(zw1), None),
        (anna, upload("document", SHEET, file_name="zw1-sp.xlsx"), "Sprawdź zgłoszenie"),
        (anna, upload("document", SECOND, file_name="zw1-lo.xlsx"), "Dowody (2):"),
        (anna, press("✅ Wyślij doradcy"), "zgłoszone jako wykonane"),
    )
    assert ("e-mailem" in anna.read[-1].text) == (not on_telegram), "the receipt tells how"


def _start_code(mail: Mail) -> str:
    """The personal join link's code an e-mail carries."""
    found = START_CODE.search(mail.text)
    assert found is not None, mail.text
    return found[1]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "blue").save(buffer, format="JPEG")
    return buffer.getvalue()


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        found[str(part.get_filename())] = data
    return found


async def test_a_question_with_a_photo_and_a_document_reaches_an_adviser_off_telegram(
    world: World,
) -> None:
    anna, codes = await _anna(world)
    await dialog(
        (anna, "/pytanie", "Pytanie do doradcy"),
        (anna, upload("photo", _photo(), caption="Czy tak wypełniamy arkusz?"), "do wysłania"),
        (anna, upload("document", SHEET, file_name="szkoly.xlsx"), "w tym 2 pliki"),
        (anna, press("Wyślij"), ("zapisane i przekazane doradcy: Jan Kowalski", "e-mailem")),
    )
    await world.settle()
    [(mail, message)] = _mails_to(world, JAN_EMAIL)
    assert mail.subject.startswith("Pytanie nr 1 – zespół JST Miasto Stołeczne Warszawa")
    assert "Czy tak wypełniamy arkusz?" in mail.text and "/do_oceny" in mail.text
    attached = _attachments(message)
    assert attached["szkoly.xlsx"] == SHEET
    [photo] = [data for name, data in attached.items() if name.endswith(".jpg")]
    assert Image.open(io.BytesIO(photo)).size == (16, 12), "the photo itself"

    # Jan joins with the link of that e-mail (it replaced his invitation's): the question and
    # both files come on Telegram at once; his answer reaches Anna.
    jan, welcome = await world.join(_start_code(mail), JAN, "Jan")
    assert "czeka 1 sprawa" in welcome.text
    forwarded = await dialog(
        (jan, receives, ("Pytanie nr 1", "Anna Nowak", "Czy tak wypełniamy arkusz?")),
        (jan, receives, None),
        (jan, receives, None),
    )
    assert forwarded[1].message.photo and forwarded[2].message.document is not None
    assert forwarded[2].message.document.file_name == "szkoly.xlsx"
    opened = await dialog(
        (jan, press(FILES_AGAIN, on=forwarded[0]), None), (jan, receives, None)
    )  # the files open again from the question's button
    assert opened[0].message.photo and opened[1].message.document is not None
    await dialog(
        (jan, reply("Tak, osobno dla każdej szkoły.", to=forwarded[0]), "zapisana i wysłana"),
        (anna, receives, ("Odpowiedź doradcy", "Tak, osobno dla każdej szkoły.")),
    )
    await world.settle()
    answers = [m for m in await world.control.received(ANNA) if "osobno dla każdej" in m.text]
    assert len(answers) == 1, "the answer came once"
    assert len(_mails_to(world, JAN_EMAIL)) == 1, "no second e-mail once Jan is on Telegram"

    # Item 2: the files come again on request, to the asker and the adviser, to nobody else.
    again = await dialog(
        (anna, "/pliki 1", "Pytanie nr 1: 2 pliki"), (anna, receives, None), (anna, receives, None)
    )
    assert again[1].message.photo and again[2].message.document is not None
    dorota, _ = await world.join(codes[DOROTA_EMAIL], DOROTA, "Dorota")
    await dialog(
        (jan, "/pliki 1", "Pytanie nr 1: 2 pliki"),
        (jan, receives, None),
        (jan, receives, None),
        (dorota, "/pliki 1", "Nie ma pytania nr 1, którego pliki możesz zobaczyć"),
        (jan, "/pliki 999", "Nie ma pytania nr 999, którego pliki możesz zobaczyć"),
        (jan, "/pliki", "Jak dostać jeszcze raz pliki"),
    )


async def test_a_submission_with_two_files_reaches_an_adviser_off_telegram(world: World) -> None:
    anna, _ = await _anna(world)
    await _submit_two_sheets(world, anna, on_telegram=False)
    await world.settle()
    [(mail, message)] = _mails_to(world, JAN_EMAIL)
    assert mail.subject.startswith("Do oceny: zadanie ZW1 (diagnoza wstępna)")
    assert _attachments(message) == {"zw1-sp.xlsx": SHEET, "zw1-lo.xlsx": SECOND}
    assert "Oceń je w bocie" in mail.text

    jan, welcome = await world.join(_start_code(mail), JAN, "Jan")
    assert "czeka 1 sprawa" in welcome.text
    copies = await dialog((jan, receives, None), (jan, receives, None))
    names = [copy.message.document.file_name for copy in copies if copy.message.document]
    assert names == ["zw1-sp.xlsx", "zw1-lo.xlsx"]
    [request] = await dialog(
        (jan, receives, ("Do oceny: Miasto Stołeczne Warszawa", "zw1-lo.xlsx"))
    )
    opened = await dialog((jan, press(FILES_AGAIN, on=request), None), (jan, receives, None))
    assert [copy.message.document.file_name for copy in opened if copy.message.document] == [
        "zw1-sp.xlsx",
        "zw1-lo.xlsx",
    ]
    await dialog(
        (jan, press("✅ Przyjmij", on=request), "Przyjęto zadanie ZW1"),
        (anna, receives, "przyjął zadanie ZW1"),
        (anna, "/pliki zw1", "Zadanie ZW1: 2 pliki"),
        (anna, receives, None),
        (anna, receives, None),
        (anna, "/pliki ZW9", "nie ma zadania ZW9"),
    )


async def test_a_substitute_gets_the_submissions_that_wait_by_email_when_off_telegram(
    world: World,
) -> None:
    anna, codes = await _anna(world)
    jan, _ = await world.join(codes[JAN_EMAIL], JAN, "Jan")
    await _submit_two_sheets(world, anna, on_telegram=True)
    await dialog((jan, receives, None), (jan, receives, None), (jan, receives, "Do oceny"))

    today = world.today()
    away = f"/zastepstwo {MARIA_EMAIL} {today:%d.%m.%Y} {today + dt.timedelta(days=7)}"
    await dialog((jan, away, "Maria Szymańska"))
    await world.settle()
    [(mail, message)] = _mails_to(world, MARIA_EMAIL)[-1:]
    assert mail.subject.startswith("Do oceny: zadanie ZW1 (diagnoza wstępna)")
    assert _attachments(message) == {"zw1-sp.xlsx": SHEET, "zw1-lo.xlsx": SECOND}
