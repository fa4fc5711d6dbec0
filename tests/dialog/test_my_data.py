"""Access (GDPR Art. 15, issue 20): /moje_dane gives a member everything stored about them as a
JSON and a CSV file, a readable summary, the notice's information and copies of their files;
an adviser the same in an adviser's words."""

from __future__ import annotations

import csv
import io
import json

from localapi import ChatMessage
from sandbox.runtime import SAMPLE_NOTICE
from tests.support.dialog import dialog, press, receives, upload
from tests.support.flow_data import ANNA, JAN, TASK_PEOPLE
from tests.support.team_world import World

QUESTION = "Czy ten plan diagnozy jest dobry?"
PLAN = b"%PDF-1.4 plan diagnozy"
SHEET = b"PK arkusz diagnozy"
SEND_QUESTION, SEND_TASK = "Wyślij", "✅ Wyślij doradcy"


async def _document(world: World, message: ChatMessage) -> tuple[str, bytes]:
    document = message.message.document
    assert document is not None, message.text
    assert document.file_name is not None
    return document.file_name, await world.control.file_content(document.file_id)


async def test_a_member_gets_their_data_files_summary_and_own_files(world: World) -> None:
    jan, anna = await world.join_all(TASK_PEOPLE, JAN, ANNA)
    assert (
        "Twojego zespołu" in anna.read[0].text
        and SAMPLE_NOTICE["dpo_contact"] in anna.read[0].text
    )
    plan = upload("document", PLAN, file_name="plan.pdf", caption=QUESTION)
    *_, choose = await dialog(
        (anna, plan, (QUESTION, "w tym 1 plik")),
        (anna, press(SEND_QUESTION), "zapisane"),
        (anna, "/zadanie", None),
    )
    task = next(text for text, _ in choose.buttons if text.startswith("ZW1"))
    sheet = upload("document", SHEET, file_name="arkusz.xlsx")
    await dialog(
        (anna, press(task), "Wyślij teraz dowód"),
        (anna, sheet, "Sprawdź zgłoszenie"),
        (anna, press(SEND_TASK), "zgłoszone jako wykonane"),
    )

    as_json, as_csv, summary, notice, *copies = await dialog(
        (anna, "/moje_dane", None),
        (anna, receives, None),
        (anna, receives, ("Twoje dane w bocie programu", "Pytania do doradcy: 1", "2 pliki")),
        (anna, receives, ("Informacja o przetwarzaniu", SAMPLE_NOTICE["controller_name"])),
        (anna, receives, None),
        (anna, receives, None),
    )
    assert "Potwierdź przyciskiem" not in notice.text and not notice.buttons
    assert "{" not in summary.text, "readable"

    name, content = await _document(world, as_json)
    data = json.loads(content)
    assert name == "moje_dane.json"
    [question] = data["questions"]
    assert question["text"] == QUESTION and question["files"][0]["file_name"] == "plan.pdf"
    [submitted] = data["task_changes"]
    assert [piece["file_name"] for piece in submitted["details"]["evidence"]] == ["arkusz.xlsx"]
    assert "Jan Kowalski" not in json.dumps(data["questions"] + data["task_changes"])

    name, content = await _document(world, as_csv)
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert name == "moje_dane.csv" and header == ["część", "pozycja", "pole", "wartość"]
    values = {row[3] for row in rows}
    assert {QUESTION, "plan.pdf", "arkusz.xlsx", "anna.nowak@example.pl"} <= values
    assert ["questions", "1", "files[1].file_name", "plan.pdf"] in rows

    assert [await _document(world, copy) for copy in copies] == [
        ("plan.pdf", PLAN),
        ("arkusz.xlsx", SHEET),
    ], "the files she sent, again, in order"

    [*_, adviser_summary, adviser_notice] = await dialog(
        (jan, receives, ("Pytanie nr", QUESTION)),
        (jan, receives, None),  # the question's file
        (jan, receives, None),  # the evidence's file
        (jan, receives, "Do oceny"),
        (jan, "/moje_dane", None),
        (jan, receives, None),
        (jan, receives, ("Twoje dane w bocie programu", "Wspierane JST: ")),
        (jan, receives, "zespołów JST, które wspierasz"),
    )
    assert "Twojego zespołu" not in adviser_notice.text + jan.read[0].text
    assert "Odpowiedzi na pytania: 0" in adviser_summary.text
