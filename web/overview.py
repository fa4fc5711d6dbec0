"""The programme at a glance: the digest's JST x step matrix, live, for the JSTs the caller
sees, filtered by cohort, adviser, voivodeship and state; those needing attention first."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from core.calendar import shared_calendar
from digest.build import overview
from digest.matrix import Light
from storage.oversight import Facets, jst_facets
from web.visit import Visit, page

ATTENTION = "attention"  # the state filter: those the digest lists as needing attention
STATES = (ATTENTION, *(light.value for light in Light))
FILTERS = ("cohort", "adviser", "voivodeship", "state")
# JSTs in one page, those needing attention first: the country's 2,800 x 30 steps would be a
# page of megabytes; the filters narrow it down.
ROWS_SHOWN = 300


@dataclass(frozen=True)
class Choices:
    """The values each filter offers (those of the JSTs the caller sees), and those chosen."""

    cohort: tuple[str, ...]
    adviser: tuple[str, ...]
    voivodeship: tuple[str, ...]
    state: tuple[str, ...]
    chosen: dict[str, str]


def _choices(facets: list[Facets], query: dict[str, str]) -> Choices:
    def values(name: str) -> tuple[str, ...]:
        return tuple(sorted({v for f in facets if (v := getattr(f, name))}))

    offered = {
        "cohort": values("cohort"),
        "adviser": values("adviser"),
        "voivodeship": values("voivodeship"),
        "state": STATES,
    }
    chosen = {name: query[name] for name in FILTERS if query.get(name) in offered[name]}
    return Choices(**offered, chosen=chosen)


@page("overview")
async def matrix(visit: Visit) -> web.StreamResponse:
    caller, services = visit.signed_in(), visit.services
    query = {name: visit.request.query.get(name, "") for name in FILTERS}
    calendar = shared_calendar(services.settings.zone, services.settings.quiet_hours)
    async with services.reader() as session:
        facets = await jst_facets(session, caller.jst_ids)
        choices = _choices(facets, query)
        wanted = [
            f.jst_id
            for f in facets
            if all(
                getattr(f, name) == choices.chosen[name]
                for name in ("cohort", "adviser", "voivodeship")
                if name in choices.chosen
            )
        ]
        teams, attention, found = await overview(
            session, wanted, visit.now, calendar, services.views
        )
    state = choices.chosen.get("state")
    listed = {item.team.jst_id for item in attention}
    rows = [
        row
        for row in found.rows
        if state is None
        or (state == ATTENTION and row.team.jst_id in listed)
        or any(cell is not None and cell.light.value == state for cell in row.cells)
    ]
    reasons = {item.team.jst_id: item.reasons for item in attention}
    return visit.render(
        "overview.html.j2",
        columns=found.columns,
        rows=rows[:ROWS_SHOWN],
        matching=len(rows),
        reasons=reasons,
        choices=choices,
        total=len(teams),
        today=visit.today,
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", matrix)
