"""Signing in without a password: a one-time link by e-mail, confirmed on its page (a mail
scanner that opens links does not use it up), then a session; signing out ends it."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from notices.message import Email
from outbox.email_policy import missing_smtp_setting
from outbox.queue import enqueue
from storage.models import Channel, Delivery, Language
from storage.people import set_language
from storage.web_sessions import (
    end_session,
    issue_link,
    link_address,
    link_valid,
    open_session,
    signing_in,
    token_hash,
    use_link,
)
from web.visit import COOKIE, VISIT_OF, Refused, Visit, page

SIGN_IN_EMAIL = "web_sign_in"
MAX_ADDRESS = 254


async def form(request: web.Request) -> web.StreamResponse:
    visit = request[VISIT_OF]
    if visit.caller is not None:
        raise web.HTTPSeeOther("/")
    return visit.render("sign_in.html.j2", address="", sent=False, minutes=_minutes(visit))


async def ask(request: web.Request) -> web.StreamResponse:
    """A link for a known adviser or coordinator; the same page for any other address, so the
    page tells nobody who is known."""
    visit = request[VISIT_OF]
    address = visit.field("email")[:MAX_ADDRESS]
    if "@" not in address:
        return visit.render(
            "sign_in.html.j2", status=400, address=address, sent=False, minutes=_minutes(visit)
        )
    services, now = visit.services, visit.now
    settings = services.settings
    async with services.sessionmaker.begin() as session:
        person = await signing_in(session, address)
        life = dt.timedelta(minutes=settings.web_link_minutes)
        token = None if person is None else await issue_link(session, person.id, now, life)
        if person is not None and token is not None:
            base = settings.web_base or f"{visit.request.scheme}://{visit.request.host}"
            values = {"link": link_address(base, token), "minutes": settings.web_link_minutes}
            await enqueue(
                session,
                dedupe_key=f"{SIGN_IN_EMAIL}:{token_hash(token)}",
                channel=Channel.EMAIL,
                kind=SIGN_IN_EMAIL,
                payload=Email(SIGN_IN_EMAIL, values, forget=("link",)).payload(),
                person_id=person.id,
                delivery=Delivery.AT_LEAST_ONCE,
                now=now,
                stale_at=now + life,  # a link that reaches nobody in time is not sent dead
            )
    return visit.render(
        "sign_in.html.j2",
        address=address,
        sent=True,
        minutes=_minutes(visit),
        mail_off=missing_smtp_setting(settings) is not None,  # the link waits: say /panel
    )


async def confirm(request: web.Request) -> web.StreamResponse:
    visit = request[VISIT_OF]
    async with visit.services.reader() as session:
        valid = await link_valid(session, request.match_info["token"], visit.now)
    if not valid:
        raise Refused(403, "link_used")
    return visit.render("sign_in_confirm.html.j2")


async def use(request: web.Request) -> web.StreamResponse:
    """The link used once: a new session; a used, expired or unknown link opens none."""
    visit = request[VISIT_OF]
    services, now = visit.services, visit.now
    life = dt.timedelta(hours=services.settings.web_session_hours)
    async with services.sessionmaker.begin() as session:
        person_id = await use_link(session, request.match_info["token"], now)
        if person_id is None:
            raise Refused(403, "link_used")
        if visit.session is not None:  # another person's session in this browser ends
            await end_session(session, visit.session.id, now)
        opened = await open_session(session, person_id, now, life)
    visit.cookies[COOKIE] = opened.token
    raise web.HTTPSeeOther("/")


async def sign_out(request: web.Request) -> web.StreamResponse:
    visit = request[VISIT_OF]
    if visit.session is not None:
        async with visit.services.sessionmaker.begin() as session:
            await end_session(session, visit.session.id, visit.now)
    visit.cookies[COOKIE] = None
    visit.caller = visit.session = None
    return visit.render("signed_out.html.j2")


@page("language")
async def language(visit: Visit) -> web.StreamResponse:
    """The person's language, for the pages and everything the bot sends them (as /jezyk);
    back to the page they were on."""
    chosen = visit.field("language")
    if chosen not in {item.value for item in Language}:
        raise Refused(400, "bad_form")
    async with visit.services.sessionmaker.begin() as session:
        await set_language(session, visit.signed_in().person_id, Language(chosen), visit.now)
    back = visit.field("back")
    raise web.HTTPSeeOther(back if back.startswith("/") and not back.startswith("//") else "/")


def _minutes(visit: Visit) -> int:
    return visit.services.settings.web_link_minutes


def add_routes(app: web.Application) -> None:
    app.router.add_get("/sign-in", form)
    app.router.add_post("/sign-in", ask)
    app.router.add_get("/sign-in/{token}", confirm)
    app.router.add_post("/sign-in/{token}", use)
    app.router.add_post("/sign-out", sign_out)
    app.router.add_post("/language", language)
