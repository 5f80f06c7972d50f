"""What must not drift apart: README and Excel functions, __all__ and the model, base dependencies and Pyodide."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import tomllib

from helpers import ROOT

import ftxl
from ftxl import excel_functions, model

README = (ROOT / "README.md").read_text()


def _excel_signature(function) -> str:
    params = [
        f"[{p.name}]" if p.default is not inspect.Parameter.empty else p.name
        for p in inspect.signature(function).parameters.values()
    ]
    return f"{function.__name__}({', '.join(params)})"


def test_every_excel_function_is_documented_with_its_arguments():
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]*\([^`]*\))`", README))
    for function in excel_functions.EXCEL_FUNCTIONS:
        assert _excel_signature(function) in documented


def test_every_decorated_function_is_listed():
    decorated = {name for name, obj in vars(excel_functions).items() if callable(obj) and name.isupper()}
    assert decorated == {f.__name__ for f in excel_functions.EXCEL_FUNCTIONS}


def test_excel_function_help_fits_the_function_wizard():
    for function in excel_functions.EXCEL_FUNCTIONS:
        assert function.__doc__ and len(function.__doc__) <= 255 and "\n" not in function.__doc__


def test_all_exports_every_public_model_function():
    public = {
        n
        for n, f in vars(model).items()
        if inspect.isfunction(f) and not n.startswith("_") and f.__module__ == model.__name__
    }
    assert public <= set(ftxl.__all__)
    assert all(hasattr(ftxl, name) for name in ftxl.__all__)


def test_readme_gives_the_two_set_up_commands_that_ci_runs():
    first = "python3 -m venv .venv && . .venv/bin/activate && pip install '.[plot]' && ftxl recalc workbook_templates/"
    assert first + " --out recalculated" in README
    assert "\nbash .ci/run" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install --quiet -e '.[test]'" in ci and "python3 -m pytest" in ci


def test_base_install_is_pyodide_friendly():
    """xlwings Lite installs ftxl with micropip: the base dependencies must be Pyodide's own."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert [re.split(r"[<>=!~ \[]", d)[0] for d in project["dependencies"]] == ["numpy"]


def test_excel_function_module_imports_only_numpy_xlwings_and_stdlib():
    code = (
        "import sys; before = set(sys.modules); import ftxl.excel_functions; "
        "print('\\n'.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    # xlwings is in Lite already; what it imports itself is its own business.
    probe = "import xlwings, numpy, sys; base = set(sys.modules); " + code.replace(
        "before = set(sys.modules)", "before = base"
    )
    loaded = set(
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    )
    allowed = {"ftxl", "numpy", "xlwings"} | set(sys.stdlib_module_names)
    assert loaded <= allowed, loaded - allowed


def test_excel_functions_and_sheet_functions_list_the_same_names():
    from ftxl import cell_functions as sheet_functions

    assert list(sheet_functions.FUNCTIONS) == [f.__name__ for f in excel_functions.EXCEL_FUNCTIONS]
