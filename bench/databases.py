"""Databases for the benchmarks: each benchmark gets its own, under one temporary directory.

A generated programme is built once per (engine, scale, moment) and copied for each benchmark
that wants it: a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL (the
throwaway server of tests/support/postgres.py, when PostgreSQL is installed).
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import asyncpg
from sqlalchemy.engine import make_url

from bench.generate import Generated, Scale, generate
from bench.results import Goal, Result
from core.clock import FixedClock
from core.services import Services
from core.settings import load_settings
from storage.migrate import upgrade
from tests.support import postgres

SQLITE, POSTGRESQL = "sqlite", "postgresql"


def services_for(url: str, now: dt.datetime | None = None) -> Services:
    """Services as the bot builds them, on `url`, with a fixed clock at `now` if given."""
    settings = load_settings(database_url=url, _env_file=None)
    return Services.build(settings, FixedClock(now) if now else None)


@dataclass
class Seeded:
    """A generated database to copy from."""

    url: str
    generated: Generated


@dataclass
class Databases:
    """Fresh databases on request; `postgresql` is None when the server is not installed."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="advisorybot-bench-")))
    use_postgresql: bool = True
    server: postgres.ThrowawayPostgres | None = None
    _seeded: dict[tuple[str, str, dt.date, dt.datetime], Seeded] = field(default_factory=dict)
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __enter__(self) -> Databases:
        if self.use_postgresql:
            self.server = postgres.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.server is not None:
            self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def kinds(self) -> tuple[str, ...]:
        return (SQLITE, POSTGRESQL) if self.server is not None else (SQLITE,)

    async def empty(self, kind: str) -> str:
        """A new, migrated, empty database of this kind."""
        url = await self._new(kind, None)
        services = services_for(url)
        try:
            await upgrade(services.engine)
        finally:
            await services.close()
        return url

    async def seeded(
        self, kind: str, scale: Scale, *, start: dt.date, now: dt.datetime
    ) -> tuple[str, Generated]:
        """A new database holding the generated programme (built on first use, then copied)."""
        key = (kind, scale.name, start, now)
        if key not in self._seeded:
            url = await self.empty(kind)
            services = services_for(url)
            try:
                async with services.sessionmaker.begin() as session:
                    generated = await generate(session, scale, start=start, now=now)
            finally:
                await services.close()
            self._seeded[key] = Seeded(url, generated)
        seeded = self._seeded[key]
        return await self._new(kind, seeded.url), seeded.generated

    async def copy(self, kind: str, url: str) -> str:
        """A new database holding what the database at `url` holds (closed by its users)."""
        return await self._new(kind, url)

    async def _new(self, kind: str, template: str | None) -> str:
        name = f"bench{next(self._names)}"
        if kind == SQLITE:
            path = self.root / f"{name}.db"
            if template is not None:
                shutil.copyfile(str(make_url(template).database), path)
            return f"sqlite+aiosqlite:///{path}"
        assert self.server is not None, "PostgreSQL is not installed"
        copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
        connection = await asyncpg.connect(
            host="127.0.0.1", port=self.server.port, user="postgres", database="postgres"
        )
        try:
            await connection.execute(f'CREATE DATABASE "{name}"{copy}')
        finally:
            await connection.close()
        return self.server.url(name)


# A measure at one scale on one database: (seconds, size in bytes of what it made).
Measure = Callable[["Databases", str, Scale], Awaitable[tuple[float, int]]]


async def by_scale(
    databases: Databases,
    scales: list[Scale],
    baseline: Scale,
    measure: Measure,
    *,
    name: str,
    size: str,
    goals: dict[str, Goal],
) -> list[Result]:
    """`measure` at each scale on each database, against the baseline scale measured in the
    same run: results named `name` formatted with the scale's JSTs (`{jsts}`), then the
    database; `size`: the details' key of the bytes it made."""
    results = []
    for kind in databases.kinds:
        base, _ = await measure(databases, kind, baseline)
        for scale in scales:
            seconds, made = await measure(databases, kind, scale)
            results.append(
                Result(
                    f"{name.format(jsts=scale.jsts)}.{kind}",
                    seconds,
                    "s",
                    base,
                    name.format(jsts=baseline.jsts).replace(".", "_"),
                    goals.get(scale.name),
                    details={size: made},
                )
            )
    return results
