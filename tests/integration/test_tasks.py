"""The task state machine on SQLite and PostgreSQL: every transition, every refusal, history.

The programme (storage/programme/ore-2024.toml) starts on 1 January 2026: ZW1 is due on
31 July 2026; the clock stands at 2 March 2026.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import func, select

from core.services import Services
from storage.models import AuditEntry, TaskEvent, TaskProgress, TaskState
from storage.tasks.resolution import record_resolution
from storage.tasks.transitions import (
    Evidence,
    TaskRefused,
    extend_deadline,
    review_task,
    submit_task,
    task_history,
)
from storage.tasks.views import TaskChange, submit_choices
from storage.team import team_view
from storage.workdays import working_day_from
from tests.support.task_data import BOCHNIA, PRZYKLADOWA, STAND_IN, WARSZAWA, seed_teams

START = dt.date(2026, 1, 1)
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 2)
ZW1_DUE = dt.date(2026, 7, 31)
TEXT = Evidence("text", "Arkusze diagnozy wstępnej są gotowe.")
DOCUMENT = Evidence("document", "poprawiona wersja", "diagnoza.pdf", chat_id=501, message_id=77)
ADOPTED = dt.date(2026, 2, 27)
PLAN_AT = dt.datetime(2026, 2, 26, 23, 30, tzinfo=dt.UTC)  # 27 February in Warsaw
BIP = Evidence("link", "https://bip.warszawa.pl/uchwaly/XII-45-2026")


@pytest.fixture
async def ids(services: Services) -> dict[str, int]:
    return await seed_teams(services, START)


async def _submit(
    services: Services,
    ids: dict[str, int],
    *,
    who: str = "anna",
    code: str = "ZW1",
    evidence: Sequence[Evidence] = (TEXT,),
    source: str = "form:a",
    now: dt.datetime = NOW,
) -> TaskChange:
    async with services.sessionmaker.begin() as session:
        return await submit_task(
            session,
            jst_id=ids["warszawa"],
            code=code,
            person_id=ids[who],
            evidence=evidence,
            now=now,
            source=source,
        )


async def _review(
    services: Services,
    ids: dict[str, int],
    change: TaskChange,
    *,
    accept: bool,
    remarks: str | None = None,
    who: str = "jan",
    source: str = "tg:1",
    today: dt.date = TODAY,
    now: dt.datetime = NOW,
) -> TaskChange:
    async with services.sessionmaker.begin() as session:
        return await review_task(
            session,
            progress_id=change.progress_id,
            review_round=change.review_round,
            adviser_id=ids[who],
            accept=accept,
            remarks=remarks,
            today=today,
            now=now,
            source=source,
        )


async def _extend(
    services: Services,
    ids: dict[str, int],
    *,
    until: dt.date,
    teryt: str = WARSZAWA,
    code: str = "ZW1",
    who: str | None = None,
    source: str | None = None,
) -> TaskChange:
    async with services.sessionmaker.begin() as session:
        return await extend_deadline(
            session,
            teryt=teryt,
            code=code,
            until=until,
            adviser_id=ids[who] if who else None,
            today=TODAY,
            now=NOW,
            source=source,
        )


async def _resolution(
    services: Services,
    ids: dict[str, int],
    number: str = "XII/1/2026",
    adopted_on: dt.date = TODAY,
    *,
    proof: Sequence[Evidence] = (BIP,),
    source: str = "tg:1",
) -> TaskChange:
    """Celina records the council's resolution."""
    async with services.sessionmaker.begin() as session:
        return await record_resolution(
            session,
            jst_id=ids["warszawa"],
            person_id=ids["celina"],
            number=number,
            adopted_on=adopted_on,
            proof=proof,
            today=TODAY,
            now=NOW,
            zone=services.settings.zone,
            source=source,
        )


async def _plan(services: Services, ids: dict[str, int]) -> TaskChange:
    """Anna hands the plan (HDR_ORE) to ORE: late on 26 February UTC, the 27th in Warsaw."""
    return await _submit(services, ids, code="HDR_ORE", source="form:plan", now=PLAN_AT)


async def _row(services: Services, ids: dict[str, int], code: str = "ZW1") -> TaskProgress | None:
    async with services.sessionmaker() as session:
        return await session.scalar(
            select(TaskProgress).where(
                TaskProgress.jst_id == ids["warszawa"], TaskProgress.step_code == code
            )
        )


