"""An adviser accepts or returns a hand-in, and closes a question, on the web view, over real
loopback HTTP on both databases: the task changed and the team told through the outbox once
(a form sent twice changes it once), a refused form changes nothing and says why, another
adviser or a coordinator is refused, the asker of a closed question told once."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from core.services import Services
from storage.models import (
    OutboxMessage,
    Person,
    Question,
    QuestionState,
    Role,
    TaskEvent,
    TaskProgress,
    TaskState,
)
from storage.tasks.transitions import submit_task
from storage.tasks.views import Evidence
from tests.support.people_data import add_question
from tests.support.programme_data import add_person
from tests.support.task_data import seed_teams
from tests.support.web_client import HIDDEN, WebBrowser, signed_in

pytestmark = pytest.mark.usefixtures("schema_at_head")
START = dt.date(2025, 11, 3)
AT = dt.datetime(2026, 2, 20, 10, 0, tzinfo=dt.UTC)
JAN, MARIA, COORDINATOR = "jan@ore.example.pl", "maria@ore.example.pl", "koord@ore.example.pl"
TEAM = ("anna", "bartosz", "celina")
FORM = re.compile(r"<form [^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", re.DOTALL)
DECISION = re.compile(r'name="decision" value="(\w+)"')


async def _world(services: Services) -> dict[str, Any]:
    """The task tests' teams, a coordinator, Warszawa's hand-in of ZW1 waiting for Jan's
    review and a question of Anna's."""
    ids: dict[str, Any] = await seed_teams(services, START)
    async with services.sessionmaker.begin() as session:
        await add_person(session, COORDINATOR, "Olga Koordynator", role=Role.COORDINATOR)
        change = await submit_task(
            session,
            jst_id=ids["warszawa"],
            code="ZW1",
            person_id=ids["anna"],
            evidence=[Evidence("text", "Diagnoza w załączonym arkuszu.")],
            now=AT,
            source="test:zw1",
        )
        ids["zw1"] = change.progress_id
        anna = await session.get_one(Person, ids["anna"])
        ids["question"] = (await add_question(session, anna, "Kiedy debata?", at=AT)).id
    return ids


def _places(ids: dict[str, Any]) -> tuple[str, str]:
    """Warszawa's page and the address its hand-in of ZW1 is reviewed at."""
    page = f"/jst/{ids['warszawa']}"
    return page, f"{page}/tasks/ZW1/review"


def _review_forms(html: str, action: str) -> dict[str, dict[str, str]]:
    """The hand-in's forms on a page by their decision: their hidden fields and the button."""
    forms = {}
    for target, body in FORM.findall(html):
        decision = DECISION.search(body)
        if unescape(target) == action and decision is not None:
            forms[decision.group(1)] = dict(HIDDEN.findall(body)) | {"decision": decision[1]}
    return forms


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def _count(services: Services, model: Any, *where: Any) -> int:
    async with services.sessionmaker() as session:
        found = await session.scalar(select(func.count()).select_from(model).where(*where))
        return int(found or 0)


async def _progress(services: Services, progress_id: int) -> TaskProgress:
    async with services.sessionmaker() as session:
        return await session.get_one(TaskProgress, progress_id)


async def _told(services: Services, prefix: str) -> list[str]:
    """The outbox's dedupe keys starting so, one per queued message."""
    async with services.sessionmaker() as session:
        keys = await session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.startswith(prefix))
        )
        return list(keys)


async def _team_told_once(services: Services, ids: dict[str, Any]) -> None:
    """Each member of Warszawa's team got one message about one change, as on Telegram."""
    keys = await _told(services, "task:")
    assert len({key.split(":")[1] for key in keys}) == 1, keys  # one event
    assert sorted(key.split(":")[2] for key in keys) == sorted(str(ids[n]) for n in TEAM)


async def test_an_accepted_hand_in_is_accepted_once_and_the_team_told(
    services: Services,
) -> None:
    ids = await _world(services)
    page, action = _places(ids)
    async with signed_in(services, JAN) as browser:
        _, html = await browser.page(page)
        forms = _review_forms(html, action)
        assert set(forms) == {"accept", "return"}
        assert 'for="review-' in html and "Przyjmij ZW1" in html
        first = await browser.post(action, forms["accept"])
        again = await browser.post(action, forms["accept"])  # the form sent twice
        assert first.status == again.status == 303
        assert first.headers["Location"] == f"{page}?done=accepted#task-ZW1"
        assert again.headers["Location"] == first.headers["Location"]
        _, shown = await browser.page(first.headers["Location"])
        assert "Zadanie przyjęte" in _text(shown)
        assert _review_forms(shown, action) == {}  # nothing left to review
        assert browser.wakes
    progress = await _progress(services, ids["zw1"])
    assert progress.state == TaskState.ACCEPTED
    assert await _count(services, TaskEvent, TaskEvent.action == "accepted") == 1
    await _team_told_once(services, ids)


