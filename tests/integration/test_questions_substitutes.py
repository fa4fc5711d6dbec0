"""Drafts and substitutions on SQLite and PostgreSQL (the world of test_questions)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.services import Services
from storage.forms import current_form
from storage.models import AdviserAssignment, Person, Question
from storage.people import visible_jsts
from storage.questions.drafts import add_to_draft, draft_parts, send_draft, start_draft
from storage.questions.substitutes import SubstituteRefusal, SubstituteRefused
from storage.questions.threads import Part, QuestionRefused, Refusal
from tests.integration.test_questions import NOW, TODAY, answer, ask, seed, stand_in, text

NEXT_WEEK = (dt.date(2026, 3, 9), dt.date(2026, 3, 13))
THIS_WEEK = (dt.date(2026, 3, 1), dt.date(2026, 3, 6))
FEBRUARY = (dt.date(2026, 2, 1), dt.date(2026, 3, 1))


async def test_a_draft_gathers_messages_once_each_and_opens_one_question(
    services: Services,
) -> None:
    world = await seed(services)
    document = Part(1001, 3, "", kind="document", file_name="arkusz.xlsx")
    async with services.sessionmaker.begin() as session:
        form = await start_draft(session, world.anna, [text(1, "Pytanie o arkusz")], NOW)
        assert add_to_draft(form, document, NOW)
        assert not add_to_draft(form, document, NOW), "a redelivered message is not added again"
        assert draft_parts(form) == [text(1, "Pytanie o arkusz"), document]
        question = (await send_draft(session, form, now=NOW, today=TODAY)).question
        assert await current_form(session, world.anna) is None
    assert question.source_key == "tg:1001:1"
    assert question.text == "Pytanie o arkusz"
    assert question.attachments["files"][0]["file_name"] == "arkusz.xlsx"


async def test_an_empty_draft_cannot_be_sent(services: Services) -> None:
    world = await seed(services)
    async with services.sessionmaker.begin() as session:
        form = await start_draft(session, world.anna, [], NOW)
        with pytest.raises(QuestionRefused) as refused:
            await send_draft(session, form, now=NOW, today=TODAY)
        assert await current_form(session, world.anna) is not None, "the draft stays"
    assert refused.value.reason is Refusal.EMPTY


async def test_a_substitution_covering_today_moves_the_open_questions(
    services: Services,
) -> None:
    world = await seed(services)
    open_one = await ask(services, world.anna, "Otwarte", key="a")
    answered = await ask(services, world.dorota, "Odpowiedziane", key="b")
    await answer(services, answered, world.jan, "tg:9:1")
    gamma = await ask(services, world.ewa, "Gamma", key="g")
    async with services.sessionmaker.begin() as session:
        done = await stand_in(session, world.jan, " Edward@ORE.pl ", THIS_WEEK)
        assignments = (await session.scalars(select(AdviserAssignment))).all()
        edward = await session.get_one(Person, world.edward)
        edward_sees = await visible_jsts(session, edward, TODAY)
        after = await visible_jsts(session, edward, THIS_WEEK[1] + dt.timedelta(days=1))
        owners = {q.id: q.adviser_id for q in await session.scalars(select(Question))}
    assert (done.substitute.id, done.moved) == (world.edward, (open_one,))
    assert [jst.name for jst in done.jsts] == ["Gmina Alfa", "Gmina Beta"]
    assert {a.jst_id: a.substitute_id for a in assignments} == {
        world.alfa: world.edward,
        world.beta: world.edward,
        world.gamma: None,
    }
    assert owners == {open_one: world.edward, answered: world.jan, gamma: world.maria}
    assert (edward_sees, after) == ((world.alfa, world.beta), ())
    # During the period a new question goes straight to the substitute.
    during = await ask(services, world.bartek, "Nowe", key="c")
    async with services.sessionmaker() as session:
        assert (await session.get_one(Question, during)).adviser_id == world.edward


async def test_a_future_substitution_moves_nothing_yet(services: Services) -> None:
    world = await seed(services)
    number = await ask(services, world.anna, "Otwarte", key="a")
    async with services.sessionmaker.begin() as session:
        done = await stand_in(session, world.jan, "maria@ore.pl", NEXT_WEEK)
        assert (await session.get_one(Question, number)).adviser_id == world.jan
    assert done.moved == ()
    later = await ask(services, world.anna, "Dziś", key="b")
    async with services.sessionmaker() as session:
        assert (await session.get_one(Question, later)).adviser_id == world.jan


@pytest.mark.parametrize(
    ("who", "email", "period", "reason"),
    [
        ("jan", "edward@ore.pl", (NEXT_WEEK[1], NEXT_WEEK[0]), SubstituteRefusal.BAD_PERIOD),
        (
            "jan",
            "edward@ore.pl",
            (dt.date(2026, 2, 1), dt.date(2026, 3, 1)),
            SubstituteRefusal.PAST,
        ),
        ("jan", "nobody@ore.pl", NEXT_WEEK, SubstituteRefusal.UNKNOWN_ADVISER),
        ("jan", "anna@alfa.pl", NEXT_WEEK, SubstituteRefusal.UNKNOWN_ADVISER),
        ("jan", "jan@ore.pl", NEXT_WEEK, SubstituteRefusal.SELF),
        ("edward", "jan@ore.pl", NEXT_WEEK, SubstituteRefusal.NO_JSTS),
    ],
)
async def test_a_substitution_is_refused_with_its_reason(
    services: Services,
    who: str,
    email: str,
    period: tuple[dt.date, dt.date],
    reason: str,
) -> None:
    world = await seed(services)
    async with services.sessionmaker.begin() as session:
        with pytest.raises(SubstituteRefused) as refused:
            await stand_in(session, getattr(world, who), email, period)
        assignments = (await session.scalars(select(AdviserAssignment))).all()
    assert refused.value.reason == reason
    assert all(a.substitute_id is None for a in assignments), "nothing changed"
