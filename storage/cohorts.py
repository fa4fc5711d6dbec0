"""Cohorts: a programme template started on a date, and its computed calendar."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cohort


async def find_cohort(session: AsyncSession, name: str) -> Cohort | None:
    """The cohort called `name`, or None."""
    return await session.scalar(select(Cohort).where(Cohort.name == name))
