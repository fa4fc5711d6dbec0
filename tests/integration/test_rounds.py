"""Training rounds as dated events (storage/rounds.py, `advisorybot cohort event`), on SQLite and
PostgreSQL: what is kept, what is refused and what is only warned about, the template's
defaults, the audit, and the refusals the operator reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from core.services import Services
from storage.cohorts import add_cohort
from storage.models import AuditEntry, Cohort
from storage.programme import default_template_path, load_template
from storage.programme_errors import TemplateError
from storage.round_views import cohort_rounds
from storage.rounds import RoundChange, RoundDetails, RoundRefused, clear_round, set_round
from tests.support.cli_runs import invoke, output_folder

START = dt.date(2026, 7, 1)  # Z1: October 2026, Z2: February 2027
TODAY = dt.date(2026, 9, 1)
ACTOR = "operator:test"
DEFAULTS = 'code = "Z1"\nkind = "training"\n'


async def _cohort(services: Services, template: Path | None = None) -> Cohort:
    async with services.sessionmaker.begin() as session:
        return await add_cohort(
            session,
            "pilot",
            START,
            template or default_template_path(),
            now=services.clock.now(),
            actor=ACTOR,
        )


async def _set(
    services: Services, cohort: Cohort, code: str, details: RoundDetails
) -> RoundChange:
    async with services.sessionmaker.begin() as session:
        return await set_round(
            session, cohort, code, details, now=services.clock.now(), today=TODAY, actor=ACTOR
        )


async def test_set_change_clear_and_the_audit(services: Services) -> None:
    cohort = await _cohort(services)
    first = RoundDetails(
        dt.date(2026, 10, 14), dt.time(10), dt.time(15, 30), place="Warszawa", bring="laptop"
    )
    async with services.sessionmaker.begin() as session:
        change = await set_round(
            session, cohort, "z1", first, now=services.clock.now(), today=TODAY, actor=ACTOR
        )
    assert (change.round.code, change.round.held_on, change.round.mode) == (
        "Z1",
        dt.date(2026, 10, 14),
        "on_site",
    )
    assert (change.warnings, change.told) == ((), False)
    assert (change.round.start_time, change.round.end_time) == ("10:00", "15:30")

    async with services.sessionmaker.begin() as session:
        again = await set_round(
            session, cohort, "Z1", first, now=services.clock.now(), today=TODAY, actor=ACTOR
        )
        assert not again.told, "the same date and place: nothing to tell"
        # 11 November is a holiday and outside Z1's phase (October): saved, with warnings.
        moved = await set_round(
            session,
            cohort,
            "Z1",
            RoundDetails(dt.date(2026, 11, 11)),
            now=services.clock.now(),
            today=TODAY,
            actor=ACTOR,
        )
    assert moved.told and moved.round.previous_on == dt.date(2026, 10, 14)
    assert [reason for reason, _ in moved.warnings] == ["outside_phase", "day_off"]
    assert moved.warnings[1][1]["holiday"]
    assert (moved.round.place, moved.round.bring, moved.round.start_time) == (
        "Warszawa",
        "laptop",
        "10:00",
    ), "what was not given is kept"

    async with services.sessionmaker.begin() as session:
        online = await set_round(
            session,
            cohort,
            "Z1",
            RoundDetails(dt.date(2026, 11, 12), link="https://meet.example.pl/z1"),
            now=services.clock.now(),
            today=TODAY,
            actor=ACTOR,
        )
        assert (online.round.mode, online.round.place) == ("online", None), "a link alone"
        cleared = await clear_round(session, cohort, "Z1", now=services.clock.now(), actor=ACTOR)
        assert cleared.held_on is None and cleared.previous_on == dt.date(2026, 11, 12)
        with pytest.raises(RoundRefused) as refused:
            await clear_round(session, cohort, "Z1", now=services.clock.now(), actor=ACTOR)
        assert refused.value.reason == "not_dated"
        rounds = await cohort_rounds(session, cohort.id)
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert [r.code for r in rounds] == ["Z1", "Z2", "Z3", "Z4"]
    assert [r.number for r in rounds] == [1, 2, 3, 4]
    assert actions.count("round.set") == 4 and actions.count("round.clear") == 1


@pytest.mark.parametrize(
    ("code", "details", "reason"),
    [
        ("D1", RoundDetails(dt.date(2026, 10, 14)), "not_training"),
        ("Z1", RoundDetails(dt.date(2026, 10, 14), end_time=dt.time(15)), "end_without_start"),
        ("Z1", RoundDetails(dt.date(2026, 10, 14), dt.time(15), dt.time(9)), "end_before_start"),
        ("Z1", RoundDetails(dt.date(2026, 10, 14), link="meet.example.pl"), "bad_link"),
        ("Z1", RoundDetails(dt.date(2026, 10, 14), place="x" * 301), "bad_text"),
        ("Z1", RoundDetails(dt.date(2026, 10, 14), bring="  "), "bad_text"),
    ],
)
async def test_refused(services: Services, code: str, details: RoundDetails, reason: str) -> None:
    cohort = await _cohort(services)
    with pytest.raises(RoundRefused) as refused:
        await _set(services, cohort, code, details)
    assert refused.value.reason == reason
    async with services.sessionmaker() as session:
        assert all(r.event_id is None for r in await cohort_rounds(session, cohort.id))


async def test_the_templates_defaults(services: Services, tmp_path: Path) -> None:
    text = default_template_path().read_text(encoding="utf-8")
    template = tmp_path / "with-defaults.toml"
    template.write_text(
        text.replace(DEFAULTS, DEFAULTS + 'mode = "online"\nbring = "słuchawki"\n', 1),
        encoding="utf-8",
    )
    cohort = await _cohort(services, template)
    change = await _set(services, cohort, "Z1", RoundDetails(dt.date(2026, 10, 14)))
    assert (change.round.mode, change.round.bring) == ("online", "słuchawki")


def test_defaults_only_on_a_training_phase(tmp_path: Path) -> None:
    text = default_template_path().read_text(encoding="utf-8")
    template = tmp_path / "bad.toml"
    template.write_text(text.replace('code = "D1"\n', 'code = "D1"\nplace = "Kraków"\n', 1))
    with pytest.raises(TemplateError) as error:
        load_template(template)
    assert error.value.reason == "training_only"
    assert load_template(default_template_path()).reminders.round_working_days_before == [7, 1]


async def test_the_operators_refusals(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output_folder(tmp_path, monkeypatch)
    await _cohort(services)
    cases = [
        (("pilot", "Z1", "2026-02-30"), 'Invalid date "2026-02-30"'),
        (("pilot", "Z1", "14.10.2026", "--time", "25:00"), 'Invalid hours "25:00"'),
        (("pilot", "Z1", "14.10.2026", "--place", "A", "--online", "https://a.pl"), "either"),
        (("nope", "Z1", "14.10.2026"), 'There is no cohort "nope"'),
        (("pilot", "ZW1", "14.10.2026"), "Its rounds: Z1, Z2, Z3, Z4."),
    ]
    for args, words in cases:
        result = await invoke(services, "cohort", "event", "set", *args)
        assert result.exit_code == 2 and words in result.output, (args, result.output)
    result = await invoke(services, "cohort", "event", "set", "pilot", "Z1", "14.10.2026")
    assert result.exit_code == 0 and "Wednesday, October 14, 2026" in result.output
    listed = await invoke(services, "cohort", "event", "list", "pilot")
    assert "No date yet" in listed.output and "the place will follow" in listed.output
