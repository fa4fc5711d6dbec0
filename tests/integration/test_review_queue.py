"""What waits for an adviser (/do_oceny), on SQLite and PostgreSQL: their submissions and open
questions, oldest first, with working days waited; opening one again is checked on every press;
a submission keeps every piece of evidence, and one stored with a single piece still reads.

Teams of tests/support/task_data.py; today is Monday 2 March 2026.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.services import Services
from notices.buttons import cached_button_key, verified
from notices.message import text_payloads
from notices.review_queue import open_again, review_queue
from notices.tasks import announce
from storage.models import OutboxMessage, TaskEvent
from storage.questions.answers import record_answer, record_followup
from storage.questions.threads import Part, QuestionRefused, open_question
from storage.review_queue import QUESTION, TASK, waiting_for
from storage.tasks.rows import TaskRefused
from storage.tasks.transitions import Evidence, review_task, submit_task
from storage.tasks.views import TaskChange, task_history
from storage.team import team_view
from tests.support.task_data import STAND_IN, seed_teams

START = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 3, 2)
WEDNESDAY = dt.datetime(2026, 2, 25, 10, 0, tzinfo=dt.UTC)
SUNDAY = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
SHEETS = (
    Evidence("document", "arkusz szkół podstawowych", "zw1-sp.xlsx", chat_id=501, message_id=71),
    Evidence("document", None, "zw1-lo.xlsx", chat_id=501, message_id=72),
    Evidence("link", "https://example.pl/selfie"),
)


@pytest.fixture
async def ids(services: Services) -> dict[str, int]:
    return await seed_teams(services, START)


async def _submitted(services: Services, ids: dict[str, int]) -> TaskChange:
    """Anna hands ZW1 of Warszawa in on Sunday: two sheets and a link."""
    async with services.sessionmaker.begin() as session:
        return await submit_task(
            session,
            jst_id=ids["warszawa"],
            code="ZW1",
            person_id=ids["anna"],
            evidence=SHEETS,
            now=SUNDAY,
            source="form:q",
        )


async def _asked(services: Services, ids: dict[str, int], who: str, at: dt.datetime) -> int:
    """`who` asks on `at`, with a photo."""
    parts = [Part(600, 1, "Czy arkusz SELFIE jest obowiązkowy?"), Part(600, 2, "", "photo")]
    async with services.sessionmaker.begin() as session:
        thread = await open_question(
            session,
            asker_id=ids[who],
            parts=parts,
            source_key=f"tg:{who}:{at.timestamp()}",
            now=at,
            today=at.date(),
        )
        return thread.question.id


async def _rows_since(services: Services, first: int) -> list[OutboxMessage]:
    async with services.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > first).order_by(OutboxMessage.id)
        )
        return list(rows)


async def _last_row(services: Services) -> int:
    rows = await _rows_since(services, 0)
    return rows[-1].id if rows else 0


async def test_what_waits_for_each_adviser_oldest_first_with_working_days(
    services: Services, ids: dict[str, int]
) -> None:
    submitted = await _submitted(services, ids)
    dorota = await _asked(services, ids, "dorota", WEDNESDAY)  # Przykładowa: Jan's
    await _asked(services, ids, "ewa", WEDNESDAY)  # Bochnia: Maria's
    async with services.sessionmaker.begin() as session:
        queue = await review_queue(session, services, ids["jan"], today=TODAY)
        edward_today = await waiting_for(session, adviser_id=ids["edward"], today=TODAY)
        edward_on_duty = await waiting_for(session, adviser_id=ids["edward"], today=STAND_IN[0])
    listed = [(w.item.kind, w.item.record_id, w.age, w.item.files) for w in queue.shown]
    assert listed == [
        (QUESTION, dorota, 3, 1),  # Thursday, Friday, Monday
        (TASK, submitted.progress_id, 1, 2),  # asked on Sunday: Monday only
    ]
    assert queue.total == 2 and queue.shown[1].item.code == "ZW1"
    assert queue.shown[1].item.who == "Anna Nowak" and queue.shown[1].item.label_pl
    assert edward_today == [], "the stand-in sees nothing before his period"
    assert [(w.kind, w.jst_name) for w in edward_on_duty] == [(TASK, "Miasto Stołeczne Warszawa")]

    assert queue.buttons is not None
    [row] = queue.buttons.inline_keyboard
    key = await cached_button_key(services)
    data = [button.callback_data for button in row]
    assert [button.text for button in row] == ["1", "2"]
    assert [verified(key, ids["jan"], str(d)) for d in data] == [
        f"wait:q:{dorota}",
        f"wait:t:{submitted.progress_id}",
    ], "numbered as listed, signed for Jan"
    assert all(verified(key, ids["maria"], str(d)) is None for d in data)


async def test_a_question_followed_up_waits_from_the_follow_up(
    services: Services, ids: dict[str, int]
) -> None:
    question = await _asked(services, ids, "dorota", WEDNESDAY - dt.timedelta(days=14))
    async with services.sessionmaker.begin() as session:
        await record_answer(
            session,
            question,
            adviser_id=ids["jan"],
            parts=[Part(700, 1, "Nie.")],
            to_team=False,
            source_key="a",
            now=WEDNESDAY,
            today=TODAY,
        )
        await record_followup(
            session,
            question,
            member_id=ids["dorota"],
            parts=[Part(600, 9, "A dla szkół średnich?")],
            source_key="f",
            now=SUNDAY,
            today=TODAY,
        )
        [waiting] = await waiting_for(session, adviser_id=ids["jan"], today=TODAY)
    assert (waiting.record_id, waiting.since, waiting.followed_up) == (question, SUNDAY, True)


async def test_opening_again_is_checked_every_time(
    services: Services, ids: dict[str, int]
) -> None:
    submitted = await _submitted(services, ids)
    dorota = await _asked(services, ids, "dorota", WEDNESDAY)
    task, question = f"t:{submitted.progress_id}", f"q:{dorota}"
    for adviser, body, refused in (
        ("maria", task, TaskRefused),  # another adviser's JST
        ("maria", question, QuestionRefused),
        ("edward", task, TaskRefused),  # the stand-in, before his period
        ("jan", "t:999999999", TaskRefused),  # no such row (the button takes 9 digits)
        ("jan", "q:999999999", QuestionRefused),
    ):
        with pytest.raises(refused):
            async with services.sessionmaker.begin() as session:
                await open_again(session, services, ids[adviser], body, key="k", today=TODAY)
    assert await _last_row(services) == 0, "nothing was queued"

    async with services.sessionmaker.begin() as session:
        await open_again(session, services, ids["jan"], task, key="again:1:t", today=TODAY)
        await open_again(session, services, ids["jan"], question, key="again:2:q", today=TODAY)
    rows = await _rows_since(services, 0)
    assert [(row.person_id, row.kind) for row in rows] == [
        (ids["jan"], "copy"),
        (ids["jan"], "copy"),
        (ids["jan"], "task_review_request"),
        (ids["jan"], "question_forward"),
        (ids["jan"], "copy"),
    ], "every sheet, then the request; the question, then its photo"
    assert [r.payload["params"].get("message_id") for r in rows[:2]] == [71, 72]
    request = rows[2].payload["params"]["text"]
    assert all(name in request for name in ("zw1-sp.xlsx", "zw1-lo.xlsx", "example.pl/selfie"))

    async with services.sessionmaker.begin() as session:
        await review_task(
            session,
            progress_id=submitted.progress_id,
            review_round=0,
            adviser_id=ids["jan"],
            accept=True,
            remarks=None,
            today=TODAY,
            now=services.clock.now(),
            source="tg:accept",
        )
    with pytest.raises(TaskRefused):
        async with services.sessionmaker.begin() as session:
            await open_again(session, services, ids["jan"], task, key="again:3:t", today=TODAY)


async def test_two_files_of_one_submission_both_reach_the_adviser(
    services: Services, ids: dict[str, int]
) -> None:
    change = await _submitted(services, ids)
    async with services.sessionmaker.begin() as session:
        await announce(session, services, change, today=TODAY)
    rows = [row for row in await _rows_since(services, 0) if row.person_id == ids["jan"]]
    assert [row.kind for row in rows] == ["copy", "copy", "task_review_request"]
    assert [row.payload["params"]["message_id"] for row in rows[:2]] == [71, 72]
    assert "Dowody (3)" in rows[2].payload["params"]["text"]
    assert change.evidence == SHEETS


async def test_an_event_stored_with_one_piece_of_evidence_still_reads(
    services: Services, ids: dict[str, int]
) -> None:
    """Before submissions kept every piece, an event's details held one piece as a dict."""
    change = await _submitted(services, ids)
    old = Evidence("document", "stara wersja", "diagnoza.pdf", chat_id=501, message_id=5)
    async with services.sessionmaker.begin() as session:
        event = await session.get_one(TaskEvent, change.event_id)
        event.details = {**event.details, "evidence": old.as_json()}
    async with services.sessionmaker.begin() as session:
        [read] = await task_history(session, ids["warszawa"])
        team = await team_view(session, ids["warszawa"], TODAY, history=True)
        [waiting] = await waiting_for(session, adviser_id=ids["jan"], today=TODAY)
        await announce(session, services, read, today=TODAY)
    assert read.evidence == (old,) and team.history[0].evidence == (old,)
    assert waiting.files == 1
    templates = services.templates
    for lang in ("pl", "en"):
        news = templates.render(lang, "tg/task_news.html.j2", change=read)
        tasks = templates.render(lang, "tg/tasks.html.j2", team=team)
        assert "diagnoza.pdf" in news and "Anna Nowak" in tasks
    rows = [row for row in await _rows_since(services, 0) if row.person_id == ids["jan"]]
    assert [row.kind for row in rows] == ["copy", "task_review_request"]
    assert rows[0].payload["params"]["message_id"] == 5


async def test_a_long_list_shows_the_twenty_oldest_and_says_how_many_wait(
    services: Services, ids: dict[str, int]
) -> None:
    for hours in range(23):
        await _asked(services, ids, "dorota", WEDNESDAY + dt.timedelta(hours=hours))
    async with services.sessionmaker.begin() as session:
        queue = await review_queue(session, services, ids["jan"], today=TODAY)
    assert (len(queue.shown), queue.total) == (20, 23)
    assert queue.shown[0].item.since == WEDNESDAY, "the oldest first"
    assert queue.buttons is not None
    assert [len(row) for row in queue.buttons.inline_keyboard] == [5, 5, 5, 5]
    for lang in ("pl", "en"):
        html = services.templates.render(
            lang, "tg/review_queue.html.j2", items=queue.shown, total=queue.total
        )
        assert ("tu pierwsze: 20" if lang == "pl" else "the first 20 here") in html
        parts = text_payloads(html, buttons=queue.buttons)
        assert all(len(part["params"]["text"]) <= 4096 for part in parts)
        assert "reply_markup" in parts[-1]["params"], "the buttons under the last part"
