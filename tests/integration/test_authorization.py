"""Who may use what: every command and every button prefix, pressed and typed by every kind of
caller, with forged data, against the real bot (in process, over the local Bot API) on SQLite
and PostgreSQL. The README's table is the specification; the registry must match it.

`/jst TERYT` is tried by a member, two advisers and a coordinator on JSTs of two cohorts, with
forged arguments.

The callers: a member of the asker's JST, a member of another JST, the JST's adviser, an
adviser of other JSTs who becomes the first adviser's substitute tomorrow, a coordinator, a
person whose data was erased, and a stranger. Agnieszka asks a private question; Krzysztof
answers her alone; Tomasz asks too, and Krzysztof's /do_oceny lists it; Agnieszka asks for the
erasure of her data. Then everyone presses the share button's data and the list's (his, typed
by hand, with a forged signature, with an id beyond int32), the task review buttons and
Agnieszka's "withdraw the request". Only Krzysztof's own buttons act (the answer is shared;
the question is sent to him again), and Agnieszka's own; nothing else changes anything.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.access import BUTTONS, COMMANDS
from core.services import Services
from sandbox.runtime import Sandbox
from storage.erasure import erase_person
from storage.models import Answer, AuditEntry, Role
from tests.support.sandbox_chat import People, changes, first_after, message_with, settle
from tests.support.team_world import add_team

README = Path(__file__).parents[2] / "README.md"
ROLES = (Role.MEMBER, Role.ADVISER, Role.COORDINATOR, Role.EXPERT)
STRANGER = 6_000_001
AGNIESZKA = "agnieszka.kowalczyk@stary-sacz.example.pl"  # asks; Stary Sącz, Krzysztof's JST
TOMASZ = "tomasz.wrobel@stary-sacz.example.pl"  # her teammate
MALGORZATA = "malgorzata.zajac@stary-sacz.example.pl"  # joins, then is erased
JOANNA = "joanna.mazur@lublin.example.pl"  # a member of another JST
KRZYSZTOF = "krzysztof.pawlak@doradcy.example.pl"  # the adviser
BEATA = "beata.wozniak@doradcy.example.pl"  # another adviser; Krzysztof's substitute tomorrow
RENATA = "renata.kaminska@ore.example.pl"  # the coordinator
HALINA = "halina.sowa@ore.example.pl"  # an ORE expert (the materials' review)
REFUSED_COMMAND = "To polecenie jest przeznaczone dla innej roli w programie."
REFUSED_BUTTON = "Ten przycisk jest przeznaczony dla innej roli w programie."
STALE = "Ten przycisk jest nieaktualny."
STRANGER_HINT = "zaproszenia"
NOT_FOUND = "Nie znajduję JST o kodzie TERYT"
NOT_A_TERYT = "Po /jst wpisz kod TERYT"
STARY_SACZ, LUBLIN, OTHER_TERYT = "1210133", "0663011", "0201022"
OTHER_COHORT = (
    "jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language\n"
    "0201022;Gmina Przykładowa;gmina wiejska;dolnośląskie;członkini;Olga Kwiatkowska;"
    "olga.kwiatkowska@example.pl;K;pl\n"
    "0201022;Gmina Przykładowa;gmina wiejska;dolnośląskie;doradca;Tadeusz Adamski;"
    "tadeusz.adamski@example.pl;M;pl\n"
)
# Arguments that are no TERYT: SQL and LIKE patterns, other digits, too long, a NUL.
FORGED_TERYTS = (
    "1210133' OR '1'='1",
    "%",
    "12101%",
    "１２１０１３３",  # fullwidth digits
    "١٢١٠١٣٣",  # Arabic-Indic digits
    "12101330",
    "1" * 5000,
    "-1",
    "1210133\x00",
)


def readme_table() -> dict[str, frozenset[Role]]:
    """The README's roles table: `/command` or `button prefix` → the roles marked yes."""
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- roles:start -->")[1].split("<!-- roles:end -->")[0]
    rows: dict[str, frozenset[Role]] = {}
    for line in table.strip().splitlines()[2:]:
        name, *cells = [cell.strip() for cell in line.strip("|").split("|")]
        key = re.search(r"`([^`]+)`", name)
        assert key is not None, line
        rows[key[1]] = frozenset(r for r, c in zip(ROLES, cells, strict=True) if c == "yes")
    return rows


