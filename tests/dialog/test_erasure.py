"""Erasure (issue 20): a member asks in the bot; every coordinator is alerted at once; `erasure
list` shows the request with its deadline; `erase` confirms it to her on Telegram and by e-mail
and only then anonymises her, so that no table and no column of the database (both kinds), nor
the SQLite files, hold her name, e-mail, Telegram id or what she wrote. The cancel button, an
erasure that waits for its confirmation, the alert a week before the deadline (once), and the
audit log of one person.

Zofia Nowicka is a member of Gmina Jesionowa (a cohort in its monitoring months, Adam Mazur
advises it); before asking she has asked two questions (one with a file), followed one up,
sent a monthly report and handed in a task.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from bot.cli import erasure as erase_command
from sandbox.mailbox import Mail
from storage.models import ErasureRequest, OutboxMessage, OutboxState, Question, TaskProgress
from tests.support.dialog import Speaker, answered, dialog, forge, press, receives, reply
from tests.support.team_world import World, join_monitoring_team
from tests.support.traces import traces_in_database, traces_in_files

ZOFIA, PIOTR, ADAM = 5_551_234_567, 8202, 8203  # Zofia's id is long enough to search for
NAME, EMAIL, COORDINATOR = "Zofia Nowicka", "zofia@example.pl", "koordynacja@example.pl"
ASKED = "Czy debatę możemy przesunąć na czerwiec? Dyrektor szkoły jest chory."
CAPTION = "Plan debaty w naszej gminie – proszę o uwagi do harmonogramu"
FILE_NAME = "plan-debaty-nowicka.pdf"
FOLLOW_UP = "Dziękuję, a kto powinien poprowadzić debatę?"
EVIDENCE = "Arkusze diagnozy są gotowe w folderze gminy."
YES, NO, WITHDRAW = "Tak, usuńcie moje dane", "Nie", "Wycofaj wniosek"
# The sandbox's CONTROLLER_NAME, as the erasure texts name it.
CONTROLLER = "Ośrodek Rozwoju Edukacji (przykład z piaskownicy) (administrator danych)"


async def _team(world: World, tmp_path: Path) -> dict[int, Speaker]:
    return await join_monitoring_team(world, tmp_path, (ZOFIA, PIOTR, ADAM))


async def _zofias_work(world: World, zofia: Speaker, piotr: Speaker, adam: Speaker) -> str:
    """Two questions (one with a file), a follow-up, a report and a task; her file's id."""
    await dialog(
        (zofia, ASKED, None),
        (zofia, press("Wyślij"), "zapisane"),
        (adam, receives, (NAME, ASKED)),
        (adam, reply("Proszę napisać do koordynatora."), None),
        (zofia, receives, "Proszę napisać do koordynatora."),
        (zofia, reply(FOLLOW_UP), "Dopisano"),
        (adam, receives, FOLLOW_UP),
    )
    sent = await zofia.send_file(
        "document", b"%PDF-1.4 plan", file_name=FILE_NAME, caption=CAPTION
    )
    assert sent.message.document is not None
    await dialog(
        (zofia, receives, CAPTION),
        (zofia, press("Wyślij"), "zapisane"),
        (adam, receives, "📎"),
        (adam, receives, None),  # the file itself
    )
    await dialog(
        (zofia, "/raport", "pytanie 1 z 6"),
        (zofia, press("4"), None),
        (zofia, "Spotkanie zespołu z dyrektorami", None),
        (zofia, "Brak", None),
        (zofia, press("Pomiń ➡️"), None),
        (zofia, press("Nie"), None),
        (zofia, press("✅ Wyślij raport"), "Dziękujemy"),
        (piotr, receives, f"{NAME} wysłała"),
    )
    [choose] = await dialog((zofia, "/zadanie", None))
    task = next(text for text, _ in choose.buttons if text.startswith("ZW"))
    await dialog(
        (zofia, press(task), "Wyślij teraz dowód"),
        (zofia, EVIDENCE, "Sprawdź zgłoszenie"),
        (zofia, press("✅ Wyślij doradcy"), None),
    )
    await world.settle()
    return sent.message.document.file_id


def _mails(world: World, to: str, words: str) -> list[Mail]:
    """E-mails to `to` that say `words` (alerts due together share one e-mail)."""
    return [m for m in world.mailbox.mails() if to in m.recipients and words in m.subject + m.text]


