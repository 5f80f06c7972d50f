"""The rooms of the package and which way their imports run: no cycle, nothing below importing above."""

from __future__ import annotations

import ast
from pathlib import Path

import ftxl

PACKAGE = Path(ftxl.__file__).parent
CORE = {"ftxl", "ftxl.errors", "ftxl.checks", "ftxl.model", "ftxl.labels", "ftxl.use_case", "ftxl.analysis"}
CORE |= {"ftxl.cell_functions", "ftxl.bounded_cache", "ftxl.finetune_economics", "ftxl.value_of_information"}
CORE |= {"ftxl.second_layer", "ftxl.cost_builder", "ftxl.api_risks", "ftxl.finetuning_costs", "ftxl.price_list"}
"""numpy only: what xlwings Lite installs, and what every room builds on."""
BELOW_THE_ENGINES = {"ftxl.recalc.values", "ftxl.recalc.formula_text", "ftxl.recalc.book", "ftxl.recalc.data_tables"}
"""The value model, formula text and what a data table is, below both engines and the file I/O."""


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """ftxl modules `path` imports, at the top or inside a function (relative imports resolved)."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            if base.startswith("ftxl"):
                found |= {f"{base}.{a.name}" if (_path(f"{base}.{a.name}")) else base for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("ftxl")}
    return found - {module}


def _path(module: str) -> Path | None:
    relative = Path(*module.split(".")[1:])
    for candidate in (PACKAGE / relative / "__init__.py", (PACKAGE / relative).with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


GRAPH = {_module(path): _imports(path) for path in PACKAGE.rglob("*.py")}


def _inside(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


def test_there_is_no_import_cycle():
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in GRAPH.get(module, ()):
            assert state.get(target) != 1, " -> ".join([*trail, module, target])
            if target not in state:
                visit(target, [*trail, module])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [])


def test_the_core_imports_no_room():
    for module in CORE:
        assert GRAPH[module] <= CORE, module


def test_the_excel_functions_import_the_core_only():
    assert GRAPH["ftxl.excel_functions"] <= CORE


def test_the_value_model_and_formula_text_sit_below_the_engines_and_the_io():
    for module in BELOW_THE_ENGINES:
        assert GRAPH[module] <= CORE | BELOW_THE_ENGINES, module


def test_rooms_never_reach_up_or_sideways():
    for module, targets in GRAPH.items():
        for target in targets:
            if _inside(module, "ftxl.recalc"):
                assert not _inside(target, "ftxl.template") and not _inside(target, "ftxl.cli"), (module, target)
                assert target != "ftxl.excel_functions", module
            if _inside(module, "ftxl.template"):
                assert not _inside(target, "ftxl.cli"), (module, target)
                assert not _inside(target, "ftxl.recalc") or target == "ftxl.recalc", (module, target)
            if _inside(target, "ftxl.cli"):
                assert module in ("ftxl.__main__",) or _inside(module, "ftxl.cli"), (module, target)


def test_the_formulas_fallback_is_imported_only_by_the_dispatcher():
    users = {module for module, targets in GRAPH.items() if "ftxl.recalc.formulas_fallback" in targets}
    assert users == {"ftxl.recalc.engines"}
