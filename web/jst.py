"""A JST's page: its team, tasks with their deadlines, extensions, hand-ins and files, monthly
reports with their answers, questions with their threads, attendance of the training rounds;
and its actions, a task's deadline extended and a round's attendance marked, each with the
same storage function, rules and audit as /przedluz and /obecnosc on Telegram, and (for the
JST's adviser) a hand-in accepted or returned on its task's row (web/task_review.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from core.days import parse_day
from notices.tasks import announce
from storage.attendance import Source, begun_rounds, record_attendance, team_marks
from storage.jst_record import jst_questions, jst_reports, task_rows
from storage.models import Jst, Role
from storage.oversight import team_members
from storage.review_queue import submissions_waiting
from storage.tasks.files import submission_files
from storage.tasks.transitions import TEXT_LIMIT, TaskRefused, extend_deadline
from storage.team import team_view
from web.visit import Visit, page, whole_number

WORDS = "jst"
DONE = ("extended", "attendance", "accepted", "returned")
UNTIL_TEXT = 40  # a date as typed, kept in the form when it is wrong


@dataclass(frozen=True)
class ReviewForm:
    """A hand-in's Accept and Return forms: the review round it waits in (a hand-in returned
    and sent again meanwhile is not reviewed unseen) and a fresh nonce for each form (sent
    twice, it changes the task once)."""

    review_round: int
    accept_nonce: str
    return_nonce: str
    limit: int = TEXT_LIMIT  # the remarks travel in one message, as on Telegram


def review_form(review_round: int) -> ReviewForm:
    return ReviewForm(review_round, secrets.token_urlsafe(24), secrets.token_urlsafe(24))


@page("jst")
async def jst_page(visit: Visit) -> web.StreamResponse:
    jst_id = visit.jst_id(visit.request.match_info["jst"])
    done = visit.request.query.get("done")
    return await show(visit, jst_id, done=done if done in DONE else None)


async def show(visit: Visit, jst_id: int, *, status: int = 200, **form: Any) -> web.Response:
    """The page, with what a form just did or why it did not (`form`: the template's
    `extend`, `attendance` and `review` values, `done`)."""
    caller, today = visit.signed_in(), visit.today
    advises = caller.role is Role.ADVISER
    async with visit.services.reader() as session:
        view = await team_view(session, jst_id, today, history=True)
        members = (await team_members(session, [jst_id]))[jst_id]
        files = {}
        for code, progress_id in (await task_rows(session, jst_id)).items():
            pieces = await submission_files(
                session, progress_id, person_id=caller.person_id, today=today
            )
            files[code] = (progress_id, [piece.file_ref() for piece in pieces or ()])
        rounds = []
        for step in await begun_rounds(session, jst_id, today):
            rounds.append((step, await team_marks(session, jst_id, step.code)))
        reports = await jst_reports(session, jst_id)
        questions = await jst_questions(session, jst_id)
        waiting = await submissions_waiting(session, [jst_id]) if advises else []
    values: dict[str, Any] = {
        "extend": {"task": None, "until": "", "error": None} | form.pop("extend", {}),
        "attendance": {"error": None} | form.pop("attendance", {}),
        "review": {"code": None, "jst_id": None, "remarks": "", "error": None}
        | form.pop("review", {}),
        "done": None,
    } | form
    return visit.render(
        "jst.html.j2",
        status=status,
        words=WORDS,
        view=view,
        members=members,
        files=files,
        rounds=rounds,
        reports=reports,
        questions=questions,
        advises=advises,
        reviews={change.code: review_form(change.review_round) for change in waiting},
        today=today,
        **values,
    )


@page("extend")
async def extend(visit: Visit) -> web.StreamResponse:
    """A task's new deadline; a bad date or one the rules refuse: said on the page, the form
    kept, nothing changed. The team is told through the outbox, as by /przedluz."""
    caller, services = visit.signed_in(), visit.services
    jst_id = visit.jst_id(visit.request.match_info["jst"])
    code, typed = visit.field("task")[:20], visit.field("until")[:UNTIL_TEXT]
    until = parse_day(typed)
    kept: dict[str, Any] = {"task": code, "until": typed}
    if until is None:
        kept["error"] = ("bad_date", {"value": typed})
        return await show(visit, jst_id, status=400, extend=kept)
    adviser, error = caller.role is Role.ADVISER, None
    async with services.sessionmaker.begin() as session:
        teryt = (await session.get_one(Jst, jst_id)).teryt
        try:
            change = await extend_deadline(
                session,
                teryt=teryt,
                code=code,
                until=until,
                adviser_id=caller.person_id if adviser else None,
                actor_id=caller.person_id,
                today=visit.today,
                now=visit.now,
                source=None,
            )
        except TaskRefused as refused:
            error = (refused.reason, refused.params)  # said on the page
        else:
            await announce(session, services, change, today=visit.today)
    if error is not None:
        return await show(visit, jst_id, status=400, extend=kept | {"error": error})
    visit.wake_outbox()
    raise web.HTTPSeeOther(f"/jst/{jst_id}?done=extended#extend")


@page("attendance")
async def attendance(visit: Visit) -> web.StreamResponse:
    """Who of the team attended a round begun so far: each member checked present, the others
    absent (a row that already says so is left as it is, and not audited again)."""
    services = visit.services
    jst_id = visit.jst_id(visit.request.match_info["jst"])
    code = visit.field("round")[:20]
    present = set(_all(visit, "present"))
    async with services.sessionmaker.begin() as session:
        begun = {step.code for step in await begun_rounds(session, jst_id, visit.today)}
        team = {mark.person_id for mark in await team_marks(session, jst_id, code)}
        chosen = {number for value in present if (number := whole_number(value)) is not None}
        known = code in begun and chosen <= team and len(chosen) == len(present)
        if known:
            await record_attendance(
                session,
                code,
                {person_id: person_id in chosen for person_id in team},
                source=Source.WEB,
                actor=visit.actor,
                now=visit.now,
            )
    if not known:  # a round not begun, or someone not on the team: a page from before
        return await show(visit, jst_id, status=400, attendance={"error": code or "?"})
    raise web.HTTPSeeOther(f"/jst/{jst_id}?done=attendance#attendance")


def _all(visit: Visit, name: str) -> list[str]:
    """Every value of a repeated text field (checkboxes)."""
    form = visit.form
    if form is None:
        return []
    return [value for value in form.getall(name, []) if isinstance(value, str)]


def add_routes(app: web.Application) -> None:
    app.router.add_get("/jst/{jst}", jst_page)
    app.router.add_post("/jst/{jst}/extend", extend)
    app.router.add_post("/jst/{jst}/attendance", attendance)
