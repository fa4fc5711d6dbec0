"""Signed buttons: data that names a record carries a signature bound to its recipient.

The key is the installation's (storage/app_keys.py), read once per process. A signature is 66
bits of an HMAC-SHA256 of the recipient's person id and the data: guessing one is hopeless, and
the data still fits Telegram's 64 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Button
from core.services import Services
from storage.app_keys import app_key

KEY_NAME = "buttons"
SIGNATURE_LENGTH = 11


async def button_key(session: AsyncSession, services: Services) -> bytes:
    """The key, read (or made) in the caller's transaction the first time."""
    key = services.keys.get(KEY_NAME)
    if key is None:
        key = services.keys[KEY_NAME] = await app_key(session, KEY_NAME)
    return key


async def cached_button_key(services: Services) -> bytes:
    """The key, read (or made) in a transaction of its own the first time."""
    key = services.keys.get(KEY_NAME)
    if key is None:
        async with services.sessionmaker.begin() as session:
            key = await button_key(session, services)
    return key


async def button_data(
    session: AsyncSession, services: Services, button: Button, body: str, *, person_id: int
) -> str:
    """The callback data of `button` with `body`, for the person it is sent to."""
    data = f"{button.prefix}:{body}"
    if not button.signed:
        return data
    return f"{data}:{_signature(await button_key(session, services), person_id, data)}"


def verified(key: bytes, person_id: int, data: str) -> str | None:
    """Signed data without its signature if it was made for this person; else None."""
    unsigned, _, signature = data.rpartition(":")
    if unsigned and hmac.compare_digest(signature, _signature(key, person_id, unsigned)):
        return unsigned
    return None


def _signature(key: bytes, person_id: int, data: str) -> str:
    digest = hmac.new(key, f"{person_id}:{data}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_LENGTH]
