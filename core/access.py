"""Who may use what, in one place: the commands of each role (their Polish names and English
aliases), the inline buttons of each role, and the web view's pages and actions. The gate
(handlers/gate.py) and the web view (web/visit.py) refuse anything else before a handler runs;
both read the caller by the same query (storage.people) and handlers then check the scope
(which JST, which record: `Caller.jst_ids`) in storage, on every use."""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import Role

EVERYONE = frozenset(Role)
MEMBERS = frozenset({Role.MEMBER})
ADVISERS = frozenset({Role.ADVISER})
OVERSEERS = frozenset({Role.ADVISER, Role.COORDINATOR})  # /jst: each sees the JSTs in their scope
EXPERTS = frozenset({Role.EXPERT})  # ORE's experts: the materials' review, no JST at all
COORDINATORS = frozenset({Role.COORDINATOR})


@dataclass(frozen=True)
class Command:
    """A command: its Polish name first, then English aliases; who may use it."""

    key: str
    names: tuple[str, ...]
    roles: frozenset[Role]

    def shown_name(self, language: str) -> str:
        return self.names[-1] if language == "en" else self.names[0]


COMMANDS = (
    Command("status", ("status",), MEMBERS),
    Command("tasks", ("zadania", "tasks"), MEMBERS),
    Command("ask", ("pytanie", "ask"), MEMBERS),
    Command("report", ("raport", "report"), MEMBERS),
    Command("submit", ("zadanie", "submit"), MEMBERS),
    Command("resolution", ("uchwala", "resolution"), MEMBERS),
    Command("rounds", ("zjazdy", "rounds"), MEMBERS),
    Command("self_assessment", ("samoocena", "self_assessment"), MEMBERS),
    Command("jst", ("jst",), OVERSEERS),
    Command("attendance", ("obecnosc", "attendance"), OVERSEERS),
    Command("open", ("otwarte", "open"), ADVISERS),
    Command("to_review", ("do_oceny", "to_review"), ADVISERS),
    Command("answer", ("odpowiedz", "answer"), ADVISERS),
    Command("close", ("zamknij", "close"), ADVISERS),
    Command("files", ("pliki", "files"), frozenset({Role.MEMBER, Role.ADVISER})),
    Command("substitute", ("zastepstwo", "substitute"), ADVISERS),
    Command("extend", ("przedluz", "extend"), ADVISERS),
    Command("digest", ("podsumowanie", "digest"), ADVISERS),
    Command("panel", ("panel", "web"), OVERSEERS),  # a sign-in link to the web view (web/)
    # the materials' review loop: a coordinator hands them in, an expert reviews them
    Command("materials", ("materialy", "material", "materials"), EXPERTS | {Role.COORDINATOR}),
    Command("help", ("pomoc", "help"), EVERYONE),
    Command("language", ("jezyk", "language"), EVERYONE),
    Command("my_data", ("moje_dane", "my_data"), EVERYONE),
    Command("erase", ("usun_dane", "delete_my_data"), EVERYONE),
)


@dataclass(frozen=True)
class Button:
    """An inline button: its callback data is `<prefix>:<body>`; who may press it.

    A signed button names a record (an answer, a task under review, a question): its data
    ends with a signature bound to the person it was sent to (notices/buttons.py), so a record
    id typed by hand, a button of someone else's, or one from before a key change is refused
    as stale.
    """

    key: str
    prefix: str
    roles: frozenset[Role]
    signed: bool = False

    def pattern(self, body: str) -> str:
        """The regular expression of this button's data, whose body matches `body`."""
        signature = r":[A-Za-z0-9_-]+" if self.signed else ""
        return rf"^{self.prefix}:{body}{signature}$"


BUTTONS = (
    Button("notice", "notice", EVERYONE),  # the information notice: before joining too
    Button("language", "lang", EVERYONE),
    Button("erase", "erase", EVERYONE),  # Yes / No to an erasure request
    Button("erase_cancel", "erase_cancel", EVERYONE, signed=True),  # withdraw one's request
    Button("form", "f", EVERYONE),  # a form's choice; the form's random token is checked
    Button("digest", "wd", ADVISERS),
    Button("attendance", "att", OVERSEERS, signed=True),  # a round, or a member's presence
    Button("review", "tk", ADVISERS, signed=True),
    Button("share", "qteam", ADVISERS, signed=True),
    Button("waiting", "wait", ADVISERS, signed=True),  # open a /do_oceny item again
    # a question's or a submission's files sent again
    Button("files", "fl", frozenset({Role.MEMBER, Role.ADVISER}), signed=True),
    Button("rounds_file", "ics", MEMBERS),  # the training rounds as a calendar file
    Button("material_review", "mr", EXPERTS, signed=True),  # accept / return a material
)


def button(key: str) -> Button:
    return next(b for b in BUTTONS if b.key == key)


def pressed_button(data: str) -> Button | None:
    """The button this callback data claims to come from (None: not one of ours)."""
    prefix = data.split(":", 1)[0]
    return next((b for b in BUTTONS if b.prefix == prefix), None)


KNOWN_NAMES = frozenset({"start"} | {name for c in COMMANDS for name in c.names})


def command(key: str) -> Command:
    return next(c for c in COMMANDS if c.key == key)


def commands_for(role: Role) -> tuple[Command, ...]:
    return tuple(c for c in COMMANDS if role in c.roles)


@dataclass(frozen=True)
class Page:
    """A page or an action of the web view (web/) and who may use it; a page about a JST is
    shown only to those who see the JST (`Caller.jst_ids`), as on Telegram."""

    key: str
    roles: frozenset[Role]


PAGES = (
    Page("overview", OVERSEERS),  # the JST x step matrix, filtered
    Page("jst", OVERSEERS),  # a JST's page
    Page("file", OVERSEERS),  # a file of a JST's evidence or questions
    Page("questions", ADVISERS),  # open questions, their threads, answering
    Page("review", ADVISERS),  # the review queue
    Page("extend", OVERSEERS),  # a JST's task deadline moved
    Page("attendance", OVERSEERS),  # who attended a training round
    Page("import", COORDINATORS),  # a team file, dry run first
    Page("invitations", COORDINATORS),  # invite codes reissued and sent
    Page("outbox", COORDINATORS),  # failed messages, sent again
    Page("erasure", COORDINATORS),  # erasure requests, with their confirmation
    Page("exports", COORDINATORS),  # XLSX and CSV
    Page("language", OVERSEERS),  # the language of the pages, and of what the bot sends them
)


def page(key: str) -> Page:
    return next(p for p in PAGES if p.key == key)
