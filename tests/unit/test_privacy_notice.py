"""The information notice (GDPR Art. 13 and 14, issue 20): for each role in both languages,
every element the law asks for is there, each checked on its own, in the role's own wording."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from core.settings import Settings, SettingsError, load_settings
from core.templates import Templates
from notices.message import split_text
from notices.privacy_notice import NOTICE, notice_values
from storage.models import Role
from tests.support.template_samples import ZONE

TEMPLATES = Templates(ZONE)
OPERATOR = {
    "controller_name": "Ośrodek Rozwoju Edukacji w Warszawie",
    "controller_contact": "Aleje Ujazdowskie 28, 00-478 Warszawa, sekretariat@ore.example.pl",
    "dpo_contact": "iod@ore.example.pl",
}
LANGUAGES = ("pl", "en")
ROLES = tuple(Role)

# Each element of Art. 13/14 and what shows it, per language (every phrase must be there).
ELEMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "controller's name": {
        "pl": (OPERATOR["controller_name"],),
        "en": (OPERATOR["controller_name"],),
    },
    "controller's contact": {
        "pl": ("Administrator:", OPERATOR["controller_contact"]),
        "en": ("Controller:", OPERATOR["controller_contact"]),
    },
    "DPO's contact": {
        "pl": ("Inspektor ochrony danych:</b> " + OPERATOR["dpo_contact"],),
        "en": ("Data protection officer:</b> " + OPERATOR["dpo_contact"],),
    },
    "purpose": {"pl": ("<b>Cel:</b>", "monitorowanie projektu"), "en": ("<b>Purpose:</b>",)},
    "legal basis (e)": {"pl": ("art. 6 ust. 1 lit. e RODO",), "en": ("GDPR Art. 6(1)(e)",)},
    "legal basis (c)": {"pl": ("art. 6 ust. 1 lit. c RODO",), "en": ("GDPR Art. 6(1)(c)",)},
    "not consent": {"pl": ("Podstawą nie jest zgoda",), "en": ("The basis is not consent",)},
    "categories of data": {
        "pl": ("imię i nazwisko, adres e-mail", "płeć", "identyfikator konta Telegram"),
        "en": ("your name, e-mail address", "gender", "Telegram account id"),
    },
    "recipients: Telegram": {
        "pl": ("<b>Kto otrzymuje dane:</b>", "operator komunikatora Telegram"),
        "en": ("<b>Who receives the data:</b>", "the operator of the Telegram messenger"),
    },
    "recipients: the mail provider": {
        "pl": ("dostawca poczty e-mail",),
        "en": ("the e-mail provider",),
    },
    "recipients: the coordinators or teams": {
        "pl": ("koordynator",),
        "en": ("coordinator",),
    },
    "transfer outside the EEA": {
        "pl": ("<b>Przekazanie poza EOG:</b>", "spoza Europejskiego Obszaru Gospodarczego"),
        "en": ("<b>Transfers outside the EEA:</b>", "outside the European Economic Area"),
    },
    "voluntary, and without Telegram": {
        "pl": ("Korzystanie z bota jest dobrowolne", "e-mailem"),
        "en": ("Using the bot is voluntary", "by e-mail"),
    },
    "retention": {
        "pl": ("<b>Jak długo:</b>", "przez 5 lat od", "usuwane lub anonimizowane"),
        "en": ("<b>How long:</b>", "for 5 years after", "deleted or anonymised"),
    },
    "right of access": {
        "pl": ("dostęp do danych", "/moje_dane"),
        "en": ("access to your data", "/my_data"),
    },
    "right to rectification": {"pl": ("sprostowanie",), "en": ("rectification",)},
    "right to erasure": {"pl": ("usunięcie (/usun_dane)",), "en": ("erasure (/delete_my_data)",)},
    "right to restriction": {
        "pl": ("ograniczenie przetwarzania",),
        "en": ("restriction of processing",),
    },
    "right to object": {
        "pl": ("sprzeciw wobec przetwarzania",),
        "en": ("objection to processing",),
    },
    "portability does not apply": {
        "pl": ("Prawo do przenoszenia danych nie przysługuje",),
        "en": ("The right to data portability does not apply",),
    },
    "complaint to PUODO": {
        "pl": (
            "skargę do Prezesa Urzędu Ochrony Danych Osobowych (PUODO)",
            "ul. Stawki 2, 00-193 Warszawa",
            "uodo.gov.pl",
        ),
        "en": (
            "a complaint with the President of the Personal Data Protection Office (PUODO)",
            "ul. Stawki 2, 00-193 Warszawa",
            "uodo.gov.pl",
        ),
    },
    "no automated decisions": {
        "pl": ("nie podejmuje wobec Ciebie decyzji i nie profiluje",),
        "en": ("takes no decisions about you and does no profiling",),
    },
}
# Where the data came from (Art. 14(2)(f)), and whom they go to, in each role's own wording.
SOURCE: dict[tuple[str, Role], tuple[str, ...]] = {
    ("pl", Role.MEMBER): ("przekazała Twoja JST", "Od Ciebie pochodzą"),
    ("pl", Role.ADVISER): ("z dokumentacji projektu", "Twoja umowa", "Od Ciebie pochodzą"),
    ("pl", Role.COORDINATOR): ("z dokumentacji projektu", "Od Ciebie pochodzą"),
    ("pl", Role.EXPERT): ("zgłoszenie ekspertów przez ORE", "Od Ciebie pochodzą"),
    ("en", Role.MEMBER): ("were given by your JST", "From you come"),
    ("en", Role.ADVISER): ("project documentation", "your contract", "From you come"),
    ("en", Role.COORDINATOR): ("project documentation", "From you come"),
    ("en", Role.EXPERT): ("the experts entered by ORE", "From you come"),
}
OWN_WORDING: dict[tuple[str, Role], tuple[str, ...]] = {
    ("pl", Role.MEMBER): ("członkowie Twojego zespołu JST", "udziału Twojej JST"),
    ("pl", Role.ADVISER): ("zespołów JST, które wspierasz", "osoba, która Cię zastępuje"),
    ("pl", Role.COORDINATOR): ("pozostali koordynatorzy", "jako kontakt"),
    ("pl", Role.EXPERT): ("którzy przekazują materiały", "pozostali eksperci"),
    ("en", Role.MEMBER): ("the members of your JST team", "while your JST takes part"),
    ("en", Role.ADVISER): ("the JST teams you support", "whoever stands in for you"),
    ("en", Role.COORDINATOR): ("the other coordinators", "as the contact"),
    ("en", Role.EXPERT): ("who hand in the materials", "the other experts"),
}
MEMBERS_ONLY = {"pl": ("Twojego zespołu", "Twojej JST"), "en": ("your JST team", "your JST")}


def _settings(**changed: object) -> Settings:
    return load_settings(_env_file=None, **(OPERATOR | changed))


def _notice(
    lang: str, role: Role, *, confirm: bool = True, changed: Mapping[str, object] | None = None
) -> str:
    values = notice_values(_settings(**(changed or {})), role, confirm=confirm)
    return TEMPLATES.render(lang, f"tg/{NOTICE}.html.j2", **values)


@pytest.mark.parametrize("element", ELEMENTS)
@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_element_is_in_every_notice(lang: str, role: Role, element: str) -> None:
    text = _notice(lang, role)
    missing = [phrase for phrase in ELEMENTS[element][lang] if phrase not in text]
    assert missing == [], f"{element}: {missing}"


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_source_and_the_wording_are_the_roles_own(lang: str, role: Role) -> None:
    text = _notice(lang, role)
    assert [phrase for phrase in SOURCE[lang, role] if phrase not in text] == []
    assert [phrase for phrase in OWN_WORDING[lang, role] if phrase not in text] == []
    others = [p for (at, who), ps in OWN_WORDING.items() if who != role and at == lang for p in ps]
    assert [phrase for phrase in others if phrase in text] == []
    if role is not Role.MEMBER:
        assert [phrase for phrase in MEMBERS_ONLY[lang] if phrase in text] == []


@pytest.mark.parametrize(
    ("months", "pl", "en"),
    [
        (60, "przez 5 lat od", "for 5 years after"),
        (12, "przez 1 rok od", "for 1 year after"),
        (24, "przez 2 lata od", "for 2 years after"),
        (18, "przez 18 miesięcy od", "for 18 months after"),
    ],
)
def test_the_retention_period_is_said_in_words(months: int, pl: str, en: str) -> None:
    assert pl in _notice("pl", Role.MEMBER, changed={"retention_months_after_cohort": months})
    assert en in _notice("en", Role.MEMBER, changed={"retention_months_after_cohort": months})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_button_is_asked_for_only_on_joining(lang: str) -> None:
    asked = {"pl": "Potwierdź przyciskiem", "en": "confirm with the button"}[lang]
    assert asked in _notice(lang, Role.ADVISER, confirm=True)
    assert asked not in _notice(lang, Role.ADVISER, confirm=False)


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_notice_is_one_message_with_the_longest_settings(lang: str, role: Role) -> None:
    """Its button is on the message that says it all (split, it would be on the last part)."""
    longest = {name: "x" * 200 for name in OPERATOR}
    assert len(split_text(_notice(lang, role, changed=longest))) == 1


def test_no_notice_without_the_controller_and_the_dpo() -> None:
    with pytest.raises(SettingsError) as raised:
        notice_values(load_settings(_env_file=None), Role.MEMBER, confirm=True)
    assert raised.value.variable == "CONTROLLER_NAME, CONTROLLER_CONTACT, DPO_CONTACT"
    blank = load_settings(_env_file=None, **(OPERATOR | {"dpo_contact": "  "}))
    with pytest.raises(SettingsError) as raised:
        notice_values(blank, Role.MEMBER, confirm=True)
    assert raised.value.variable == "DPO_CONTACT"
