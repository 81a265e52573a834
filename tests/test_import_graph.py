"""The house's import rules, read from the sources of every package: no import circle,
`coinstream_common` imports no service, no service imports another, and in the API the
routes import the services, never the other way round.

Every import counts, also one under `if TYPE_CHECKING:` or inside a function: a circle
that only the type checker follows is still a circle a reader has to untangle.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {
    "coinstream_common": ROOT / "common" / "src",
    "producer": ROOT / "producer" / "src",
    "consumer": ROOT / "consumer" / "src",
    "api": ROOT / "api" / "src",
    "dashboard": ROOT / "dashboard" / "src",
    "alerter": ROOT / "alerter" / "src",
    "devstack": ROOT / "tools" / "devstack" / "src",
}
SERVICES = ("producer", "consumer", "api", "dashboard", "alerter")
Graph = dict[str, set[str]]


def module_files(sources: dict[str, Path]) -> dict[str, Path]:
    """Dotted module name: its file, for every module of the packages."""
    modules = {}
    for package, src in sources.items():
        for path in sorted((src / package).rglob("*.py")):
            parts = path.relative_to(src).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imported_names(module: str, path: Path) -> set[str]:
    """Every dotted name an import statement of the file names, relative ones resolved."""
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from ..x import y`: x counted from the package, level-1 up
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) + 1 - node.level])
                base = f"{anchor}.{base}" if base else anchor
            names |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return names


def import_graph(sources: dict[str, Path]) -> Graph:
    """Module: the modules of ours it imports."""
    modules = module_files(sources)
    graph: Graph = {}
    for module, path in modules.items():
        graph[module] = set()
        for name in imported_names(module, path):
            target = name
            while target and target not in modules:  # `from a import function`: a
                target = target.rpartition(".")[0]
            if target and target != module:
                graph[module].add(target)
    return graph


def find_circle(graph: Graph) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        circle: list[str] = error.args[1]
        return circle
    return None


def imports_between(graph: Graph, importer: str, imported: str) -> list[str]:
    def within(module: str, package: str) -> bool:
        return module == package or module.startswith(f"{package}.")

    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if within(module, importer)
        for target in targets
        if within(target, imported)
    )


def test_no_package_has_an_import_circle() -> None:
    graph = import_graph(SOURCES)
    assert {module.split(".")[0] for module in graph} == set(SOURCES), "a package moved"
    circle = find_circle(graph)
    assert circle is None, "import circle: " + " -> ".join(reversed(circle or []))


def test_common_imports_no_service_and_no_service_another() -> None:
    graph = import_graph(SOURCES)
    for importer in ("coinstream_common", *SERVICES):
        for imported in (*SERVICES, "devstack"):
            if imported != importer:
                assert not imports_between(graph, importer, imported)
    assert not imports_between(graph, "dashboard", "coinstream_common"), "HTTP only"


def test_api_routes_are_imported_only_by_the_app() -> None:
    graph = import_graph(SOURCES)
    importers = {line.split(" -> ")[0] for line in imports_between(graph, "api", "api.routes")}
    assert {m for m in importers if not m.startswith("api.routes")} == {"api.main"}


def test_a_circle_is_found_also_through_a_type_checking_import(tmp_path: Path) -> None:
    package = tmp_path / "house"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "routes.py").write_text("from house.services import answer\n")
    (package / "services.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import routes\n"
    )
    graph = import_graph({"house": tmp_path})
    assert graph["house.services"] == {"house", "house.routes"}
    circle = find_circle(graph)
    assert circle is not None
    assert set(circle) == {"house.routes", "house.services"}


# What the API may build on of its server and framework: their public names. A private
# module (a segment with a leading underscore) or uvicorn's protocol implementations can
# change in any release, and code that subclasses them goes around the framework.
FRAMEWORKS = ("uvicorn", "starlette", "fastapi")


def private_framework_imports(sources: dict[str, Path]) -> list[str]:
    """`module -> name` for each import of a private part of the frameworks."""

    def private(name: str) -> bool:
        parts = name.split(".")
        return parts[0] in FRAMEWORKS and (
            any(part.startswith("_") for part in parts) or parts[:2] == ["uvicorn", "protocols"]
        )

    return sorted(
        f"{module} -> {name}"
        for module, path in module_files(sources).items()
        for name in imported_names(module, path)
        if private(name)
    )


def test_the_api_imports_nothing_private_of_uvicorn_starlette_or_fastapi() -> None:
    assert private_framework_imports({"api": SOURCES["api"]}) == []


def test_private_framework_imports_are_found(tmp_path: Path) -> None:
    package = tmp_path / "house"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "server.py").write_text(
        "import uvicorn\n"
        "from fastapi import FastAPI\n"
        "from starlette.middleware.cors import CORSMiddleware\n"
        "from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol\n"
        "from starlette._utils import is_async_callable\n"
        "from starlette.routing import _wrap_gen_lifespan_context\n"
    )
    assert private_framework_imports({"house": tmp_path}) == [
        "house.server -> starlette._utils",
        "house.server -> starlette._utils.is_async_callable",
        "house.server -> starlette.routing._wrap_gen_lifespan_context",
        "house.server -> uvicorn.protocols.http.httptools_impl",
        "house.server -> uvicorn.protocols.http.httptools_impl.HttpToolsProtocol",
    ]
