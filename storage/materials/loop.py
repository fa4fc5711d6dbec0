"""A preparation material's review loop between the beneficiary's coordinators and ORE's
experts (the schedule's 7/5/5 days: the cohort's template's [review]).

submitted --accept--> accepted (final)
submitted --return--> returned (review_round + 1) --fix--> submitted
A coordinator hands in a material (a title, a kind, its pieces: texts, links, files) and, after
a return, its fixed version; any expert reviews it (every expert sees the queue; the first to
press decides). Each change writes a MaterialEvent and an audit entry in the caller's
transaction; a change made again with the same `source` returns the first change. Deadlines are
calendar days with the end moved to the next working day (`Review.review_by`, `Review.fix_by`),
as the tasks' fix dates are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.materials.views import KINDS, MaterialChange, material_changes
from storage.models import Cohort, Material, MaterialEvent, MaterialState, Person, Role
from storage.programme import Review, template_from_dict
from storage.tasks.rows import TaskRefused
from storage.tasks.transitions import check_pieces, checked_remarks
from storage.tasks.views import Evidence, stored_pieces

TITLE_LIMIT = 200
SUBMITTED, RETURNED, ACCEPTED = "submitted", "returned", "accepted"  # MaterialEvent.action


class MaterialRefused(TaskRefused):
    """A change the loop refuses; `reason` names the message (tg/material_refused.html.j2).
    The pieces and remarks are checked by the tasks' rules, which refuse with TaskRefused."""


@dataclass(frozen=True)
class Origin:
    """Who makes a change (a coordinator's version, an expert's review), when, and from which
    update or form; `operator`: the CLI's account, when it acts on a coordinator's behalf."""

    person_id: int | None
    now: dt.datetime
    today: dt.date  # the local date: deadlines count from it
    source: str | None
    operator: str | None = None


async def submit_material(
    session: AsyncSession,
    *,
    cohort_id: int,
    title: str,
    kind: str,
    pieces: Sequence[Evidence],
    origin: Origin,
) -> MaterialChange:
    """A coordinator hands in a new material for the experts' review (on Telegram, or the
    operator on their behalf: `advisorybot material submit --by`)."""
    if replayed := await _replayed(session, origin.source):
        return replayed
    submitter = await _coordinator(session, origin.person_id)
    title = " ".join(title.split())
    if not title or len(title) > TITLE_LIMIT:
        raise MaterialRefused("bad_title", limit=TITLE_LIMIT)
    if kind not in KINDS:
        raise MaterialRefused("unknown_kind", kind=kind, kinds=list(KINDS))
    check_pieces(pieces)  # the tasks' rule: 1-10 pieces, none blank
    review = await _review(session, cohort_id)
    material = Material(
        cohort_id=cohort_id,
        title=title,
        kind=kind,
        state=MaterialState.SUBMITTED,
        review_round=0,
        due_on=review.review_by(origin.today, 0),
        submitted_by_id=submitter,
        submitted_at=origin.now,
        created_at=origin.now,
        updated_at=origin.now,
    )
    session.add(material)
    await session.flush()
    return await _record(session, material, SUBMITTED, origin, pieces=stored_pieces(pieces))


async def submit_fix(
    session: AsyncSession, *, material_id: int, pieces: Sequence[Evidence], origin: Origin
) -> MaterialChange:
    """A coordinator hands in the fixed version of a returned material."""
    if replayed := await _replayed(session, origin.source):
        return replayed
    submitter = await _coordinator(session, origin.person_id)
    check_pieces(pieces)  # the tasks' rule: 1-10 pieces, none blank
    material = await _locked(session, material_id)
    if material is None or material.state is not MaterialState.RETURNED:
        raise MaterialRefused("not_returned")
    review = await _review(session, material.cohort_id)
    material.state = MaterialState.SUBMITTED
    material.due_on = review.review_by(origin.today, material.review_round)
    material.submitted_by_id = submitter
    material.submitted_at = origin.now
    material.updated_at = origin.now
    return await _record(session, material, SUBMITTED, origin, pieces=stored_pieces(pieces))


async def check_reviewable(
    session: AsyncSession, *, material_id: int, review_round: int, expert_id: int
) -> Material:
    """The version an expert may review now (that round); refused as stale otherwise."""
    expert = await session.get(Person, expert_id)
    if expert is None or expert.role is not Role.EXPERT or expert.erased_at is not None:
        raise MaterialRefused("stale")
    material = await _locked(session, material_id)
    if material is None or material.state is not MaterialState.SUBMITTED:
        raise MaterialRefused("stale")
    if material.review_round != review_round:
        raise MaterialRefused("stale")
    return material


async def review_material(
    session: AsyncSession,
    *,
    material_id: int,
    review_round: int,
    accept: bool,
    remarks: str | None,
    origin: Origin,
) -> MaterialChange:
    """An expert accepts the version, or returns it with remarks and the date to fix it by."""
    if replayed := await _replayed(session, origin.source):
        return replayed
    assert origin.person_id is not None, "an expert reviews"
    material = await check_reviewable(
        session, material_id=material_id, review_round=review_round, expert_id=origin.person_id
    )
    material.reviewed_by_id = origin.person_id
    material.reviewed_at = origin.now
    material.updated_at = origin.now
    if accept:
        material.state = MaterialState.ACCEPTED
        material.accepted_at = origin.now
        return await _record(session, material, ACCEPTED, origin)
    text = checked_remarks(remarks)
    review = await _review(session, material.cohort_id)
    material.state = MaterialState.RETURNED
    material.remarks = text
    material.due_on = review.fix_by(origin.today)
    event_round = material.review_round
    material.review_round += 1
    return await _record(session, material, RETURNED, origin, note=text, round_=event_round)


async def _coordinator(session: AsyncSession, person_id: int | None) -> int:
    person = await session.get(Person, person_id or 0)
    if person is None or person.role is not Role.COORDINATOR or person.erased_at is not None:
        raise MaterialRefused("not_coordinator")
    return person.id


async def _review(session: AsyncSession, cohort_id: int) -> Review:
    cohort = await session.get(Cohort, cohort_id)
    if cohort is None:
        raise MaterialRefused("unknown_cohort")
    return template_from_dict(cohort.template).review


async def _locked(session: AsyncSession, material_id: int) -> Material | None:
    return await session.scalar(
        select(Material)
        .where(Material.id == material_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def _replayed(session: AsyncSession, source: str | None) -> MaterialChange | None:
    """The change this source already made, if any."""
    if source is None:
        return None
    event = await session.scalar(select(MaterialEvent).where(MaterialEvent.source == source))
    return None if event is None else (await material_changes(session, [event]))[0]


async def _record(
    session: AsyncSession,
    material: Material,
    action: str,
    origin: Origin,
    *,
    note: str | None = None,
    round_: int | None = None,
    **details: Any,
) -> MaterialChange:
    """The history row and the audit entry; the change as view data."""
    event = MaterialEvent(
        material_id=material.id,
        action=action,
        person_id=origin.person_id,
        review_round=material.review_round if round_ is None else round_,
        note=note,
        details=details,
        source=origin.source,
        at=origin.now,
    )
    session.add(event)
    await session.flush()
    audit.record(
        session,
        origin.now,
        actor=origin.operator or f"person:{origin.person_id}",
        action=f"material.{action}",
        entity="material",
        entity_id=material.id,
        round=event.review_round,
    )
    return (await material_changes(session, [event]))[0]
