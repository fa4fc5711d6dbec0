"""The coordinators' operator pages of the web view (issue 25, item 3) over real HTTP on
SQLite and PostgreSQL: the team import (dry run first, errors by row and column, applied from
the dry run's page), invitations, failed messages retried, erasure with its confirmation step,
exports; an adviser is refused every one of them and nothing changes."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

from aiohttp import FormData
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from core.services import Services
from notices.erasure import confirmation_keys
from storage.erasure import request_erasure
from storage.imports.read import COLUMNS, read_rows
from storage.imports.run import import_rows
from storage.models import (
    Base,
    Channel,
    ErasureRequest,
    ErasureState,
    OutboxMessage,
    OutboxState,
    Person,
)
from tests.integration.test_import import add_cohort
from tests.support.outbox_rows import queue_text
from tests.support.team_files import DATA, cells, team, write_csv, write_xlsx
from tests.support.web_client import signed_in
from web.visit import MAX_UPLOAD

COORDINATOR, ADVISER, MEMBER = "ewa@example.pl", "jan@example.pl", "anna@example.pl"
WATCHED = ("people", "jsts", "adviser_assignments", "outbox", "erasure_requests", "invites")
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


async def _team(services: Services, tmp_path: Any) -> None:
    """A cohort with one JST (two members, an adviser) and a coordinator."""
    await add_cohort(services)
    rows = read_rows(write_csv(tmp_path / "base.csv", team()))
    async with services.sessionmaker.begin() as session:
        await import_rows(session, rows, "pilot", services.clock.now(), "tests")


async def _snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    async with services.sessionmaker() as session:
        found = {}
        for name in WATCHED:
            table = Base.metadata.tables[name]
            rows = await session.execute(select(table).order_by(table.c.id))
            found[name] = [tuple(row) for row in rows]
        return found


async def _count(services: Services, *where: Any) -> int:
    async with services.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(*where)) or 0)


def _upload(name: str, content: bytes, cohort: str = "pilot") -> FormData:
    form = FormData()
    form.add_field("cohort", cohort)
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    return form


def _bochnia_team() -> bytes:
    """A good team file: the powiat bocheński's team of tests/data/import/teams.csv."""
    lines = (DATA / "teams.csv").read_text(encoding="utf-8").splitlines()
    return "\n".join([lines[0], *(line for line in lines if line.startswith("1201;"))]).encode()


async def _coordinator(services: Services, tmp_path: Any) -> Any:
    await _team(services, tmp_path)
    return signed_in(services, COORDINATOR)


async def test_a_bad_team_file_shows_its_errors_by_row_and_column_and_changes_nothing(
    services: Services, tmp_path: Any
) -> None:
    async with await _coordinator(services, tmp_path) as browser:
        form = await browser.get("/import")
        assert form.status == 200
        assert '<label for="file">' in await form.text()
        before = await _snapshot(services)
        response = await browser.post(
            "/import", _upload("teams_bad.csv", (DATA / "teams_bad.csv").read_bytes())
        )
        page = unescape(await response.text())
        assert response.status == 422
        assert "Plik odrzucony" in page
        assert (
            '<th scope="row">2</th><td>email</td><td>niepoprawny adres e-mail „anna.nowak@”'
            in page
        )
        assert "nieznana rola „prezes”" in page
        assert 'action="/import/apply"' not in page
        not_a_table = await browser.post("/import", _upload("teams.pdf", b"%PDF-1.4"))
        assert not_a_table.status == 422
        assert "Nieobsługiwany rodzaj pliku (.pdf)" in await not_a_table.text()
        header_only = await browser.post("/import", _upload("t.csv", b"jst_teryt;name\n1;2\n"))
        assert "brak tej kolumny w nagłówku" in await header_only.text()
        too_large = await browser.post("/import", _upload("t.csv", b"x" * (MAX_UPLOAD + 1)))
        assert too_large.status == 413
        assert "najwyżej 5 MB" in await too_large.text()
        assert await _snapshot(services) == before


async def test_a_good_team_file_is_tried_first_and_imported_from_the_dry_run(
    services: Services, tmp_path: Any
) -> None:
    async with await _coordinator(services, tmp_path) as browser:
        before = await _snapshot(services)
        tried = await browser.post("/import", _upload("bochnia.csv", _bochnia_team()))
        page = await tried.text()
        assert tried.status == 200, page
        assert "Próba: nic nie zapisano" in unescape(page)
        assert await _snapshot(services) == before
        fields = dict(HIDDEN.findall(page))
        assert fields["name"] == "bochnia.csv"
        applied = await browser.post(
            "/import/apply", {k: unescape(v) for k, v in fields.items() if k != "csrf"}
        )
        assert applied.status == 200, await applied.text()
        assert "Zaimportowano do edycji „pilot”" in unescape(await applied.text())
        assert await _count(services, Person.email == "maria.szymanska@example.pl") == 1
        workbook = write_xlsx(tmp_path / "team.xlsx", [list(COLUMNS), *cells(team())])
        again = await browser.post("/import", _upload("team.xlsx", workbook.read_bytes()))
        assert again.status == 200
        assert "bez zmian" in await again.text()
        tampered = await browser.post(
            "/import/apply", {"cohort": "pilot", "name": "x.csv", "content": "not base64!"}
        )
        assert tampered.status == 400


