"""A team file imported from the web view (coordinators), as `advisorybot import` does it
(storage.imports.run): always a dry run first, showing the file's errors by row and column, or
what the import would do; the dry run's page posts the same file back to apply it, checked
again. A file that cannot be read says why; nothing is changed until it is applied."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from storage.cohorts import list_cohorts
from storage.imports.read import ImportFileError, read_content
from storage.imports.run import ImportRefused, import_rows
from web.visit import MAX_UPLOAD, Refused, Visit, page

MAX_NAME = 255


@page("import")
async def form(visit: Visit) -> web.StreamResponse:
    return await _form(visit, problem=None)


@page("import")
async def dry_run(visit: Visit) -> web.StreamResponse:
    upload = visit.form.get("file") if visit.form is not None else None
    if not isinstance(upload, web.FileField) or not upload.filename:
        return await _form(visit, problem="no_file", status=400)
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise Refused(413, "too_large")
    return await _checked(visit, upload.filename[:MAX_NAME], data, apply=False)


@page("import")
async def apply(visit: Visit) -> web.StreamResponse:
    try:
        data = base64.b64decode(visit.field("content"), validate=True)
    except binascii.Error:
        data = b""
    if not data:
        return await _form(visit, problem="no_file", status=400)
    return await _checked(visit, visit.field("name")[:MAX_NAME], data, apply=True)


async def _form(visit: Visit, *, problem: str | None, status: int = 200) -> web.Response:
    async with visit.services.reader() as session:
        cohorts = [cohort.name for cohort in await list_cohorts(session)]
    return visit.render(
        "import.html.j2", status=status, words="ops", cohorts=cohorts, problem=problem
    )


async def _checked(visit: Visit, name: str, data: bytes, *, apply: bool) -> web.Response:
    """The file read and checked against the database in a transaction that is kept only when
    `apply`; the page shows the outcome."""
    services, cohort = visit.services, visit.field("cohort")
    shown: dict[str, Any] = {
        "cohort": cohort,
        "file_name": name,
        "applied": False,
        "summary": None,
    }
    try:
        rows = read_content(name, data, services.settings.import_max_rows)
    except ImportFileError as error:
        return _result(visit, shown, problem=error.code, params=error.params, errors=error.issues)
    try:
        async with services.sessionmaker() as session, session.begin() as transaction:
            summary = await import_rows(session, rows, cohort, visit.now, visit.actor)
            if not apply:
                await transaction.rollback()
    except ImportRefused as refused:
        params = {k: v for k, v in refused.params.items() if k not in ("errors", "warnings")}
        return _result(
            visit,
            shown,
            problem=refused.code,
            params=params,
            errors=refused.params.get("errors", []),
            warnings=refused.params.get("warnings", []),
        )
    content = "" if apply else base64.b64encode(data).decode("ascii")
    return visit.render(
        "import_result.html.j2",
        words="ops",
        **shown | {"applied": apply, "summary": summary},
        problem=None,
        params={},
        errors=[],
        warnings=summary.warnings,
        content=content,
    )


def _result(
    visit: Visit,
    shown: dict[str, Any],
    *,
    problem: str,
    params: dict[str, Any],
    errors: Sequence[Any],
    warnings: Sequence[Any] = (),
) -> web.Response:
    return visit.render(
        "import_result.html.j2",
        status=422,
        words="ops",
        **shown,
        problem=problem,
        params=params,
        errors=errors,
        warnings=warnings,
        content="",
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/import", form)
    app.router.add_post("/import", dry_run)
    app.router.add_post("/import/apply", apply)
