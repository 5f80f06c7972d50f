"""What copies of one template share in a batch (issue 12's speed), and that sharing never changes a value.

A batch keeps, for the files still to come, the compiled model, the scan of a large part whose
bytes come again (a label log), and the answer of an ftxl call that many cells make; Python's
cycle collector is paused per file and what the batch keeps is frozen out of it. Each is checked
here against the same file computed alone.
"""

from __future__ import annotations

import gc
import io
import re
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers import TEMPLATES
from helpers.golden import close
from helpers.workbooks import write_xlsxwriter

from ftxl import cell_functions
from ftxl.recalc import batch
from ftxl.recalc.book import BookCells
from ftxl.recalc.engines import Model
from ftxl.recalc.formula_text import name_node, node
from ftxl.recalc.ooxml.package import SHARED_PART_BYTES, Package
from ftxl.recalc.workbook import recalculate

EXAMPLE = TEMPLATES / "ftxl_insurance_example.xlsx"
LABELS_PART = "xl/worksheets/sheet9.xml"


def _counting_calls(monkeypatch) -> list[str]:
    """The names of the ftxl functions the plain engine calls from now on, one entry per call."""
    calls: list[str] = []
    answer = cell_functions.answer

    def counted(function, *args):
        calls.append(function.__name__)
        return answer(function, *args)

    monkeypatch.setattr(cell_functions, "answer", counted)
    return calls


def _book(formulas: dict[str, str], names: dict[str, str] | None = None) -> BookCells:
    return BookCells(
        formulas={node("Model", ref): text for ref, text in formulas.items()},
        values={node("Inputs", "A1"): 0.95, node("Inputs", "A2"): 0.8},
        names={name_node(name): text for name, text in (names or {}).items()},
        sheets=["Inputs", "Model"],
    )


def test_an_ftxl_call_that_many_cells_make_is_computed_once_per_copy(monkeypatch):
    calls = _counting_calls(monkeypatch)
    book = _book(
        {f"B{k}": f"INDEX(ERROR_SHARES(Top,Inputs!A2),1,{k})" for k in (1, 2, 3)}
        | {f"C{k}": f"INDEX(ERROR_SHARES(Inputs!A1*1,Inputs!A2),1,{k})" for k in (1, 2)},
        {"Top": "Inputs!$A$1"},
    )
    model = Model(book)
    for _ in range(2):  # once per copy, not once per batch
        calls.clear()
        results = model.evaluate(book).results
        assert [results[node("Model", f"B{k}")][0][0] for k in (1, 2, 3)] == pytest.approx([0.8, 0.15, 0.05])
        assert [results[node("Model", f"C{k}")][0][0] for k in (1, 2)] == pytest.approx([0.8, 0.15])
        # the B cells share one call (fixed arguments); an argument computed in each cell is not shared
        assert calls.count("error_shares") == 1 + 2


def test_a_call_reading_the_cell_it_stands_in_is_not_shared(monkeypatch):
    """A name with a relative reference means another cell in each row: those calls stay apart."""
    calls = _counting_calls(monkeypatch)
    book = _book(
        {"B1": "INDEX(ERROR_SHARES(Here,0.5),1,3)", "B2": "INDEX(ERROR_SHARES(Here,0.5),1,3)"},
        {"Here": "Inputs!$A1"},  # the row is relative: Inputs!$A1 from row 1, Inputs!$A2 from row 2
    )
    results = Model(book).evaluate(book).results
    # wrong department = 1 - top-level accuracy: 0.95 read from row 1, 0.8 from row 2
    assert results[node("Model", "B1")][0][0] == pytest.approx(0.05)
    assert results[node("Model", "B2")][0][0] == pytest.approx(0.2)
    assert calls.count("error_shares") == 2


