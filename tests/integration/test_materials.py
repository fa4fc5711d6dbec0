"""The materials' review loop on SQLite and PostgreSQL: a coordinator hands a material in, an
expert returns it, the coordinator fixes it, an expert accepts it; the deadlines (7/5/5 days of
the template's [review]) end on working days across Christmas and New Year; refusals; replays.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.services import Services
from storage.materials.loop import (
    Origin,
    review_material,
    submit_fix,
    submit_material,
)
from storage.materials.views import MaterialChange, latest_version, material_items
from storage.models import AuditEntry, MaterialEvent, MaterialState
from storage.tasks.rows import TaskRefused
from storage.tasks.views import Evidence
from tests.support.material_data import seed_reviewers
from tests.support.task_data import seed_teams

START = dt.date(2026, 1, 1)
FRIDAY = dt.date(2026, 12, 18)  # +7: Christmas Day, then St Stephen's (a Saturday): Monday 28th
SCHEDULE = Evidence("document", "harmonogram zjazdów", "harmonogram.pdf", 9, 31, file_id="F1")
LINK = Evidence("link", "https://example.pl/scenariusz")


def _origin(person: int, day: dt.date, source: str) -> Origin:
    now = dt.datetime.combine(day, dt.time(10), dt.UTC)
    return Origin(person, now, day, source)


@pytest.fixture
async def ids(services: Services) -> dict[str, int]:
    return await seed_teams(services, START) | await seed_reviewers(services)


async def _submit(
    services: Services, ids: dict[str, int], source: str = "form:a"
) -> MaterialChange:
    async with services.sessionmaker.begin() as session:
        return await submit_material(
            session,
            cohort_id=ids["cohort"],
            title="  Harmonogram   zjazdów I–IV ",
            kind="schedule",
            pieces=(SCHEDULE, LINK),
            origin=_origin(ids["kinga"], FRIDAY, source),
        )


async def _review(
    services: Services,
    ids: dict[str, int],
    change: MaterialChange,
    *,
    day: dt.date,
    accept: bool,
    who: str = "olga",
    remarks: str | None = None,
    source: str = "tg:1",
) -> MaterialChange:
    async with services.sessionmaker.begin() as session:
        return await review_material(
            session,
            material_id=change.material_id,
            review_round=change.review_round,
            accept=accept,
            remarks=remarks,
            origin=_origin(ids[who], day, source),
        )


async def test_the_whole_loop_with_its_working_day_deadlines(
    services: Services, ids: dict[str, int]
) -> None:
    submitted = await _submit(services, ids)
    assert (submitted.title, submitted.kind, submitted.review_round) == (
        "Harmonogram zjazdów I–IV",
        "schedule",
        0,
    )
    assert submitted.due_on == dt.date(2026, 12, 28)  # 25th, 26th holidays, 27th Sunday
    assert submitted.pieces == (SCHEDULE, LINK)
    returned = await _review(
        services, ids, submitted, day=dt.date(2026, 12, 28), accept=False, remarks=" Dodać salę. "
    )
    # +5: Saturday 2 January 2027, moved to Monday the 4th
    assert (returned.action, returned.remarks, returned.due_on) == (
        "returned",
        "Dodać salę.",
        dt.date(2027, 1, 4),
    )
    assert returned.review_round == 0  # the round it closed; the fix opens round 1
    async with services.sessionmaker.begin() as session:
        fixed = await submit_fix(
            session,
            material_id=submitted.material_id,
            pieces=(SCHEDULE,),
            origin=_origin(ids["kinga"], dt.date(2027, 1, 4), "form:b"),
        )
    assert (fixed.review_round, fixed.due_on) == (1, dt.date(2027, 1, 11))  # +5: Saturday 9th
    with pytest.raises(TaskRefused) as stale:  # a button of the first round
        await _review(
            services, ids, submitted, day=dt.date(2027, 1, 5), accept=True, source="tg:3"
        )
    assert stale.value.reason == "stale"
    accepted = await _review(
        services, ids, fixed, day=dt.date(2027, 1, 5), accept=True, who="piotr", source="tg:2"
    )
    assert accepted.action == "accepted"
    async with services.sessionmaker.begin() as session:
        [item] = await material_items(session)
        assert (item.state, item.reviewed_by, item.review_round) == (
            MaterialState.ACCEPTED,
            "Piotr Ekspert",
            1,
        )
        assert (await latest_version(session, item.id)).event_id == fixed.event_id
        actions = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "material")
            .order_by(AuditEntry.id)
        )
        assert list(actions) == [
            "material.submitted",
            "material.returned",
            "material.submitted",
            "material.accepted",
        ]


async def test_a_change_made_again_from_its_source_changes_nothing(
    services: Services, ids: dict[str, int]
) -> None:
    first = await _submit(services, ids)
    assert await _submit(services, ids) == first
    returned = await _review(services, ids, first, day=FRIDAY, accept=False, remarks="Popraw.")
    again = await _review(services, ids, first, day=FRIDAY, accept=False, remarks="Popraw.")
    assert again == returned
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(MaterialEvent)) == 2


@pytest.mark.parametrize(
    ("who", "reason"),
    [("anna", "not_coordinator"), ("jan", "not_coordinator"), ("olga", "not_coordinator")],
)
async def test_only_a_coordinator_hands_materials_in(
    services: Services, ids: dict[str, int], who: str, reason: str
) -> None:
    async with services.sessionmaker.begin() as session:
        with pytest.raises(TaskRefused) as refused:
            await submit_material(
                session,
                cohort_id=ids["cohort"],
                title="Scenariusz",
                kind="scenario",
                pieces=(LINK,),
                origin=_origin(ids[who], FRIDAY, "form:x"),
            )
    assert refused.value.reason == reason


@pytest.mark.parametrize("who", ["anna", "jan", "kinga"])
async def test_only_an_expert_reviews(services: Services, ids: dict[str, int], who: str) -> None:
    submitted = await _submit(services, ids)
    with pytest.raises(TaskRefused) as refused:
        await _review(services, ids, submitted, day=FRIDAY, accept=True, who=who)
    assert refused.value.reason == "stale"


@pytest.mark.parametrize(
    ("title", "kind", "pieces", "reason"),
    [
        (" ", "schedule", (LINK,), "bad_title"),
        ("x" * 201, "schedule", (LINK,), "bad_title"),
        ("Scenariusz", "poem", (LINK,), "unknown_kind"),
        ("Scenariusz", "scenario", (), "empty_evidence"),
        ("Scenariusz", "scenario", (Evidence("text", "x" * 3501),), "too_long"),
    ],
)
async def test_bad_input_is_refused_with_its_reason(  # noqa: PLR0917
    services: Services,
    ids: dict[str, int],
    title: str,
    kind: str,
    pieces: tuple[Evidence, ...],
    reason: str,
) -> None:
    async with services.sessionmaker.begin() as session:
        with pytest.raises(TaskRefused) as refused:
            await submit_material(
                session,
                cohort_id=ids["cohort"],
                title=title,
                kind=kind,
                pieces=pieces,
                origin=_origin(ids["kinga"], FRIDAY, "form:x"),
            )
    assert refused.value.reason == reason


async def test_blank_remarks_and_a_fix_of_what_was_not_returned_are_refused(
    services: Services, ids: dict[str, int]
) -> None:
    submitted = await _submit(services, ids)
    with pytest.raises(TaskRefused) as blank:
        await _review(services, ids, submitted, day=FRIDAY, accept=False, remarks="  ")
    assert blank.value.reason == "empty_remarks"
    async with services.sessionmaker.begin() as session:
        with pytest.raises(TaskRefused) as refused:
            await submit_fix(
                session,
                material_id=submitted.material_id,
                pieces=(LINK,),
                origin=_origin(ids["kinga"], FRIDAY, "form:y"),
            )
    assert refused.value.reason == "not_returned"
