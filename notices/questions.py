"""The messages of a question's thread: in each recipient's language, queued, linked, split.

Every message that carries a question (the forward and its files, answers, follow-ups, the
receipt) is linked to it once delivered (outbox.links), so a Telegram reply to any of them finds
the thread. Texts are split below Telegram's limit; files are copied from the chat they came
from. Dedupe keys come from question and answer ids, so a redelivered update queues nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from core.services import Services
from notices.files import QUESTION, files_button
from notices.message import Email, Text, keyboard, queue
from notices.notify import copy_all, notify
from notices.tasks import ask_adviser
from storage.models import Delivery, Person
from storage.people import joined_members, reachable_on_telegram
from storage.questions.answers import AnswerInThread, load_answer
from storage.questions.substitutes import Substitution
from storage.questions.threads import (
    Part,
    Thread,
    adviser_on_duty,
    files_of,
    load_thread,
    unrouted_questions,
)
from storage.review_queue import submissions_waiting
from storage.team import task_context


async def send_thread_message(
    session: AsyncSession,
    services: Services,
    person: Person,
    *,
    key: str,
    template: str,
    question_id: int,
    now: dt.datetime,
    files: Sequence[Part] = (),
    delivery: Delivery = Delivery.AT_LEAST_ONCE,
    email: Email | None = None,
    buttons: InlineKeyboardMarkup | None = None,
    **values: Any,
) -> None:
    """Queue `tg/<template>.html.j2` (in parts if long) and copies of `files`, all linked;
    `email` goes instead when Telegram cannot reach the person (it carries the files too)."""
    link = {"question_id": question_id}
    text = Text(template, values, buttons=buttons, email=email or False)
    await queue(
        session,
        services.templates,
        person,
        text,
        key=key,
        now=now,
        delivery=delivery,
        link=link,
        numbered=True,
    )
    where = [(part.chat_id, part.message_id) for part in files]
    await copy_all(
        session, services.templates, person, where, key=f"{key}:file", now=now, link=link
    )


async def send_question(
    session: AsyncSession,
    services: Services,
    thread: Thread,
    *,
    now: dt.datetime,
    today: dt.date,
) -> None:
    """The asker's receipt (its number) and the forward to the adviser on duty."""
    question_id = thread.question.id
    adviser = thread.adviser.full_name if thread.adviser else None
    await send_thread_message(
        session,
        services,
        thread.asker,
        key=f"question:{question_id}:receipt",
        template="question_sent",
        question_id=question_id,
        now=now,
        delivery=Delivery.AT_MOST_ONCE,
        number=question_id,
        adviser=adviser,
        by_email=thread.adviser is not None and not reachable_on_telegram(thread.adviser),
    )
    await _forward(session, services, thread, now=now, today=today)


async def forward_question(
    session: AsyncSession,
    services: Services,
    question_id: int,
    *,
    now: dt.datetime,
    today: dt.date,
) -> None:
    """The question with its context (JST, asker, phase, open tasks) and files, to its adviser."""
    thread = await load_thread(session, question_id)
    await _forward(session, services, thread, now=now, today=today)


async def _forward(
    session: AsyncSession, services: Services, thread: Thread, *, now: dt.datetime, today: dt.date
) -> None:
    if thread.adviser is None:
        return
    key = f"question:{thread.question.id}:to:{thread.adviser.id}"
    await forward_to(session, services, thread, thread.adviser, key=key, now=now, today=today)


async def forward_to(
    session: AsyncSession,
    services: Services,
    thread: Thread,
    person: Person,
    *,
    key: str,
    now: dt.datetime,
    today: dt.date,
) -> None:
    """The question's forward for this adviser (again, from /do_oceny, under a key of its own);
    an adviser Telegram cannot reach (not joined, or the bot blocked) gets it by e-mail, with
    its files attached and how to answer."""
    question = thread.question
    files = files_of(question.attachments)
    email = Email(
        "question_forward",
        {
            "number": question.id,
            "jst_name": thread.jst.name,
            "teryt": thread.jst.teryt,
            "asker": thread.asker.full_name,
            "text": question.text,
            "asked_at": question.created_at.isoformat(),
        },
        files=tuple(part.file_ref() for part in files),
    )
    await send_thread_message(
        session,
        services,
        person,
        key=key,
        template="question_forward",
        question_id=question.id,
        now=now,
        files=files,
        email=email,
        buttons=await _files_button(session, services, person, question.id, len(files)),
        number=question.id,
        team=await task_context(session, thread.jst.id, today, kept=services.views),
        asker=thread.asker.full_name,
        text=question.text,
        file_count=len(files),
        asked_at=question.created_at,
    )


async def _files_button(
    session: AsyncSession, services: Services, person: Person, question_id: int, count: int
) -> InlineKeyboardMarkup | None:
    """Under a question with files: a button that sends them again (they scroll away)."""
    if not count:
        return None
    return keyboard(
        [
            [
                await files_button(
                    session, services, person, kind=QUESTION, record=question_id, count=count
                )
            ]
        ]
    )


