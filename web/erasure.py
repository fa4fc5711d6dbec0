"""Erasure requests in the web view (coordinators), with the confirmation step of `advisorybot
erase`: a first POST shows whom a request is about and what goes; only a second one with
`confirm=yes` carries it out (notices.erasure: the person told, then their data anonymised
once that has gone). A request whose confirmation is still on its way is finished by the same
step taken again."""

from __future__ import annotations

import asyncio

from aiohttp import web

from notices.erasure import (
    ErasureChanged,
    confirmation_states,
    finish_erasure,
    settled,
    start_erasure,
)
from storage.audit import record_reads
from storage.db import flush_log
from storage.erasure_views import ErasureView, erased_on, erasure_requests, erasure_target
from storage.models import ErasureState
from web.visit import Refused, Visit, page, whole_number

DONE = ("erased", "confirming", "changed")
MAX_ADDRESS = 254
WAIT_SECONDS = 2.0  # for the running bot's sender to take the confirmation
POLL_SECONDS = 0.2


@page("erasure")
async def listing(visit: Visit) -> web.StreamResponse:
    return await listing_page(visit)


async def listing_page(
    visit: Visit, *, status: int = 200, email: str = "", problem: str | None = None
) -> web.Response:
    """The requests, and the form for one that came otherwise (`problem`: why the address
    given there finds nobody)."""
    async with visit.services.sessionmaker.begin() as session:
        requests = await erasure_requests(session, closed=True)
        shown = [view.person_id for view in requests if view.email is not None]
        await record_reads(session, visit.now, actor=visit.actor, people=shown, via="web erasure")
    done = visit.request.query.get("done")
    return visit.render(
        "erasure.html.j2",
        status=status,
        words="ops",
        requests=requests,
        done=done if done in DONE else None,
        today=visit.today,
        email=email,
        problem=problem,
    )


@page("erasure")
async def carry_out(visit: Visit) -> web.StreamResponse:
    view = await _open_request(visit, whole_number(visit.field("request")))
    if visit.field("confirm") != "yes":
        return await _confirmation_page(visit, view)
    pending = view.state == ErasureState.PENDING.value
    return await _erase(visit, view.person_id, view.request_id, start=pending)


@page("erasure")
async def by_address(visit: Visit) -> web.StreamResponse:
    """A request that came otherwise (a letter, an e-mail to ORE), by the person's address, as
    `advisorybot erase EMAIL`: the same two steps; one is recorded when confirmed."""
    email = visit.field("email")[:MAX_ADDRESS]
    async with visit.services.reader() as session:
        target = await erasure_target(session, email) if "@" in email else None
        erased = None if target is not None else await erased_on(session, email)
    if target is None:
        problem = "already_erased" if erased is not None else "unknown_address"
        return await listing_page(visit, status=404, email=email, problem=problem)
    if target.request is not None:  # one is open already: that one is carried out
        return await _confirmation_page(visit, target.request)
    if visit.field("confirm") != "yes":
        return await _confirmation_page(visit, None, email=email)
    return await _erase(visit, target.person_id, None, start=True)


async def _erase(
    visit: Visit, person_id: int, request_id: int | None, *, start: bool
) -> web.StreamResponse:
    """The request confirmed and the person told (`start`), then, once that has gone, their
    data anonymised; a confirmation still on its way is finished by the same step again."""
    services = visit.services
    if start:
        try:
            async with services.sessionmaker.begin() as session:
                request_id = await start_erasure(
                    session,
                    services.templates,
                    person_id,
                    request_id,
                    now=visit.now,
                    today=visit.today,
                    actor=visit.actor,
                )
        except ErasureChanged:
            raise web.HTTPSeeOther("/erasure?done=changed") from None
        visit.wake_outbox()
    assert request_id is not None
    if not await _confirmation_gone(visit, request_id):
        raise web.HTTPSeeOther("/erasure?done=confirming")
    async with services.sessionmaker.begin() as session:
        await finish_erasure(session, request_id, services.clock.now(), actor=visit.actor)
    await flush_log(services.engine)
    raise web.HTTPSeeOther("/erasure?done=erased")


async def _open_request(visit: Visit, number: int | None) -> ErasureView:
    async with visit.services.reader() as session:
        found = await erasure_requests(session, closed=False)
    view = next((view for view in found if view.request_id == number), None)
    if view is None or view.email is None:
        raise Refused(404, "not_found")
    return view


async def _confirmation_page(
    visit: Visit, view: ErasureView | None, *, email: str = ""
) -> web.Response:
    """Whom the request (`view`; None: one not yet recorded, for `email`) is about and what
    goes, with the button that carries it out."""
    address = view.email if view is not None else email
    assert address is not None
    async with visit.services.sessionmaker.begin() as session:
        target = await erasure_target(session, address)
        if target is None:
            raise Refused(404, "not_found")
        await record_reads(
            session, visit.now, actor=visit.actor, people=[target.person_id], via="web erasure"
        )
    return visit.render(
        "erasure_confirm.html.j2", words="ops", view=view, target=target, email=address
    )


async def _confirmation_gone(visit: Visit, request_id: int) -> bool:
    """Whether the person's confirmation has gone (or will never go), waiting a moment for
    the running bot's sender to take it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while True:
        async with visit.services.reader() as session:
            states = await confirmation_states(session, request_id)
        if settled(states):
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(POLL_SECONDS)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/erasure", listing)
    app.router.add_post("/erasure", carry_out)
    app.router.add_post("/erasure/address", by_address)
