"""The programme's indicators (staff supported, by gender; JSTs under advisory) and targets.

Targets come from each cohort's stored template, `template["indicators"]` with the keys
people, women, men and jsts; several cohorts add up, and a missing key counts as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdviserAssignment, Cohort, Gender, Person, Role

TARGET_KEYS = ("people", "women", "men", "jsts")
STAFF = (Person.role == Role.MEMBER, Person.jst_id.is_not(None))


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
class Indicators:
    """The programme's numbers as reported to the funder, plus Telegram uptake."""

    staff_supported: Indicator
    staff_women: Indicator
    staff_men: Indicator
    jsts_under_advisory: Indicator
    members_joined: int

    def as_json(self) -> dict[str, Any]:
        """Machine-readable: English keys, numbers only."""
        return {
            "staff_supported": self.staff_supported.as_json(),
            "staff_women": self.staff_women.as_json(),
            "staff_men": self.staff_men.as_json(),
            "jsts_under_advisory": self.jsts_under_advisory.as_json(),
            "members_joined_telegram": self.members_joined,
        }


async def compute_indicators(session: AsyncSession) -> Indicators:
    """Staff = members attached to a JST, erased ones included (their gender is kept)."""
    targets = await _targets(session)
    staff = dict(
        (
            await session.execute(
                select(Person.gender, func.count(Person.id)).where(*STAFF).group_by(Person.gender)
            )
        ).all()
    )
    joined = await session.scalar(
        select(func.count(Person.id)).where(*STAFF, Person.joined_at.is_not(None))
    )
    advised = await session.scalar(select(func.count(func.distinct(AdviserAssignment.jst_id))))
    women = staff.get(Gender.FEMALE, 0)
    men = staff.get(Gender.MALE, 0)
    return Indicators(
        staff_supported=Indicator(women + men, targets["people"]),
        staff_women=Indicator(women, targets["women"]),
        staff_men=Indicator(men, targets["men"]),
        jsts_under_advisory=Indicator(int(advised or 0), targets["jsts"]),
        members_joined=int(joined or 0),
    )


async def _targets(session: AsyncSession) -> dict[str, int]:
    totals = dict.fromkeys(TARGET_KEYS, 0)
    for template in await session.scalars(select(Cohort.template)):
        stated = template.get("indicators", {})
        for key in TARGET_KEYS:
            totals[key] += int(stated.get(key, 0))
    return totals
