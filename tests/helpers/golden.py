"""The worked example's golden figures (tests/golden/worked_example.json), as exact fractions."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest

from . import TESTS

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


golden_cases = pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["id"] for c in GOLDEN["cases"]])