async def test_an_erased_member_leaves_no_trace(world: World, tmp_path: Path) -> None:
    people = await _team(world, tmp_path)
    zofia, piotr, adam = people[ZOFIA], people[PIOTR], people[ADAM]
    file_id = await _zofias_work(world, zofia, piotr, adam)

    # She asks: Yes or No, and who carries it out; No records nothing.
    [prompt, *_] = await dialog(
        (zofia, "/usun_dane", ("art. 17 RODO", CONTROLLER, "najpóźniej w ciągu miesiąca")),
        (zofia, press(NO), "nie został złożony"),
        (zofia, "/usun_dane", "art. 17 RODO"),
        (zofia, press(YES), ("został zapisany", CONTROLLER, "najpóźniej")),
    )
    assert [label for label, _ in prompt.buttons] == [YES, NO]
    assert WITHDRAW in [label for label, _ in zofia.read[-1].buttons]
    await world.settle()
    [alert] = _mails(world, COORDINATOR, "Wniosek o usunięcie danych nr")
    assert "Gmina Jesionowa" in alert.subject and "advisorybot erasure list" in alert.text
    assert "Nowicka" not in alert.text and "zofia" not in alert.text.lower()

    deadline = world.today() + relativedelta(months=1)
    listed = await world.cli("erasure", "list")
    assert "Open erasure requests (1)" in listed and f"{NAME} <{EMAIL}>" in listed
    assert f"deadline {deadline:%B} {deadline.day}, {deadline.year}" in listed, listed

    needles = [NAME, "Nowicka", EMAIL, ASKED, CAPTION, FILE_NAME, FOLLOW_UP, file_id]
    before = await traces_in_database(world.services.engine, needles, [ZOFIA])
    assert {trace.split(":")[1].strip() for trace in before} == {*needles, str(ZOFIA)}, before
    sqlite = world.services.engine.dialect.name == "sqlite"
    url = world.services.settings.database_url
    assert not sqlite or traces_in_files(url, needles), "the files hold her data before"
    async with world.services.sessionmaker() as session:
        questions = len((await session.scalars(select(Question))).all())
    output = await world.cli("erase", EMAIL, "--yes")
    assert "carried out" in output and "Telegram – sent" in output, output
    assert "e-mail – sent" in output, output
    [told] = await dialog((zofia, receives, ("Twoje dane są usuwane", CONTROLLER)))
    assert "ostatnia wiadomość" in told.text
    assert _mails(world, EMAIL, "Potwierdzenie usunięcia Twoich danych")

    assert await traces_in_database(world.services.engine, needles, [ZOFIA]) == []
    assert not sqlite or traces_in_files(url, needles) == [], "no free space holds it either"
    async with world.services.sessionmaker() as session:
        assert len((await session.scalars(select(Question))).all()) == questions, "counted"
        kept = await session.scalar(
            select(TaskProgress.evidence).where(TaskProgress.evidence.is_not(None))
        )
        confirmation = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "erasure_done")
        )
        request = await session.scalar(select(ErasureRequest))
    assert kept == EVIDENCE, "the JST's hand-in stays, without who handed it in"
    assert confirmation is not None and confirmation.state is OutboxState.SENT
    assert request is not None and request.done_by is not None and request.done_at is not None
    await dialog((zofia, "/status", "osoby zaproszone"))  # a stranger now

    closed = await world.cli("erasure", "list")
    assert "No open erasure requests" in closed and f"person #{request.person_id}" in closed
    assert "Nowicka" not in closed
    for person in (EMAIL, str(request.person_id)):  # her former address still finds her
        log = await world.cli("audit", person)
        actions = ["erasure_requested", "erasure_confirmed", "person_erased", "  read  "]
        assert all(action in log for action in actions), log
        assert "Nowicka" not in log and EMAIL not in log


async def test_a_request_is_withdrawn_with_its_own_button_only(
    world: World, tmp_path: Path
) -> None:
    people = await _team(world, tmp_path)
    zofia, piotr = people[ZOFIA], people[PIOTR]
    await dialog(
        (piotr, "/usun_dane", None),
        (piotr, press(YES), "został zapisany"),
        (zofia, "/usun_dane", None),
        (zofia, press(YES), "został zapisany"),
    )
    own, hers = piotr.read[-1], zofia.read[-1]
    await dialog(
        (piotr, forge(hers.callback_data(WITHDRAW), on=own), answered("nieaktualny")),
        (piotr, "/usun_dane", ("jest już zapisany", "przyciskiem")),  # no second request
        (piotr, press(WITHDRAW, on=own), ("wycofany", "/usun_dane")),
        (piotr, forge(own.callback_data(WITHDRAW), on=own), "nie czeka już"),
    )
    await world.settle()
    assert len(_mails(world, COORDINATOR, "wycofany")) == 1
    async with world.services.sessionmaker() as session:
        requests = await session.scalars(select(ErasureRequest))
        states = sorted(request.state.value for request in requests)
    assert states == ["cancelled", "pending"], "hers still waits"


async def test_an_erasure_waits_for_its_confirmation(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram fails to take the confirmation: nothing is erased; the next `erase` finishes
    once it has gone, without asking again."""
    zofia = (await _team(world, tmp_path))[ZOFIA]
    await dialog((zofia, "/usun_dane", None), (zofia, press(YES), "został zapisany"))
    await world.control.fault("server_error", method="sendMessage", chat_id=ZOFIA, count=1000)
    monkeypatch.setattr(erase_command, "CONFIRM_WAIT_SECONDS", 0.5)
    waiting = await world.cli("erase", EMAIL, "--yes")
    assert "has not gone yet" in waiting and "e-mail – sent" in waiting, waiting
    listed = await world.cli("erasure", "list")
    assert "under way" in listed and NAME in listed, "nothing erased yet"

    await world.control.clear_faults()
    monkeypatch.setattr(erase_command, "CONFIRM_WAIT_SECONDS", 30.0)
    done = await world.cli("erase", EMAIL)  # no --yes: it was confirmed already
    assert "carried out" in done, done
    await dialog((zofia, receives, "Twoje dane są usuwane"))


async def test_the_coordinators_are_reminded_a_week_before_the_deadline_once(
    world: World, tmp_path: Path
) -> None:
    zofia = (await _team(world, tmp_path))[ZOFIA]
    await dialog((zofia, "/usun_dane", None), (zofia, press(YES), "został zapisany"))
    deadline = world.today() + relativedelta(months=1)
    zone = world.services.settings.zone
    week_before = dt.datetime.combine(deadline - dt.timedelta(days=7), dt.time(12), zone)
    # A tick a day from five days before to a week after: a week before may be a holiday or a
    # weekend (run on 8 December, it is New Year's Day), and the alert goes on the last working
    # day before it (tests/unit/test_erasure_deadlines.py); the days around it must not send it
    # again.
    for days in range(-5, 8):
        await world.tick((week_before + dt.timedelta(days=days)).astimezone(dt.UTC))
    reminders = _mails(world, COORDINATOR, "czeka, termin")
    assert len(reminders) == 1, [m.subject for m in world.mailbox.mails()]
