"""Monthly reports on SQLite and PostgreSQL: one team draft, one submission, corrections, export.

The programme starts on 1 January 2025; every council adopts the plan on 20 March 2026, so R01
is April 2026, due on 15 May 2026.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.calendar import WorkCalendar
from core.services import Services
from reminders.reports import ReportRule, load_report_state, plan_reports
from reminders.tick import run_tick
from storage.exports import missing_reports
from storage.models import AuditEntry, Channel, MonthlyReport, OutboxMessage, ReportState, Role
from storage.reports import (
    SUBMITTED_ACTION,
    ReportSlot,
    current_slot,
    ended_slots,
    next_question,
    open_report,
    report_questions,
    set_answer,
    submit_report,
    unsent_slots,
)
from tests.support.cli_runs import invoke, output_folder
from tests.support.programme_data import add_person
from tests.support.task_data import seed_teams

START = dt.date(2025, 1, 1)
ADOPTED = dt.date(2026, 3, 20)
MAY_4 = dt.date(2026, 5, 4)
NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
LONG = ("Zażółć gęślą jaźń 🎓 <b>&amp;</b> " * 200)[:4096]


@pytest.fixture
async def ids(services: Services) -> dict[str, int]:
    return await seed_teams(services, START, adopted=ADOPTED)


async def _slot(services: Services, ids: dict[str, int], today: dt.date = MAY_4) -> ReportSlot:
    async with services.sessionmaker.begin() as session:
        slot = await current_slot(session, ids["warszawa"], today)
    assert slot is not None
    return slot


async def _answer(services: Services, slot: ReportSlot, person: int, **answers: object) -> None:
    async with services.sessionmaker.begin() as session:
        report = await open_report(session, slot, person, NOW)
        for key, value in answers.items():
            assert value is None or isinstance(value, str | int | bool)
            set_answer(report, key, value, NOW)


async def _submit(
    services: Services, slot: ReportSlot, person: int, today: dt.date = MAY_4
) -> tuple[bool, MonthlyReport]:
    async with services.sessionmaker.begin() as session:
        report = await open_report(session, slot, person, NOW)
        done = await submit_report(
            session, report, slot, person, NOW, answers=dict(report.answers), local_today=today
        )
        return done.accepted, report


async def test_the_current_report_is_the_last_month_that_ended(
    services: Services, ids: dict[str, int]
) -> None:
    async with services.sessionmaker.begin() as session:
        assert await current_slot(session, ids["warszawa"], dt.date(2026, 4, 30)) is None
    slot = await _slot(services, ids)
    assert (slot.code, slot.month, slot.due_on) == (
        "R01",
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 15),
    )
    assert (await _slot(services, ids, dt.date(2026, 6, 1))).code == "R02"


async def test_unsent_months_stay_open_until_the_team_sends_them(
    services: Services, ids: dict[str, int]
) -> None:
    july = dt.date(2026, 7, 2)  # R01 (April), R02 (May) and R03 (June) have ended
    async with services.sessionmaker.begin() as session:
        ended = await ended_slots(session, ids["warszawa"], july)
        assert [s.code for s in ended] == ["R01", "R02", "R03"]
    await _answer(services, await _slot(services, ids), ids["anna"], progress=3)
    await _submit(services, await _slot(services, ids), ids["anna"])  # R01 only
    async with services.sessionmaker.begin() as session:
        unsent = await unsent_slots(session, ids["warszawa"], july)
        assert [s.code for s in unsent] == ["R02", "R03"]
        bochnia = await unsent_slots(session, ids["bochnia"], july)
        assert [s.code for s in bochnia] == ["R01", "R02", "R03"]


async def test_two_members_fill_one_draft_and_it_resumes_at_the_first_unanswered(
    services: Services, ids: dict[str, int]
) -> None:
    slot = await _slot(services, ids)
    await _answer(services, slot, ids["anna"], progress=4, done=LONG)
    await _answer(services, slot, ids["bartosz"], slipped="Remont")
    async with services.sessionmaker.begin() as session:
        questions = await report_questions(session, ids["warszawa"])
        report = await open_report(session, slot, ids["bartosz"], NOW)
        assert report.started_by_id == ids["anna"]
        assert report.answers == {"progress": 4, "done": LONG, "slipped": "Remont"}
        following = next_question(questions, report.answers, None)
        assert following is not None and following.key == "obstacles"
        rows = await session.scalars(select(MonthlyReport))
        assert len(list(rows)) == 1


async def test_the_follow_up_question_is_asked_only_after_yes(
    services: Services, ids: dict[str, int]
) -> None:
    async with services.sessionmaker.begin() as session:
        questions = await report_questions(session, ids["warszawa"])
    after_no = next_question(questions, {"support": False}, "support")
    after_yes = next_question(questions, {"support": True}, "support")
    assert after_no is None and after_yes is not None and after_yes.key == "support_what"


async def test_submitted_once_corrected_until_the_due_date_with_history(
    services: Services, ids: dict[str, int]
) -> None:
    slot = await _slot(services, ids)
    await _answer(services, slot, ids["anna"], progress=3, done="Szkolenie")
    accepted, first = await _submit(services, slot, ids["anna"])
    assert accepted and first.state is ReportState.SUBMITTED and not first.late
    assert first.version == 1 and first.submitted_by_id == ids["anna"]

    await _answer(services, slot, ids["bartosz"], progress=5)
    accepted, second = await _submit(services, slot, ids["bartosz"], dt.date(2026, 5, 15))
    assert accepted and second.version == 2 and second.answers["progress"] == 5
    refused, _ = await _submit(services, slot, ids["anna"], dt.date(2026, 5, 16))
    assert not refused, "no corrections after the due date"

    async with services.sessionmaker.begin() as session:
        history = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == SUBMITTED_ACTION).order_by(AuditEntry.id)
        )
        versions = [(e.details["version"], e.details["answers"]["progress"]) for e in history]
    assert versions == [(1, 3), (2, 5)]


async def test_a_late_report_is_accepted_and_marked_late(
    services: Services, ids: dict[str, int]
) -> None:
    slot = await _slot(services, ids, dt.date(2026, 5, 20))
    await _answer(services, slot, ids["anna"], progress=2)
    accepted, report = await _submit(services, slot, ids["anna"], dt.date(2026, 5, 20))
    assert accepted and report.late


async def test_the_reminders_stop_once_submitted_and_the_missing_sheet_lists_the_rest(
    services: Services, ids: dict[str, int]
) -> None:
    calendar = WorkCalendar(services.settings.zone)

    async def planned() -> set[tuple[int | None, str]]:
        async with services.sessionmaker.begin() as session:
            state = await load_report_state(session, NOW)
        dues = plan_reports(state, calendar)
        return {(d.jst_id, d.key.split(":")[2]) for d in dues if ":R01:" in d.key}

    assert (ids["warszawa"], "R01") in await planned()
    await _answer(services, await _slot(services, ids), ids["anna"], progress=4)
    await _submit(services, await _slot(services, ids), ids["anna"])
    assert (ids["warszawa"], "R01") not in await planned()
    assert (ids["bochnia"], "R01") in await planned()
    async with services.sessionmaker.begin() as session:
        missing = await missing_reports(session, MAY_4)
    assert (
        sorted(row[2:] for row in missing.rows if row[2] == "R01")
        == [["R01", dt.date(2026, 4, 1), dt.date(2026, 5, 15), "missing"]] * 2
    )


async def test_texts_round_trip_unchanged_to_the_xlsx_export(
    services: Services, ids: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = output_folder(tmp_path, monkeypatch)
    slot = await _slot(services, ids)
    await _answer(services, slot, ids["anna"], progress=4, done=LONG, obstacles=None)
    await _submit(services, slot, ids["anna"])
    result = await invoke(services, "export", "reports", "--out", str(folder / "r.xlsx"), "--keys")
    assert result.exit_code == 0, result.output
    workbook = load_workbook(folder / "r.xlsx")
    assert workbook.sheetnames == ["reports", "missing"], "all reports, then who is missing"
    missing = list(workbook["missing"].iter_rows(values_only=True))
    assert not [r for r in missing if r[0] == "1465011" and r[2] == "R01"], "Warszawa sent R01"
    assert [r for r in missing if r[2] == "R01"], "the others did not"
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    [warszawa] = [r for r in rows if r[0] == "1465011" and r[2] == "R01"]
    assert warszawa[header.index("answer_done")] == LONG and len(LONG) == 4096
    assert warszawa[header.index("answer_progress")] == 4


async def test_the_tick_requests_reminds_and_escalates_until_submitted(
    services: Services, ids: dict[str, int]
) -> None:
    """May 2026 walked day by day at 09:30 local: Warszawa submits on 6 May, the others never
    (Przykładowa and Bochnia have one member each)."""
    zone = services.settings.zone
    for day in range(1, 32):
        moment = dt.datetime(2026, 5, day, 9, 30, tzinfo=zone)
        if day == 6:
            slot = await _slot(services, ids)
            await _answer(services, slot, ids["anna"], progress=5)
            await _submit(services, slot, ids["anna"], moment.date())
        await run_tick(services, [ReportRule()], moment.astimezone(dt.UTC))
    async with services.sessionmaker.begin() as session:
        keys = await session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like("report:%"))
        )
        sent = Counter((int(k.split(":")[1]), k.split(":")[3]) for k in keys)
    silent = {
        (jst, step): 1
        for jst in (ids["przykladowa"], ids["bochnia"])
        for step in ("request", "reminder-5", "reminder-10", "adviser")  # 4, 11, 18, 25 May
    }
    assert sent == {(ids["warszawa"], "request"): 3} | silent  # every member; then nothing


async def test_a_report_still_missing_after_the_adviser_notice_alerts_the_coordinators(
    services: Services, ids: dict[str, int]
) -> None:
    async with services.sessionmaker.begin() as session:
        coordinator = await add_person(
            session, "koordynacja@example.pl", "Koordynacja", role=Role.COORDINATOR
        )
    await _answer(services, await _slot(services, ids), ids["anna"], progress=4)
    await _submit(services, await _slot(services, ids), ids["anna"])  # Warszawa sent R01
    calendar = WorkCalendar(services.settings.zone)
    alert_day = calendar.add_working_days(MAY_4, 20)  # R01 was requested on Monday 4 May
    assert (await run_tick(services, [ReportRule()], calendar.at(alert_day, 8, 59))).enqueued

    assert await _alerts(services) == []
    await run_tick(services, [ReportRule()], calendar.at(alert_day, 9))
    rows = {row.dedupe_key: row for row in await _alerts(services)}
    assert set(rows) == {
        f"report:{ids[jst]}:R01:coordinators:{coordinator.id}"
        for jst in ("przykladowa", "bochnia")
    }
    row = rows[f"report:{ids['bochnia']}:R01:coordinators:{coordinator.id}"]
    assert row.channel is Channel.EMAIL and row.person_id == coordinator.id
    assert row.payload["values"] | {"title_pl": "", "title_en": ""} == {
        "code": "R01",
        "title_pl": "",
        "title_en": "",
        "jst_name": "Powiat bocheński",
        "teryt": "1201",
        "due_on": "2026-05-15",
        "month_on": "2026-04-01",
        "working_days": 20,
        "adviser": "Maria Szymańska",
    }


async def _alerts(services: Services) -> list[OutboxMessage]:
    async with services.sessionmaker() as session:
        found = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "report_missing_alert")
        )
        return list(found)
