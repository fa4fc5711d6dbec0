"""An adviser's review queue (as /do_oceny) and a hand-in accepted or returned from it or from
its JST's page: the same storage function, rules and notices as the Accept / Return buttons
on Telegram (handlers/tasks/review.py), in one transaction with the outbox. The form names
the review round it was shown for and carries a random nonce, so that a form sent twice
changes the task once and queues the team's messages once."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from notices.tasks import announce
from storage.jst_record import jst_ids_by_teryt, task_rows
from storage.review_queue import TASK, waiting_for
from storage.tasks.transitions import TaskRefused, review_task
from web import jst
from web.questions import NONCE
from web.visit import Refused, Visit, page, whole_number

WORDS = "questions"  # the queue's own words; its review forms are worded as on a JST's page
ACCEPT, RETURN = "accept", "return"
QUEUE = "review"  # a form sent from the queue goes back there, any other to the JST's page
DONE = ("accepted", "returned")


@page("review")
async def queue(visit: Visit) -> web.StreamResponse:
    """What waits for the adviser: hand-ins to review and questions to answer, oldest first
    (as /do_oceny), each linked to its JST's page or its thread."""
    done = visit.request.query.get("done")
    return await _queue(visit, done=done if done in DONE else None)


async def _queue(visit: Visit, *, status: int = 200, **form: Any) -> web.Response:
    caller = visit.signed_in()
    async with visit.services.reader() as session:
        waiting = await waiting_for(session, adviser_id=caller.person_id, today=visit.today)
        jsts = await jst_ids_by_teryt(session, caller.jst_ids)
    return visit.render(
        "review.html.j2",
        status=status,
        words=WORDS,
        waiting=waiting,
        jsts=jsts,
        reviews={
            item.record_id: jst.review_form(item.review_round)
            for item in waiting
            if item.kind == TASK
        },
        jst_words=visit.services.templates.words(visit.language, f"web/{jst.WORDS}.txt.j2"),
        review={"code": None, "jst_id": None, "remarks": "", "error": None}
        | form.pop("review", {}),
        done=form.pop("done", None),
    )


@page("review")
async def review(visit: Visit) -> web.StreamResponse:
    """A hand-in of the JST accepted, or returned with the remarks the team is to fix: the
    team told as by the buttons on Telegram. One no longer waiting (reviewed meanwhile, sent
    again), a return without remarks or with too long ones: said on the page the form came
    from, the remarks kept, nothing changed."""
    caller, services = visit.signed_in(), visit.services
    jst_id = visit.jst_id(visit.request.match_info["jst"])  # scope first, then the form
    code = visit.request.match_info["code"][:20]
    async with services.reader() as session:
        progress_id = (await task_rows(session, jst_id)).get(code)
    if progress_id is None:  # a task never handed in, or no such task
        raise Refused(404, "not_found")
    decision, nonce = visit.field("decision"), visit.field("nonce")
    review_round, remarks = whole_number(visit.field("round")), visit.field("remarks")
    kept = {"code": code, "jst_id": jst_id, "remarks": remarks if decision == RETURN else ""}
    if decision not in (ACCEPT, RETURN) or review_round is None or not NONCE.match(nonce):
        return await _again(visit, jst_id, kept | {"error": ("bad_form", {})})
    error = None
    async with services.sessionmaker.begin() as session:
        try:
            change = await review_task(
                session,
                progress_id=progress_id,
                review_round=review_round,
                adviser_id=caller.person_id,
                accept=decision == ACCEPT,
                remarks=remarks if decision == RETURN else None,
                today=visit.today,
                now=visit.now,
                source=f"web:{nonce}",
            )
        except TaskRefused as refused:
            error = (refused.reason, refused.params)
        else:
            await announce(session, services, change, today=visit.today)
    if error is not None:
        return await _again(visit, jst_id, kept | {"error": error})
    visit.wake_outbox()
    if visit.field("back") == QUEUE:
        raise web.HTTPSeeOther(f"/review?done={change.action}")
    raise web.HTTPSeeOther(f"/jst/{jst_id}?done={change.action}#task-{code}")


async def _again(visit: Visit, jst_id: int, review: dict[str, Any]) -> web.Response:
    """The page the form came from, saying why nothing changed."""
    if visit.field("back") == QUEUE:
        return await _queue(visit, status=400, review=review)
    return await jst.show(visit, jst_id, status=400, review=review)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/review", queue)
    app.router.add_post("/jst/{jst}/tasks/{code}/review", review)
