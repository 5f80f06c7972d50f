"""`--engine ironcalc`: IronCalc computes the cells the plain engine does not, per cell, with a warning on each;
the plain engine keeps everything else, ftxl's own functions included (issue 23)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ftxl.cli.app import cli
from ftxl.recalc import engines
from ftxl.recalc.engines import ModelCache
from ftxl.recalc.workbook import recalculate
from tests.helpers.fidelity import same

pytest.importorskip("ironcalc")

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _book(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Model"
    sheet["A1"], sheet["A2"], sheet["A3"] = 40000, 5000, 0.14
    sheet["B1"] = "=YEARFRAC(DATE(2012,1,1),DATE(2012,7,30),1)"  # plain
    sheet["B2"] = "=B3*2"  # plain, reading the IronCalc cell
    sheet["B3"] = "=DELTA(1,0)+A1+1"  # another uncovered function, reading an input
    sheet["B4"] = "=BREAKEVEN_DAYS(A1,A2,0.26,A3)"  # ftxl's own: always the plain engine
    sheet["B5"] = '=TEXT(A1,"# ?/?")'  # a fraction format: left to the fallback
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


def test_ironcalc_computes_the_uncovered_cells_and_each_carries_a_warning(tmp_path):
    source = _book(tmp_path)
    result = recalculate(source, tmp_path / "out.xlsx", ModelCache(engine="ironcalc"))
    assert result.ok, result.error
    assert "IronCalc for 2" in result.engine
    values = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Model"]
    assert values["B1"].value == pytest.approx(0.5765027322404371, rel=1e-12)  # Excel's documented example
    assert values["B2"].value == 80002
    assert values["B3"].value == 40001
    assert values["B4"].value == pytest.approx(40000 / (5000 * 0.12))
    # Excel shows "40000    "; IronCalc 0.9.1 answers "400 0/0": wrong, but the cell carries a warning
    assert values["B5"].value != "40000    "
    warned = {w.split(":")[0] for w in result.warnings}
    assert {"Model!B3", "Model!B5"} <= warned and "Model!B1" not in warned
    assert all("IronCalc engine" in w for w in result.warnings if w.startswith("Model!B3"))
    assert "Model!B2" in result.warned_cells and "Model!B4" not in result.warned_cells


def test_ironcalc_is_the_default_fallback_and_formulas_the_one_without_it(tmp_path, monkeypatch):
    source = _book(tmp_path)
    result = recalculate(source, tmp_path / "out.xlsx", ModelCache())
    assert result.ok and "IronCalc for 2" in result.engine
    monkeypatch.setattr(engines, "ironcalc_installed", lambda: False)  # `pip install ftxl` without the cli extra
    result = recalculate(source, tmp_path / "out.xlsx", ModelCache())
    assert result.ok and "formulas for 2" in result.engine


def test_a_batch_ironcalc_answers_with_a_code_of_its_own_goes_to_formulas(tmp_path):
    """IronCalc's #ERROR! or #N/IMPL! is no Excel value: `formulas` computes that batch, saying why."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Model"
    sheet["A1"] = 2
    sheet["B1"] = '=INFO("osversion")&A1'  # not in the plain engine; IronCalc 0.9 answers #N/IMPL!
    path = tmp_path / "book.xlsx"
    book.save(path)
    result = recalculate(path, tmp_path / "out.xlsx", ModelCache())
    assert result.ok, result.error
    value = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Model"]["B1"].value
    assert value == "#NAME?" and result.engine == "formulas (function INFO)"
    assert result.warnings == ["Model!B1: unknown function INFO; the cell shows #NAME?"]


def test_the_cli_takes_engine_ironcalc(tmp_path):
    source = _book(tmp_path)
    run = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(tmp_path / "out"), "--engine", "ironcalc"])
    assert run.exit_code == 0, run.output
    assert "IronCalc for 2" in run.output


@pytest.mark.parametrize(
    "name", ["poi/NumberFormatTests.xlsx", "poi/ElapsedFormatTests.xlsx", "phpspreadsheet/issue.1767.xlsx"]
)
def test_corpus_files_computed_with_ironcalc_are_never_silently_wrong(name):
    """Every cell IronCalc computes carries a warning, so a wrong one is never silent; and on these files it
    gets more cells right than `formulas` does."""
    from ftxl.recalc.ooxml.package import Package, read_workbook
    from ftxl.recalc.workbook import BookReader, _values_by_sheet

    counts = {}
    for engine in ("formulas", "ironcalc"):
        with Package(CORPUS / name) as package:
            reader = BookReader(package, read_workbook(package))
            evaluation = ModelCache(engine=engine).evaluate(reader.book)
            values = _values_by_sheet(reader, evaluation)
            flagged = evaluation.warned | {key for key, _ in evaluation.notes}
            equal = silent = 0
            for key in reader.book.formulas:
                sheet_name, rows = reader.placement[key]
                sheet = next(s for s in reader.sheets if s.name == sheet_name)
                for ref in (ref for row in rows for ref in row):
                    cached = sheet.by_ref[ref].value if ref in sheet.by_ref else None
                    if same(cached, values[sheet_name].get(ref)):
                        equal += 1
                    elif key not in flagged:
                        silent += 1
            counts[engine] = (equal, silent)
    assert counts["ironcalc"][1] == 0
    assert counts["ironcalc"][0] >= counts["formulas"][0]
