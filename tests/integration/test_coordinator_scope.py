"""The cohorts a coordinator's weekly digest covers, on SQLite and PostgreSQL: set by a cohort's
import file and by `advisorybot coordinator scope`; none at all means every cohort. An
adviser's digest covers their own JSTs whatever the coordinators' scopes."""

from __future__ import annotations

from sqlalchemy import func, select

from core.services import Services
from digest.build import Digest
from digest.enclosures import ADVISER_TEMPLATE, COORDINATOR_TEMPLATE, digest_enclosures
from storage.coordinator_scope import coordinator_cohorts
from storage.models import AuditEntry, Cohort, Person
from tests.support.cli_runs import invoke
from tests.support.digest_data import NOW, seed_digest
from tests.support.programme_data import add_cohort, add_jst
from tests.support.team_files import DATA

TEAMS = DATA / "teams.csv"
COORDINATOR = "koordynacja@example.pl"  # in teams.csv and in seed_digest


async def scope_of(services: Services, email: str) -> set[str] | None:
    """The names of the cohorts the coordinator covers; None: every cohort."""
    async with services.sessionmaker() as session:
        person = (await session.scalars(select(Person).where(Person.email == email))).one()
        ids = await coordinator_cohorts(session, person.id)
        if ids is None:
            return None
        return set(await session.scalars(select(Cohort.name).where(Cohort.id.in_(ids))))


async def digest_of(services: Services, email: str, template: str) -> Digest:
    """The digest the e-mail sender would build for this person now."""
    async with services.sessionmaker() as session:
        person = (await session.scalars(select(Person).where(Person.email == email))).one()
        extras = await digest_enclosures(
            session, services.templates, template=template, person=person, now=NOW
        )
    digest = extras.values["digest"]
    assert isinstance(digest, Digest)
    return digest


async def scope(services: Services, *args: str) -> tuple[int, str]:
    result = await invoke(services, "coordinator", "scope", *args)
    return result.exit_code, " ".join(result.output.split())


async def test_a_coordinator_in_a_cohorts_file_covers_that_cohort(services: Services) -> None:
    async with services.sessionmaker.begin() as session:
        await add_cohort(session, "pilot")
    first = await invoke(services, "import", str(TEAMS), "--cohort", "pilot")
    assert first.exit_code == 0, first.output
    assert await scope_of(services, COORDINATOR) == {"pilot"}
    async with services.sessionmaker() as session:
        entries = select(func.count()).select_from(AuditEntry)
        before = await session.scalar(entries)
    again = await invoke(services, "import", str(TEAMS), "--cohort", "pilot")
    assert again.exit_code == 0, again.output
    async with services.sessionmaker() as session:
        assert await session.scalar(entries) == before  # nothing new, nothing audited


async def test_the_operator_shows_and_sets_the_scope(services: Services) -> None:
    await seed_digest(services)  # cohort "pilot", the coordinator with no scope
    async with services.sessionmaker.begin() as session:
        await add_cohort(session, "drugi")
    assert await scope(services, COORDINATOR) == (
        0,
        f"The weekly digest of coordinator {COORDINATOR} covers every cohort.",
    )
    assert await scope(services, COORDINATOR, "--cohort", "drugi", "--cohort", "pilot") == (
        0,
        f"Changed. The weekly digest of coordinator {COORDINATOR} covers 2 cohorts: drugi, pilot.",
    )
    assert await scope_of(services, COORDINATOR) == {"drugi", "pilot"}
    code, said = await scope(services, COORDINATOR, "--cohort", "pilot", "--cohort", "pilot")
    assert code == 0 and said.endswith("covers 1 cohort: pilot.")
    code, said = await scope(services, COORDINATOR, "--cohort", "pilot")
    assert code == 0 and not said.startswith("Changed")
    code, said = await scope(services, COORDINATOR, "--all")
    assert code == 0 and said.startswith("Changed") and said.endswith("covers every cohort.")
    assert await scope_of(services, COORDINATOR) is None
    async with services.sessionmaker() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("coordinator_scope_set") == 3


async def test_bad_input_is_refused_and_changes_nothing(services: Services) -> None:
    await seed_digest(services)
    await scope(services, COORDINATOR, "--cohort", "pilot")
    refusals = [
        ((COORDINATOR, "--cohort", "nowy"), 'There is no cohort called "nowy".'),
        (("jan@ore.example.pl", "--all"), "is not a coordinator's address"),
        ((COORDINATOR, "--cohort", "pilot", "--all"), "not both"),
    ]
    for args, said in refusals:
        code, output = await scope(services, *args)
        assert code != 0 and said in output, output
    assert await scope_of(services, COORDINATOR) == {"pilot"}


async def test_the_digest_covers_the_coordinators_cohorts(services: Services) -> None:
    await seed_digest(services)  # three JSTs in "pilot"
    async with services.sessionmaker.begin() as session:
        drugi = await add_cohort(session, "drugi")
        await add_jst(session, drugi, "1261011", "Gmina Druga")
    everything = await digest_of(services, COORDINATOR, COORDINATOR_TEMPLATE)
    assert len(everything.teams) == 4
    await scope(services, COORDINATOR, "--cohort", "drugi")
    scoped = await digest_of(services, COORDINATOR, COORDINATOR_TEMPLATE)
    assert [team.jst_name for team in scoped.teams] == ["Gmina Druga"]
    jan = await digest_of(services, "jan@ore.example.pl", ADVISER_TEMPLATE)
    assert {team.cohort for team in jan.teams} == {"pilot"} and 0 < len(jan.teams) < 4
