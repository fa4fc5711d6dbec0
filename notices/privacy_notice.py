"""The information notice (GDPR Art. 13 and 14): what `tg/notice.html.j2` shows besides its
sentences. The operator names the controller and its data protection officer (`run` refuses to
start without them); the wording is the reader's role's."""

from __future__ import annotations

from typing import Any

from core.settings import NOTICE_SETTINGS, Settings
from storage.models import Role

NOTICE = "notice"


def notice_values(settings: Settings, role: Role, *, confirm: bool) -> dict[str, Any]:
    """The notice's values for a reader of `role`; `confirm`: on joining, above its button
    (again later, as /moje_dane's Art. 15 information, without)."""
    settings.require(*NOTICE_SETTINGS)
    return {
        "role": role.value,
        "controller_name": settings.controller_name,
        "controller_contact": settings.controller_contact,
        "dpo_contact": settings.dpo_contact,
        "retention_months": settings.retention_months_after_cohort,
        "confirm": confirm,
    }
