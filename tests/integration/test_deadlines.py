"""The deadline ladder from the database to the outbox, on SQLite and PostgreSQL.

A cohort started on 9 September 2024 with the shipped template: ZW1 is due on Tuesday 8 April
2025; DP a month after the JST's monitoring. Gmina Alfa has Anna (Polish) and Ben (English), Cezary
(erased), adviser Dorota with Edward standing in on 9-11 April 2025, and coordinator Kasia.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.services import Services
from outbox.plans import WITHDRAWN
from reminders.deadlines import DeadlineRule
from reminders.tick import planned, run_tick, work_calendar
from storage.cohorts import add_cohort
from storage.models import (
    Channel,
    Cohort,
    Delivery,
    Jst,
    Language,
    OutboxState,
    Role,
    TaskProgress,
    TaskState,
)
from storage.programme import default_template_path
from tests.support import programme_data
from tests.support.cli_runs import preview_reminders
from tests.support.outbox_rows import outbox_rows
from tests.support.people_data import assign_adviser
from tests.support.programme_data import CREATED, add_jst, add_person
from tests.support.task_data import adopt

WARSAW = ZoneInfo("Europe/Warsaw")
RULES = [DeadlineRule()]
ZW1 = "ZW1"
START = dt.date(2024, 9, 9)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WARSAW).astimezone(dt.UTC)


async def _seed(services: Services) -> dict[str, int]:
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(
            session, "jesień", START, default_template_path(), now=CREATED, actor="test"
        )
        alfa = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        people = {
            "anna": await add_person(session, "anna@example.pl", "Anna Nowak", jst=alfa),
            "ben": await add_person(session, "ben@example.pl", "Ben Smith", jst=alfa),
            "cezary": await add_person(
                session, "c@example.pl", "Cezary", jst=alfa, erased_at=CREATED
            ),
            "dorota": await add_person(session, "d@ore.example.pl", "Dorota", role=Role.ADVISER),
            "edward": await add_person(session, "e@ore.example.pl", "Edward", role=Role.ADVISER),
            "kasia": await add_person(session, "k@ore.example.pl", "Kasia", role=Role.COORDINATOR),
        }
        people["ben"].language = Language.EN
        stand_in = (dt.date(2025, 4, 9), dt.date(2025, 4, 11))
        await assign_adviser(
            session, alfa, people["dorota"], substitute=people["edward"], period=stand_in
        )
    return {"alfa": alfa.id} | {name: person.id for name, person in people.items()}


async def _tick(services: Services, now: dt.datetime) -> set[str]:
    """One tick; the keys it queued."""
    before = set(await outbox_rows(services))
    stats = await run_tick(services, RULES, now)
    added = set(await outbox_rows(services)) - before
    assert stats.enqueued == len(added)
    return added


async def _set_task(services: Services, jst_id: int, at: dt.datetime, **fields: Any) -> None:
    """The JST's ZW1 row as a change at `at` in storage.tasks.transitions would leave it."""
    async with services.sessionmaker.begin() as session:
        progress = await session.scalar(
            select(TaskProgress).where(
                TaskProgress.jst_id == jst_id, TaskProgress.step_code == ZW1
            )
        )
        if progress is None:
            progress = TaskProgress(jst_id=jst_id, step_code=ZW1, state=TaskState.PENDING)
            session.add(progress)
        for name, value in (fields | {"updated_at": at}).items():
            setattr(progress, name, value)


def _key(ids: dict[str, int], due: str, step: str, person: str, code: str = ZW1) -> str:
    return f"deadline:{ids['alfa']}:{code}:{due}:{step}:{ids[person]}"


async def test_the_team_gets_exact_rows_in_its_languages_and_a_second_tick_adds_none(
    services: Services,
) -> None:
    ids = await _seed(services)
    now = local(2025, 4, 1, 9)
    assert await _tick(services, now) == {
        _key(ids, "2025-04-08", "T-7", "anna"),
        _key(ids, "2025-04-08", "T-7", "ben"),
    }, "Cezary is erased; nothing for the adviser or the coordinator yet"
    rows = await outbox_rows(services)
    anna = rows[_key(ids, "2025-04-08", "T-7", "anna")]
    assert (anna.kind, anna.channel) == ("task_due", Channel.TELEGRAM)
    assert (anna.delivery, anna.state) == (Delivery.AT_MOST_ONCE, OutboxState.PENDING)
    assert (anna.person_id, anna.not_before) == (ids["anna"], now)
    assert "<b>ZW1</b> – Zadanie wdrożeniowe 1" in anna.payload["params"]["text"]
    assert "<b>8 kwietnia 2025</b> – za 7 dni" in anna.payload["params"]["text"]
    assert "/zadanie" in anna.payload["params"]["text"]
    ben = rows[_key(ids, "2025-04-08", "T-7", "ben")].payload["params"]["text"]
    assert "<b>April 8, 2025</b> – in 7 days" in ben and "/submit" in ben

    assert await _tick(services, now) == set()
    assert await _tick(services, now + dt.timedelta(hours=3)) == set()


