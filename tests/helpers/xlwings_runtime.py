"""Run ftxl's Excel functions through xlwings' own registration and call code, in a fresh process.

    python tests/helpers/xlwings_runtime.py lite     < calls.json   # Office.js path (xlwings Lite / Server)
    python tests/helpers/xlwings_runtime.py classic  < calls.json   # classic Windows add-in path

stdin: a JSON list of calls, each {"function": "BREAKEVEN_DAYS", "args": [[[40000]], ...]}, every
argument a 2-D list as Excel sends it (null for an omitted optional argument). stdout: JSON with
the registration metadata and, per call, {"value": ...} or {"error": type, "message": ...}.

The decorators bind when the module is first imported, so each runtime needs its own process.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import types
from typing import Any

MODULE = "ftxl.excel_functions"


def _lite(calls: list[dict[str, Any]]) -> dict[str, Any]:
    if os.environ.get("XLWINGS_ON_SERVER") != "true":
        raise SystemExit("set XLWINGS_ON_SERVER=true and XLWINGS_LICENSE_KEY before starting")
    import importlib

    import xlwings
    import xlwings.server

    module = importlib.import_module(MODULE)
    results = []
    for call in calls:
        data = {
            "func_name": call["function"],
            "args": call["args"],
            "version": xlwings.__version__,
            "client": "Office.js",
            "runtime": "1.4",
        }
        try:
            results.append({"value": asyncio.run(xlwings.server.custom_functions_call(data, module))})
        except Exception as exc:  # what the Lite add-in shows on hover
            results.append({"error": type(exc).__name__, "message": str(exc)})
    return {"meta": xlwings.server.custom_functions_meta(module), "results": results}


def _stand_in_win32() -> None:
    """Just enough of pywin32 for `xlwings.udfs` to import on Linux; none of it is called."""
    for name in ("pythoncom", "pywintypes", "win32api", "win32com", "win32com.client"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["pythoncom"].CoInitialize = lambda: None  # type: ignore[attr-defined]
    sys.modules["pywintypes"].com_error = type("com_error", (Exception,), {})  # type: ignore[attr-defined]
    sys.modules["win32com.client"].Dispatch = lambda *args: None  # type: ignore[attr-defined]
    sys.modules["win32com"].client = sys.modules["win32com.client"]  # type: ignore[attr-defined]


def _classic(calls: list[dict[str, Any]]) -> dict[str, Any]:
    _stand_in_win32()
    import importlib

    import xlwings
    import xlwings.udfs

    # What `import xlwings` binds on Windows with pywin32 (xlwings/__init__.py).
    xlwings.func, xlwings.arg, xlwings.ret = xlwings.udfs.xlfunc, xlwings.udfs.xlarg, xlwings.udfs.xlret
    module = importlib.import_module(MODULE)
    vba = io.StringIO()
    xlwings.udfs.generate_vba_wrapper(MODULE, module, vba, types.SimpleNamespace(Name="ftxl_template.xlsm"))
    meta = {
        name: {
            "description": f.__xlfunc__["ret"]["doc"],
            "category": f.__xlfunc__["category"],
            "args": [
                {"name": a["name"], "doc": a["doc"], "optional": "optional" in a, "options": a["options"]}
                for a in f.__xlfunc__["args"]
            ],
        }
        for name, f in vars(module).items()
        if hasattr(f, "__xlfunc__")
    }
    results = []
    for call in calls:
        # Classic xlwings hands an ndim=2 argument over as a list of rows, a missing
        # optional one as its default (None); the COM conversion itself needs Windows.
        try:
            results.append({"value": getattr(module, call["function"])(*call["args"])})
        except Exception as exc:
            results.append({"error": type(exc).__name__, "message": str(exc)})
    return {"vba": vba.getvalue(), "meta": meta, "results": results}


def main() -> None:
    runtime = sys.argv[1]
    calls = json.load(sys.stdin)
    output = {"lite": _lite, "classic": _classic}[runtime](calls)
    json.dump(output, sys.stdout)


if __name__ == "__main__":
    main()
