"""The layers of docs/architecture.md: no module imports one from a layer above its own.

Layers, top first; a module belongs to the first layer one of whose prefixes it starts with.
A module may import its own layer and any layer below; `localapi` (a Bot API server of its
own, for the sandbox, the tests and the benchmarks) may import only itself and
`core`. Imports under `if TYPE_CHECKING:` count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = (
    ("bot.cli",),
    ("sandbox",),
    ("localapi", "bot.localapi"),  # the second: `python -m bot.localapi`, its old name
    ("bot",),
    ("web",),
    ("handlers",),
    ("reminders",),
    ("notices",),
    ("outbox",),
    ("digest", "forms"),
    ("core",),
    ("storage",),
)
OWN = {"localapi": ("localapi", "core")}
PACKAGES = {prefix.split(".")[0] for layer in LAYERS for prefix in layer}


def _starts(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if any(_starts(module, p) for p in layer))


def imports(path: Path) -> list[tuple[int, str]]:
    """The project modules a file imports: (line, module)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.split(".")[0] in PACKAGES]
    return found


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def violations() -> list[str]:
    found = []
    for package in sorted(PACKAGES):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = module_of(path)
            own = OWN.get(package)
            for line, target in imports(path):
                if own is not None:
                    allowed = any(_starts(target, p) for p in own)
                else:
                    allowed = layer_of(target) >= layer_of(module)
                if not allowed:
                    found.append(f"{path.relative_to(ROOT)}:{line}: {module} -> {target}")
    return found


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    assert violations() == []


def test_every_package_is_in_a_layer() -> None:
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert on_disk <= PACKAGES