async def _count(services: Services, model: Any) -> int:
    async with services.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_submit_return_resubmit_accept(services: Services, ids: dict[str, int]) -> None:
    assert await _row(services, ids) is None, "no row: the task is pending"
    first = await _submit(services, ids)
    row = await _row(services, ids)
    assert row is not None and row.state == TaskState.SUBMITTED
    assert (row.submitted_at, row.submitted_by_id, row.evidence) == (NOW, ids["anna"], TEXT.text)
    assert (first.action, first.actor_name, first.review_round) == ("submitted", "Anna Nowak", 0)
    assert first.evidence == (TEXT,) and first.jst_name == "Miasto Stołeczne Warszawa"

    later = NOW + dt.timedelta(days=1)
    returned = await _review(
        services, ids, first, accept=False, remarks="  Brak SELFIE. ", now=later
    )
    row = await _row(services, ids)
    assert row is not None and row.state == TaskState.RETURNED
    assert (row.reviewed_at, row.reviewed_by_id) == (later, ids["jan"])
    assert row.review_remarks == "Brak SELFIE." and row.review_round == 1
    assert row.submitted_at == NOW
    fix_days = TODAY + dt.timedelta(days=5)
    assert returned.until == working_day_from(fix_days), "[review] fix_days, to a working day"
    assert returned.remarks == "Brak SELFIE." and returned.review_round == 1

    again = NOW + dt.timedelta(days=2)
    second = await _submit(
        services, ids, who="bartosz", evidence=(DOCUMENT,), source="form:b", now=again
    )
    row = await _row(services, ids)
    assert row is not None and row.state == TaskState.SUBMITTED
    assert (row.submitted_at, row.submitted_by_id, row.review_round) == (again, ids["bartosz"], 1)
    assert row.evidence == "poprawiona wersja" and second.evidence == (DOCUMENT,)

    accepted = await _review(services, ids, second, accept=True, source="tg:2", now=again)
    row = await _row(services, ids)
    assert row is not None and row.state == TaskState.ACCEPTED and row.accepted_at == again
    assert accepted.action == "accepted" and accepted.actor_name == "Jan Kowalski"

    async with services.sessionmaker() as session:
        history = await task_history(session, ids["warszawa"])
    assert [(c.action, c.actor_name) for c in history] == [
        ("accepted", "Jan Kowalski"),
        ("submitted", "Bartosz Wiśniewski"),
        ("returned", "Jan Kowalski"),
        ("submitted", "Anna Nowak"),
    ]
    assert await _count(services, AuditEntry) >= 4


async def test_refused_submissions(services: Services, ids: dict[str, int]) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"code": "ZW9"}, "unknown_task"),
        ({"code": "UCHWALA"}, "use_resolution"),
        ({"evidence": (Evidence("text", "   "),)}, "empty_evidence"),
        ({"evidence": (Evidence("sticker"),)}, "empty_evidence"),
        ({"evidence": (TEXT, Evidence("document", file_name="x.pdf"))}, "empty_evidence"),
        ({"evidence": (Evidence("text", "x" * 3501),)}, "too_long"),
        ({"evidence": ()}, "empty_evidence"),
        ({"evidence": (TEXT,) * 11}, "too_many"),
        ({"who": "dorota"}, "not_your_team"),
        ({"who": "jan"}, "not_your_team"),
    ]
    for arguments, reason in cases:
        with pytest.raises(TaskRefused) as refused:
            await _submit(services, ids, **arguments)
        assert refused.value.reason == reason, arguments
    assert await _count(services, TaskProgress) == 0, "a refusal creates no row"
    with pytest.raises(TaskRefused) as unknown:
        await _submit(services, ids, code="ZW9")
    codes = ["ZW1", "ZW2", "ZW3", "HDR_ORE", "UCHWALA", "DP", "UPOW"]
    assert unknown.value.params["codes"] == codes

    await _submit(services, ids, code="zw1")  # any letter case
    with pytest.raises(TaskRefused) as twice:
        await _submit(services, ids, who="celina", source="form:c")
    assert twice.value.reason == "already_submitted"
    assert twice.value.params == {"code": "ZW1", "by": "Anna Nowak", "at": NOW}


