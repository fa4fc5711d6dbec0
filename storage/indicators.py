"""The programme's indicators as the project card defines them, against its targets.

Support is real engagement, not a registration: a team member is "supported" (product indicator
"Liczba przedstawicieli kadr JST objętych wsparciem") once they joined on Telegram and attended
at least one training round; a JST is "covered by advisory" (result indicator) once one of its
members is supported. A member "raised their competences" (result indicator "Liczba
przedstawicieli kadr JST, którzy podnieśli kompetencje") when their self-assessment after the
last round sums higher than before the first, and they attended at least the rounds the
cohort's template asks (`competences.min_rounds_attended`; every round when it does not say).

Targets come from each cohort's stored template, `template["indicators"]` with the keys people,
women, men and jsts; several cohorts add up, and a missing key counts as 0. `staff_tallies`
gives each member's part, which `advisorybot export people` shows, so every number can be
recounted by hand.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.attendance import attendance_of, round_codes_by_cohort
from storage.competences import AFTER, BEFORE
from storage.models import Cohort, Gender, Jst, Person, Role, SelfAssessment

TARGET_KEYS = ("people", "women", "men", "jsts")


@dataclass(frozen=True)
class Indicator:
    """One measured value against its target."""

    value: int
    target: int

    @property
    def percent(self) -> float | None:
        """Share of the target reached, to one decimal; None when there is no target."""
        if self.target <= 0:
            return None
        return round(100 * self.value / self.target, 1)

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "target": self.target, "percent": self.percent}


@dataclass(frozen=True)
class StaffTally:
    """One team member's part in the indicators."""

    person_id: int
    gender: Gender
    jst_id: int
    joined: bool
    rounds: tuple[str, ...]  # the training rounds attended, in programme order
    required: int  # rounds to attend for the result indicator
    before: int | None  # the self-assessment's sums
    after: int | None
    teryt: str = ""  # the JST's, for those who recount the indicators from the members

    @property
    def supported(self) -> bool:
        """Joined on Telegram and took part: attended at least one training round."""
        return self.joined and bool(self.rounds)

    @property
    def improved(self) -> bool:
        """Supported, attended the rounds required, and scored higher after than before."""
        return (
            self.supported
            and len(self.rounds) >= self.required
            and self.before is not None
            and self.after is not None
            and self.after > self.before
        )


@dataclass(frozen=True)
class Indicators:
    """The programme's numbers as reported to the funder, plus Telegram uptake."""

    staff_supported: Indicator
    staff_women: Indicator
    staff_men: Indicator
    jsts_under_advisory: Indicator
    staff_improved: Indicator
    improved_women: Indicator
    improved_men: Indicator
    members_registered: int
    members_joined: int

    def as_json(self, definitions: dict[str, dict[str, dict[str, str]]]) -> dict[str, Any]:
        """Machine-readable: English keys, numbers, and each indicator's name and definition
        (`definitions`: key -> "name"/"definition" -> language -> text)."""

        def described(key: str, **values: Indicator) -> dict[str, Any]:
            numbers = {name: value.as_json() for name, value in values.items()}
            return definitions[key] | numbers

        return {
            "product": {
                "staff_supported": described(
                    "staff_supported",
                    total=self.staff_supported,
                    women=self.staff_women,
                    men=self.staff_men,
                ),
            },
            "result": {
                "staff_improved": described(
                    "staff_improved",
                    total=self.staff_improved,
                    women=self.improved_women,
                    men=self.improved_men,
                ),
                "jsts_under_advisory": described(
                    "jsts_under_advisory", total=self.jsts_under_advisory
                ),
            },
            "members_registered": self.members_registered,
            "members_joined_telegram": self.members_joined,
        }


async def compute_indicators(
    session: AsyncSession, tallies: Sequence[StaffTally] | None = None
) -> Indicators:
    """Staff = members attached to a JST, erased ones included (their gender is kept);
    `tallies`: every member's, when the caller has read them already."""
    targets = await _targets(session)
    if tallies is None:
        tallies = await staff_tallies(session)
    supported = Counter(tally.gender for tally in tallies if tally.supported)
    improved = Counter(tally.gender for tally in tallies if tally.improved)
    jsts = {tally.jst_id for tally in tallies if tally.supported}
    return Indicators(
        staff_supported=Indicator(supported.total(), targets["people"]),
        staff_women=Indicator(supported[Gender.FEMALE], targets["women"]),
        staff_men=Indicator(supported[Gender.MALE], targets["men"]),
        jsts_under_advisory=Indicator(len(jsts), targets["jsts"]),
        staff_improved=Indicator(improved.total(), targets["people"]),
        improved_women=Indicator(improved[Gender.FEMALE], targets["women"]),
        improved_men=Indicator(improved[Gender.MALE], targets["men"]),
        members_registered=len(tallies),
        members_joined=sum(tally.joined for tally in tallies),
    )


async def staff_tallies(session: AsyncSession) -> list[StaffTally]:
    """Every team member's part, by person id."""
    members = list(
        await session.execute(
            select(
                Person.id,
                Person.gender,
                Person.jst_id,
                Person.joined_at,
                Jst.cohort_id,
                Jst.teryt,
            )
            .join(Jst, Person.jst_id == Jst.id)
            .where(Person.role == Role.MEMBER)
            .order_by(Person.id)
        )
    )
    ids = [row.id for row in members]
    rounds = await round_codes_by_cohort(session)
    attended = await attendance_of(session, ids)
    scores: dict[int, dict[str, int]] = defaultdict(dict)
    for person_id, moment, score in await session.execute(
        select(SelfAssessment.person_id, SelfAssessment.moment, SelfAssessment.score)
    ):
        scores[person_id][moment] = score
    required = await _required(session, rounds)
    return [
        StaffTally(
            person_id=row.id,
            gender=row.gender,
            jst_id=row.jst_id,
            joined=row.joined_at is not None,
            rounds=tuple(code for code in rounds[row.cohort_id] if code in attended[row.id]),
            required=required.get(row.cohort_id, 0),
            before=scores[row.id].get(BEFORE),
            after=scores[row.id].get(AFTER),
            teryt=row.teryt,
        )
        for row in members
    ]


async def _required(session: AsyncSession, rounds: dict[int, list[str]]) -> dict[int, int]:
    """Each cohort's rounds to attend: its template's `min_rounds_attended`, else all."""
    found = {}
    for cohort_id, template in await session.execute(select(Cohort.id, Cohort.template)):
        stated = template.get("competences", {}).get("min_rounds_attended")
        found[cohort_id] = int(stated) if stated is not None else len(rounds[cohort_id])
    return found


async def _targets(session: AsyncSession) -> dict[str, int]:
    totals = dict.fromkeys(TARGET_KEYS, 0)
    for template in await session.scalars(select(Cohort.template)):
        stated = template.get("indicators", {})
        for key in TARGET_KEYS:
            totals[key] += int(stated.get(key, 0))
    return totals