async def test_over_a_pass_limit_the_next_passes_add_the_rest_soonest_stale_first(
    services: Services,
) -> None:
    """A national day queues 25,000 at once: a pass adds at most its limit, what goes stale
    first before the rest, and the passes of the next minutes add the rest, each once. A week
    after the deadline nothing was sent yet: the team's T+1 (stale tomorrow) and the
    coordinator's T+7 alert (stale in a week) are due together."""
    ids = await _seed(services)
    now = local(2025, 4, 15, 9)
    async with services.sessionmaker() as session:
        plan = await planned(session, RULES, now, work_calendar(services), now)
    stale_at = {item.key: item.until for item in plan if item.is_due(now)}

    passes: list[tuple[set[str], int]] = []
    for minute in range(3):
        before = set(await outbox_rows(services))
        stats = await run_tick(services, RULES, now + dt.timedelta(minutes=minute), limit=3)
        passes.append((set(await outbox_rows(services)) - before, stats.left))

    team = {_key(ids, "2025-04-08", "T+1", person) for person in ("anna", "ben", "edward")}
    alert = _key(ids, "2025-04-08", "T+7", "kasia")
    assert set(stale_at) == {*team, alert}
    assert passes == [(team, 1), ({alert}, 0), (set(), 0)]
    assert all(stale_at[key] < stale_at[alert] for key in team)  # type: ignore[operator]


async def test_overdue_the_team_and_the_stand_in_then_an_email_alert_to_coordinators(
    services: Services,
) -> None:
    ids = await _seed(services)
    assert await _tick(services, local(2025, 4, 9, 9)) == {
        _key(ids, "2025-04-08", "T+1", "anna"),
        _key(ids, "2025-04-08", "T+1", "ben"),
        _key(ids, "2025-04-08", "T+1", "edward"),  # standing in for Dorota on 9 April
    }
    rows = await outbox_rows(services)
    assert rows[_key(ids, "2025-04-08", "T+1", "edward")].kind == "task_overdue_adviser"
    assert (
        "1 dzień po terminie"
        in (rows[_key(ids, "2025-04-08", "T+1", "edward")].payload["params"]["text"])
    )

    alert_key = _key(ids, "2025-04-08", "T+7", "kasia")
    assert await _tick(services, local(2025, 4, 15, 9)) == {alert_key}
    alert = (await outbox_rows(services))[alert_key]
    assert (alert.channel, alert.delivery) == (Channel.EMAIL, Delivery.AT_LEAST_ONCE)
    assert alert.kind == "task_overdue_alert"
    assert alert.payload == {
        "template": "task_overdue_alert",
        "values": {
            "code": ZW1,
            "title_pl": alert.payload["values"]["title_pl"],
            "title_en": alert.payload["values"]["title_en"],
            "label_pl": "diagnoza wstępna",
            "label_en": "initial diagnosis",
            "jst_name": "Gmina Alfa",
            "teryt": "1401011",
            "due_on": "2025-04-08",
            "extended": False,
            "resolution": False,
            "days": 7,
            "adviser": "Dorota",  # back from 12 April
        },
    }
    assert alert.payload["values"]["title_en"].startswith("Implementation task 1")


async def test_an_extension_replans_the_ladder_and_skips_what_the_team_was_just_told(
    services: Services,
) -> None:
    ids = await _seed(services)
    assert len(await _tick(services, local(2025, 3, 25, 9))) == 2, "T-14 of 8 April"
    granted = local(2025, 4, 6, 10)  # to 16 April: its T-14 (2 April) and T-7 window have begun
    await _set_task(services, ids["alfa"], granted, extended_until=dt.date(2025, 4, 16))
    for moment in (granted, local(2025, 4, 7, 9), local(2025, 4, 8, 9)):
        assert await _tick(services, moment) == set(), "no old T-1 or T-0, no T-14 again"
    assert await _tick(services, local(2025, 4, 9, 9)) == {
        _key(ids, "2025-04-16", "T-7", "anna"),
        _key(ids, "2025-04-16", "T-7", "ben"),
    }
    text = (await outbox_rows(services))[_key(ids, "2025-04-16", "T-7", "anna")].payload
    assert "Termin (przedłużony): <b>16 kwietnia 2025</b> – za 7 dni" in text["params"]["text"]
    assert await _tick(services, local(2025, 4, 15, 9)) == {
        _key(ids, "2025-04-16", "T-7", "anna").replace("T-7", "T-1"),
        _key(ids, "2025-04-16", "T-7", "ben").replace("T-7", "T-1"),
    }


