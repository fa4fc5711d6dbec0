"""Invitations from the web view (coordinators): who has not joined yet and where their
invitation is; new codes issued and e-mailed as `advisorybot invites --send` does it
(notices.invitations.invite_by_email), in one transaction with their outbox rows."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from aiohttp import web

from notices.invitations import NoBotUsername, bot_username, invite_by_email
from outbox.email_policy import missing_smtp_setting
from storage.audit import record_reads
from storage.cohorts import find_cohort, list_cohorts
from storage.invite_views import waiting_people
from web.visit import Visit, page, whole_number

DONE = ("sent", "no_bot_username", "no_mail_server")


@page("invitations")
async def listing(visit: Visit) -> web.StreamResponse:
    query = visit.request.query
    async with visit.services.sessionmaker.begin() as session:
        cohorts = [cohort.name for cohort in await list_cohorts(session)]
        chosen = query.get("cohort", "")
        found = await find_cohort(session, chosen) if chosen in cohorts else None
        people = await waiting_people(session, visit.now, cohort_id=found.id if found else None)
        await record_reads(
            session,
            visit.now,
            actor=visit.actor,
            people=[person.person_id for person in people],
            via="web invitations",
        )
    return visit.render(
        "invitations.html.j2",
        words="ops",
        people=people,
        cohorts=cohorts,
        chosen=found.name if found else "",
        done=query.get("done") if query.get("done") in DONE else None,
        mail_off=missing_smtp_setting(visit.services.settings) is not None,
        count=whole_number(query.get("count")) or 0,
        skipped=whole_number(query.get("skipped")) or 0,
    )


@page("invitations")
async def send(visit: Visit) -> web.StreamResponse:
    """Codes for everyone not joined (in the chosen cohort) who holds no working link, or for
    all of them with `resend`; their e-mails go through the outbox. Without a mail server
    nothing is issued (as `advisorybot invites --send` refuses): the codes would wait unseen."""
    services = visit.services
    if missing_smtp_setting(services.settings) is not None:
        raise web.HTTPSeeOther("/invitations?done=no_mail_server")
    try:
        username = await bot_username(services.settings)
    except NoBotUsername:
        raise web.HTTPSeeOther("/invitations?done=no_bot_username") from None
    ttl = dt.timedelta(days=services.settings.invite_ttl_days)
    async with services.sessionmaker.begin() as session:
        chosen = visit.field("cohort")
        found = await find_cohort(session, chosen) if chosen else None
        count, skipped = await invite_by_email(
            session,
            visit.now,
            ttl,
            username,
            cohort_id=found.id if found else None,
            resend=visit.field("resend") == "yes",
            actor=visit.actor,
        )
    visit.wake_outbox()
    shown = {"done": "sent", "count": count, "skipped": skipped}
    raise web.HTTPSeeOther(
        f"/invitations?{urlencode(shown | ({'cohort': found.name} if found else {}))}"
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/invitations", listing)
    app.router.add_post("/invitations", send)
