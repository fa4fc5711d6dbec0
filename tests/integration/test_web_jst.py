"""The web view's JST page, its actions and an adviser's pages, over real loopback HTTP on both
databases: real data shown, answers through the outbox once, extensions and attendance
changed and audited, nothing of another adviser's JST seen or changed."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from core.services import Services
from storage.models import (
    Answer,
    Attendance,
    AuditEntry,
    Language,
    MonthlyReport,
    OutboxMessage,
    Person,
    QuestionState,
    ReportState,
    Role,
    TaskProgress,
)
from storage.tasks.transitions import submit_task
from storage.tasks.views import Evidence
from storage.team import team_view
from tests.support.people_data import add_answer, add_question
from tests.support.programme_data import add_person
from tests.support.task_data import seed_teams
from tests.support.web_client import TelegramFiles, signed_in

pytestmark = pytest.mark.usefixtures("schema_at_head")
START = dt.date(2025, 11, 3)  # the first training round (Z1) began in February 2026
AT = dt.datetime(2026, 2, 20, 10, 0, tzinfo=dt.UTC)
JAN, MARIA, COORDINATOR = "jan@ore.example.pl", "maria@ore.example.pl", "koord@ore.example.pl"


async def _world(services: Services) -> dict[str, Any]:
    """The task tests' teams, a coordinator, a question of Warszawa with an answer, a sent
    report and a hand-in of ZW1 with a file."""
    ids: dict[str, Any] = await seed_teams(services, START)
    async with services.sessionmaker.begin() as session:
        await add_person(session, COORDINATOR, "Olga Koordynator", role=Role.COORDINATOR)
        anna = await session.get_one(Person, ids["anna"])
        jan = await session.get_one(Person, ids["jan"])
        question = await add_question(session, anna, "Jak wypełnić arkusz SELFIE?", at=AT)
        await add_answer(session, question, jan, "Zacznijcie od <arkusza> dyrektora.", at=AT)
        ids["question"] = question.id
        ids["other_question"] = (await add_question(session, anna, "A debata?", at=AT)).id
        ewa = await session.get_one(Person, ids["ewa"])
        ids["bochnia_question"] = (await add_question(session, ewa, "Pytanie z Bochni")).id
        session.add(
            MonthlyReport(
                jst_id=ids["warszawa"],
                step_code="R01",
                state=ReportState.SUBMITTED,
                answers={"done": "Spotkanie z dyrektorami szkół", "support": True},
                submitted_by_id=ids["anna"],
                submitted_at=AT,
                updated_at=AT,
            )
        )
        sheet = Evidence(
            kind="document",
            file_name="diagnoza.xlsx",
            chat_id=1,
            message_id=7,
            file_id="tg-file-1",
            file_size=2048,
            mime_type="application/vnd.ms-excel",
        )
        change = await submit_task(
            session,
            jst_id=ids["warszawa"],
            code="ZW1",
            person_id=ids["anna"],
            evidence=[sheet],
            now=AT,
            source="test:zw1",
        )
        ids["zw1"] = change.progress_id
    return ids


async def _count(services: Services, model: Any, *where: Any) -> int:
    async with services.sessionmaker() as session:
        found = await session.scalar(select(func.count()).select_from(model).where(*where))
        return int(found or 0)


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def test_the_jst_page_shows_its_team_tasks_reports_questions_and_attendance(
    services: Services,
) -> None:
    ids = await _world(services)
    async with signed_in(services, JAN) as browser:
        status, html = await browser.page(f"/jst/{ids['warszawa']}")
    assert status == 200
    text = _text(html)
    for shown in (
        "Miasto Stołeczne Warszawa (TERYT 1465011)",
        "Anna Nowak – korzysta z bota na Telegramie",
        "ZW1",
        "przesłane doradcy",
        "diagnoza.xlsx (2 kB)",
        "Spotkanie z dyrektorami szkół",
        "Co zrobiliście w dniach",
        "Jak wypełnić arkusz SELFIE?",
        "Zacznijcie od <arkusza> dyrektora.",
        "Obecność na zjazdach",
        "nic nie zapisano",
    ):
        assert shown in text, shown
    assert "&lt;arkusza&gt;" in html  # escaped, never markup
    assert "{period}" not in text  # the report's month in its questions
    assert f'href="/files/task/{ids["zw1"]}/0"' in html
    assert f'href="/questions/{ids["question"]}"' in html  # the adviser answers from here
    assert 'for="extend-until"' in html and 'name="present"' in html


async def test_a_file_is_streamed_to_those_who_see_its_jst_and_to_nobody_else(
    services: Services,
) -> None:
    ids = await _world(services)
    files = TelegramFiles({"tg-file-1": b"sheet bytes"})
    path = f"/files/task/{ids['zw1']}/0"
    async with signed_in(services, COORDINATOR, files) as coordinator:
        response = await coordinator.client.get(
            path, headers={"Cookie": f"advisorybot_session={coordinator.cookie}"}
        )
        assert response.status == 200
        assert await response.read() == b"sheet bytes"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert (await coordinator.page(f"/files/task/{ids['zw1']}/1"))[0] == 404
    async with signed_in(services, MARIA, files) as maria:
        assert (await maria.page(path))[0] == 404
    async with signed_in(services, JAN) as jan:  # a process without a bot: the file waits there
        status, html = await jan.page(path)
    assert status == 503 and "/pliki" in html


async def test_an_answer_from_the_page_goes_through_the_outbox_once(services: Services) -> None:
    ids = await _world(services)
    number = ids["other_question"]
    page, action = f"/questions/{number}", f"/questions/{number}/answer"
    async with signed_in(services, JAN) as browser:
        status, listed = await browser.page("/questions")
        assert status == 200 and "A debata?" in listed and "Pytanie z Bochni" not in listed
        _, html = await browser.page(page)
        nonce = dict(re.findall(r'name="(csrf|nonce)" value="([^"]+)"', html))
        form = nonce | {"text": "Debata w marcu.", "to_team": "yes"}
        first = await browser.post(action, form)
        again = await browser.post(action, form)  # the form sent twice
        assert first.status == again.status == 303
        assert first.headers["Location"] == f"{page}?done=answered_team"
        _, shown = await browser.page(first.headers["Location"])
        assert "Odpowiedź zapisana" in _text(shown) and "Debata w marcu." in shown
        assert browser.wakes
    assert await _count(services, Answer, Answer.question_id == number) == 1
    keys = await _outbox_keys(services, "answer:")
    assert len({key.split(":")[1] for key in keys}) == 1  # one answer, each person once
    assert sorted(key.split(":")[3] for key in keys) == sorted(
        str(ids[name]) for name in ("anna", "bartosz", "celina")
    )


async def test_an_empty_or_too_long_answer_is_refused_with_the_text_kept(
    services: Services,
) -> None:
    ids = await _world(services)
    number = ids["other_question"]
    long_text = "x" * 3501
    async with signed_in(services, JAN) as browser:
        empty = await browser.form(f"/questions/{number}", {"text": "  "}, f"{_answer(number)}")
        assert empty.status == 400 and "Odpowiedź jest pusta" in await empty.text()
        long = await browser.form(f"/questions/{number}", {"text": long_text}, _answer(number))
        html = await long.text()
        assert long.status == 400 and "3501 znaków" in html and long_text in html
    assert await _count(services, Answer, Answer.question_id == number) == 0
    assert await _outbox_keys(services, "answer:") == set()


async def test_a_coordinator_sees_any_jst_but_cannot_answer(services: Services) -> None:
    ids = await _world(services)
    async with signed_in(services, COORDINATOR) as browser:
        status, html = await browser.page(f"/jst/{ids['bochnia']}")
        assert status == 200 and "Pytanie z Bochni" in html
        assert f'href="/questions/{ids["bochnia_question"]}"' not in html
        assert (await browser.page("/questions"))[0] == 403
        assert (await browser.page(f"/questions/{ids['question']}"))[0] == 403
        _, page = await browser.page("/")
        csrf = dict(re.findall(r'name="(csrf)" value="([^"]+)"', page))
        data = csrf | {"text": "Nie moja rola.", "nonce": "n" * 20}
        refused = await browser.post(f"/questions/{ids['bochnia_question']}/answer", data)
        assert refused.status == 403
        assert "questions" not in re.findall(r'href="/(\w*)"', page)
    assert await _count(services, Answer) == 1  # the seeded one only


async def test_another_advisers_jst_and_question_are_not_found_and_nothing_changes(
    services: Services,
) -> None:
    ids = await _world(services)
    warszawa = ids["warszawa"]
    async with signed_in(services, MARIA) as maria:
        assert (await maria.page(f"/jst/{warszawa}"))[0] == 404
        assert (await maria.page(f"/questions/{ids['question']}"))[0] == 404
        assert (await maria.page("/jst/999999"))[0] == 404
        _, own = await maria.page(f"/questions/{ids['bochnia_question']}")
        hidden = dict(re.findall(r'name="(csrf|nonce)" value="([^"]+)"', own))
        posts = {
            f"/questions/{ids['question']}/answer": {"text": "Cudza odpowiedź."},
            f"/jst/{warszawa}/extend": {"task": "ZW1", "until": "2027-12-31"},
            f"/jst/{warszawa}/attendance": {"round": "Z1", "present": str(ids["anna"])},
        }
        for path, data in posts.items():
            assert (await maria.post(path, hidden | data)).status == 404, path
    assert await _count(services, Answer) == 1
    assert await _count(services, Attendance) == 0
    assert await _count(services, TaskProgress, TaskProgress.extended_until.is_not(None)) == 0


async def test_an_extension_moves_the_deadline_tells_the_team_and_is_audited(
    services: Services,
) -> None:
    ids = await _world(services)
    warszawa, page = ids["warszawa"], f"/jst/{ids['warszawa']}"
    async with services.reader() as session:
        view = await team_view(session, warszawa, dt.date(2026, 3, 2))
    due = next(task.due_on for task in view.tasks if task.code == "ZW2")
    until = max(due, dt.date(2026, 3, 2)) + dt.timedelta(days=30)
    async with signed_in(services, JAN) as browser:
        bad = await browser.form(page, {"task": "ZW2", "until": "31.02.2026"}, f"{page}/extend")
        bad_html = await bad.text()
        assert bad.status == 400 and "Nie rozumiem daty" in bad_html and "31.02.2026" in bad_html
        past = await browser.form(page, {"task": "ZW2", "until": "2026-03-01"}, f"{page}/extend")
        assert past.status == 400 and "już minęła" in await past.text()
        assert await _count(services, TaskProgress, TaskProgress.step_code == "ZW2") == 0
        done = await browser.form(
            page, {"task": "ZW2", "until": until.isoformat()}, f"{page}/extend"
        )
        assert done.status == 303
        _, shown = await browser.page(done.headers["Location"])
        assert "Termin przedłużony" in shown
    async with services.sessionmaker() as session:
        progress = await session.scalar(
            select(TaskProgress).where(
                TaskProgress.jst_id == warszawa, TaskProgress.step_code == "ZW2"
            )
        )
        assert progress is not None and progress.extended_until == until
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "task.extended")
        )
        assert entry is not None and entry.actor == f"person:{ids['jan']}"
    told = await _outbox_keys(services, "task:")
    assert {key.split(":")[2] for key in told} == {
        str(ids[name]) for name in ("anna", "bartosz", "celina")
    }


async def test_a_coordinator_marks_attendance_which_is_recorded_and_audited(
    services: Services,
) -> None:
    ids = await _world(services)
    page = f"/jst/{ids['warszawa']}"
    present = [str(ids["anna"]), str(ids["bartosz"])]
    async with signed_in(services, COORDINATOR) as browser:
        _, html = await browser.page(page)
        csrf = dict(re.findall(r'name="(csrf)" value="([^"]+)"', html))
        form = list(csrf.items()) + [("round", "Z1")] + [("present", p) for p in present]
        response = await browser.client.post(
            f"{page}/attendance",
            data=form,
            headers={"Cookie": f"advisorybot_session={browser.cookie}"},
            allow_redirects=False,
        )
        assert response.status == 303
        _, shown = await browser.page(response.headers["Location"])
        assert "Obecność zapisana" in shown and "Anna Nowak, Bartosz Wiśniewski" in shown
        stale = await browser.form(
            page, {"round": "Z3", "present": str(ids["anna"])}, f"{page}/attendance"
        )
        assert stale.status == 400  # a round not begun yet
        stranger = await browser.form(
            page, {"round": "Z1", "present": str(ids["ewa"])}, f"{page}/attendance"
        )
        assert stranger.status == 400  # not on this team
    async with services.sessionmaker() as session:
        marks = {
            row.person_id: (row.present, row.source, row.recorded_by)
            for row in await session.scalars(select(Attendance))
        }
    actor = f"person:{await _person_id(services, COORDINATOR)}"
    assert marks == {
        ids["anna"]: (True, "web", actor),
        ids["bartosz"]: (True, "web", actor),
        ids["celina"]: (False, "web", actor),
    }
    assert await _count(services, AuditEntry, AuditEntry.action == "attendance.recorded") == 3


async def test_the_review_queue_links_each_item_to_its_jst_or_thread(services: Services) -> None:
    ids = await _world(services)
    async with signed_in(services, JAN) as browser:
        status, html = await browser.page("/review")
    assert status == 200
    assert f'href="/jst/{ids["warszawa"]}#task-ZW1"' in html
    assert f'href="/questions/{ids["other_question"]}"' in html
    assert "Pytanie z Bochni" not in html and "Powiat bocheński" not in html


async def test_an_action_without_the_form_token_or_to_a_closed_question_changes_nothing(
    services: Services,
) -> None:
    ids = await _world(services)
    async with services.sessionmaker.begin() as session:
        anna = await session.get_one(Person, ids["anna"])
        gone = await add_question(session, anna, "Nieaktualne", state=QuestionState.CLOSED)
        closed = gone.id
    warszawa = ids["warszawa"]
    async with signed_in(services, JAN) as browser:
        no_token = {
            f"/jst/{warszawa}/extend": {"task": "ZW2", "until": "2027-12-31"},
            f"/jst/{warszawa}/attendance": {"round": "Z1", "present": str(ids["anna"])},
            _answer(ids["other_question"]): {"text": "Bez tokenu.", "nonce": "n" * 20},
        }
        for path, data in no_token.items():
            assert (await browser.post(path, data, csrf="")).status == 403, path
        _, page = await browser.page(f"/questions/{closed}")
        assert "Pytanie jest zamknięte" in page and 'name="nonce"' not in page
        late = await browser.form(
            f"/questions/{ids['other_question']}", {"text": "Za późno."}, _answer(closed)
        )
        late_page = await late.text()
        assert late.status == 400 and "już zamknięte" in late_page and "Za późno." in late_page
    assert await _count(services, Answer) == 1
    assert await _count(services, Attendance) == 0
    assert await _count(services, TaskProgress, TaskProgress.extended_until.is_not(None)) == 0


async def test_the_pages_speak_the_advisers_language(services: Services) -> None:
    ids = await _world(services)
    async with services.sessionmaker.begin() as session:
        (await session.get_one(Person, ids["jan"])).language = Language.EN
    async with signed_in(services, JAN) as browser:
        _, jst = await browser.page(f"/jst/{ids['warszawa']}")
        _, thread = await browser.page(f"/questions/{ids['question']}")
        _, queue = await browser.page("/review")
    assert "Tasks, deadlines and evidence" in jst and "sent to the adviser" in jst
    assert "Send it to the whole team as well" in thread and "Question no." in thread
    assert "To review and answer" in queue
    for html in (jst, queue):  # a hand-in's review forms
        assert "Accept ZW1" in html and "What the team is to fix in ZW1" in html
    assert "Close question no." in thread


def _answer(number: int) -> str:
    return f"/questions/{number}/answer"


async def _outbox_keys(services: Services, prefix: str) -> set[str]:
    async with services.sessionmaker() as session:
        keys = await session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.startswith(prefix))
        )
        return set(keys)


async def _person_id(services: Services, email: str) -> int:
    async with services.sessionmaker() as session:
        found = await session.scalar(select(Person.id).where(Person.email == email))
        assert found is not None
        return int(found)