def test_the_readme_table_is_the_registry() -> None:
    expected = {f"/{c.names[0]}": c.roles for c in COMMANDS}
    expected |= {b.prefix: b.roles for b in BUTTONS}
    assert readme_table() == expected


async def test_every_command_and_button_by_every_caller(sandbox: Sandbox) -> None:
    running = sandbox.running
    control, services = running.control, running.services
    people = People(sandbox)
    for email in (AGNIESZKA, TOMASZ, MALGORZATA, JOANNA, KRZYSZTOF, BEATA, RENATA):
        await people.join(email)
    agnieszka, krzysztof = people.ids[AGNIESZKA], people.ids[KRZYSZTOF]

    # Agnieszka's private question; Krzysztof answers her alone.
    await control.say(agnieszka, "Prywatne: mam problem zdrowotny, czy mogę przesunąć termin?")
    draft = await message_with(control, agnieszka, "f:")
    await control.press(agnieszka, draft.message_id, draft.buttons[0][1] or "")
    forward = await message_with(control, krzysztof, "", "Prywatne")  # the question's header
    await control.say(krzysztof, "Tak, proszę napisać wniosek.", reply_to=forward.message_id)
    confirmation = await message_with(control, krzysztof, "qteam:")
    signed = next(d for _, d in confirmation.buttons if (d or "").startswith("qteam:"))
    assert signed is not None
    answer_id = int(signed.split(":")[1])
    await control.until_delivered()

    # Tomasz asks too; Krzysztof's /do_oceny lists the question with a button signed for him.
    await control.say(people.ids[TOMASZ], "Czy debatę można zrobić online?")
    draft = await message_with(control, people.ids[TOMASZ], "f:")
    await control.press(people.ids[TOMASZ], draft.message_id, draft.buttons[0][1] or "")
    await message_with(control, krzysztof, "", "debatę można zrobić online")
    await control.say(krzysztof, "/do_oceny")
    listed = await message_with(control, krzysztof, "wait:", "Czeka na Ciebie")
    waiting = listed.buttons[0][1] or ""
    question_id = int(waiting.split(":")[2])
    await control.until_delivered()

    # Agnieszka asks for the erasure of her data: her "withdraw" button is signed for her.
    await control.say(agnieszka, "/usun_dane")
    prompt = await message_with(control, agnieszka, "erase:")
    await control.press(agnieszka, prompt.message_id, "erase:yes")
    recorded = await message_with(control, agnieszka, "erase_cancel:")
    withdraw = next(d or "" for _, d in recorded.buttons if (d or "").startswith("erase_cancel:"))
    request_id = int(withdraw.split(":")[1])
    await control.until_delivered()

    # Małgorzata's data is erased; Beata stands in for Krzysztof from tomorrow.
    async with services.sessionmaker.begin() as session:
        now = services.clock.now()
        await erase_person(session, MALGORZATA, now, now.date(), actor="test")
    await control.say(krzysztof, f"/zastepstwo {BEATA} {tomorrow(services)} {tomorrow(services)}")
    await control.until_delivered()
    await control.user(STRANGER, "Obcy", started=True)
    await control.say(STRANGER, "dzień dobry")
    await control.until_delivered()

    callers = {
        "teammate": people.ids[TOMASZ],
        "asker": agnieszka,
        "member of another JST": people.ids[JOANNA],
        "future substitute": people.ids[BEATA],
        "coordinator": people.ids[RENATA],
        "erased": people.ids[MALGORZATA],
        "stranger": STRANGER,
        "the adviser": krzysztof,
    }
    forged = [
        signed,
        f"qteam:{answer_id}",
        f"qteam:{answer_id}:AAAAAAAAAAA",
        "qteam:99999999999:AAAAAAAAAAA",
        "tk:a:1:0",
        "tk:a:99999999999:0:AAAAAAAAAAA",
        "tk:r:1:0:" + signed.rsplit(":", 1)[1],
        waiting,
        f"wait:q:{question_id}",
        f"wait:q:{question_id}:AAAAAAAAAAA",
        f"wait:t:1:{waiting.rsplit(':', 1)[1]}",
        "wait:q:99999999999:AAAAAAAAAAA",
        f"fl:q:{question_id}",  # files again: unsigned, badly signed, someone else's signature
        f"fl:q:{question_id}:AAAAAAAAAAA",
        f"fl:t:1:{waiting.rsplit(':', 1)[1]}",
        "fl:q:99999999999:AAAAAAAAAAA",
        withdraw,  # an erasure request withdrawn: by its asker's own button only
        f"erase_cancel:{request_id}",
        f"erase_cancel:{request_id}:AAAAAAAAAAA",
        f"erase_cancel:{request_id}:{waiting.rsplit(':', 1)[1]}",
        "erase_cancel:99999999999:AAAAAAAAAAA",
        "f:00:send",
        "zz:1",
        "ics:all",  # the rounds' calendar file: the demo's rounds are dated, a member gets it
        "ics:Z9",
        "att:1:Z1",  # attendance: unsigned, badly signed, a member's presence forged
        "att:1:Z1:AAAAAAAAAAA",
        "att:1:Z1:1:1:AAAAAAAAAAA",
        "att:99999999999:Z1:AAAAAAAAAAA",
        "mr:a:1:0",  # a material's review: an expert's only, and signed for them
        "mr:a:1:0:AAAAAAAAAAA",
        "mr:r:99999999999:0:AAAAAAAAAAA",
    ]
    before = await changes(services)
    calendar_files: set[str] = set()
    for who, user_id in callers.items():
        own = (await control.messages(user_id))[-1]
        for data in forged:
            if (who, data) in (("the adviser", signed), ("the adviser", waiting)):
                continue  # the presses that may act: below
            if (who, data) == ("asker", withdraw):
                continue
            pressed = control.press(user_id, own.message_id, data, forged=True)
            answer = (await first_after(control, user_id, "callback_answer", pressed)).data
            await control.until_delivered()
            assert await changes(services) == before, (who, data)
            if who in ("erased", "stranger"):
                continue
            if data == "ics:all" and not answer.get("text"):
                calendar_files.add(who)  # read only: nothing changed, the file was sent
                continue
            assert answer.get("text"), (who, data, "a press is always answered with why")
            refused = answer["text"]
            assert refused.startswith((STALE, REFUSED_BUTTON)), (who, data, refused)

    # The JSTs' members only: the adviser, the coordinator and the future substitute are refused.
    assert calendar_files == {"teammate", "asker", "member of another JST"}
    tomasz_chat = [m.text for m in await control.messages(people.ids[TOMASZ])]
    assert not any("Tak, proszę napisać wniosek." in text for text in tomasz_chat)
    await control.press(krzysztof, confirmation.message_id, signed)
    await control.until_delivered()
    async with services.sessionmaker() as session:
        shared = await session.get_one(Answer, answer_id)
        audited = await session.scalar(
            select(func.count()).where(AuditEntry.action == "answer_shared")
        )
    assert shared.to_team and audited == 1
    await message_with(control, people.ids[TOMASZ], "", "Tak, proszę napisać wniosek.")

    # Krzysztof's own button of the list sends him Tomasz's question again.
    await message_with(control, krzysztof, "", "wysłana także pozostałym członkom zespołu")
    pressed = control.press(krzysztof, listed.message_id, waiting)
    again = (await first_after(control, krzysztof, "message", pressed)).message
    assert again is not None and "debatę można zrobić online" in again.text

    # Agnieszka's own button withdraws her request.
    pressed = control.press(agnieszka, recorded.message_id, withdraw)
    withdrawn = (await first_after(control, agnieszka, "message", pressed)).message
    assert withdrawn is not None and "wycofany" in withdrawn.text


