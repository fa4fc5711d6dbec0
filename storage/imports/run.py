"""A team file's rows imported into a cohort, as `advisorybot import` and the web view's import
page both do it: checked against the database, refused whole on any error, else applied.
The caller owns the transaction: a dry run rolls it back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.cohorts import find_cohort
from storage.imports.apply import ImportSummary, apply_import, erased_addresses, jst_cohorts
from storage.imports.read import RawRow
from storage.imports.validate import validate


class ImportRefused(Exception):
    """Nothing imported: `code` names the macro of cli/import.txt.j2 saying why ("refused":
    the file's errors and warnings; "unknown_cohort")."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


async def import_rows(
    session: AsyncSession, rows: list[RawRow], cohort_name: str, now: dt.datetime, actor: str
) -> ImportSummary:
    cohort = await find_cohort(session, cohort_name)
    if cohort is None:
        raise ImportRefused("unknown_cohort", cohort=cohort_name)
    plan = validate(rows, cohort.name, await jst_cohorts(session), await erased_addresses(session))
    if plan.errors:
        raise ImportRefused("refused", errors=plan.errors, warnings=plan.warnings)
    return await apply_import(session, plan, cohort, now, actor)