async def test_a_return_from_the_queue_needs_remarks_and_tells_the_team_once(
    services: Services,
) -> None:
    ids = await _world(services)
    _, action = _places(ids)
    async with signed_in(services, JAN) as browser:
        _, queue = await browser.page("/review")
        forms = _review_forms(queue, action)
        assert forms["return"]["back"] == "review"
        empty = await browser.post(action, forms["return"] | {"remarks": "   "})
        assert empty.status == 400
        assert "napisz, co zespół ma poprawić" in _text(await empty.text())
        long_remarks = "x" * 3501
        long = await browser.post(action, forms["return"] | {"remarks": long_remarks})
        long_page = await long.text()
        assert long.status == 400 and "najwyżej 3500 znaków" in _text(long_page)
        assert long_remarks in long_page  # kept in the form, which stays open
        assert await _count(services, TaskEvent) == 1  # the hand-in only
        remarks = "Brakuje arkusza dyrektora."
        returned = await browser.post(action, forms["return"] | {"remarks": remarks})
        assert returned.status == 303 and returned.headers["Location"] == "/review?done=returned"
        again = await browser.post(action, forms["return"] | {"remarks": remarks})
        assert again.headers["Location"] == "/review?done=returned"  # sent twice: once
        _, shown = await browser.page("/review")
        assert _review_forms(shown, action) == {} and "#task-ZW1" not in shown
        _, done = await browser.page("/review?done=returned")
        assert "Zadanie zwrócone do poprawy" in _text(done)
        stale = await browser.post(action, forms["accept"])  # the queue's page from before
        stale_page = _text(await stale.text())
        assert stale.status == 400 and "nie czeka już na ocenę" in stale_page
    progress = await _progress(services, ids["zw1"])
    assert progress.state == TaskState.RETURNED and progress.review_remarks == remarks
    assert progress.review_round == 1
    assert await _count(services, TaskEvent, TaskEvent.action == "returned") == 1
    assert await _count(services, TaskEvent, TaskEvent.action == "accepted") == 0
    await _team_told_once(services, ids)


async def test_a_form_not_of_the_page_says_so_and_changes_nothing(services: Services) -> None:
    ids = await _world(services)
    page, action = _places(ids)
    async with signed_in(services, JAN) as browser:
        _, html = await browser.page(page)
        accept = _review_forms(html, action)["accept"]
        for broken in ({"decision": "maybe"}, {"round": ""}, {"nonce": "short"}):
            response = await browser.post(action, accept | broken)
            assert response.status == 400, broken
            assert "niepełny albo nieaktualny" in _text(await response.text())
        old_round = await browser.post(action, accept | {"round": "7"})
        assert old_round.status == 400 and "nie czeka już" in _text(await old_round.text())
        never = await browser.post(f"{page}/tasks/ZW2/review", accept)  # never handed in
        assert never.status == 404
    assert (await _progress(services, ids["zw1"])).state == TaskState.SUBMITTED
    assert await _count(services, TaskEvent) == 1
    assert await _told(services, "task:") == []


async def _refused_review(browser: WebBrowser, action: str, status: int) -> None:
    _, overview = await browser.page("/")
    form = dict(HIDDEN.findall(overview)) | {"round": "0", "nonce": "n" * 24}
    for decision, remarks in (("accept", ""), ("return", "Cudze uwagi.")):
        response = await browser.post(action, form | {"decision": decision, "remarks": remarks})
        assert response.status == status, (decision, response.status)


async def test_another_adviser_or_a_coordinator_cannot_review_and_nothing_changes(
    services: Services,
) -> None:
    ids = await _world(services)
    page, action = _places(ids)
    async with signed_in(services, MARIA) as maria:  # Bochnia's adviser: not her JST
        await _refused_review(maria, action, 404)
        _, queue = await maria.page("/review")
        assert action not in queue
    async with signed_in(services, COORDINATOR) as coordinator:  # sees it; reviews are not hers
        _, html = await coordinator.page(page)
        assert _review_forms(html, action) == {} and "Przyjmij" not in html
        await _refused_review(coordinator, action, 403)
        assert (await coordinator.page("/review"))[0] == 403
    assert (await _progress(services, ids["zw1"])).state == TaskState.SUBMITTED
    assert await _count(services, TaskEvent) == 1
    assert await _told(services, "task:") == []


async def test_a_closed_question_tells_the_asker_once(services: Services) -> None:
    ids = await _world(services)
    number = ids["question"]
    thread, action = f"/questions/{number}", f"/questions/{number}/close"
    async with signed_in(services, MARIA) as maria:
        assert (await maria.post(action, {})).status == 404
    async with signed_in(services, COORDINATOR) as coordinator:
        assert (await coordinator.post(action, {})).status == 403
    assert await _count(services, Question, Question.state == QuestionState.CLOSED) == 0
    async with signed_in(services, JAN) as browser:
        _, html = await browser.page(thread)
        assert f'action="{action}"' in html
        first = await browser.post(action)
        again = await browser.post(action)  # sent twice
        assert first.headers["Location"] == f"{thread}?done=closed"
        assert again.headers["Location"] == f"{thread}?done=already_closed"
        _, shown = await browser.page(first.headers["Location"])
        text = _text(shown)
        assert "Pytanie zamknięte. Pytający dostanie wiadomość." in text
        assert "Pytanie jest zamknięte" in text and f'action="{action}"' not in shown
        assert browser.wakes
    assert await _count(services, Question, Question.state == QuestionState.CLOSED) == 1
    told = await _told(services, f"question:{number}:closed:")
    assert len(told) == 1
    async with services.sessionmaker() as session:
        message = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == told[0])
        )
        assert message is not None and message.person_id == ids["anna"]
