"""Exports from the web view (coordinators): each table `advisorybot export` writes, as XLSX or
CSV, worded in the coordinator's language (digest.table_words.export_sheets) and downloaded as
an attachment; every person in it recorded as read, as the CLI does."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web

from digest.table_words import export_sheets
from storage.audit import record_reads
from storage.exports import ExportKind
from storage.models import Language
from storage.spreadsheets import csv_bytes, write_xlsx
from web.visit import Refused, Visit, page

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


@page("exports")
async def listing(visit: Visit) -> web.StreamResponse:
    kinds = [kind.value for kind in ExportKind]
    return visit.render("exports.html.j2", words="ops", kinds=kinds, formats=tuple(FORMATS))


@page("exports")
async def download(visit: Visit) -> web.StreamResponse:
    kind_name, form = visit.request.match_info["kind"], visit.request.match_info["format"]
    if kind_name not in {kind.value for kind in ExportKind} or form not in FORMATS:
        raise Refused(404, "not_found")
    kind, services = ExportKind(kind_name), visit.services
    async with services.sessionmaker.begin() as session:
        sheets = await export_sheets(
            session, services.templates, kind, Language(visit.language), visit.today
        )
        shown = {person for sheet in sheets for person in sheet.people}
        await record_reads(
            session, visit.now, actor=visit.actor, people=shown, via=f"web export {kind}"
        )
    zone = services.settings.zone
    if form == "csv":
        body = csv_bytes(sheets[0], zone)  # CSV has no sheets: the first table, as the CLI
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"export.{form}"
            write_xlsx(path, sheets[0], zone, *sheets[1:])
            body = path.read_bytes()
    name = f"{kind.value}-{visit.today.isoformat()}.{form}"
    return web.Response(
        body=body,
        headers={
            "Content-Type": FORMATS[form],
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/exports", listing)
    app.router.add_get(r"/exports/{kind:[a-z_]+}.{format:[a-z]+}", download)
