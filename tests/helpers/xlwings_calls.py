"""Calling ftxl's Excel functions through xlwings' own code, classic or Lite, in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_xlwings(runtime: str, calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Call ftxl's Excel functions through xlwings' own code in a fresh interpreter."""
    env = dict(os.environ)
    env.pop("XLWINGS_ON_SERVER", None)
    if runtime == "lite":
        env |= {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("xlwings_runtime.py")), runtime],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)
