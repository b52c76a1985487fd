"""Imports run one way, down the rooms: a module imports only rooms below its own.

    cli → gateway → server → pipeline → live → execution → schema → resolvers → security
    → datasources → telemetry

``demo/`` stands beside ``schema/``: it may use ``resolvers/`` and ``security/`` (so it
reuses their rules), and only ``cli/`` and ``gateway.py`` use it. ``errors``, ``settings``,
``i18n`` and ``web`` are leaves anyone may import; they import no room. Imports under
``if TYPE_CHECKING:`` are names for the type checker, not dependencies, and are skipped.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = (
    "cli",
    "gateway",
    "server",
    "pipeline",
    "live",
    "execution",
    "schema",
    "resolvers",
    "security",
    "datasources",
    "telemetry",
)
LEAVES = frozenset({"errors", "settings", "i18n", "web"})
# Which rooms each room may import (besides itself and the leaves).
ALLOWED: dict[str, frozenset[str]] = {
    room: frozenset(ORDER[index + 1 :]) for index, room in enumerate(ORDER)
}
ALLOWED["cli"] |= {"demo"}
ALLOWED["gateway"] |= {"demo"}
ALLOWED["demo"] = frozenset({"resolvers", "security", "datasources", "telemetry"})
ALLOWED.update({leaf: frozenset() for leaf in LEAVES})
ROOMS = frozenset(ALLOWED)


def room_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def product_modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] in {*ROOMS, *(f"{r}.py" for r in ROOMS)}
    )


def _under_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_rooms(path: Path) -> list[tuple[int, str]]:
    """(line, room) of every import of a room in ``path``, outside ``if TYPE_CHECKING``."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _under_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    return [(line, room) for line, room in found if room in ROOMS]


def test_every_room_is_known() -> None:
    assert {room_of(path) for path in product_modules()} == ROOMS


@pytest.mark.parametrize(
    "path", product_modules(), ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_imports_run_down_the_rooms(path: Path) -> None:
    room = room_of(path)
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for line, target in imported_rooms(path)
        if target != room and target not in ALLOWED[room] and target not in LEAVES
    ]
    assert upward == [], "imports that run up (hand the code a typed object instead)"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "from server.graphql_view import GatewayGraphQL\n"
        "import datasources\n"
        "if TYPE_CHECKING:\n"
        "    from live import notifier\n"
        "def later():\n"
        "    from cli import main\n"
    )
    assert imported_rooms(module) == [(1, "server"), (2, "datasources"), (6, "cli")]
