"""What those who oversee JSTs see beside a team's view (storage/team.py): who of the team is
on Telegram, teams nobody of which is (since when they were invited), how many report months
went past their deadline unsent, a JST found by TERYT."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import newest_per
from storage.models import (
    AdviserAssignment,
    Cohort,
    Invite,
    Jst,
    MonthlyReport,
    Person,
    ReportState,
    Role,
)
from storage.monitoring import monitoring_of
from storage.programme_calendar import CalendarStep
from storage.rosters import Contact

SUPPORT_KEY = "support"  # the monthly report's yes/no question: the team asks for support


@dataclass(frozen=True)
class MemberView:
    """A team member as others see them: their name and whether they joined on Telegram."""

    name: str
    joined: bool


async def jst_id_of(session: AsyncSession, teryt: str) -> int | None:
    """The JST with this TERYT (the caller checks it is one they may see)."""
    found: int | None = await session.scalar(select(Jst.id).where(Jst.teryt == teryt))
    return found


async def team_members(
    session: AsyncSession, jst_ids: Collection[int]
) -> dict[int, tuple[MemberView, ...]]:
    """The members of these JSTs (not erased), by name; joined: bound their Telegram account."""
    found: dict[int, list[MemberView]] = defaultdict(list)
    for jst_id, name, joined_at in await session.execute(
        select(Person.jst_id, Person.full_name, Person.joined_at)
        .where(
            Person.role == Role.MEMBER,
            Person.erased_at.is_(None),
            Person.jst_id.in_(list(jst_ids)),
        )
        .order_by(Person.full_name, Person.id)
    ):
        if jst_id is not None:  # the query's filter; the column may be empty for others
            found[jst_id].append(MemberView(name, joined_at is not None))
    return {jst_id: tuple(found[jst_id]) for jst_id in jst_ids}


@dataclass(frozen=True)
class SilentTeam:
    """A JST none of whose members (not erased) has joined on Telegram, though invited:
    `invited_at` is the first invite code any of them was given (by `invites`, or by an
    e-mail that carried a join link), the moment from which they could have joined."""

    jst_id: int
    invited_at: dt.datetime
    members: tuple[Contact, ...]


async def silent_teams(
    session: AsyncSession, jst_ids: Collection[int] | None = None
) -> dict[int, SilentTeam]:
    """The teams (of these JSTs; None: of every JST) nobody of which is on Telegram, by JST,
    with their members; a team never invited is not among them (nobody could have joined)."""
    invited = await silent_since(session, jst_ids)
    teams: dict[int, list[Contact]] = defaultdict(list)
    for jst_id, name, email, gender in await session.execute(
        select(Person.jst_id, Person.full_name, Person.email, Person.gender)
        .where(*_members(invited))
        .order_by(Person.full_name, Person.id)
    ):
        if jst_id is not None:  # the query's filter; the column may be empty for others
            teams[jst_id].append(Contact(name, email, gender.value))
    return {
        jst_id: SilentTeam(jst_id, first, tuple(teams[jst_id]))
        for jst_id, first in invited.items()
    }


async def silent_since(
    session: AsyncSession, jst_ids: Collection[int] | None = None
) -> dict[int, dt.datetime]:
    """When each team (of these JSTs; None: of every JST) nobody of which is on Telegram was
    first invited (the first invite code any of them was given), in one grouped query."""
    rows = await session.execute(
        select(Person.jst_id, func.min(Invite.created_at))
        .outerjoin(Invite, Invite.person_id == Person.id)
        .where(*_members(jst_ids))
        .group_by(Person.jst_id)
        .having(func.count(Person.joined_at) == 0)
    )
    return {jst_id: first for jst_id, first in rows if jst_id is not None and first is not None}


def _members(jst_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    """The team members (not erased) of these JSTs; None: of any JST."""
    found = [Person.role == Role.MEMBER, Person.erased_at.is_(None)]
    if jst_ids is not None:
        found.append(Person.jst_id.in_(list(jst_ids)))
    else:
        found.append(Person.jst_id.is_not(None))
    return found


async def reports_overdue(
    session: AsyncSession, jst_ids: Collection[int], today: dt.date
) -> dict[int, int]:
    """How many report months of each JST are past their deadline without a sent report."""
    overdue = await overdue_reports(session, jst_ids, today)
    return {jst_id: len(overdue[jst_id]) for jst_id in jst_ids}


async def overdue_reports(
    session: AsyncSession, jst_ids: Collection[int], today: dt.date
) -> dict[int, tuple[CalendarStep, ...]]:
    """The report months of each JST past their deadline without a sent report (a draft is not
    sent), oldest first; a month whose deadline has not passed is not among them, nor any
    before the JST's monitoring starts."""
    monitoring = await monitoring_of(session, jst_ids)
    sent: dict[int, set[str]] = defaultdict(set)
    for jst_id, code in await session.execute(
        select(MonthlyReport.jst_id, MonthlyReport.step_code).where(
            MonthlyReport.jst_id.in_(list(jst_ids)),
            MonthlyReport.state == ReportState.SUBMITTED,
        )
    ):
        sent[jst_id].add(code)
    return {
        jst_id: tuple(
            step
            for step in (monitoring[jst_id].reports if jst_id in monitoring else ())
            if step.due_on is not None and step.due_on < today and step.code not in sent[jst_id]
        )
        for jst_id in jst_ids
    }


@dataclass(frozen=True)
class SupportAsked:
    """A JST's latest sent report asks for the adviser's support: which month, sent when."""

    code: str
    submitted_at: dt.datetime


async def support_asked(
    session: AsyncSession, jst_ids: Collection[int]
) -> dict[int, SupportAsked]:
    """The JSTs whose latest sent monthly report answers "yes" to the support question."""
    sent = newest_per(
        MonthlyReport.id,
        MonthlyReport.jst_id,
        (MonthlyReport.submitted_at.desc(), MonthlyReport.id.desc()),
        MonthlyReport.jst_id.in_(list(jst_ids)),
        MonthlyReport.state == ReportState.SUBMITTED,
    )
    latest = {
        report.jst_id: report
        for report in await session.scalars(
            select(MonthlyReport).join(sent, sent.c.id == MonthlyReport.id).where(sent.c.rank == 1)
        )
    }
    return {
        jst_id: SupportAsked(report.step_code, report.submitted_at)
        for jst_id, report in latest.items()
        if report.answers.get(SUPPORT_KEY) is True and report.submitted_at is not None
    }


@dataclass(frozen=True)
class Facets:
    """What the web view's overview filters a JST by: its cohort, voivodeship and adviser."""

    jst_id: int
    cohort: str
    voivodeship: str
    adviser: str | None


async def jst_facets(session: AsyncSession, jst_ids: Collection[int]) -> list[Facets]:
    """The facets of these JSTs, in one query."""
    rows = await session.execute(
        select(Jst.id, Cohort.name, Jst.voivodeship, Person.full_name)
        .join(Cohort, Cohort.id == Jst.cohort_id)
        .outerjoin(AdviserAssignment, AdviserAssignment.jst_id == Jst.id)
        .outerjoin(Person, Person.id == AdviserAssignment.adviser_id)
        .where(Jst.id.in_(list(jst_ids)))
    )
    return [Facets(*row) for row in rows]
