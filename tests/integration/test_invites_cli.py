"""`advisorybot invites` through the real CLI: the CSV the operator mails out, and refusals."""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.services import Services
from storage.invites import hash_code
from storage.models import AdviserAssignment, Gender, Invite, Person, Role
from tests.support.cli_runs import BOT_USERNAME, invoke, output_folder
from tests.support.programme_data import add_cohort, add_jst, add_person

HEADERS = ["full_name", "email", "role", "jst_teryt", "jst_name", "link", "expires_at"]
HEADERS_PL = [
    "Imię i nazwisko",
    "E-mail",
    "Rola",
    "TERYT",
    "JST",
    "Link z zaproszeniem",
    "Link ważny do",
]
KEYS = "--keys"  # the stable column keys these tests read the file by
LINK_PREFIX = f"https://t.me/{BOT_USERNAME}?start="
ADVISORYBOT = Path(sys.executable).parent / "advisorybot"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return output_folder(tmp_path, monkeypatch)


async def _seed(services: Services) -> None:
    """Two cohorts; a member and the adviser of a pilot JST, and a coordinator of no cohort."""
    async with services.sessionmaker.begin() as session:
        pilot = await add_cohort(session, "pilot")
        other = await add_cohort(session, "second")
        jst = await add_jst(session, pilot, "1401011", "Gmina Testowa")
        await add_jst(session, other, "0201011", "Gmina Druga")
        await add_person(session, "anna@example.pl", "Anna Nowak", jst=jst)
        await add_person(session, "ktos@example.pl", "Ktoś Inny", role=Role.COORDINATOR)
        adviser = await add_person(
            session, "bogdan@example.pl", "Bogdan", role=Role.ADVISER, gender=Gender.MALE
        )
        session.add(AdviserAssignment(jst_id=jst.id, adviser_id=adviser.id))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream, delimiter=";")
        assert reader.fieldnames == HEADERS
        return list(reader)


def _files(path: Path) -> list[str]:
    """What is in the folder, temporary files included."""
    return sorted(item.name for item in path.iterdir())


async def _stored_hashes(services: Services) -> dict[str, str]:
    async with services.sessionmaker() as session:
        found = await session.execute(
            select(Person.email, Invite.code_hash)
            .join(Invite, Invite.person_id == Person.id)
            .where(Invite.revoked_at.is_(None))
        )
        return {email: code_hash for email, code_hash in found}


async def test_invites_writes_links_that_match_stored_hashes(
    services: Services, folder: Path
) -> None:
    await _seed(services)
    out = folder / "invites.csv"
    result = await invoke(services, "invites", "--out", str(out), KEYS)
    assert result.exit_code == 0, result.output
    assert f"Invitations written to {out}: 3." in result.output
    rows = _read(out)
    assert [(r["email"], r["role"], r["jst_teryt"], r["jst_name"]) for r in rows] == [
        ("anna@example.pl", "member", "1401011", "Gmina Testowa"),
        ("bogdan@example.pl", "adviser", "", ""),
        ("ktos@example.pl", "coordinator", "", ""),
    ]
    assert rows[0]["full_name"] == "Anna Nowak"
    hashes = await _stored_hashes(services)
    async with services.sessionmaker() as session:
        expiry = await session.scalar(select(Invite.expires_at).limit(1))
    assert expiry is not None
    for row in rows:
        assert row["link"].startswith(LINK_PREFIX)
        assert hash_code(row["link"].removeprefix(LINK_PREFIX)) == hashes[row["email"]]
        local = expiry.astimezone(services.settings.zone).isoformat(timespec="seconds")
        assert row["expires_at"] == local
    assert out.stat().st_mode & 0o077 == 0


async def test_a_second_run_keeps_links_unless_reissue(services: Services, folder: Path) -> None:
    await _seed(services)
    first, second, third = (folder / f"{n}.csv" for n in ("first", "second", "third"))
    assert (await invoke(services, "invites", "--out", str(first), KEYS)).exit_code == 0
    result = await invoke(services, "invites", "--out", str(second), KEYS)
    assert result.exit_code == 0, result.output
    assert f"Invitations written to {second}: 0." in result.output
    assert "already have a valid invitation: 3" in result.output and "--reissue" in result.output
    assert _read(second) == []
    result = await invoke(services, "invites", "--out", str(third), "--reissue", KEYS)
    assert result.exit_code == 0, result.output
    old, new = _read(first), _read(third)
    assert [row["email"] for row in new] == [row["email"] for row in old]
    assert {row["link"] for row in new}.isdisjoint(row["link"] for row in old)
    hashes = await _stored_hashes(services)
    assert {hash_code(row["link"].removeprefix(LINK_PREFIX)) for row in new} == set(
        hashes.values()
    )