def tomorrow(services: Services) -> str:
    today = services.clock.now().astimezone(services.settings.zone).date()
    return (today + dt.timedelta(days=1)).strftime("%d.%m.%Y")


@pytest.mark.parametrize("role", ROLES)
async def test_every_command_by_every_role(sandbox: Sandbox, role: Role) -> None:
    running = sandbox.running
    people = People(sandbox)
    email = {
        Role.MEMBER: TOMASZ,
        Role.ADVISER: KRZYSZTOF,
        Role.COORDINATOR: RENATA,
        Role.EXPERT: HALINA,
    }[role]
    user_id = await people.join(email)
    table = readme_table()
    for command in COMMANDS:
        for name in command.names:
            said = running.control.say(user_id, f"/{name}")
            reply = (await first_after(running.control, user_id, "message", said)).message
            assert reply is not None
            refused = reply.text.startswith(REFUSED_COMMAND)
            assert refused is (role not in table[f"/{command.names[0]}"]), (role, name, reply.text)
            await running.control.until_delivered()


async def _say(sandbox: Sandbox, user_id: int, text: str) -> str:
    """What the bot answers this person's message."""
    control = sandbox.running.control
    said = control.say(user_id, text)
    reply = (await first_after(control, user_id, "message", said)).message
    assert reply is not None
    await control.until_delivered()
    return reply.text


