"""What the walk's people do: scripted actions on the local Telegram, as their phones would.

Members act on dates (demo.toml: a few days before or after a deadline); advisers react to
what reaches them (a submission to review, a question to answer) after their JST's delay. Each
action presses the buttons the bot really sent, found by their callback data, so the walk
runs the bot's own forms in any language.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from core.access import command
from core.services import Services
from forms.report import FIX, SUBMIT, VALUE
from forms.task import CONFIRMED
from handlers.common import CALLBACK_PREFIX
from handlers.questions.member import SEND
from localapi import ChatMessage, ControlClient
from localapi.client import Event
from notices.tasks import ACCEPT, REVIEW
from sandbox.demo import DemoPlan, JstPlan
from storage.models import Jst, MessageLink, Question, TaskProgress

MAX_FORM_TURNS = 20  # a report form has 6 questions; more turns means it is stuck
SCALE_ANSWER, NO = f"{VALUE}4", f"{VALUE}n"
ACCEPT_PREFIX = f"{REVIEW.prefix}:{ACCEPT}:"

Step = Callable[["Actors"], Awaitable[None]]


@dataclass
class Actors:
    """What an action needs: the local Telegram, the database, and a way to let things settle."""

    control: ControlClient
    services: Services
    plan: DemoPlan
    settle: Callable[[], Awaitable[None]]
    user_ids: dict[str, int]  # e-mail -> Telegram account, for people who joined

    async def last(self, user_id: int) -> ChatMessage | None:
        received = await self.control.received(user_id)
        return received[-1] if received else None

    async def press_choice(self, user_id: int, choice: str) -> bool:
        """Press the newest form button with this choice; False if the bot did not offer it."""
        message = await self.last(user_id)
        if message is None:
            return False
        for _, data in message.buttons:
            if data and data.startswith(f"{CALLBACK_PREFIX}:") and data.endswith(f":{choice}"):
                await self.control.press(user_id, message.message_id, data, chat_id=user_id)
                await self.settle()
                return True
        return False

    async def say(self, user_id: int, text: str, reply_to: int | None = None) -> None:
        options = {} if reply_to is None else {"reply_to": reply_to}
        await self.control.say(user_id, text, **options)
        await self.settle()


@dataclass(order=True)
class Planned:
    at: dt.datetime
    order: int
    step: Step = field(compare=False)


class Agenda:
    """Actions by time; ties keep the order they were planned in."""

    def __init__(self) -> None:
        self._heap: list[Planned] = []
        self._order = itertools.count()

    def add(self, at: dt.datetime, step: Step) -> None:
        heapq.heappush(self._heap, Planned(at, next(self._order), step))

    def next_at(self) -> dt.datetime | None:
        return self._heap[0].at if self._heap else None

    def due(self, now: dt.datetime) -> list[Step]:
        steps = []
        while self._heap and self._heap[0].at <= now:
            steps.append(heapq.heappop(self._heap).step)
        return steps


def submit_task(email: str, code: str) -> Step:
    """/zadanie → the task's button → the evidence → confirm."""

    async def run(actors: Actors) -> None:
        user_id = actors.user_ids[email]
        await actors.say(user_id, f"/{command('submit').names[0]}")
        if await actors.press_choice(user_id, code):
            await actors.say(user_id, actors.plan.texts.evidence)
            await actors.press_choice(user_id, CONFIRMED)

    return run


def record_resolution(email: str, adopted_on: dt.date) -> Step:
    """/uchwala NUMBER DATE LINK (the council adopted the plan; the resolution in the BIP),
    then confirm."""

    async def run(actors: Actors) -> None:
        user_id, texts = actors.user_ids[email], actors.plan.texts
        number = texts.resolution_number.format(year=adopted_on.year)
        link = texts.resolution_link.format(year=adopted_on.year)
        name = command("resolution").names[0]
        await actors.say(user_id, f"/{name} {number} {adopted_on.isoformat()} {link}")
        await actors.press_choice(user_id, CONFIRMED)

    return run


def fill_report(email: str) -> Step:
    """/raport, then every question: a middling scale answer, "no", or the prepared text."""

    async def run(actors: Actors) -> None:
        user_id = actors.user_ids[email]
        await actors.say(user_id, f"/{command('report').names[0]}")
        for _ in range(MAX_FORM_TURNS):
            message = await actors.last(user_id)
            buttons = message.buttons if message else []
            choices = [data.rsplit(":", 1)[1] for _, data in buttons if data]
            if not choices or FIX in choices:
                return  # submitted (now or before), or nothing to report
            for choice in (SUBMIT, SCALE_ANSWER, NO):
                if choice in choices:
                    await actors.press_choice(user_id, choice)
                    break
            else:
                await actors.say(user_id, actors.plan.texts.report_answer)

    return run


def ask(email: str, text: str) -> Step:
    """A free message opens a question draft; Send passes it to the adviser."""

    async def run(actors: Actors) -> None:
        user_id = actors.user_ids[email]
        await actors.say(user_id, text)
        await actors.press_choice(user_id, SEND)

    return run


def press(user_id: int, message_id: int, data: str) -> Step:
    async def run(actors: Actors) -> None:
        await actors.control.press(user_id, message_id, data, chat_id=user_id)
        await actors.settle()

    return run


def answer(user_id: int, message_id: int, text: str) -> Step:
    """The adviser answers by replying to the forwarded question."""

    async def run(actors: Actors) -> None:
        await actors.say(user_id, text, reply_to=message_id)

    return run


class Advisers:
    """Reacts to what reaches advisers: accepts submissions, answers the scripted questions."""

    def __init__(self, actors: Actors, agenda: Agenda, adviser_ids: set[int]) -> None:
        self.actors = actors
        self.agenda = agenda
        self.plans = {jst.teryt: jst for jst in actors.plan.jst}
        self.advisers = adviser_ids
        self.answered: set[int] = set()

    async def react(self, events: list[Event], now: dt.datetime) -> None:
        for event in events:
            message = event.message
            if message is None or event.chat_id not in self.advisers:
                continue
            for _, data in message.buttons:
                if data and data.startswith(ACCEPT_PREFIX):
                    plan = await self._plan_of_progress(int(data.split(":")[2]))
                    days = self.actors.plan.behaviour_of(plan).review_days
                    step = press(event.chat_id, message.message_id, data)
                    self.agenda.add(now + dt.timedelta(days=days), step)
            await self._question(event.chat_id, message, now)

    async def _question(self, chat_id: int, message: ChatMessage, now: dt.datetime) -> None:
        async with self.actors.services.sessionmaker() as session:
            found = (
                await session.execute(
                    select(Question.id, Jst.teryt)
                    .join(MessageLink, MessageLink.question_id == Question.id)
                    .join(Jst, Question.jst_id == Jst.id)
                    .where(
                        MessageLink.chat_id == chat_id,
                        MessageLink.message_id == message.message_id,
                    )
                )
            ).first()
        if found is None or found.id in self.answered:
            return
        question = self.plans[found.teryt].question
        if question is not None:
            self.answered.add(found.id)
            reply = answer(chat_id, message.message_id, question.answer)
            self.agenda.add(now + dt.timedelta(days=question.answer_days), reply)

    async def _plan_of_progress(self, progress_id: int) -> JstPlan:
        async with self.actors.services.sessionmaker() as session:
            teryt = await session.scalar(
                select(Jst.teryt)
                .join(TaskProgress, TaskProgress.jst_id == Jst.id)
                .where(TaskProgress.id == progress_id)
            )
        assert teryt is not None
        return self.plans[teryt]