async def test_review_refusals_and_who_may_review(services: Services, ids: dict[str, int]) -> None:
    first = await _submit(services, ids)
    for who, today in (("maria", TODAY), ("anna", TODAY), ("edward", TODAY)):
        with pytest.raises(TaskRefused) as refused:
            await _review(services, ids, first, accept=True, who=who, today=today)
        assert refused.value.reason == "stale", who
    for remarks in (None, " \n "):
        with pytest.raises(TaskRefused) as empty:
            await _review(services, ids, first, accept=False, remarks=remarks)
        assert empty.value.reason == "empty_remarks"
    with pytest.raises(TaskRefused) as long:
        await _review(services, ids, first, accept=False, remarks="x" * 3501)
    assert long.value.reason == "too_long"

    returned = await _review(
        services,
        ids,
        first,
        accept=False,
        remarks="Popraw.",
        who="edward",
        today=STAND_IN[0],
        source="tg:5",
    )
    assert returned.actor_name == "Edward K.", "the substitute on duty reviews"
    with pytest.raises(TaskRefused) as old_round:
        await _review(services, ids, first, accept=True, source="tg:9")
    assert old_round.value.reason == "stale", "a button of the returned round"
    second = await _submit(services, ids, source="form:b")
    accepted = await _review(services, ids, second, accept=True, today=STAND_IN[1], source="tg:6")
    assert accepted.actor_name == "Jan Kowalski", "the main adviser during a stand-in"
    with pytest.raises(TaskRefused) as reviewed:
        await _review(services, ids, second, accept=False, remarks="Jednak nie.", source="tg:7")
    assert reviewed.value.reason == "stale", "already accepted"
    with pytest.raises(TaskRefused) as after:
        await _submit(services, ids, source="form:c")
    assert after.value.reason == "already_accepted"


async def test_the_same_source_replays_the_first_change(
    services: Services, ids: dict[str, int]
) -> None:
    first = await _submit(services, ids, source="form:x")
    assert await _submit(services, ids, source="form:x") == first
    accepted = await _review(services, ids, first, accept=True, source="tg:42")
    assert await _review(services, ids, first, accept=True, source="tg:42") == accepted
    later = dt.date(2026, 12, 31)  # ZW2 is due on 30 November
    extended = await _extend(services, ids, code="ZW2", until=later, who="jan", source="tg:43")
    assert await _extend(services, ids, code="ZW2", until=later, who="jan", source="tg:43") == (
        extended
    )
    await _plan(services, ids)
    resolution = await _resolution(services, ids, source="tg:44")
    assert await _resolution(services, ids, source="tg:44") == resolution
    assert await _count(services, TaskEvent) == 5


async def test_resolution_is_recorded_and_submitted(
    services: Services, ids: dict[str, int]
) -> None:
    with pytest.raises(TaskRefused) as no_plan:
        await _resolution(services, ids, "XII/1/2026", ADOPTED)
    assert (no_plan.value.reason, no_plan.value.params) == (
        "plan_not_submitted",
        {"code": "HDR_ORE"},
    )
    plan = await _plan(services, ids)
    await _review(services, ids, plan, accept=False, remarks="Brak budżetu.", source="tg:r")
    for number, adopted_on, proof, reason in (
        ("  ", TODAY, (BIP,), "bad_resolution_number"),
        ("x" * 101, TODAY, (BIP,), "bad_resolution_number"),
        ("XII/1/2026", TODAY + dt.timedelta(days=1), (BIP,), "resolution_in_future"),
        ("XII/1/2026", ADOPTED - dt.timedelta(days=1), (BIP,), "resolution_before_plan"),
        ("XII/1/2026", ADOPTED, (), "no_proof"),
        ("XII/1/2026", ADOPTED, (TEXT,), "not_proof"),
        ("XII/1/2026", ADOPTED, (Evidence("link", " "),), "empty_evidence"),
    ):
        with pytest.raises(TaskRefused) as refused:
            await _resolution(services, ids, number, adopted_on, proof=proof)
        assert refused.value.reason == reason
    assert refused.value.reason == "empty_evidence"
    change = await _resolution(
        services, ids, "XII / 45 /  2026", ADOPTED, proof=(DOCUMENT, BIP), source="tg:2"
    )
    assert (change.action, change.code) == ("resolution", "UCHWALA")
    assert change.resolution_number == "XII / 45 / 2026" and change.evidence == (DOCUMENT, BIP)
    row = await _row(services, ids, "UCHWALA")
    assert row is not None and row.state == TaskState.SUBMITTED
    assert (row.resolution_number, row.resolution_date) == ("XII / 45 / 2026", ADOPTED)
    assert row.resolution_link == BIP.text, "a plan returned for fixes was handed in all the same"
    assert (row.submitted_by_id, row.submitted_at) == (ids["celina"], NOW)
    with pytest.raises(TaskRefused) as twice:
        await _resolution(services, ids, "XII/46/2026", source="tg:3")
    assert twice.value.reason == "already_submitted"
    await _review(services, ids, change, accept=True)
    row = await _row(services, ids, "UCHWALA")
    assert row is not None and row.state == TaskState.ACCEPTED


