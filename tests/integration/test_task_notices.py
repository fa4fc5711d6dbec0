"""Who is told about a task change: outbox rows on SQLite and PostgreSQL, each queued once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from sqlalchemy import select

from core.services import Services
from notices.buttons import cached_button_key, verified
from notices.tasks import announce
from storage.models import OutboxMessage
from storage.tasks.transitions import Evidence, extend_deadline, review_task, submit_task
from storage.tasks.views import TaskChange
from tests.support.task_data import STAND_IN, WARSZAWA, seed_teams

START = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 3, 2)
FILE = Evidence("document", "SELFIE", "diagnoza.pdf", chat_id=501, message_id=77)


@pytest.fixture
async def ids(services: Services) -> dict[str, int]:
    return await seed_teams(services, START)


async def _outbox(services: Services) -> list[tuple[int | None, str, dict[str, object]]]:
    async with services.sessionmaker() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.person_id, row.kind, row.payload) for row in rows]


async def _submitted(services: Services, ids: dict[str, int], today: dt.date) -> TaskChange:
    """Anna submits ZW1 with a file; announced twice, as a re-delivered update would."""
    for _ in range(2):
        change = await _submit(services, ids, "anna", [FILE], source="form:t", today=today)
    return change


async def _submit(
    services: Services,
    ids: dict[str, int],
    who: str,
    evidence: Sequence[Evidence],
    *,
    source: str,
    today: dt.date,
) -> TaskChange:
    """`who` submits ZW1; the change is announced."""
    async with services.sessionmaker.begin() as session:
        change = await submit_task(
            session,
            jst_id=ids["warszawa"],
            code="ZW1",
            person_id=ids[who],
            evidence=evidence,
            now=services.clock.now(),
            source=source,
        )
        await announce(session, services, change, today=today)
    return change


async def _return(
    services: Services, ids: dict[str, int], change: TaskChange, remarks: str
) -> TaskChange:
    """Jan returns the submission with `remarks`; the change is announced."""
    async with services.sessionmaker.begin() as session:
        returned = await review_task(
            session,
            progress_id=change.progress_id,
            review_round=change.review_round,
            adviser_id=ids["jan"],
            accept=False,
            remarks=remarks,
            today=TODAY,
            now=services.clock.now(),
            source="form:r",
        )
        await announce(session, services, returned, today=TODAY)
    return returned


async def test_submission_goes_to_the_rest_of_the_team_and_the_adviser(
    services: Services, ids: dict[str, int]
) -> None:
    change = await _submitted(services, ids, TODAY)
    rows = await _outbox(services)
    assert [(person, kind) for person, kind, _ in rows] == [
        (ids["bartosz"], "task_news"),
        (ids["celina"], "task_news"),
        (ids["jan"], "copy"),
        (ids["jan"], "task_review_request"),
    ], "not Anna herself, not Dorota of the other JST; nothing twice"
    news = rows[0][2]["params"]
    assert isinstance(news, dict) and "Anna Nowak przesłała doradcy zadanie" in news["text"]
    assert rows[2][2]["params"] == {"from_chat_id": 501, "message_id": 77}
    request = rows[3][2]["params"]
    assert isinstance(request, dict) and "diagnoza.pdf" in request["text"]
    buttons = request["reply_markup"]["inline_keyboard"][0]
    key = await cached_button_key(services)
    assert [verified(key, ids["jan"], b["callback_data"]) for b in buttons] == [
        f"tk:a:{change.progress_id}:0",
        f"tk:r:{change.progress_id}:0",
    ], "signed for Jan"
    assert verified(key, ids["dorota"], buttons[0]["callback_data"]) is None
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)


async def test_a_return_reaches_every_member_and_a_stand_in_gets_the_next_round(
    services: Services, ids: dict[str, int]
) -> None:
    change = await _submitted(services, ids, TODAY)
    before = len(await _outbox(services))
    await _return(services, ids, change, "Brakuje <wyników> SELFIE")
    rows = (await _outbox(services))[before:]
    assert [person for person, _, _ in rows] == [ids["anna"], ids["bartosz"], ids["celina"]]
    text = rows[0][2]["params"]
    assert isinstance(text, dict) and "&lt;wyników&gt;" in text["text"]
    assert "9 marca 2026" in text["text"], "fix by: 2 March + 5 days, a Saturday: Monday"

    link = Evidence("link", "https://example.pl/d")
    await _submit(services, ids, "celina", [link], source="form:u", today=STAND_IN[0])
    rows = (await _outbox(services))[before + 3 :]
    assert [person for person, _, _ in rows] == [ids["anna"], ids["bartosz"], ids["edward"]]


async def test_an_extension_by_the_operator_reaches_the_team(
    services: Services, ids: dict[str, int]
) -> None:
    async with services.sessionmaker.begin() as session:
        change = await extend_deadline(
            session,
            teryt=WARSZAWA,
            code="ZW1",
            until=dt.date(2026, 9, 30),
            adviser_id=None,
            today=TODAY,
            now=services.clock.now(),
            source=None,
        )
        await announce(session, services, change, today=TODAY)
    rows = await _outbox(services)
    assert [person for person, _, _ in rows] == [ids["anna"], ids["bartosz"], ids["celina"]]
    text = rows[0][2]["params"]
    assert isinstance(text, dict) and "przedłużono do 30 września 2026" in text["text"]