async def test_jst_by_teryt_shows_only_a_jst_in_the_callers_scope(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`/jst TERYT` (issue 19, item 6): an adviser sees the JSTs they advise today, a
    coordinator every JST of every cohort (coordinators are not tied to a cohort: the import
    takes them without a JST and every alert and digest goes to all of them), a member none.
    A JST outside the scope, of the same cohort or another, gets the very words an unknown
    TERYT gets; forged arguments are never looked up; nothing changes."""
    services = sandbox.running.services
    other = tmp_path / "other_cohort.csv"
    other.write_text(OTHER_COHORT, encoding="utf-8")
    await add_team(services, other, "Druga edycja", services.clock.now().date())
    people = People(sandbox)
    callers = {email: await people.join(email) for email in (TOMASZ, KRZYSZTOF, BEATA, RENATA)}
    await sandbox.running.control.say(
        callers[KRZYSZTOF], f"/zastepstwo {BEATA} {tomorrow(services)} {tomorrow(services)}"
    )
    await settle(sandbox)  # the substitution's notices, before the first question
    before = await changes(services)
    sees = {  # TERYT -> who may see it
        STARY_SACZ: {KRZYSZTOF, RENATA},  # Beata stands in for Krzysztof only from tomorrow
        LUBLIN: {BEATA, RENATA},
        OTHER_TERYT: {RENATA},
    }
    for email, user_id in callers.items():
        if email == TOMASZ:
            assert (await _say(sandbox, user_id, f"/jst {STARY_SACZ}")).startswith(REFUSED_COMMAND)
            continue
        unknown = await _say(sandbox, user_id, "/jst 9999999")
        assert unknown.startswith(NOT_FOUND), unknown
        for teryt, allowed in sees.items():
            shown = await _say(sandbox, user_id, f"/jst {teryt}")
            if email in allowed:
                assert f"TERYT {teryt}" in shown and not shown.startswith(NOT_FOUND), shown
            else:
                assert shown == unknown.replace("9999999", teryt), (email, teryt, shown)
        for forged in FORGED_TERYTS:
            answer = await _say(sandbox, user_id, f"/jst {forged}")
            assert answer.startswith(NOT_A_TERYT), (email, forged, answer)
        listing = await _say(sandbox, user_id, "/jst")
        for teryt, allowed in sees.items():
            assert (f"({teryt})" in listing) is (email in allowed), (email, teryt, listing)
    assert await changes(services) == before


async def test_an_adviser_who_replies_before_the_link_is_stored_still_answers(
    sandbox: Sandbox,
) -> None:
    """Telegram delivers the question at once but answers the bot two seconds later: the
    adviser's reply comes in before the message's link is stored (issue 16, item 10)."""
    running = sandbox.running
    control = running.control
    people = People(sandbox)
    agnieszka, krzysztof = await people.join(AGNIESZKA), await people.join(KRZYSZTOF)
    await control.say(agnieszka, "Czy arkusze wypełniamy dla każdej szkoły?")
    draft = await message_with(control, agnieszka, "f:")
    await control.fault("slow", method="sendMessage", chat_id=krzysztof, seconds=2.0)
    await control.press(agnieszka, draft.message_id, draft.buttons[0][1] or "")
    header = await message_with(control, krzysztof, "", "Czy arkusze")
    await control.say(krzysztof, "Tak, dla każdej osobno.", reply_to=header.message_id)
    await message_with(control, agnieszka, "", "Tak, dla każdej osobno.")
    texts = [m.text for m in await control.messages(krzysztof)]
    assert not any("Aby odpowiedzieć, użyj funkcji" in text for text in texts), texts
