"""The audit log: one call per change, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    now: dt.datetime,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    **details: Any,
) -> None:
    """Add an audit entry; `details` must be JSON-serialisable and hold no secrets."""
    session.add(
        AuditEntry(
            at=now, actor=actor, action=action, entity=entity, entity_id=entity_id, details=details
        )
    )