async def test_a_returned_resolution_is_recorded_again_with_uchwala(
    services: Services, ids: dict[str, int]
) -> None:
    """The team is told to send a returned resolution again with /uchwala (the command it is
    recorded with), a returned task with /zadanie."""
    plan = await _plan(services, ids)
    change = await _resolution(services, ids, "XII/1/2026", ADOPTED, source="tg:2")
    returned = await _review(services, ids, change, accept=False, remarks="Brak podpisu.")
    returned_plan = await _review(services, ids, plan, accept=False, remarks="Brak budżetu.")
    assert (returned.resolution, returned_plan.resolution) == (True, False)
    render = services.templates.render
    assert "poleceniem /uchwala." in render("pl", "tg/task_news.html.j2", change=returned)
    assert "with /resolution." in render("en", "tg/task_news.html.j2", change=returned)
    assert "poleceniem /zadanie." in render("pl", "tg/task_news.html.j2", change=returned_plan)


async def test_extensions(services: Services, ids: dict[str, int]) -> None:
    until = dt.date(2026, 9, 30)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"teryt": "9999999"}, "unknown_jst"),
        ({"teryt": "9999999", "who": "jan"}, "not_your_jst"),
        ({"teryt": BOCHNIA, "who": "jan"}, "not_your_jst"),
        ({"who": "maria"}, "not_your_jst"),
        ({"who": "anna"}, "not_your_jst"),
        ({"code": "ZW7"}, "unknown_task"),
        ({"until": TODAY - dt.timedelta(days=1)}, "date_in_past"),
        ({"until": ZW1_DUE}, "not_later"),
    ]
    for arguments, reason in cases:
        with pytest.raises(TaskRefused) as refused:
            await _extend(services, ids, **({"until": until} | arguments))
        assert refused.value.reason == reason, arguments
    assert await _count(services, TaskProgress) == 0, "a refusal creates no row"

    by_operator = await _extend(services, ids, until=until)
    assert by_operator.until == until and by_operator.actor_name is None
    row = await _row(services, ids)
    assert row is not None and row.extended_until == until and row.state == TaskState.PENDING
    with pytest.raises(TaskRefused) as same:
        await _extend(services, ids, until=until)
    assert same.value.reason == "unchanged"
    by_adviser = await _extend(services, ids, until=until + dt.timedelta(days=7), who="jan")
    assert by_adviser.actor_name == "Jan Kowalski"
    dorota = await _extend(services, ids, teryt=PRZYKLADOWA, until=until, who="jan")
    assert dorota.jst_name == "Gmina Przykładowa"

    async with services.sessionmaker() as session:
        view = await team_view(session, ids["warszawa"], TODAY, history=True)
        status = await team_view(session, ids["warszawa"], TODAY)  # /status: no history read
    zw1 = next(task for task in view.tasks if task.code == "ZW1")
    assert zw1.due_on == until + dt.timedelta(days=7) and zw1.extended
    assert [c.action for c in view.history] == ["extended", "extended"]
    assert status.history == () and status.tasks == view.tasks

    accepted = await _review(services, ids, await _submit(services, ids), accept=True)
    assert accepted.action == "accepted"
    with pytest.raises(TaskRefused) as closed:
        await _extend(services, ids, until=until)
    assert closed.value.reason == "already_accepted"


async def test_submit_choices_follow_the_team_state(
    services: Services, ids: dict[str, int]
) -> None:
    async def choices() -> tuple[list[str], list[str], str | None]:
        async with services.sessionmaker() as session:
            found = await submit_choices(session, ids["warszawa"])
        return [t.code for t in found.open], [t.code for t in found.waiting], found.resolution_code

    assert await choices() == (["ZW1", "ZW2", "ZW3", "HDR_ORE", "DP", "UPOW"], [], "UCHWALA")
    first = await _submit(services, ids)
    assert await choices() == (["ZW2", "ZW3", "HDR_ORE", "DP", "UPOW"], ["ZW1"], "UCHWALA")
    await _review(services, ids, first, accept=False, remarks="Popraw.")
    assert (await choices())[0][0] == "ZW1", "a returned task can be submitted again"
    async with services.sessionmaker() as session:
        dorota = await submit_choices(session, ids["przykladowa"])
    assert dorota.open[0].code == "ZW1" and not dorota.waiting, "own JST only"
