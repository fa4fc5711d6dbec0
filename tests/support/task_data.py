"""Teams for the task tests, on the real programme template started on a given day.

Warszawa (Anna, Bartosz, Celina; adviser Jan, Edward standing in during `STAND_IN`),
Przykładowa (Dorota; the same Jan) and Bochnia (Ewa; adviser Maria).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from storage.cohorts import add_cohort
from storage.models import Gender, Role, TaskProgress, TaskState
from storage.programme import default_template_path
from tests.support.people_data import assign_adviser
from tests.support.programme_data import CREATED, add_jst, add_person

WARSZAWA, PRZYKLADOWA, BOCHNIA = "1465011", "0201022", "1201"
STAND_IN = (dt.date(2026, 5, 4), dt.date(2026, 5, 8))


async def seed_teams(
    services: Services, start: dt.date, *, adopted: dt.date | None = None
) -> dict[str, int]:
    """The cohort, JSTs and people; returns their ids by short name. With `adopted`, every
    JST's council adopted the plan that day (monitoring starts the month after)."""
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(
            session, "pilot", start, default_template_path(), now=CREATED, actor="operator"
        )
        warszawa = await add_jst(session, cohort, WARSZAWA, "Miasto Stołeczne Warszawa")
        przykladowa = await add_jst(session, cohort, PRZYKLADOWA, "Gmina Przykładowa")
        bochnia = await add_jst(session, cohort, BOCHNIA, "Powiat bocheński")
        male, adviser = Gender.MALE, Role.ADVISER
        people = {
            "anna": await add_person(session, "anna@example.pl", "Anna Nowak", jst=warszawa),
            "bartosz": await add_person(
                session, "bartosz@example.pl", "Bartosz Wiśniewski", jst=warszawa, gender=male
            ),
            "celina": await add_person(
                session, "celina@example.pl", "Celina Wójcik", jst=warszawa
            ),
            "dorota": await add_person(session, "dorota@example.pl", "Dorota L.", jst=przykladowa),
            "ewa": await add_person(session, "ewa@example.pl", "Ewa Z.", jst=bochnia),
            "jan": await add_person(
                session, "jan@ore.example.pl", "Jan Kowalski", role=adviser, gender=male
            ),
            "maria": await add_person(
                session, "maria@ore.example.pl", "Maria Szymańska", role=adviser
            ),
            "edward": await add_person(
                session, "edward@ore.example.pl", "Edward K.", role=adviser, gender=male
            ),
        }
        for person in people.values():  # all joined on Telegram and read the notice
            person.notice_confirmed_at = person.joined_at = CREATED
        await assign_adviser(
            session, warszawa, people["jan"], substitute=people["edward"], period=STAND_IN
        )
        await assign_adviser(session, przykladowa, people["jan"])
        await assign_adviser(session, bochnia, people["maria"])
        if adopted is not None:
            for jst, member in ((warszawa, "anna"), (przykladowa, "dorota"), (bochnia, "ewa")):
                adopt(session, jst.id, adopted, people[member].id)
    jsts = {"warszawa": warszawa.id, "przykladowa": przykladowa.id, "bochnia": bochnia.id}
    return jsts | {name: person.id for name, person in people.items()}


def adopt(session: AsyncSession, jst_id: int, day: dt.date, member_id: int) -> None:
    """The JST's resolution recorded (/uchwala: its task submitted with the number and date)."""
    at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    session.add(
        TaskProgress(
            jst_id=jst_id,
            step_code="UCHWALA",
            state=TaskState.SUBMITTED,
            submitted_at=at,
            submitted_by_id=member_id,
            resolution_number=f"XIV/{jst_id}/{day.year}",
            resolution_date=day,
            review_round=0,
            updated_at=at,
        )
    )
