"""Training rounds (zjazdy) as dated events: a cohort's training phase given a date, a time, a
place or an online link and what to bring; changed (the members are told) or cleared.

A round is a phase of kind "training" of the cohort's template (Z1..Z4); its event is one row
of `training_events`. Options not given keep what the event had, or, for a new one, the
phase's defaults in the template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record
from storage.models import Cohort, RoundMode, TrainingEvent
from storage.programme import Phase, template_from_dict
from storage.round_views import RoundView, cohort_rounds
from storage.workdays import holiday_names, is_working_day

TEXT_LIMIT = 300  # a place, what to bring
LINK_LIMIT = 500
LINK_SCHEMES = ("https://", "http://")


class RoundRefused(Exception):
    """A round cannot be set or cleared; `reason` names the message template's macro."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(f"{reason} {params}")
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class RoundDetails:
    """What the operator gives; None keeps the event's value (a new one: the template's)."""

    held_on: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    mode: RoundMode | None = None
    place: str | None = None
    link: str | None = None
    bring: str | None = None


@dataclass(frozen=True)
class RoundChange:
    """What `set_round` did: the round now, warnings (macro, params), and whether the members
    are told of a change (an earlier date, time or place no longer holds)."""

    round: RoundView
    warnings: tuple[tuple[str, dict[str, Any]], ...]
    told: bool


async def _round_of(session: AsyncSession, cohort: Cohort, code: str) -> RoundView:
    rounds = await cohort_rounds(session, cohort.id)
    found = next((r for r in rounds if r.code == code.strip().upper()), None)
    if found is None:
        codes = ", ".join(r.code for r in rounds)
        raise RoundRefused("not_training", cohort=cohort.name, code=code, codes=codes)
    return found


def _checked(details: RoundDetails) -> None:
    """Refuse a bad link or an empty or too long text."""
    if details.link is not None and (
        not details.link.startswith(LINK_SCHEMES) or len(details.link) > LINK_LIMIT
    ):
        raise RoundRefused("bad_link", link=details.link[:80], limit=LINK_LIMIT)
    for name in ("place", "bring"):
        text = getattr(details, name)
        if text is not None and (not text.strip() or len(text) > TEXT_LIMIT):
            raise RoundRefused("bad_text", option=name, limit=TEXT_LIMIT)


def _check_times(event: TrainingEvent) -> None:
    """An end needs a start before it."""
    start, end = event.start_time, event.end_time
    if end is not None and start is None:
        raise RoundRefused("end_without_start")
    if start is not None and end is not None and end <= start:
        raise RoundRefused("end_before_start")


def _warnings(found: RoundView, day: dt.date, today: dt.date) -> list[tuple[str, dict[str, Any]]]:
    """Allowed, but worth a word: outside the round's phase, a day off, in the past."""
    warnings: list[tuple[str, dict[str, Any]]] = []
    if not found.phase_starts_on <= day <= found.phase_ends_on:
        phase = {"starts_on": found.phase_starts_on, "ends_on": found.phase_ends_on}
        warnings.append(("outside_phase", phase))
    if not is_working_day(day):
        warnings.append(("day_off", {"day": day, "holiday": holiday_names(day)}))
    if day < today:
        warnings.append(("past", {"day": day}))
    return warnings


def _given_mode(details: RoundDetails) -> RoundMode | None:
    """The mode given, or what a place (on site) or a link alone (online) says."""
    if details.mode is not None:
        return details.mode
    if details.place is not None:
        return RoundMode.ON_SITE
    return RoundMode.ONLINE if details.link is not None else None


def _phase(cohort: Cohort, code: str) -> Phase:
    template = template_from_dict(cohort.template)
    return next(phase for phase in template.phase if phase.code == code)


def _new_event(
    cohort: Cohort, code: str, details: RoundDetails, now: dt.datetime
) -> TrainingEvent:
    phase = _phase(cohort, code)
    link = details.link
    mode = _given_mode(details) or (RoundMode(phase.mode) if phase.mode else RoundMode.ON_SITE)
    return TrainingEvent(
        cohort_id=cohort.id,
        phase_code=code,
        held_on=details.held_on,
        start_time=details.start_time,
        end_time=details.end_time,
        mode=mode,
        place=details.place if details.place is not None else phase.place,
        link=link,
        bring=details.bring if details.bring is not None else phase.bring,
        set_at=now,
    )


WHEN_AND_WHERE = ("held_on", "start_time", "end_time", "mode", "place", "link")


def _update(event: TrainingEvent, details: RoundDetails, now: dt.datetime) -> bool:
    """Apply what was given; True when the members are to be told (when or where changed, or
    a cleared round is dated again)."""
    before = tuple(getattr(event, name) for name in WHEN_AND_WHERE)
    mode = _given_mode(details)
    if mode is RoundMode.ONLINE:
        event.place = None
    elif mode is RoundMode.ON_SITE:
        event.link = None
    event.mode = mode or event.mode
    event.held_on = details.held_on
    for name in ("start_time", "end_time", "place", "link", "bring"):
        value = getattr(details, name)
        if value is not None:
            setattr(event, name, value)
    revived = event.cancelled_at is not None
    changed = before != tuple(getattr(event, name) for name in WHEN_AND_WHERE)
    if revived or changed:
        event.previous_on, event.changed_at, event.cancelled_at = before[0], now, None
    return revived or changed


async def set_round(
    session: AsyncSession,
    cohort: Cohort,
    code: str,
    details: RoundDetails,
    *,
    now: dt.datetime,
    today: dt.date,
    actor: str,
) -> RoundChange:
    """Date a cohort's training round, or change its date, time or place (audited)."""
    found = await _round_of(session, cohort, code)
    _checked(details)
    event = (
        None if found.event_id is None else await session.get_one(TrainingEvent, found.event_id)
    )
    if event is None:
        event, told = _new_event(cohort, found.code, details, now), False
        session.add(event)
    else:
        told = _update(event, details, now)
    _check_times(event)
    audit = {"mode": event.mode.value, "changed": told}
    view = await _recorded(session, event, "round.set", now=now, actor=actor, **audit)
    return RoundChange(view, tuple(_warnings(found, details.held_on, today)), told)


async def clear_round(
    session: AsyncSession, cohort: Cohort, code: str, *, now: dt.datetime, actor: str
) -> RoundView:
    """Take a round's date back (audited); its members are told if it was still ahead."""
    found = await _round_of(session, cohort, code)
    if found.event_id is None or found.cancelled_at is not None:
        raise RoundRefused("not_dated", cohort=cohort.name, code=found.code)
    event = await session.get_one(TrainingEvent, found.event_id)
    event.cancelled_at = now
    return await _recorded(session, event, "round.clear", now=now, actor=actor)


async def _recorded(
    session: AsyncSession,
    event: TrainingEvent,
    action: str,
    *,
    now: dt.datetime,
    actor: str,
    **details: Any,
) -> RoundView:
    """The change audited (on the cohort: no person's data), and the round as it is now."""
    await session.flush()
    code = event.phase_code
    held_on = event.held_on.isoformat()
    record(
        session,
        now,
        actor=actor,
        action=action,
        entity="cohort",
        entity_id=event.cohort_id,
        code=code,
        held_on=held_on,
        **details,
    )
    (view,) = [r for r in await cohort_rounds(session, event.cohort_id) if r.code == code]
    return view