def _with_part(source: Path, target: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in package.infolist():
            out.writestr(info.filename, data if info.filename == name else package.read(info))
    return target


def _label_log_changed(target: Path) -> Path:
    """The example with one prediction of its label log changed: B5 (correct) now names A6's route."""
    with zipfile.ZipFile(EXAMPLE) as package:
        labels = package.read(LABELS_PART)
    b5 = re.search(rb'<c r="B5" s="9" t="s"><v>(\d+)</v></c>', labels)
    a6 = re.search(rb'<c r="A6" s="9" t="s"><v>(\d+)</v></c>', labels)
    assert b5 and a6
    changed = labels.replace(b5.group(0), b'<c r="B5" s="9" t="s"><v>' + a6.group(1) + b"</v></c>", 1)
    assert changed != labels
    return _with_part(EXAMPLE, target, LABELS_PART, changed)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def _shown(path: Path, sheet: str, ref: str) -> object:
    return openpyxl.load_workbook(path, data_only=True)[sheet][ref].value


def test_a_copy_with_another_label_log_gets_its_own_values_in_a_batch(tmp_path):
    first = tmp_path / "in" / "a.xlsx"
    first.parent.mkdir()
    first.write_bytes(EXAMPLE.read_bytes())
    second = _label_log_changed(tmp_path / "in" / "b.xlsx")
    jobs = [batch.Job(p, tmp_path / "batch" / p.name) for p in (first, second, first)]
    results = batch.run(jobs)
    assert all(r.ok for r in results), [r.error for r in results]
    alone = tmp_path / "alone"
    subprocess.run(
        [sys.executable, "-m", "ftxl", "recalc", str(second), "--out", str(alone), "--quiet"],
        check=True,
        capture_output=True,
    )
    for ref in ("G6", "G7", "G8"):  # ROUTE_BUCKETS of the log: correct, wrong subclass, wrong department
        assert _shown(tmp_path / "batch" / "b.xlsx", "Labels", ref) == _shown(alone / "b.xlsx", "Labels", ref)
    assert _shown(tmp_path / "batch" / "b.xlsx", "Labels", "G6") < _shown(tmp_path / "batch" / "a.xlsx", "Labels", "G6")


def test_the_collector_is_paused_per_file_and_a_model_used_again_is_frozen(tmp_path):
    source = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(source)
    book.add_worksheet("Model").write_formula("A1", f"=ERROR_SHARES(0.95,0.8)+{uuid.uuid4().int % 10**9}")
    book.close()  # formulas no model of this process was compiled for: the first file compiles one
    frozen_before = gc.get_freeze_count()
    seen: list[bool] = []
    real = batch.recalculate

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    batch.recalculate = watched  # type: ignore[assignment]
    try:
        first = batch.run_job(batch.Job(source, tmp_path / "out" / "a.xlsx"), engine_choice="auto")
        frozen_after_first = gc.get_freeze_count()
        second = batch.run_job(batch.Job(source, tmp_path / "out" / "b.xlsx"), engine_choice="auto")
        frozen_after_second = gc.get_freeze_count()
        broken = tmp_path / "broken.xlsx"
        broken.write_bytes(b"PK\x03\x04 not a zip at all")
        failed = batch.run_job(batch.Job(broken, tmp_path / "out" / "c.xlsx"), engine_choice="auto")
    finally:
        batch.recalculate = real  # type: ignore[assignment]
        gc.unfreeze()
    assert first.ok and second.ok and not failed.ok
    assert seen == [False, False, False]  # paused while each file is computed ...
    assert gc.isenabled()  # ... and on again after each, a failed one too
    # a model used once is not frozen (a batch of different workbooks frees as it goes); used twice, it is
    # (frozen objects may still be freed, so the count can fall by a few)
    assert frozen_after_first <= frozen_before
    assert frozen_after_second > frozen_after_first + 1_000


def _large_sheet(path: Path, first: int) -> Path:
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Log")
    for row in range(12_000):
        sheet.write_number(row, 0, first + row)
        sheet.write_string(row, 1, f"route {row % 7}")
    book.add_worksheet("Model").write_formula("A1", "=SUM(Log!A1:A12000)")
    book.close()
    return path


def test_a_large_part_read_again_is_the_same_bytes_and_a_different_one_is_not(tmp_path):
    a = _large_sheet(tmp_path / "a.xlsx", 1)
    b = tmp_path / "b.xlsx"
    b.write_bytes(a.read_bytes())
    c = _large_sheet(tmp_path / "c.xlsx", 2)
    name = "xl/worksheets/sheet1.xml"
    read = {}
    for path in (a, b, c):
        with Package(path) as package:
            assert package.zip.getinfo(name).file_size >= SHARED_PART_BYTES
            read[path.name] = package.read(name)
    assert read["a.xlsx"] is read["b.xlsx"]
    assert read["c.xlsx"] != read["a.xlsx"] and b"<v>12001</v>" in read["c.xlsx"]


def test_a_large_part_with_a_wrong_checksum_is_refused_though_its_bytes_were_read_before(tmp_path):
    good = _large_sheet(tmp_path / "good.xlsx", 1)
    name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(good) as package:
        crc = package.getinfo(name).CRC.to_bytes(4, "little")
    data = good.read_bytes()
    assert data.count(crc) == 2  # the local header and the central directory
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(data.replace(crc, bytes(b ^ 0xFF for b in crc)))
    with Package(good) as package:
        package.read(name)
    with Package(bad) as package, pytest.raises(Exception, match=re.escape(name)):
        package.read(name)
    result = recalculate(bad, tmp_path / "out.xlsx", batch.ModelCache())
    assert not result.ok and "CRC" in (result.error or "")


def test_writing_a_copy_leaves_the_package_as_it_was(tmp_path):
    """zipfile fills in the offsets and sizes of the entry it writes: never on the source's own entries."""
    source = write_xlsxwriter(tmp_path / "book.xlsx")
    with Package(source) as package:
        name = "xl/worksheets/sheet1.xml"
        replaced = {name: package.read(name).replace(b"<v>40000</v>", b"<v>40001</v>")}
        first, second = io.BytesIO(), io.BytesIO()
        package.write_copy(first, replaced)
        package.write_copy(second, replaced)
        assert first.getvalue() == second.getvalue()
        assert b"<v>40000</v>" in package.read(name)


def test_the_example_template_is_computed_alike_alone_and_after_its_copies(tmp_path):
    """The value of every cell of the example, computed after two filled copies in one process, equals
    the value computed alone in a fresh process (nothing a copy leaves behind reaches the next)."""
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(EXAMPLE) as package:
        inputs = package.read("xl/worksheets/sheet2.xml")
    varied = re.sub(rb'(<c r="C6"(?: s="\d+")?><v>)([^<]+)(</v>)', rb"\g<1>7777\g<3>", inputs, count=1)
    assert varied != inputs
    _with_part(EXAMPLE, folder / "a_varied.xlsx", "xl/worksheets/sheet2.xml", varied)
    _label_log_changed(folder / "b_labels.xlsx")
    (folder / "c_example.xlsx").write_bytes(EXAMPLE.read_bytes())
    results = batch.run([batch.Job(p, tmp_path / "batch" / p.name) for p in sorted(folder.iterdir())])
    assert all(r.ok for r in results)
    alone = tmp_path / "alone"
    subprocess.run(
        [sys.executable, "-m", "ftxl", "recalc", str(folder / "c_example.xlsx"), "--out", str(alone), "--quiet"],
        check=True,
        capture_output=True,
    )
    assert _parts(tmp_path / "batch" / "c_example.xlsx") == _parts(alone / "c_example.xlsx")
    assert close(results[-1].outputs["net_savings_base"], 108_500)