async def test_an_accepted_task_stops_its_reminders_at_once(services: Services) -> None:
    """Even those queued and not yet sent (an outage): the next tick withdraws them."""
    ids = await _seed(services)
    queued = await _tick(services, local(2025, 4, 7, 9))
    assert len(queued) == 2, "T-1"
    rows = await outbox_rows(services)
    assert {(rows[k].planned_by, rows[k].stale_at) for k in queued} == {
        ("deadlines", local(2025, 4, 8, 9))
    }, "planned by the ladder; stale when the due day's step replaces it"
    accepted = local(2025, 4, 7, 10)
    await _set_task(
        services,
        ids["alfa"],
        accepted,
        state=TaskState.ACCEPTED,
        submitted_at=accepted,
        accepted_at=accepted,
    )
    for moment in (local(2025, 4, 7, 10, 1), local(2025, 4, 9, 9), local(2025, 4, 15, 9)):
        assert await _tick(services, moment) == set()
    rows = await outbox_rows(services)
    assert {(rows[k].state, rows[k].last_error) for k in queued} == {
        (OutboxState.SKIPPED, WITHDRAWN)
    }


async def test_the_review_loop_reminds_the_adviser_then_the_team_round_by_round(
    services: Services,
) -> None:
    ids = await _seed(services)
    alfa = ids["alfa"]
    submitted = local(2025, 4, 1, 23)  # 7 days later is Tuesday 23:00: quiet hours
    await _set_task(services, alfa, submitted, state=TaskState.SUBMITTED, submitted_at=submitted)
    assert await _tick(services, local(2025, 4, 8, 23)) == set()
    first_review = f"review:{alfa}:ZW1:0:review:{ids['edward']}"  # standing in on 9 April
    assert await _tick(services, local(2025, 4, 9, 8)) == {first_review}
    text = (await outbox_rows(services))[first_review].payload["params"]["text"]
    assert "od 1 kwietnia 2025, 23:00 (8 dni)" in text
    returned = local(2025, 4, 10, 12)  # fix by 15 April
    await _set_task(
        services, alfa, returned, state=TaskState.RETURNED, reviewed_at=returned, review_round=1
    )
    assert await _tick(services, local(2025, 4, 14, 9)) == {
        f"review:{alfa}:ZW1:1:fix-1:{ids['anna']}",
        f"review:{alfa}:ZW1:1:fix-1:{ids['ben']}",
    }
    text = (await outbox_rows(services))[f"review:{alfa}:ZW1:1:fix-1:{ids['anna']}"].payload
    assert "najpóźniej jutro, 15 kwietnia 2025" in text["params"]["text"]
    again = local(2025, 4, 15, 8, 30)
    await _set_task(services, alfa, again, state=TaskState.SUBMITTED, submitted_at=again)
    assert await _tick(services, local(2025, 4, 15, 9)) == set(), "fixed in time"
    assert await _tick(services, local(2025, 4, 21, 8)) == set(), "Easter Monday"
    assert await _tick(services, local(2025, 4, 22, 8)) == {
        f"review:{alfa}:ZW1:1:review:{ids['dorota']}"  # re-review: 5 days, Sunday 20 April
    }


async def test_a_cohort_whose_template_no_longer_validates_is_left_out(
    services: Services,
) -> None:
    """Test data's cohort has no template: its JST gets nothing, the valid cohort still does."""
    await _seed(services)
    async with services.sessionmaker.begin() as session:
        broken = await programme_data.add_cohort(session, "broken")
        beta = await add_jst(session, broken, "1401022", "Gmina Beta")
        await add_person(session, "b@example.pl", "Bogna", jst=beta)
    assert await _tick(services, local(2026, 3, 24, 9)) == set(), "its ZW1 is due 31 March"
    assert len(await _tick(services, local(2025, 4, 1, 9))) == 2


