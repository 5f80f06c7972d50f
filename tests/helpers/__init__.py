"""What the tests and the benchmarks share: paths, the golden figures, workbook writers, LibreOffice."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).parents[1]
ROOT = TESTS.parent
TEMPLATES = ROOT / "workbook_templates"
EXAMPLE_WORKBOOK = TEMPLATES / "ftxl_insurance_example.xlsx"