async def route_unrouted(services: Services) -> int:
    """Questions asked before their JST had an adviser go to the adviser on duty now, once;
    the asker is told who has it. Run by every tick, so no question waits for nobody."""
    now = services.clock.now()
    today = now.astimezone(services.settings.zone).date()
    async with services.sessionmaker.begin() as session:
        questions = await unrouted_questions(session)
        for question in questions:
            adviser = await adviser_on_duty(session, question.jst_id, today)
            assert adviser is not None, "unrouted_questions keeps JSTs with an adviser"
            question.adviser_id = adviser.id
            await forward_question(session, services, question.id, now=now, today=today)
            asker = await session.get_one(Person, question.asker_id)
            await send_thread_message(
                session,
                services,
                asker,
                key=f"question:{question.id}:routed:{adviser.id}",
                template="question_routed",
                question_id=question.id,
                now=now,
                delivery=Delivery.AT_MOST_ONCE,
                number=question.id,
                adviser=adviser.full_name,
            )
    return len(questions)


async def deliver_answer(
    session: AsyncSession, services: Services, answer_id: int, *, now: dt.datetime
) -> str:
    """An adviser's answer to the asker, and to the rest of the team if it is for the team.

    Returns the asker's name (for the adviser's confirmation).
    """
    found = await load_answer(session, answer_id)
    await _answer_to(session, services, found, found.thread.asker, now=now)
    if found.answer.to_team:
        await deliver_to_team(session, services, answer_id, now=now)
    return found.thread.asker.full_name


async def deliver_to_team(
    session: AsyncSession, services: Services, answer_id: int, *, now: dt.datetime
) -> int:
    """The answer to every active member of the question's JST but the asker; how many."""
    found = await load_answer(session, answer_id)
    thread = found.thread
    members = await joined_members(session, [thread.jst.id], except_id=thread.asker.id)
    for member in members:
        await _answer_to(session, services, found, member, now=now)
    return len(members)


async def _answer_to(
    session: AsyncSession,
    services: Services,
    found: AnswerInThread,
    person: Person,
    *,
    now: dt.datetime,
) -> None:
    answer, question = found.answer, found.thread.question
    files = files_of(answer.attachments)
    await send_thread_message(
        session,
        services,
        person,
        key=f"answer:{answer.id}:to:{person.id}",
        template="question_answer",
        question_id=question.id,
        now=now,
        files=files,
        number=question.id,
        own=person.id == question.asker_id,
        asker=found.thread.asker.full_name,
        adviser=found.author.full_name,
        question=question.text,
        text=answer.text,
        file_count=len(files),
    )


async def forward_followup(
    session: AsyncSession, services: Services, answer_id: int, *, now: dt.datetime
) -> None:
    """The asker's follow-up to the adviser now responsible for the question."""
    found = await load_answer(session, answer_id)
    thread, answer = found.thread, found.answer
    if thread.adviser is None:
        return
    files = files_of(answer.attachments)
    await send_thread_message(
        session,
        services,
        thread.adviser,
        key=f"answer:{answer.id}:to:{thread.adviser.id}",
        template="question_followup",
        question_id=thread.question.id,
        now=now,
        files=files,
        number=thread.question.id,
        jst_name=thread.jst.name,
        teryt=thread.jst.teryt,
        asker=thread.asker.full_name,
        text=answer.text,
        file_count=len(files),
    )


async def notify_closed(
    session: AsyncSession, services: Services, question_id: int, *, by: str, now: dt.datetime
) -> None:
    """Tell the asker their question was closed (each closing once)."""
    thread = await load_thread(session, question_id)
    closed_at = thread.question.closed_at or now
    await send_thread_message(
        session,
        services,
        thread.asker,
        key=f"question:{question_id}:closed:{int(closed_at.timestamp())}",
        template="question_closed_notice",
        question_id=question_id,
        now=now,
        delivery=Delivery.AT_MOST_ONCE,
        number=question_id,
        adviser=by,
    )


async def announce_substitution(
    session: AsyncSession,
    services: Services,
    substitution: Substitution,
    *,
    now: dt.datetime,
    today: dt.date,
) -> None:
    """Tell the substitute and every team who answers and until when; forward what moved, and
    (from its first day) the submissions that wait for review, oldest first."""
    sub = substitution
    key = f"substitute:{sub.adviser.id}:{sub.substitute.id}:{sub.first}:{sub.last}"
    await notify(
        session,
        services.templates,
        sub.substitute,
        key=f"{key}:to:{sub.substitute.id}",
        template="question_substitute_assigned",
        now=now,
        jsts=[jst.name for jst in sub.jsts],
        moved=len(sub.moved),
        **_who_and_when(sub),
    )
    await _tell_teams(session, services, sub, key=key, now=now)
    for question_id in sub.moved:
        await forward_question(session, services, question_id, now=now, today=today)
    if sub.first <= today:
        for change in await submissions_waiting(session, [jst.id for jst in sub.jsts]):
            task_key = f"{key}:task:{change.progress_id}:{change.review_round}"
            await ask_adviser(session, services, change, sub.substitute, key=task_key)


async def _tell_teams(
    session: AsyncSession, services: Services, sub: Substitution, *, key: str, now: dt.datetime
) -> None:
    for member in await joined_members(session, [jst.id for jst in sub.jsts]):
        await notify(
            session,
            services.templates,
            member,
            key=f"{key}:to:{member.id}",
            template="question_substitute_team",
            now=now,
            **_who_and_when(sub),
        )


def _who_and_when(sub: Substitution) -> dict[str, Any]:
    """What every message about a substitution says: who stands in for whom, from when until."""
    return {
        "adviser": sub.adviser.full_name,
        "substitute": sub.substitute.full_name,
        "first": sub.first,
        "last": sub.last,
    }
