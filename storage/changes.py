"""What happened in some JSTs between two moments, for the weekly digest's "since last week":
tasks accepted, monthly reports sent, questions answered for the first time, team members who
joined on Telegram. One row each, so every count can be recounted from the rows (the digest's
workbook lists them); names of team members are not among them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MonthlyReport, Person, Question, Role, TaskProgress


class ChangeKind(StrEnum):
    TASK_ACCEPTED = "task_accepted"
    REPORT_SENT = "report_sent"
    QUESTION_ANSWERED = "question_answered"
    MEMBER_JOINED = "member_joined"


@dataclass(frozen=True)
class Change:
    jst_id: int
    kind: ChangeKind
    subject: str | None  # the task's or report month's code, the question's number
    at: dt.datetime


async def changes_between(
    session: AsyncSession, jst_ids: Collection[int], start: dt.datetime, end: dt.datetime
) -> list[Change]:
    """The changes in [start, end) of these JSTs, oldest first."""
    ids = list(jst_ids)
    sources: list[tuple[ChangeKind, Any, Any, Any, tuple[Any, ...]]] = [
        (
            ChangeKind.TASK_ACCEPTED,
            TaskProgress.jst_id,
            TaskProgress.step_code,
            TaskProgress.accepted_at,
            (),
        ),
        (
            ChangeKind.REPORT_SENT,
            MonthlyReport.jst_id,
            MonthlyReport.step_code,
            MonthlyReport.submitted_at,
            (),
        ),
        (
            ChangeKind.QUESTION_ANSWERED,
            Question.jst_id,
            Question.id,
            Question.first_answered_at,
            (),
        ),
        (
            ChangeKind.MEMBER_JOINED,
            Person.jst_id,
            literal(None),
            Person.joined_at,
            (Person.role == Role.MEMBER, Person.erased_at.is_(None)),
        ),
    ]
    found = []
    for kind, jst, subject, at, only in sources:
        rows = await session.execute(
            select(jst, subject, at).where(jst.in_(ids), at >= start, at < end, *only)
        )
        found += [
            Change(jst_id, kind, None if code is None else str(code), moment)
            for jst_id, code, moment in rows
        ]
    return sorted(found, key=lambda change: (change.at, change.kind, change.jst_id))
