"""Who is who for the web view's security tests: two JSTs, each with its adviser, member, a
question and a hand-in of task ZW1 waiting for review; a coordinator, an expert, and an
adviser about to be erased; and the whole database as plain rows, to say that a refused
request changed nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.services import Services
from storage.models import Base, Person, Question, Role
from storage.questions.threads import Part, attachments_of
from storage.tasks.rows import Origin, locked_progress, mark_submitted, record_change
from storage.tasks.transitions import Action
from storage.tasks.views import Evidence, stored_pieces
from tests.support.people_data import add_question, assign_adviser
from tests.support.programme_data import CREATED, add_cohort, add_jst, add_person

TASK = "ZW1"  # the task handed in, in each JST


@dataclass(frozen=True)
class Someone:
    name: str
    person_id: int
    email: str
    role: Role


@dataclass(frozen=True)
class Scene:
    people: dict[str, Someone]
    jsts: tuple[int, int]  # the JST of "adviser" (and "member"), and the other one's
    questions: tuple[int, int]  # a question in each
    task: str = TASK  # a task handed in in each, waiting for review


async def build_scene(services: Services) -> Scene:
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session)
        ours = await add_jst(session, cohort, "1465011", "Gmina Nasza")
        theirs = await add_jst(session, cohort, "0201011", "Gmina Cudza")
        theirs.voivodeship = "dolnośląskie"

        async def person(name: str, role: Role, **fields: Any) -> Person:
            return await add_person(
                session, f"{name}@example.pl", name.title(), role=role, **fields
            )

        adviser = await person("adviser", Role.ADVISER)
        other = await person("other_adviser", Role.ADVISER)
        erased = await person("erased", Role.ADVISER)
        await assign_adviser(session, ours, adviser)
        await assign_adviser(session, theirs, other)
        member = await person("member", Role.MEMBER, jst=ours)
        outsider = await person("their_member", Role.MEMBER, jst=theirs)
        people = [
            adviser,
            other,
            erased,
            member,
            await person("coordinator", Role.COORDINATOR),
            await person("expert", Role.EXPERT),
        ]
        questions = (
            (await add_question(session, member, "Nasze pytanie?")).id,
            (await add_question(session, outsider, "Ich pytanie?")).id,
        )
        for number, question_id in enumerate(questions):  # each with a file of its own
            question = await session.get_one(Question, question_id)
            part = Part(1, number, "", kind="document", file_name="plan.pdf", file_id=f"f{number}")
            question.attachments = attachments_of([part])
        for jst, who in ((ours, member), (theirs, outsider)):  # as submit_task records it
            progress = await locked_progress(session, jst.id, TASK, CREATED)
            mark_submitted(progress, who.id, CREATED)
            evidence = stored_pieces([Evidence("text", "Diagnoza gotowa.")])
            origin = Origin(who.id, CREATED, f"scene:{jst.id}")
            await record_change(session, progress, Action.SUBMITTED, origin, evidence=evidence)
    found = {
        p.email.split("@")[0]: Someone(p.email.split("@")[0], p.id, p.email, p.role)
        for p in people
    }
    return Scene(found, (ours.id, theirs.id), questions)


async def database_rows(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a stable order."""
    rows = {}
    async with services.reader() as session:
        for table in Base.metadata.sorted_tables:
            found = (await session.execute(select(table))).all()
            rows[table.name] = sorted((tuple(row) for row in found), key=repr)
    return rows
