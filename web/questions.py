"""An adviser's pages: their open questions, a question's thread, answering and closing it (the
review queue: web/task_review.py). An answer is recorded and queued for the asker (and the
team, when chosen) in one transaction, exactly as a reply on Telegram
(handlers/questions/adviser.py), keyed by the form's random nonce so that a form sent twice
records one answer."""

from __future__ import annotations

import re
import secrets

from aiohttp import web

from notices.questions import deliver_answer, notify_closed
from storage.jst_record import question_records
from storage.questions.answers import close_question, record_answer
from storage.questions.threads import (
    Part,
    QuestionRefused,
    Refusal,
    open_questions,
    question_files,
    question_for_adviser,
)
from web.visit import Refused, Visit, page, whole_number

WORDS = "questions"
# The answer travels in one Telegram message (4096 characters) under a header naming the
# adviser, the asker and the question (cut at 300): what is left for the answer, with room.
ANSWER_LIMIT = 3500
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DONE = ("answered", "answered_team", "closed", "already_closed")


@page("questions")
async def open_list(visit: Visit) -> web.StreamResponse:
    """The open questions of the adviser's JSTs today, oldest first (as /otwarte)."""
    caller = visit.signed_in()
    async with visit.services.reader() as session:
        waiting = await open_questions(session, adviser_id=caller.person_id, today=visit.today)
    return visit.render("questions.html.j2", words=WORDS, questions=waiting)


@page("questions")
async def thread(visit: Visit) -> web.StreamResponse:
    done = visit.request.query.get("done")
    return await _thread(visit, _number(visit), done=done if done in DONE else None)


@page("questions")
async def answer(visit: Visit) -> web.StreamResponse:
    """The answer recorded and queued; an empty or too long one, or one to a closed question:
    said on the page with the text kept, nothing changed."""
    caller, services = visit.signed_in(), visit.services
    number, text = _number(visit), visit.field("text")
    to_team, nonce = visit.field("to_team") == "yes", visit.field("nonce")
    error = "empty" if not text else "too_long" if len(text) > ANSWER_LIMIT else None
    if error is not None:
        return await _thread(visit, number, status=400, text=text, to_team=to_team, error=error)
    if not NONCE.match(nonce):  # not our form's: refused, once the question is the caller's
        await _thread(visit, number)
        raise Refused(403, "form_expired")
    async with services.sessionmaker.begin() as session:
        try:
            recorded = await record_answer(
                session,
                number,
                adviser_id=caller.person_id,
                parts=[Part(chat_id=0, message_id=0, text=text)],
                to_team=to_team,
                source_key=f"web:{nonce}",
                now=visit.now,
                today=visit.today,
            )
        except QuestionRefused as refused:
            if refused.reason is not Refusal.CLOSED:
                raise Refused(404, "not_found") from None
            error = "closed"
        else:
            await deliver_answer(session, services, recorded.id, now=visit.now)
    if error is not None:
        return await _thread(visit, number, status=400, text=text, to_team=to_team, error=error)
    visit.wake_outbox()
    done = "answered_team" if recorded.to_team else "answered"
    raise web.HTTPSeeOther(f"/questions/{number}?done={done}")


@page("questions")
async def close(visit: Visit) -> web.StreamResponse:
    """The question leaves the open list and the asker is told, as by /zamknij; closing it
    again tells nobody."""
    caller, services = visit.signed_in(), visit.services
    number = _number(visit)
    async with services.sessionmaker.begin() as session:
        try:
            closed = await close_question(
                session, number, adviser_id=caller.person_id, now=visit.now, today=visit.today
            )
        except QuestionRefused:
            raise Refused(404, "not_found") from None
        if closed:
            await notify_closed(session, services, number, by=caller.full_name, now=visit.now)
    visit.wake_outbox()
    raise web.HTTPSeeOther(f"/questions/{number}?done={'closed' if closed else 'already_closed'}")


async def _thread(
    visit: Visit,
    number: int,
    *,
    status: int = 200,
    text: str = "",
    to_team: bool = False,
    error: str | None = None,
    done: str | None = None,
) -> web.Response:
    """The question's thread, if it is of a JST the adviser advises or stands in for today,
    with its answer form (a fresh nonce each time it is shown)."""
    caller = visit.signed_in()
    async with visit.services.reader() as session:
        try:
            question = await question_for_adviser(
                session, number, adviser_id=caller.person_id, today=visit.today
            )
        except QuestionRefused:
            raise Refused(404, "not_found") from None
        (record,) = await question_records(session, [question])
        files = await question_files(
            session, number, person_id=caller.person_id, today=visit.today
        )
    return visit.render(
        "question.html.j2",
        status=status,
        words=WORDS,
        question=record,
        files=[part.file_ref() for part in files or ()],
        text=text,
        to_team=to_team,
        error=error,
        done=done,
        limit=ANSWER_LIMIT,
        nonce=secrets.token_urlsafe(24),
    )


def _number(visit: Visit) -> int:
    number = whole_number(visit.request.match_info["question"])
    if number is None:
        raise Refused(404, "not_found")
    return number


def add_routes(app: web.Application) -> None:
    app.router.add_get("/questions", open_list)
    app.router.add_get("/questions/{question}", thread)
    app.router.add_post("/questions/{question}/answer", answer)
    app.router.add_post("/questions/{question}/close", close)
