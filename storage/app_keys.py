"""Secrets made once per installation and shared by every process through the database."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import skipping_insert
from storage.models import AppKey

KEY_BYTES = 32


async def app_key(session: AsyncSession, name: str) -> bytes:
    """The installation's key of this name, made on first use (two processes making it at
    once keep the first)."""
    found = await session.scalar(select(AppKey.value).where(AppKey.name == name))
    if found is None:
        await session.execute(
            skipping_insert(session.get_bind().dialect.name, AppKey)
            .values(name=name, value=secrets.token_hex(KEY_BYTES))
            .on_conflict_do_nothing(index_elements=[AppKey.name])
        )
        found = await session.scalar(select(AppKey.value).where(AppKey.name == name))
        assert found is not None
    return bytes.fromhex(found)
