"""Shared fixtures: the worked example's golden figures and the xlwings runtimes in fresh processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent
GOLDEN = json.loads((TESTS / "golden" / "worked_example.json").read_text())
TOLERANCE = 1e-9


def exact(value: str | list[str]) -> Any:
    """A golden figure as a float (or list of floats), from its exact fraction."""
    if isinstance(value, list):
        return [exact(v) for v in value]
    return float(Fraction(value))


def close(actual: Any, expected: Any) -> bool:
    """Equal to within 1e-9, element by element."""
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(close(a, e) for a, e in zip(actual, expected, strict=True))
    return abs(float(actual) - expected) <= TOLERANCE


def run_xlwings(runtime: str, calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Call ftxl's Excel functions through xlwings' own code in a fresh interpreter."""
    env = dict(os.environ)
    env.pop("XLWINGS_ON_SERVER", None)
    if runtime == "lite":
        env |= {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    completed = subprocess.run(
        [sys.executable, str(TESTS / "xlwings_runtime.py"), runtime],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


golden_cases = pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["id"] for c in GOLDEN["cases"]])
