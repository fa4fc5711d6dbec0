"""Settings from environment variables and an optional .env file, built once by the CLI."""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
USERNAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
# The information notice (GDPR Art. 13/14) names the controller and its data protection officer:
# `run` does not start without them.
NOTICE_SETTINGS = ("controller_name", "controller_contact", "dpo_contact")
# Settings that may be read from a file named by NAME_FILE (a compose or Kubernetes secret).
SECRET_FILES = ("telegram_bot_token", "smtp_password", "database_url", "database_password")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class SmtpTls(StrEnum):
    """How the SMTP connection is secured; never a silent fall-back to plaintext."""

    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


class SettingsError(Exception):
    """A setting is missing or bad; names the variable, never its value."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    telegram_bot_username: str | None = None
    telegram_api_base_url: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    database_url: str = "sqlite+aiosqlite:///advisorybot.db"
    # The PostgreSQL password kept out of DATABASE_URL (a secret file of its own, the one the
    # database server reads too): put into the URL when the settings are built.
    database_password: SecretStr | None = None
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: SmtpTls = SmtpTls.STARTTLS
    mail_from: str | None = None
    timezone: str = "Europe/Warsaw"
    operator_language: Literal["pl", "en"] = "pl"
    invite_ttl_days: int = Field(default=30, ge=1, le=365)
    outbox_lease_seconds: int = Field(default=300, ge=5, le=3600)
    # Messages/s, a margin under Telegram's ~30 (a limiter at the limit meets it with jitter and
    # gets 429s); 0: no limit (a local Bot API server without limits, in benchmarks).
    telegram_rate_limit: float = Field(default=29, ge=0, le=1000)
    # A send may arrive although its answer is late: wait well beyond PTB's 5 s (DESIGN 5).
    telegram_timeout_seconds: float = Field(default=30, ge=1, le=300)
    quiet_hours: Annotated[tuple[int, int], NoDecode] = (20, 8)
    # Messages caused by people (questions, answers, notices, replies) go at once at any hour;
    # outside working time (quiet hours, weekends, holidays) without a sound unless this is off.
    silent_outside_working_time: bool = True
    digest_schedule: Annotated[tuple[int, int, int], NoDecode] = (0, 8, 0)  # Monday 08:00
    # A quiet week's digest (nothing changed, nothing needs attention): "short", a two-line
    # e-mail; "none", no e-mail (its row is skipped as "quiet" when it would be sent).
    digest_quiet: Literal["short", "none"] = "short"
    # Rows of a team file at most (the whole country is ~14,000: 2,800 JSTs, their advisers and
    # 11,000 members); a larger file is refused before it is read whole.
    import_max_rows: int = Field(default=20_000, ge=1)
    # Who is responsible for the data and how to reach them and their data protection officer,
    # as the notice shows them (e.g. "Ośrodek Rozwoju Edukacji, Aleje Ujazdowskie 28, 00-478
    # Warszawa" and an address); `run` refuses to start without them (NOTICE_SETTINGS).
    controller_name: str | None = Field(default=None, max_length=200)
    controller_contact: str | None = Field(default=None, max_length=200)
    dpo_contact: str | None = Field(default=None, max_length=200)
    # Retention (GDPR Art. 5(1)(e)), applied once a day by the tick (reminders/retention.py).
    # What people wrote (questions, answers, evidence, remarks, report texts, their files):
    # months after the cohort's end (never later than the people are anonymised); ORE goes on
    # monitoring the plans for 2 years after the project (its project card, seeds/001).
    retention_messages_months: int = Field(default=24, ge=1, le=240)
    # Outbox payloads (texts, addresses, values) of messages sent, skipped or failed: days after.
    retention_outbox_days: int = Field(default=30, ge=1, le=3650)
    # Forms left unfinished (a question's draft, a hand-in not sent): days after the last step.
    retention_drafts_days: int = Field(default=30, ge=1, le=3650)
    # Failed invitation codes typed (the limit needs 15 minutes of them): days after.
    retention_invite_attempts_days: int = Field(default=30, ge=1, le=3650)
    # People of a finished cohort anonymised this many months after its end: the archive period
    # of EU-funded projects (Regulation (EU) 2021/1060 Art. 82: 5 years from 31 December of the
    # year of the last payment to the beneficiary; the operator checks it against the grant);
    # the notice says it in words.
    retention_months_after_cohort: int = Field(default=60, ge=1, le=240)
    # Where `backup` and `restore` find pg_dump and pg_restore on PostgreSQL (Debian keeps them
    # in /usr/lib/postgresql/<version>/bin); unset: on PATH.
    pg_bin_dir: str | None = None
    # Logs (core/logging_setup.py): the lowest level written, and text or one JSON object a line.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    # Where `advisorybot run` serves /healthz, /readyz and /metrics (bot/ops_http.py): "host:port"
    # or a port alone (on 127.0.0.1); empty: not served (docs/monitoring.md).
    ops_listen: str = ""
    # Where `advisorybot run` serves the web view for advisers and coordinators (web/): as
    # OPS_LISTEN; empty: not served. WEB_URL: the address people open (behind a TLS proxy), for
    # the sign-in links e-mailed; unset: http:// and WEB_LISTEN (loopback only: a browser keeps
    # the Secure session cookie on http only for localhost).
    web_listen: str = ""
    web_url: AnyHttpUrl | None = None
    web_link_minutes: int = Field(default=15, ge=1, le=60)  # a sign-in link's life, used once
    web_idle_minutes: int = Field(default=60, ge=5, le=24 * 60)  # a session without a request
    web_session_hours: int = Field(default=12, ge=1, le=7 * 24)  # a session at most

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("token_shape")
        return value

    @field_validator("telegram_bot_username")
    @classmethod
    def _username_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.removeprefix("@")
        if not USERNAME_PATTERN.match(value):
            raise ValueError("username_shape")
        return value

    @field_validator(*NOTICE_SETTINGS)
    @classmethod
    def _text_or_unset(cls, value: str | None) -> str | None:
        """Blank is not set: the notice would name nobody."""
        if value is None:
            return None
        return " ".join(value.split()) or None

    @field_validator("database_url")
    @classmethod
    def _database_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("database_driver")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_name(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("ops_listen", "web_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        value = value.strip()
        if value and listen_address(value) is None:
            raise ValueError("ops_listen")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("timezone") from None
        return value

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_hours(cls, value: object) -> object:
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d{1,2}):00\s*-\s*(\d{1,2}):00\s*", value)
            if not match or not all(0 <= int(h) <= 23 for h in match.groups()):
                raise ValueError("quiet_hours")
            return int(match[1]), int(match[2])
        return value

    @field_validator("digest_schedule", mode="before")
    @classmethod
    def _digest_schedule(cls, value: object) -> object:
        """ "mon 08:00" or "Monday 8:00": the weekday and local time of the weekly digest."""
        if isinstance(value, str):
            match = re.fullmatch(r"\s*([a-z]+)\s+(\d{1,2}):(\d{2})\s*", value.lower())
            days = [name for name in WEEKDAYS if match and name.startswith(match[1])]
            if not match or len(match[1]) < 3 or len(days) != 1:
                raise ValueError("digest_schedule")
            hour, minute = int(match[2]), int(match[3])
            if hour > 23 or minute > 59:
                raise ValueError("digest_schedule")
            return WEEKDAYS.index(days[0]), hour, minute
        return value

    @model_validator(mode="after")
    def _password_into_url(self) -> Settings:
        if self.database_password is None:
            return self
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite":  # as storage.db.is_sqlite: SQLite has none
            password = self.database_password.get_secret_value()
            self.database_url = url.set(password=password).render_as_string(hide_password=False)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            SecretFiles(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )

    @property
    def ops_address(self) -> tuple[str, int] | None:
        """OPS_LISTEN as (host, port); None when it is off."""
        return listen_address(self.ops_listen) if self.ops_listen else None

    @property
    def web_address(self) -> tuple[str, int] | None:
        """WEB_LISTEN as (host, port); None when the web view is off."""
        return listen_address(self.web_listen) if self.web_listen else None

    @property
    def web_base(self) -> str | None:
        """The web view's address as people open it (WEB_URL, else WEB_LISTEN's), no final /."""
        if self.web_url is not None:
            return str(self.web_url).rstrip("/")
        address = self.web_address
        if address is None:
            return None
        host = f"[{address[0]}]" if ":" in address[0] else address[0]
        return f"http://{host}:{address[1]}"

    @property
    def zone(self) -> ZoneInfo:
        """The local time zone, for display and local rules only."""
        return ZoneInfo(self.timezone)

    def token(self) -> str:
        """The bot token, or a SettingsError naming the missing variable."""
        if self.telegram_bot_token is None:
            raise SettingsError("TELEGRAM_BOT_TOKEN", "missing")
        return self.telegram_bot_token.get_secret_value()

    def require(self, *names: str) -> None:
        """Stop with one SettingsError naming every one of these settings that is not set."""
        missing = [name.upper() for name in names if getattr(self, name) in (None, "")]
        if missing:
            raise SettingsError(", ".join(missing), "missing")


def listen_address(value: str) -> tuple[str, int] | None:
    """ "127.0.0.1:8081", "[::1]:8081" or "8081" (on 127.0.0.1) as (host, port); None if not."""
    match = re.fullmatch(r"(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})|(\d{1,5})", value)
    if match is None:
        return None
    host = match[1] or match[2] or "127.0.0.1"
    port = int(match[3] or match[4])
    return (host, port) if 1 <= port <= 65535 else None


class SecretFiles(PydanticBaseSettingsSource):
    """NAME_FILE in the environment: the setting NAME (one of SECRET_FILES) is that file's
    text without its final line break; NAME set as well is refused, not silently preferred."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is read in __call__

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name in SECRET_FILES:
            variable = f"{name.upper()}_FILE"
            path = os.environ.get(variable)
            if not path:
                continue
            if os.environ.get(name.upper()):
                raise SettingsError(variable, "file_and_value")
            try:
                found[name] = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
            except (OSError, UnicodeDecodeError):
                raise SettingsError(variable, "file_unreadable") from None
        return found


def load_settings(**overrides: object) -> Settings:
    """Build the settings once; turn pydantic's error into one SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "?"
        problem = (
            str(first["ctx"]["error"])
            if "ctx" in first and "error" in first["ctx"]
            else (first["type"])
        )
        raise SettingsError(variable, problem) from None