async def test_invitations_are_issued_and_queued_in_the_outbox(
    services: Services, tmp_path: Any
) -> None:
    services.settings.smtp_host, services.settings.mail_from = "127.0.0.1", "bot@example.pl"
    async with await _coordinator(services, tmp_path) as browser:
        listing = unescape(await (await browser.get("/invitations")).text())
        assert "Anna Nowak" in listing
        assert "brak" in listing
        sent = await browser.post("/invitations", {"cohort": ""})
        assert sent.status == 303
        assert sent.headers["Location"].startswith("/invitations?done=sent&count=4")
        assert await _count(services, OutboxMessage.kind == "invitation") == 4
        assert browser.wakes
        again = await browser.post("/invitations", {"cohort": ""})
        assert "count=0&skipped=4" in again.headers["Location"]
        resent = await browser.post("/invitations", {"cohort": "pilot", "resend": "yes"})
        assert "count=3" in resent.headers["Location"]  # the cohort's JST: members and adviser
        page = unescape(await (await browser.get(resent.headers["Location"])).text())
        assert "Wysłano 3 zaproszenia" in page


async def test_without_a_mail_server_no_invitation_is_issued(
    services: Services, tmp_path: Any
) -> None:
    """As `advisorybot invites --send` refuses: codes e-mailed to nobody would wait unseen while
    the coordinator believed them sent. The page says so, offers no button, and a form sent
    anyway changes nothing."""
    async with await _coordinator(services, tmp_path) as browser:
        listing = unescape(await (await browser.get("/invitations")).text())
        assert "nie ustawiono serwera poczty (SMTP_HOST, MAIL_FROM)" in listing
        assert 'action="/invitations" method="post"' not in listing
        assert 'method="post" action="/invitations"' not in listing
        before = await _snapshot(services)
        sent = await browser.post("/invitations", {"cohort": ""})
        assert sent.headers["Location"] == "/invitations?done=no_mail_server"
        assert await _snapshot(services) == before


async def test_a_failed_message_is_retried(services: Services, tmp_path: Any) -> None:
    async with await _coordinator(services, tmp_path) as browser:
        now = services.clock.now()
        async with services.sessionmaker.begin() as session:
            anna = await session.scalar(select(Person.id).where(Person.email == MEMBER))
            values = {"template": "invitation", "values": {"secret": "do not show"}}
            row = await queue_text(
                session, now, anna, "test:failed", channel=Channel.EMAIL, payload=values
            )
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(state=OutboxState.FAILED, last_error="550 mailbox unavailable")
            )
        page = unescape(await (await browser.get("/outbox")).text())
        assert "550 mailbox unavailable" in page
        assert "Anna Nowak" in page
        assert "Miasto Stołeczne Warszawa" in page
        assert "do not show" not in page
        retried = await browser.post("/outbox/retry", {"row": str(row.id)})
        assert retried.headers["Location"] == "/outbox?done=requeued&count=1"
        pending = OutboxMessage.state == OutboxState.PENDING
        assert await _count(services, OutboxMessage.id == row.id, pending) == 1
        again = await browser.post("/outbox/retry", {"row": str(row.id)})
        assert again.headers["Location"] == "/outbox?done=not_failed"


async def test_erasure_needs_its_confirmation_then_erases(
    services: Services, tmp_path: Any
) -> None:
    async with await _coordinator(services, tmp_path) as browser:
        now = services.clock.now()
        async with services.sessionmaker.begin() as session:
            anna = await session.scalar(select(Person.id).where(Person.email == MEMBER))
            assert anna is not None
            request, _ = await request_erasure(session, anna, now, now.date())
        listing = await browser.get("/erasure")
        assert "Anna Nowak" in await listing.text()
        before = await _snapshot(services)
        asked = await browser.post("/erasure", {"request": str(request.id)})
        page = unescape(await asked.text())
        assert asked.status == 200
        assert "Anna Nowak <anna@example.pl>" in page
        assert await _snapshot(services) == before  # nothing without the second step
        confirmed = await browser.post("/erasure", {"request": str(request.id), "confirm": "yes"})
        assert confirmed.headers["Location"] == "/erasure?done=confirming"
        state = ErasureRequest.state
        assert await _count(services, state == ErasureState.CONFIRMING) == 1
        # The running bot's sender delivers the person's confirmation.
        async with services.sessionmaker.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.dedupe_key.in_(confirmation_keys(request.id)))
                .values(state=OutboxState.SENT)
            )
        finished = await browser.post("/erasure", {"request": str(request.id), "confirm": "yes"})
        assert finished.headers["Location"] == "/erasure?done=erased"
        assert await _count(services, state == ErasureState.DONE) == 1
        assert await _count(services, Person.email == MEMBER) == 0
        gone = await browser.post("/erasure", {"request": str(request.id), "confirm": "yes"})
        assert gone.status == 404


