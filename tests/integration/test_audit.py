"""Who read or changed whose data through the CLI (issue 20, item 5): an audit entry for each
person whose data a command showed or changed, naming the operator's account and never the
data, listed per person by `advisorybot audit`, by e-mail or number, also after an erasure."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.services import Services
from storage.erasure import erase_person
from storage.models import Role
from tests.support.cli_runs import invoke, output_folder
from tests.support.outbox_rows import queue_text
from tests.support.programme_data import add_cohort, add_jst, add_person

OPERATOR = {"LOGNAME": "jkowalska"}
ANNA, BARTEK, DOROTA = "anna@example.pl", "bartek@example.pl", "dorota@ore.example.pl"


async def _seed(services: Services) -> dict[str, int]:
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session)
        jst = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        people = {
            ANNA: await add_person(session, ANNA, "Anna Nowak", jst=jst),
            BARTEK: await add_person(session, BARTEK, "Bartek Lis", jst=jst),
            DOROTA: await add_person(session, DOROTA, "Dorota Sowa", role=Role.ADVISER),
        }
        await queue_text(session, services.clock.now(), people[ANNA].id, "to-anna")
    return {email: person.id for email, person in people.items()}


async def _cli(services: Services, *args: str) -> str:
    result = await invoke(services, *args, **OPERATOR)
    assert result.exit_code == 0, result.output
    return result.output


async def test_what_the_operator_saw_and_changed_is_listed_per_person(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await _seed(services)
    folder = output_folder(tmp_path, monkeypatch)
    await _cli(services, "export", "people", "--out", str(folder / "people.csv"))
    await _cli(services, "outbox")  # shows Anna's name beside her message
    await _cli(services, "digest", "opt-out", DOROTA)

    anna = await _cli(services, "audit", ANNA)
    assert "Audit log of person" in anna and "Anna Nowak" in anna  # not erased: shown
    reads = [line for line in anna.splitlines() if "operator:jkowalska  read" in line]
    assert [line.split("  ")[-1] for line in reads] == ["via=export people", "via=outbox"]
    bartek = await _cli(services, "audit", str(ids[BARTEK]))
    assert "via=export people" in bartek and "via=outbox" not in bartek, "his own only"
    dorota = await _cli(services, "audit", DOROTA)
    assert "operator:jkowalska  weekly_digest_off" in dorota

    async with services.sessionmaker.begin() as session:
        now = services.clock.now()
        await erase_person(session, ANNA, now, now.date(), actor="operator:jkowalska")
    for given in (ANNA, str(ids[ANNA])):  # her former address still finds her entries
        erased = await _cli(services, "audit", given)
        assert "data erased" in erased and "person_erased" in erased, erased
        assert "Anna" not in erased and ANNA not in erased, "never the data"
        assert "via=export people" in erased, "what was read of her stays listed"


async def test_an_unknown_person_is_refused(services: Services) -> None:
    await _seed(services)
    for given in ("nikt@example.pl", "999999", "99999999999999", "١٢", ""):
        result = await invoke(services, "audit", given)
        assert result.exit_code == 2 and "There is no person" in result.output, given