async def test_cohort_limits_the_invitations(services: Services, folder: Path) -> None:
    await _seed(services)
    out = folder / "pilot.csv"
    result = await invoke(services, "invites", "--out", str(out), "--cohort", "pilot", KEYS)
    assert result.exit_code == 0, result.output
    assert [row["email"] for row in _read(out)] == ["anna@example.pl", "bogdan@example.pl"]
    missing = folder / "none.csv"
    result = await invoke(services, "invites", "--out", str(missing), "--cohort", "nope")
    assert result.exit_code == 2
    assert 'There is no cohort called "nope".' in result.output
    assert not missing.exists()
    assert _files(folder) == ["pilot.csv"]


async def test_bad_output_and_missing_username_are_refused(
    services: Services, folder: Path
) -> None:
    await _seed(services)
    result = await invoke(services, "invites", "--out", str(folder / "invites.txt"))
    assert result.exit_code == 2
    assert "must end in one of .csv, .xlsx" in result.output
    result = await invoke(services, "invites", "--out", str(folder / "no" / "invites.csv"))
    assert result.exit_code == 2
    assert f"The folder {folder / 'no'} does not exist" in result.output
    result = await invoke(
        services, "invites", "--out", str(folder / "x.csv"), TELEGRAM_BOT_USERNAME=None
    )
    assert result.exit_code == 2
    assert "set TELEGRAM_BOT_USERNAME" in result.output
    assert _files(folder) == []
    assert await _stored_hashes(services) == {}


async def test_installed_command_writes_invites_in_polish(
    services: Services, folder: Path
) -> None:
    await _seed(services)
    out = folder / "zaproszenia.xlsx"
    environment = {key: value for key, value in os.environ.items() if key != "TELEGRAM_BOT_TOKEN"}
    environment.update(
        DATABASE_URL=services.settings.database_url,
        TELEGRAM_BOT_USERNAME="advisory_test_bot",
        OPERATOR_LANGUAGE="pl",
    )
    completed = await asyncio.to_thread(
        subprocess.run,
        [str(ADVISORYBOT), "invites", "--out", str(out)],
        env=environment,
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"Zaproszenia zapisane w pliku {out}: 3."
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet.title == "Zaproszenia", "the sheet, headers and roles in Polish by default"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS_PL
    assert [row[1:3] for row in rows[1:]] == [
        ("anna@example.pl", "członkini zespołu"),
        ("bogdan@example.pl", "doradca"),
        ("ktos@example.pl", "koordynatorka"),
    ]
    assert sheet["E2"].value == "Gmina Testowa" and sheet["E2"].data_type == "s"
    assert str(rows[1][5]).startswith(LINK_PREFIX)


async def test_invites_in_english_words(services: Services, folder: Path) -> None:
    await _seed(services)
    out = folder / "invites.csv"
    result = await invoke(services, "invites", "--out", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as stream:
        header, *rows = list(csv.reader(stream, delimiter=";"))
    assert header == [
        "Name",
        "E-mail",
        "Role",
        "TERYT",
        "JST",
        "Invitation link",
        "Link valid until",
    ]
    assert [row[2] for row in rows] == ["team member", "adviser", "coordinator"]
    assert all(row[5].startswith(LINK_PREFIX) for row in rows)


async def test_a_failing_get_me_is_one_line_without_the_token(
    services: Services, folder: Path, unused_tcp_port: int
) -> None:
    await _seed(services)
    token = "123456789:" + "S" * 35
    result = await invoke(
        services,
        "invites",
        "--out",
        str(folder / "x.csv"),
        TELEGRAM_BOT_USERNAME=None,
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{unused_tcp_port}",
    )
    assert result.exit_code == 2
    assert result.output.strip().startswith("Telegram did not tell the bot's username (getMe: ")
    assert token not in result.output and "S" * 35 not in result.output
    assert _files(folder) == []
    assert await _stored_hashes(services) == {}
