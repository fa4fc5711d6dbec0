"""Issue 23: the data versions a process keeps team views under (migration 0014,
storage.team.TeamViews). The database moves a JST's or a cohort's version at every change of a
row its view shows, whoever writes; every table the view reads is one such; a change the view
does not show moves nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Executable, delete, event, insert, select, update

from core.services import Services
from storage.models import (
    AdviserAssignment,
    Attendance,
    Cohort,
    Jst,
    Language,
    MonthlyReport,
    Person,
    ProgrammeStep,
    Question,
    QuestionState,
    ReportState,
    Role,
    RoundMode,
    TaskEvent,
    TaskProgress,
    TaskState,
    TrainingEvent,
)
from storage.team import TeamViews, team_view
from tests.support.digest_data import NOW, seed_digest
from tests.support.programme_data import add_person

TODAY = NOW.date()
READ_FROM = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_]+)\b")
Ids = dict[str, int]
JST, COHORT = "jst", "cohort"

# Each table a team's view reads -> a change of a row Warszawa's view shows, and whose version
# that change must move.
CHANGES: dict[str, tuple[str, Callable[[Ids], Executable]]] = {
    "jsts": (JST, lambda ids: update(Jst).where(Jst.id == ids["warszawa"]).values(name="W-wa")),
    "cohorts": (COHORT, lambda ids: update(Cohort).values(name="pilot 2")),
    "programme_steps": (
        COHORT,
        lambda ids: (
            update(ProgrammeStep).where(ProgrammeStep.code == "ZW1").values(title_pl="Diagnoza")
        ),
    ),
    "training_events": (
        COHORT,
        lambda ids: insert(TrainingEvent).values(
            cohort_id=select(Jst.cohort_id).where(Jst.id == ids["warszawa"]).scalar_subquery(),
            phase_code="Z5",
            held_on=dt.date(2026, 6, 1),
            mode=RoundMode.ONLINE,
            set_at=NOW,
        ),
    ),
    "task_progress": (
        JST,
        lambda ids: (
            update(TaskProgress)
            .where(TaskProgress.jst_id == ids["warszawa"], TaskProgress.step_code == "ZW2")
            .values(state=TaskState.RETURNED)
        ),
    ),
    "task_events": (
        JST,
        lambda ids: insert(TaskEvent).values(
            jst_id=ids["warszawa"],
            step_code="ZW1",
            action="submitted",
            person_id=ids["anna"],
            details={},
            at=NOW,
        ),
    ),
    "monthly_reports": (
        JST,
        lambda ids: (
            update(MonthlyReport)
            .where(MonthlyReport.jst_id == ids["warszawa"])
            .values(state=ReportState.DRAFT)
        ),
    ),
    "questions": (
        JST,
        lambda ids: (
            update(Question)
            .where(Question.jst_id == ids["warszawa"])
            .values(state=QuestionState.CLOSED)
        ),
    ),
    "adviser_assignments": (
        JST,
        lambda ids: (
            update(AdviserAssignment)
            .where(AdviserAssignment.jst_id == ids["warszawa"])
            .values(substitute_id=None)
        ),
    ),
    "attendance": (
        JST,
        lambda ids: delete(Attendance).where(
            Attendance.person_id == ids["anna"], Attendance.step_code == "Z1"
        ),
    ),
    "people": (
        JST,
        lambda ids: update(Person).where(Person.id == ids["anna"]).values(full_name="Anna N."),
    ),
}


@pytest.fixture
async def ids(services: Services) -> Ids:
    return await seed_digest(services)


async def _versions(services: Services, ids: Ids) -> dict[str, int]:
    """Warszawa's version, its cohort's, and the other JSTs' (by name)."""
    async with services.sessionmaker() as session:
        rows = (await session.execute(select(Jst.id, Jst.data_version))).all()
        cohort = await session.scalar(select(Cohort.data_version))
    by_id = {jst_id: version for jst_id, version in rows}
    names = ("warszawa", "przykladowa", "bochnia")
    return {COHORT: cohort or 0} | {name: by_id[ids[name]] for name in names}


async def _moved(services: Services, ids: Ids, change: Executable) -> set[str]:
    before = await _versions(services, ids)
    async with services.sessionmaker.begin() as session:
        await session.execute(change)
    after = await _versions(services, ids)
    return {name for name, version in after.items() if version != before[name]}


@contextmanager
def tables_read(services: Services) -> Iterator[set[str]]:
    found: set[str] = set()

    def record(*args: Any) -> None:
        statement: str = args[2]
        found.update(t for t in READ_FROM.findall(statement) if not t.startswith("json_each"))

    event.listen(services.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(services.engine.sync_engine, "before_cursor_execute", record)


async def test_every_table_a_team_s_view_reads_moves_a_version(
    services: Services, ids: Ids
) -> None:
    """A new table in the view needs its trigger (a migration) and its row in CHANGES."""
    with tables_read(services) as read:
        async with services.reader() as session:
            await team_view(session, ids["warszawa"], TODAY, history=True)
    assert read == set(CHANGES)


@pytest.mark.parametrize("table", sorted(CHANGES))
async def test_a_change_a_view_shows_moves_its_version(
    services: Services, ids: Ids, table: str
) -> None:
    whose, change = CHANGES[table]
    moved = await _moved(services, ids, change(ids))
    assert moved == ({COHORT} if whose == COHORT else {"warszawa"})


async def test_a_person_without_a_jst_renamed_moves_every_jst_s_version(
    services: Services, ids: Ids
) -> None:
    """An adviser may be named in any JST's view (a task's history keeps who accepted it)."""
    renamed = update(Person).where(Person.id == ids["jan"]).values(full_name="Jan K.")
    assert await _moved(services, ids, renamed) == {"warszawa", "przykladowa", "bochnia"}


async def test_what_no_view_shows_moves_nothing(services: Services, ids: Ids) -> None:
    """A language, the same name set again (a re-import), a new adviser with no JST yet."""
    changes: list[Executable] = [
        update(Person).where(Person.id == ids["anna"]).values(language=Language.EN),
        update(Person).where(Person.id == ids["jan"]).values(full_name="Jan Kowalski"),
    ]
    for change in changes:
        assert await _moved(services, ids, change) == set()
    before = await _versions(services, ids)
    async with services.sessionmaker.begin() as session:
        await add_person(session, "nowy@ore.example.pl", "Nowy Doradca", role=Role.ADVISER)
    assert await _versions(services, ids) == before


async def test_a_kept_view_is_reused_until_its_data_change(services: Services, ids: Ids) -> None:
    """The same object while the versions stand; a new one, with the change, after."""
    views, jst_id = TeamViews(size=2), ids["warszawa"]

    async def view() -> Any:
        versions = await _versions(services, ids)
        async with services.reader() as session:
            return await views.view(
                session, jst_id, TODAY, (versions["warszawa"], versions[COHORT])
            )

    first = await view()
    assert await view() is first
    _, change = CHANGES["questions"]
    async with services.sessionmaker.begin() as session:
        await session.execute(change(ids))
    changed = await view()
    assert changed is not first and changed.open_questions == first.open_questions - 1
