"""People of the materials' review loop, beside the task tests' teams (tests/support/task_data):
the coordinator Kinga and the ORE experts Olga and Piotr, all joined on Telegram."""

from __future__ import annotations

from sqlalchemy import select

from core.services import Services
from storage.models import Cohort, Gender, Role
from tests.support.programme_data import CREATED, add_person


async def seed_reviewers(services: Services) -> dict[str, int]:
    """The coordinator and two experts; returns their ids by short name, and the cohort's."""
    async with services.sessionmaker.begin() as session:
        people = {
            "kinga": await add_person(
                session, "kinga@ore.example.pl", "Kinga Koordynatorka", role=Role.COORDINATOR
            ),
            "olga": await add_person(
                session, "olga@ore.example.pl", "Olga Ekspertka", role=Role.EXPERT
            ),
            "piotr": await add_person(
                session,
                "piotr@ore.example.pl",
                "Piotr Ekspert",
                role=Role.EXPERT,
                gender=Gender.MALE,
            ),
        }
        for person in people.values():
            person.notice_confirmed_at = person.joined_at = CREATED
        cohort = await session.scalar(select(Cohort.id).order_by(Cohort.id).limit(1))
        assert cohort is not None, "seed_teams first"
    return {name: person.id for name, person in people.items()} | {"cohort": cohort}