async def test_a_request_received_by_letter_is_carried_out_by_the_persons_address(
    services: Services, tmp_path: Any
) -> None:
    """No request recorded: the address finds the person, shows whom it is about, and only
    the confirmation records the request and carries it out (as `advisorybot erase EMAIL`);
    an unknown or erased address says so, nothing changed."""
    async with await _coordinator(services, tmp_path) as browser:
        before = await _snapshot(services)
        unknown = await browser.post("/erasure/address", {"email": "nobody@example.pl"})
        assert unknown.status == 404
        assert "Nie ma w programie osoby o adresie nobody@example.pl" in await unknown.text()
        shown = unescape(await (await browser.post("/erasure/address", {"email": MEMBER})).text())
        assert "Anna Nowak <anna@example.pl>" in shown
        assert 'action="/erasure/address"' in shown and f'value="{MEMBER}"' in shown
        assert await _snapshot(services) == before  # nothing without the second step
        confirmed = await browser.post("/erasure/address", {"email": MEMBER, "confirm": "yes"})
        assert confirmed.headers["Location"] == "/erasure?done=confirming"
        async with services.reader() as session:
            request = await session.scalar(select(ErasureRequest))
        assert request is not None and request.state == ErasureState.CONFIRMING
        async with services.sessionmaker.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.dedupe_key.in_(confirmation_keys(request.id)))
                .values(state=OutboxState.SENT)
            )
        finished = await browser.post("/erasure/address", {"email": MEMBER, "confirm": "yes"})
        assert finished.status == 200, "the open request is shown, as any open one"
        done = await browser.post("/erasure", {"request": str(request.id), "confirm": "yes"})
        assert done.headers["Location"] == "/erasure?done=erased"
        again = await browser.post("/erasure/address", {"email": MEMBER})
        assert "zostały już usunięte" in await again.text()


async def test_each_export_downloads_and_opens(services: Services, tmp_path: Any) -> None:
    async with await _coordinator(services, tmp_path) as browser:
        page = await (await browser.get("/exports")).text()
        for kind in ("people", "tasks", "reports", "materials"):
            assert f'href="/exports/{kind}.xlsx"' in page
            workbook = await browser.get(f"/exports/{kind}.xlsx")
            assert workbook.status == 200
            assert workbook.headers["Content-Disposition"].startswith("attachment;")
            sheets = load_workbook(io.BytesIO(await workbook.read()), read_only=True)
            assert sheets.worksheets
            table = await browser.get(f"/exports/{kind}.csv")
            assert table.headers["Content-Disposition"].endswith('.csv"')
            rows = list(
                csv.reader(io.StringIO((await table.read()).decode("utf-8-sig")), delimiter=";")
            )
            assert rows[0]
        people = await browser.get("/exports/people.csv")
        assert "Anna Nowak" in (await people.read()).decode("utf-8-sig")
        assert (await browser.get("/exports/secrets.csv")).status == 404


ACTIONS: tuple[tuple[str, str, dict[str, str] | None], ...] = (
    ("GET", "/import", None),
    ("POST", "/import", {"cohort": "pilot"}),
    ("POST", "/import/apply", {"cohort": "pilot", "name": "a.csv", "content": "YQ=="}),
    ("GET", "/invitations", None),
    ("POST", "/invitations", {"cohort": "", "resend": "yes"}),
    ("GET", "/outbox", None),
    ("POST", "/outbox/retry", {"row": "all"}),
    ("GET", "/erasure", None),
    ("POST", "/erasure", {"request": "1", "confirm": "yes"}),
    ("GET", "/exports", None),
    ("GET", "/exports/people.xlsx", None),
)


async def test_an_adviser_is_refused_every_operator_page_and_action(
    services: Services, tmp_path: Any
) -> None:
    await _team(services, tmp_path)
    async with services.sessionmaker.begin() as session:
        anna = await session.scalar(select(Person.id).where(Person.email == MEMBER))
        assert anna is not None
        await request_erasure(session, anna, services.clock.now(), services.clock.now().date())
    async with signed_in(services, ADVISER) as browser:
        assert "/import" not in await (await browser.get("/")).text()  # not in their menu
        before = await _snapshot(services)
        for method, path, data in ACTIONS:
            response = await (browser.get(path) if data is None else browser.post(path, data))
            assert response.status == 403, (method, path)
        assert await _snapshot(services) == before
        assert not browser.wakes