async def test_reminders_preview_shows_what_goes_when(services: Services) -> None:
    """Alfa's council adopted the plan on 20 September 2025: its reports run October 2025 -
    September 2026, the last due Thursday 15 October 2026, so its DP is due a month after, on
    Sunday 15 November: Monday 16th. Its T-14 is Monday 2nd, T-7 Monday 9th, and "the day
    before" Friday 13th. Before the resolution, DP had no date and nothing was planned."""
    ids = await _seed(services)
    assert await _tick(services, local(2026, 11, 2, 9)) == set(), "no resolution: DP waits"
    async with services.sessionmaker.begin() as session:
        adopt(session, ids["alfa"], dt.date(2025, 9, 20), ids["anna"])
    assert await _tick(services, local(2026, 11, 2, 9)) == {
        _key(ids, "2026-11-16", "T-14", "anna", code="DP"),
        _key(ids, "2026-11-16", "T-14", "ben", code="DP"),
    }, "DP's T-14, queued"
    result = await preview_reminders(services, "2026-11-06T12:00", days=7, jst="1401011")
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines() if "task_due" in line]
    assert lines == [
        ["9", "November", "2026,", "09:00", "Anna", "Nowak", "task_due"],
        ["9", "November", "2026,", "09:00", "Ben", "Smith", "task_due"],
        ["13", "November", "2026,", "09:00", "Anna", "Nowak", "task_due"],
        ["13", "November", "2026,", "09:00", "Ben", "Smith", "task_due"],
    ]


async def test_the_ladder_is_the_cohort_template(services: Services, tmp_path: Path) -> None:
    """A template that reminds 3 days before and alerts 2 days after: nothing else is sent."""
    text = default_template_path().read_text(encoding="utf-8")
    text = text.replace("task_days_before = [14, 7, 1, 0]", "task_days_before = [3]")
    text = text.replace("task_overdue_alert_days = 7", "task_overdue_alert_days = 2")
    short = tmp_path / "short.toml"
    short.write_text(text, encoding="utf-8")
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session, "short", START, short, now=CREATED, actor="test")
        jst = await add_jst(session, cohort, "1401033", "Gmina Gamma")
        gosia = await add_person(session, "g@example.pl", "Gosia", jst=jst)
        kasia = await add_person(session, "k@ore.example.pl", "Kasia", role=Role.COORDINATOR)
    assert await _tick(services, local(2025, 4, 1, 9)) == set(), "no T-7 in this ladder"
    assert await _tick(services, local(2025, 4, 7, 8)) == {  # T-3: Saturday 5 April -> Monday
        f"deadline:{jst.id}:ZW1:2025-04-08:T-3:{gosia.id}"
    }
    assert await _tick(services, local(2025, 4, 9, 9)) == {
        f"deadline:{jst.id}:ZW1:2025-04-08:T+1:{gosia.id}"
    }
    assert await _tick(services, local(2025, 4, 10, 9)) == {
        f"deadline:{jst.id}:ZW1:2025-04-08:T+2:{kasia.id}"
    }


async def test_teams_share_a_rendered_text_only_where_every_value_it_reads_is_the_same(
    services: Services,
) -> None:
    """The tick renders a text once for all who read the same thing (reminders/tick.py): the
    team's name is not in the T-7 text, so Gamma's members get Alfa's; Beta's deadline was
    extended to the same day, so Beta's text says so and the others' do not."""
    ids = await _seed(services)
    async with services.sessionmaker.begin() as session:
        cohort_id = await session.scalar(select(Jst.cohort_id).where(Jst.id == ids["alfa"]))
        cohort = await session.get(Cohort, cohort_id)
        assert cohort is not None
        beta = await add_jst(session, cohort, "1401021", "Gmina Beta")
        gamma = await add_jst(session, cohort, "1401031", "Gmina Gamma")
        bogna = await add_person(session, "bogna@example.pl", "Bogna Wójcik", jst=beta)
        gosia = await add_person(session, "gosia@example.pl", "Gosia Zając", jst=gamma)
    await _set_task(services, beta.id, local(2025, 3, 1, 9), extended_until=dt.date(2025, 4, 8))

    await run_tick(services, RULES, local(2025, 4, 1, 9))
    texts = {
        row.person_id: row.payload["params"]["text"]
        for row in (await outbox_rows(services)).values()
    }
    assert texts[gosia.id] == texts[ids["anna"]]
    assert "Termin: <b>8 kwietnia 2025</b> – za 7 dni" in texts[gosia.id]
    assert "Termin (przedłużony): <b>8 kwietnia 2025</b> – za 7 dni" in texts[bogna.id]
    assert "Gmina" not in texts[gosia.id] + texts[bogna.id]
