"""The typed services container, built once from settings and handed to everything."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import Clock, SystemClock
from core.settings import Settings
from core.templates import Templates
from storage.db import create_engine, create_sessionmaker

if TYPE_CHECKING:
    from storage.people import CallerReads
    from storage.team import TeamViews


class DatabaseUnreachable(Exception):
    """No connection to the database could be opened: server down, wrong address, no file."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def reachable(engine: AsyncEngine) -> None:
    """Open one connection before any work, so that a database that is down is told as
    DatabaseUnreachable rather than by whatever query happens to run first."""
    try:
        async with engine.connect():
            pass
    except (OSError, SQLAlchemyError) as error:
        cause = error.orig if isinstance(error, DBAPIError) else error
        raise DatabaseUnreachable(str(cause) or type(cause).__name__) from None


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    reader: async_sessionmaker[AsyncSession]  # sessions that only read (storage.db)
    templates: Templates
    clock: Clock = field(default_factory=SystemClock)
    keys: dict[str, bytes] = field(default_factory=dict)  # installation keys, read once
    _views: TeamViews | None = field(default=None, init=False, repr=False)
    _callers: CallerReads | None = field(default=None, init=False, repr=False)

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> Services:
        engine = create_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            reader=create_sessionmaker(engine, read_only=True),
            templates=Templates(settings.zone, controller=settings.controller_name),
            clock=clock or SystemClock(),
        )

    @property
    def views(self) -> TeamViews:
        """The team views this process built on this database, reused while their data stand
        (storage.team); made when first asked for (most commands never show a team)."""
        if self._views is None:
            from storage.team import TeamViews  # noqa: PLC0415 - the bot's only

            self._views = TeamViews()
        return self._views

    @property
    def callers(self) -> CallerReads:
        """Who is calling, read on a connection kept for it (storage.people); opened at the
        first read."""
        if self._callers is None:
            from storage.people import CallerReads  # noqa: PLC0415 - the bot's and the web's

            self._callers = CallerReads(self.engine)
        return self._callers

    async def reachable(self) -> None:
        await reachable(self.engine)

    async def close(self) -> None:
        if self._callers is not None:
            await self._callers.close()
        await self.engine.dispose()
