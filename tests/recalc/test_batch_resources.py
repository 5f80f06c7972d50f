"""Small hostile files cost small memory: each case runs `ftxl recalc` in a process of its own, capped at
--max-memory 2 GiB, and its peak memory (from the kernel's own account of that process) stays far below."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

PEAK_LIMIT_MB = 400
"""What every case below must stay under (a plain `ftxl recalc` of a small file takes about 50 MB)."""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs the resource module")


MEASURE = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run([sys.executable, '-m', 'ftxl', *sys.argv[1:]], capture_output=True, text=True)\n"
    "sys.stdout.write(done.stdout + done.stderr)\n"
    "sys.stdout.write(f'\\nPEAK {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
    "sys.exit(done.returncode)\n"
)
"""Runs ftxl as the child of a small process: a child's peak counts the memory of the process it was forked
from, so forking from the (large) test process itself would count the tests' memory too."""


def _peak_mb(*args: str, cwd: Path) -> tuple[int, str, float]:
    """Exit status, output and peak resident memory in MB of one `ftxl` run."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    output, _, peak = done.stdout.rpartition("\nPEAK ")
    return done.returncode, output, int(peak) / 1024


def _book(path: Path, formulas: dict[str, str], ones: int = 50) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    for row in range(ones):
        sheet.write(row, 0, 1)
    for ref, formula in formulas.items():
        sheet.write_formula(ref, formula)
    book.close()
    return path


def _with_sheet_xml(path: Path, extra: bytes) -> Path:
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"</sheetData>", extra + b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)
    return path


def _chain(path: Path, rows: int) -> Path:
    _book(path, {})
    return _with_sheet_xml(
        path, b"".join(b'<row r="%d"><c r="B%d"><f>A1+%d</f><v>0</v></c></row>' % (r, r, r) for r in range(60, rows))
    )


CASES = {
    "a sum over the whole sheet box": (lambda p: _book(p, {"C100": "=SUM(A1:B1048576)+SUM(A:A)"}), 0, "ok "),
    "twenty whole-column SUMIFs": (
        lambda p: _book(
            p,
            {
                f"Z{k}": f'=SUMIF(A:A,">0",{"BCDEFGHIJKLMNOPQRSTU"[k - 1]}:{"BCDEFGHIJKLMNOPQRSTU"[k - 1]})'
                for k in range(1, 21)
            },
        ),
        0,
        "ok ",
    ),
    "an array formula over A1:Z100000": (
        lambda p: _with_sheet_xml(
            _book(p, {}), b'<row r="99"><c r="C99"><f t="array" ref="C99:Z100000">A1*2</f><v>0</v></c></row>'
        ),
        1,
        "an array formula over",
    ),
    "a 100,000-term formula": (
        lambda p: _with_sheet_xml(
            _book(p, {}), b'<row r="99"><c r="C99"><f>' + b"+".join([b"A1"] * 100_000) + b"</f><v>0</v></c></row>"
        ),
        1,
        "longer than Excel allows",
    ),
    "more chained formulas than the budget": (lambda p: _chain(p, 20_000), 1, "formula cells"),
}


@pytest.mark.parametrize("make, status, said", CASES.values(), ids=list(CASES))
def test_hostile_files_cost_little_memory(tmp_path, make, status, said):
    path = make(tmp_path / "case.xlsx")
    code, output, peak = _peak_mb(
        "recalc",
        str(path),
        "--out",
        str(tmp_path / "out"),
        "--quiet",
        "--max-memory",
        "2",
        "--max-cells",
        "10000",
        cwd=tmp_path,
    )
    assert code == status and said in output, output
    assert "Traceback" not in output
    assert peak < PEAK_LIMIT_MB, f"peak {peak:.0f} MB"


def test_a_part_of_exactly_one_mebibyte_expanding_a_thousand_times_is_refused_early(tmp_path):
    path = _book(tmp_path / "case.xlsx", {})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as package:
        for k in range(200):
            package.writestr(f"xl/media/blank{k}.bin", b"\0" * (1 << 20))
    code, output, peak = _peak_mb("recalc", str(path), "--out", str(tmp_path / "out"), "--quiet", cwd=tmp_path)
    assert code == 1 and "zip bomb" in output and peak < PEAK_LIMIT_MB
