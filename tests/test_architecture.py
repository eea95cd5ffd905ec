"""The house rules, read from the source with ``ast`` (nothing is imported):

* no module imports a module of a higher layer (data flows one way);
* nothing outside ``nokkeltall/ui/`` (and app.py, pages/) imports Streamlit;
* no import cycles among nokkeltall's modules.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "nokkeltall"

# The layers, lowest first (see HELPERS/README: text/config/indicators/provenance → queries/db → charts →
# compare/profile/projection/plan → report → ui → pages). A module may import its own layer and the ones
# below, never one above. Where the tree differs from that sketch:
# - provenance reads the sources of indicators through queries, so it sits with queries/db;
# - sources/, ssb/ and snapshot.py bring data in and sit with db (db builds from the snapshot);
# - store/ (the user's own entries) validates plan status with plan/, so it sits with plan;
# - applications/ (import, checks, talking points, county matrix) sits with plan and store;
# - cli.py is an entry point like the pages: it may use everything and nothing imports it.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "foundation",
        {
            "nokkeltall",
            "text",
            "config",
            "indicators",
            "datasets",
            "jsonstat",
            "derived",
            "log",
            "memory",
            "cleaning",
            "durable",
            "spreadsheet",
            "tables",
        },
    ),
    ("data", {"sources", "ssb", "snapshot", "db", "queries", "provenance", "harmonise", "checks"}),
    ("charts", {"charts"}),
    ("capabilities", {"compare", "profile", "projection", "plan", "store", "applications"}),
    ("report", {"report"}),
    ("ui", {"ui"}),
    ("entry", {"cli", "__main__", "app", "pages"}),
]
LAYER_OF = {unit: index for index, (_, units) in enumerate(LAYERS) for unit in units}
STREAMLIT_ALLOWED = {"ui", "app", "pages"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _unit(module: str) -> str:
    """The layer unit of a module: ``nokkeltall.charts.maps`` → ``charts``; ``pages.kommune`` → ``pages``."""
    parts = module.split(".")
    if parts[0] == "nokkeltall":
        return parts[1] if len(parts) > 1 else "nokkeltall"
    return parts[0]


def _source_files() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), ROOT / "app.py", *(ROOT / "pages").glob("*.py")])


def _imports(path: Path, *, top_level_only: bool = False, modules: set[str] = frozenset()) -> set[str]:
    """Absolute names of what ``path`` imports: ``from a.b import c`` gives ``a.b.c`` when that is one of
    ``modules``, else ``a.b`` (c is a name defined in a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
    return names


def _known_modules() -> dict[str, Path]:
    return {_module_name(path): path for path in _source_files()}


def _internal_imports(path: Path, known: dict[str, Path], *, top_level_only: bool = False) -> set[str]:
    names = _imports(path, top_level_only=top_level_only, modules=set(known))
    return {name for name in names if name in known} - {_module_name(path)}


def test_every_module_has_a_layer():
    units = {_unit(name) for name in _known_modules()}
    assert units - set(LAYER_OF) == set(), "add the new module or package to LAYERS in this test"


def test_no_module_imports_a_higher_layer():
    known = _known_modules()
    upward = []
    for name, path in known.items():
        mine = LAYER_OF[_unit(name)]
        for imported in sorted(_internal_imports(path, known)):
            theirs = LAYER_OF[_unit(imported)]
            if theirs > mine:
                upward.append(f"{name} ({LAYERS[mine][0]}) imports {imported} ({LAYERS[theirs][0]})")
    assert upward == []


def test_streamlit_only_in_ui_app_and_pages():
    offenders = [
        _module_name(path)
        for path in _source_files()
        if _unit(_module_name(path)) not in STREAMLIT_ALLOWED
        and any(name.split(".")[0] == "streamlit" for name in _imports(path))
    ]
    assert offenders == []


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    return seen


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others."""
    reach = {node: _reachable(graph, node) for node in graph}
    groups = {
        tuple(sorted(m for m in reach[node] if node in reach[m])) for node in graph if node in reach[node]
    }
    return sorted(list(group) for group in groups)


def test_no_import_cycles():
    """Module-level imports only: an import inside a function is the deliberate way to load lazily."""
    known = _known_modules()
    graph = {name: _internal_imports(path, known, top_level_only=True) for name, path in known.items()}
    assert _cycles(graph) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert _cycles(graph) == expected


def test_the_import_reader_resolves_relative_and_from_imports(tmp_path, monkeypatch):
    package = tmp_path / "nokkeltall" / "charts"
    package.mkdir(parents=True)
    module = package / "maps.py"
    module.write_text(
        "from . import style\nfrom ..queries import x\nimport streamlit as st\n"
        "def f():\n    from nokkeltall import ui\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    modules = {"nokkeltall.charts.style", "nokkeltall.queries", "nokkeltall.ui"}
    assert _imports(module, modules=modules) == {*modules, "streamlit"}
    assert _imports(module, top_level_only=True, modules=modules) == {
        *modules - {"nokkeltall.ui"},
        "streamlit",
    }
