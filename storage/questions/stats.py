"""How quickly advisers answer: per adviser and JST, for the coordinators' digest.

Times are plain elapsed time (first answer minus asking), not working hours: what the team
experienced. The 90th percentile is the nearest-rank one (an observed value: the smallest time
that at least 90% of answers met), so it stays meaningful for the few answers a JST has.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdviserAssignment, Jst, Person, Question, QuestionState


@dataclass(frozen=True)
class AskedQuestion:
    """One question as the statistics see it."""

    adviser_id: int | None
    adviser_name: str | None
    jst_id: int
    jst_name: str
    teryt: str
    asked_at: dt.datetime
    first_answered_at: dt.datetime | None
    waiting: bool  # open and not yet answered


@dataclass(frozen=True)
class ResponseTimes:
    """One adviser's answering on one JST's questions, and what is still waiting."""

    adviser_id: int | None
    adviser_name: str | None
    jst_id: int
    jst_name: str
    teryt: str
    answered: int
    median: dt.timedelta | None
    p90: dt.timedelta | None
    open: int
    oldest_open: dt.timedelta | None


async def response_times(
    session: AsyncSession,
    *,
    now: dt.datetime,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[ResponseTimes]:
    """Per (adviser, JST): time to first answer of questions asked in [since, until), and the
    questions waiting at `now` (whenever asked).

    The adviser is the one the question was routed to, else the JST's assigned adviser.
    """
    adviser_id = func.coalesce(Question.adviser_id, AdviserAssignment.adviser_id)
    asked: list[ColumnElement[bool]] = [Question.first_answered_at.is_not(None)]
    if since is not None:
        asked.append(Question.created_at >= since)
    if until is not None:
        asked.append(Question.created_at < until)
    waiting = and_(Question.state == QuestionState.OPEN, Question.first_answered_at.is_(None))
    rows = await session.execute(
        select(
            adviser_id,
            Person.full_name,
            Jst.id,
            Jst.name,
            Jst.teryt,
            Question.created_at,
            Question.first_answered_at,
            Question.state,
        )
        .join(Jst, Jst.id == Question.jst_id)
        .outerjoin(AdviserAssignment, AdviserAssignment.jst_id == Question.jst_id)
        .outerjoin(Person, Person.id == adviser_id)
        .where(or_(and_(*asked), waiting))
    )
    questions = [
        AskedQuestion(
            adviser_id=adviser,
            adviser_name=name,
            jst_id=jst_id,
            jst_name=jst_name,
            teryt=teryt,
            asked_at=asked_at,
            first_answered_at=answered_at,
            waiting=state is QuestionState.OPEN and answered_at is None,
        )
        for adviser, name, jst_id, jst_name, teryt, asked_at, answered_at, state in rows
    ]
    return summarize(questions, now)


def summarize(questions: Iterable[AskedQuestion], now: dt.datetime) -> list[ResponseTimes]:
    """Group by (adviser, JST): answered ones give the times, waiting ones the open figures."""
    groups: dict[tuple[int | None, int], list[AskedQuestion]] = defaultdict(list)
    for question in questions:
        groups[question.adviser_id, question.jst_id].append(question)
    summaries = [_summary(group, now) for group in groups.values()]
    return sorted(summaries, key=lambda s: (s.jst_name, s.teryt, s.adviser_name or ""))


def _summary(group: list[AskedQuestion], now: dt.datetime) -> ResponseTimes:
    first = group[0]
    times = sorted(
        q.first_answered_at - q.asked_at for q in group if q.first_answered_at is not None
    )
    waiting = [now - q.asked_at for q in group if q.waiting]
    return ResponseTimes(
        adviser_id=first.adviser_id,
        adviser_name=first.adviser_name,
        jst_id=first.jst_id,
        jst_name=first.jst_name,
        teryt=first.teryt,
        answered=len(times),
        median=median(times),
        p90=percentile(times, 90),
        open=len(waiting),
        oldest_open=max(waiting, default=None),
    )


def median(ordered: list[dt.timedelta]) -> dt.timedelta | None:
    """The middle value of a sorted list (the mean of the two middle ones for an even count)."""
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(ordered: list[dt.timedelta], rank: int) -> dt.timedelta | None:
    """Nearest-rank percentile of a sorted list: the value at position ceil(rank% of n)."""
    if not ordered:
        return None
    position = -(-len(ordered) * rank // 100)  # ceiling, in integers
    return ordered[max(position, 1) - 1]
