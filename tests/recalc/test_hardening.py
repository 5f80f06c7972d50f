"""`ftxl recalc` writes only what it was asked to write: no original replaced without --in-place, no output read
back as input, links and read-only files respected, every option checked before any work."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers.workbooks import write_xlsxwriter

from ftxl.cli import cli
from ftxl.recalc.batch import OUTPUT_MARK
from ftxl.recalc.summary import neutralise


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inputs(tmp_path, monkeypatch) -> Path:
    """A folder `in` with one workbook, the working folder its parent."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_xlsxwriter(folder / "a.xlsx")
    monkeypatch.chdir(tmp_path)
    return folder


def _recalc(*args: str):
    return CliRunner().invoke(cli, ["recalc", *args, "--quiet"])


@pytest.mark.parametrize("out", ["in", "./in/", "ABSOLUTE", "in/sub", ".", "in/a.xlsx-folder/.."])
def test_out_in_or_around_an_input_folder_is_refused(inputs, out):
    before = _digest(inputs / "a.xlsx")
    out = str(inputs) if out == "ABSOLUTE" else out
    result = _recalc("in", "--out", out)
    assert result.exit_code == 2, result.output
    assert "--out" in result.output and ("input folder" in result.output or "holds the input" in result.output)
    assert _digest(inputs / "a.xlsx") == before
    assert not (inputs / "sub").exists()


def test_out_equal_to_a_named_files_folder_is_refused(inputs):
    result = _recalc("in/a.xlsx", "--out", "in")
    assert result.exit_code == 2 and "input folder" in result.output


def test_the_default_output_inside_the_input_is_refused(inputs, monkeypatch):
    monkeypatch.chdir(inputs)
    result = _recalc(".")
    assert result.exit_code == 2 and "recalculated lies inside the input folder" in result.output
    assert not (inputs / "recalculated").exists()


def test_output_folders_are_marked_and_never_searched(inputs, tmp_path):
    assert _recalc("in", "--out", "out").exit_code == 0
    assert (tmp_path / "out" / OUTPUT_MARK).exists()
    (tmp_path / "all").mkdir()
    os.rename(tmp_path / "out", tmp_path / "all" / "out")
    write_xlsxwriter(tmp_path / "all" / "b.xlsx")
    result = CliRunner().invoke(cli, ["recalc", "all", "--out", "elsewhere", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "elsewhere").rglob("*.xlsx")) == ["b.xlsx"]


def test_in_place_writes_through_a_link_to_its_target(inputs, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(inputs / "a.xlsx")
    before = _digest(inputs / "a.xlsx")
    result = _recalc(str(link), str(inputs / "a.xlsx"), "--in-place")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == (inputs / "a.xlsx").resolve()
    assert _digest(inputs / "a.xlsx") != before  # the target got the new values
    assert result.output.count("ok ") == 1  # the file and its link: recalculated once


def test_in_place_respects_a_read_only_original(inputs):
    original = inputs / "a.xlsx"
    original.chmod(0o444)
    before = _digest(original)
    result = _recalc(str(original), "--in-place")
    assert result.exit_code == 1 and "read-only" in result.output
    assert _digest(original) == before and oct(original.stat().st_mode & 0o777) == "0o444"


@pytest.mark.parametrize(
    "summary, message", [("sum.txt", "unknown format '.txt'"), ("missing/sum.csv", "does not exist")]
)
def test_a_bad_summary_path_is_refused_before_any_work(inputs, tmp_path, summary, message):
    result = _recalc("in", "--out", "out", "--summary", summary)
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "out").exists()


def test_the_summary_xlsx_holds_text_as_text(tmp_path):
    from ftxl.recalc import summary

    path = tmp_path / "s.xlsx"
    summary.write(path, ["workbook", "note"], [{"workbook": "=1+2!A1", "note": "@SUM(A1)"}])
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[2]] == ["=1+2!A1", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in sheet[2])


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\n=1+1", " =1+1", "＝1+1", "＋1", "－1", "＠A"]
)
def test_csv_neutralises_formula_starts_the_owasp_way_and_wider(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "1+1", "a=b", ""])
def test_csv_leaves_ordinary_text_alone(text):
    assert neutralise(text) == text


# --- no silent wrong value ---------------------------------------------------------------------


def _computed(tmp_path: Path, cells: dict[str, object], engine_choice: str, names: dict[str, str] | None = None):
    """Recalculate a one-sheet workbook ("S") holding `cells` (formulas start with =): (FileResult, values)."""
    import xlsxwriter

    from ftxl.recalc import engines as engine
    from ftxl.recalc.workbook import recalculate

    path = tmp_path / f"book_{engine_choice}.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    for ref, value in cells.items():
        if isinstance(value, str) and value.startswith("="):
            sheet.write_formula(ref, value)
        else:
            sheet.write(ref, value)
    for name, formula in (names or {}).items():
        book.define_name(name, formula)
    book.close()
    out = tmp_path / f"out_{engine_choice}.xlsx"
    result = recalculate(path, out, engine.ModelCache(engine=engine_choice))
    if not result.ok:
        return result, {}
    sheet = openpyxl.load_workbook(out, data_only=True)["S"]
    return result, {ref: sheet[ref].value for ref in cells}


ENGINES = ["auto", "formulas"]
ONES = {f"A{row}": 1 for row in range(1, 300)}


@pytest.mark.parametrize("engine_choice", ENGINES)
@pytest.mark.parametrize(
    "formula, expected",
    [
        ("=SUM(A1:A1048576)", 299),
        ("=SUM(A2:A1048576)", 298),
        ("=SUM($A$1:$A$1048576)*2", 598),
        ("=COUNT(A:A)", 299),
        ("=SUM(A1:B1048576)", 299),
    ],
)
def test_ranges_to_the_sheets_edge_are_summed_whole(tmp_path, engine_choice, formula, expected):
    result, values = _computed(tmp_path, {**ONES, "C1": formula}, engine_choice)
    assert result.ok and values["C1"] == expected, (result.warnings, values.get("C1"))


def test_a_range_over_the_whole_sheet_is_never_built(tmp_path):
    """The plain engine reads the cells in use, and finds the formula inside its own range (circular, as in
    Excel); formulas would build the box, so the cell is refused with a warning."""
    plain, _ = _computed(tmp_path, {**ONES, "C1": "=SUM(A1:XFD1048576)"}, "auto")
    assert not plain.ok and plain.error.startswith("circular reference: S!C1 -> S!C1")
    result, values = _computed(tmp_path, {**ONES, "C1": "=SUM(A1:XFD1048576)"}, "formulas")
    assert result.ok and values["C1"] == "#VALUE!"
    assert any(w.startswith("S!C1: reads a range of 17,179,869,184 cells, more than") for w in result.warnings)


@pytest.mark.parametrize("engine_choice", ENGINES)
@pytest.mark.parametrize("formula", ["=Nope!A1+1", "=SUM(Gone!A1:A3)", "='No such'!B2"])
def test_a_missing_sheet_is_ref_with_a_warning(tmp_path, engine_choice, formula):
    result, values = _computed(tmp_path, {"A1": 5, "C1": formula, "C2": "=C1*2"}, engine_choice)
    assert result.ok and values["C1"] == "#REF!" and values["C2"] == "#REF!"
    assert any(w.startswith("S!C1: refers to sheet") and "not in the workbook" in w for w in result.warnings)


@pytest.mark.parametrize("engine_choice", ENGINES)
def test_a_circular_reference_is_refused_naming_it(tmp_path, engine_choice):
    result, _ = _computed(tmp_path, {"A1": "=B1+1", "B1": "=A1*2", "C1": 3}, engine_choice)
    assert not result.ok and result.error.startswith("circular reference")
    assert "internal error" not in result.error and "\n" not in result.error
    if engine_choice == "auto":
        assert "S!A1 -> S!B1 -> S!A1" in result.error or "S!B1 -> S!A1 -> S!B1" in result.error


def test_a_name_that_refers_to_itself_is_refused(tmp_path):
    result, _ = _computed(tmp_path, {"A1": "=Loop+1"}, "auto", names={"Loop": "=Loop*2"})
    assert not result.ok and "LOOP refers to itself" in result.error and "internal error" not in result.error


# --- damaged packages --------------------------------------------------------------------------

SHEET = "xl/worksheets/sheet3.xml"


def _damaged(tmp_path: Path, change) -> Path:
    """A copy of the XlsxWriter test workbook with its members changed by `change(name, data)` -> [(info, data)]."""
    import warnings
    import zipfile

    source = write_xlsxwriter(tmp_path / "source.xlsx")
    target = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            for new_info, data in change(info, old.read(info)):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # zipfile warns of a duplicate name: that is the point
                    new.writestr(new_info, data)
    return target


def _replace(name: str, transform):
    return lambda info, data: [(info, transform(data) if info.filename == name else data)]


def _symlinked(info, data):
    import zipfile

    if info.filename != SHEET:
        return [(info, data)]
    link = zipfile.ZipInfo(info.filename)
    link.external_attr = 0o120777 << 16
    return [(link, b"/etc/passwd")]


ENTITY = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
DAMAGED = {
    "sheet truncated mid-cell": (_replace(SHEET, lambda d: d[: d.index(b'r="B9"') + 3]), "not well-formed XML"),
    "sheet of binary junk": (_replace(SHEET, lambda d: bytes(range(256)) * 8), "not well-formed XML"),
    "unclosed tags": (_replace(SHEET, lambda d: d.replace(b"</sheetData>", b"")), "not well-formed XML"),
    "content types not XML": (_replace("[Content_Types].xml", lambda d: b"not xml"), "not well-formed XML"),
    "styles not XML": (_replace("xl/styles.xml", lambda d: d[:40]), "not well-formed XML"),
    "row beyond the grid": (_replace(SHEET, lambda d: d.replace(b'r="B7"', b'r="A1048577"')), "outside Excel's grid"),
    "column beyond the grid": (_replace(SHEET, lambda d: d.replace(b'r="B7"', b'r="XFE1"')), "outside Excel's grid"),
    "row zero": (_replace(SHEET, lambda d: d.replace(b'r="B7"', b'r="A0"')), "outside Excel's grid"),
    "sheet relationship missing": (
        _replace("xl/_rels/workbook.xml.rels", lambda d: d.replace(b'Id="rId3"', b'Id="rId99"')),
        "has no part",
    ),
    "duplicate members": (lambda info, data: [(info, data)] * (2 if info.filename == SHEET else 1), "twice"),
    "symlink member": (_symlinked, "not a regular file"),
    "entities in styles": (_replace("xl/styles.xml", lambda d: ENTITY + d[d.index(b"<styleSheet") :]), "DTD"),
    "entities in content types": (_replace("[Content_Types].xml", lambda d: ENTITY + d[d.index(b"<Types") :]), "DTD"),
    "entities in package rels": (_replace("_rels/.rels", lambda d: ENTITY + d[d.index(b"<Relationships") :]), "DTD"),
    "name of a sheet that is no number": (
        _replace("xl/workbook.xml", lambda d: d.replace(b"<definedName ", b'<definedName localSheetId="x" ', 1)),
        "sheet number 'x'",
    ),
}


@pytest.mark.parametrize("change, message", DAMAGED.values(), ids=list(DAMAGED))
def test_a_damaged_package_is_refused_with_its_reason(tmp_path, change, message):
    damaged = _damaged(tmp_path, change)
    result = CliRunner().invoke(cli, ["recalc", str(damaged), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output and message in result.output, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "damaged.xlsx").exists()


def _central_entry(data: bytes, name: str) -> int:
    """Offset of the zip central directory entry of member `name`."""
    import struct

    position = data.find(b"PK\x01\x02")
    while position >= 0:
        (length,) = struct.unpack("<H", data[position + 28 : position + 30])
        if data[position + 46 : position + 46 + length] == name.encode():
            return position
        position = data.find(b"PK\x01\x02", position + 4)
    raise AssertionError(f"{name} is not in the zip directory")


def test_a_wrong_crc_in_a_part_that_is_read_is_refused(tmp_path):
    import struct
    import zipfile

    source = write_xlsxwriter(tmp_path / "source.xlsx")
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as package:
        info = package.getinfo(SHEET)
    wrong = struct.pack("<I", info.CRC ^ 0xFFFF)
    data[info.header_offset + 14 : info.header_offset + 18] = wrong  # the local header's CRC
    entry = _central_entry(bytes(data), SHEET)
    data[entry + 16 : entry + 20] = wrong  # and the directory's
    damaged = tmp_path / "crc.xlsx"
    damaged.write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["recalc", str(damaged), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1 and "damaged workbook" in result.output and "CRC" in result.output, result.output


# --- no traceback, no silent NaN ---------------------------------------------------------------

import ftxl  # noqa: E402
from ftxl import cell_functions as sheet_functions  # noqa: E402

API_CASES = {
    "huge integer investment": (lambda: ftxl.breakeven_days(10**400, 5000, 0.32, 0.155), "investment has 401 digits"),
    "overflowing handling cost": (lambda: ftxl.human_cost_per_event(1e308, 1e308), "too large to compute"),
    "underflowing daily saving": (lambda: ftxl.breakeven_days(1, 1e-300, 1e-300, 0), "underflows"),
    "break-even beyond a float": (lambda: ftxl.breakeven_days(1e308, 1e-300, 1e-10, 0), "too large to compute"),
    "a boolean in a list": (lambda: ftxl.expected_error_cost([True, 0.05], [2, 8]), "yes/no value"),
    "an abstain marker that is a number": (lambda: ftxl.route_buckets(["a/x"], ["a/x"], abstain=5), "not text"),  # type: ignore[arg-type]
    "weights that overflow": (
        lambda: ftxl.route_buckets(["a/x", "a/y"], ["a/x", "a/x"], weights=[1e308, 1e308]),
        "weights are too large",
    ),
    "an empty weight": (lambda: ftxl.route_buckets(["a/x"], ["a/x"], weights=[float("nan")]), "weights row 1 empty"),
}


@pytest.mark.parametrize("call, message", API_CASES.values(), ids=list(API_CASES))
def test_the_python_api_raises_input_errors_naming_the_rule(call, message):
    with pytest.raises(ftxl.InputError, match=message):
        call()


ROUTE_CASES = {
    "a two-cell separator": ({"separator": [["/", "|"]]}, "separator is a range of 2 cells"),
    "a number as separator": ({"separator": [[5.0]]}, "separator = 5.0 is not text"),
    "intervals as text": ({"intervals": [["abc"]]}, "intervals = 'abc' is not TRUE or FALSE"),
    "intervals of -1": ({"intervals": [[-1.0]]}, "intervals = -1.0 is not TRUE or FALSE"),
    "rows that do not pair": ({"true_range": [["a/x"], ["a/y"]]}, "true_range has 2 rows but predicted_range has 1"),
}


@pytest.mark.parametrize("change, message", ROUTE_CASES.values(), ids=list(ROUTE_CASES))
def test_route_buckets_in_a_sheet_names_the_excel_argument(change, message):
    args = {"true_range": [["a/x"]], "predicted_range": [["a/x"]]} | change
    with pytest.raises(ftxl.InputError, match=message):
        sheet_functions.route_buckets(**args)


def test_intervals_take_true_false_and_one_zero():
    rows = sheet_functions.route_buckets([["a/x"]], [["a/x"]], intervals=[[1.0]])
    assert len(rows) == 3 and len(sheet_functions.route_buckets([["a/x"]], [["a/x"]], intervals=[[False]])) == 1


def test_markup_in_labels_and_columns_prints_as_typed(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"truth": ["[b]d/x", "[red]/y"], "routed": ["[b]d/x", "[red]/x"], "[/]": ["[b]", "[/]"]})
    frame.to_csv(tmp_path / "log.csv", index=False)
    base = ["buckets", str(tmp_path / "log.csv"), "--true", "truth", "--pred", "routed"]
    for args, shown in ((base, ("[b]d", "[red]")), ([*base, "--by", "[/]"], ("[/]", "[b]"))):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert all(text in result.output for text in shown), result.output


def test_an_answer_too_large_is_num_in_every_runtime():
    from ftxl import excel_functions as xl

    assert xl.HUMAN_COST_PER_EVENT([[1e308]], [[1e308]]) == "#NUM!"
    assert xl.BREAKEVEN_DAYS([[1]], [[1e-300]], [[1e-300]], [[0]]) == "#NUM!"
    with pytest.raises(ftxl.errors.NoAnswerError):
        ftxl.human_cost_per_event(1e308, 1e308)


# --- ftxl buckets on bad logs ----------------------------------------------------------------------


def _buckets(log: Path, *more: str):
    return CliRunner().invoke(cli, ["buckets", str(log), "--true", "truth", "--pred", "routed", *more])


def test_buckets_reads_only_regular_files(tmp_path):
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    result = _buckets(link)
    assert result.exit_code == 1 and "not a regular file" in result.output


def test_buckets_refuses_a_truncated_xlsx_by_name(tmp_path):
    import pandas as pd

    pd.DataFrame({"truth": ["a/x"] * 50, "routed": ["a/x"] * 50}).to_excel(tmp_path / "log.xlsx", index=False)
    data = (tmp_path / "log.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    result = _buckets(tmp_path / "cut.xlsx")
    assert result.exit_code == 1 and "truncated or damaged" in result.output and "Traceback" not in result.output


def test_buckets_refuses_an_xlsx_log_that_is_a_zip_bomb(tmp_path):
    import zipfile

    import pandas as pd

    pd.DataFrame({"truth": ["a/x"], "routed": ["a/x"]}).to_excel(tmp_path / "log.xlsx", index=False)
    with zipfile.ZipFile(tmp_path / "log.xlsx", "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/media/blank.bin", b" " * (64 << 20))
    result = _buckets(tmp_path / "log.xlsx")
    assert result.exit_code == 1 and "zip bomb" in result.output


def test_buckets_refuses_nested_parquet_columns(tmp_path):
    import pandas as pd

    pd.DataFrame({"truth": [["a", "x"], ["a", "y"]], "routed": ["a/x", "a/x"]}).to_parquet(tmp_path / "log.parquet")
    result = _buckets(tmp_path / "log.parquet")
    assert result.exit_code == 1 and "column 'truth' holds" in result.output and "not labels" in result.output


def test_buckets_sniffs_a_semicolon_delimiter(tmp_path):
    (tmp_path / "log.csv").write_text("truth;routed\na/x;a/x\na/y;a/x\n")
    result = _buckets(tmp_path / "log.csv", "--json")
    assert result.exit_code == 0, result.output
    assert '"events": 2' in result.output


def test_a_group_without_a_countable_row_does_not_fail_the_rest(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"truth": ["a/x", None, "b/x"], "routed": ["a/x", "a/x", "b/y"], "team": ["t1", "t2", "t1"]})
    frame.to_csv(tmp_path / "log.csv", index=False)
    result = _buckets(tmp_path / "log.csv", "--by", "team")
    assert result.exit_code == 0, result.output
    assert "t2" in result.output and "t1" in result.output


def test_buckets_refuses_weights_that_overflow(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"truth": ["a/x", "a/y"], "routed": ["a/x", "a/x"], "w": [1e308, 1e308]})
    frame.to_csv(tmp_path / "log.csv", index=False)
    result = _buckets(tmp_path / "log.csv", "--weight", "w")
    assert result.exit_code == 1 and "weights are too large" in result.output


# --- bounded work per file ---------------------------------------------------------------------


def _sheet_with(tmp_path: Path, cells_xml: bytes, name: str = "book.xlsx") -> Path:
    """A workbook whose one sheet "Data" holds `cells_xml` inside <sheetData><row r="1">."""
    import xlsxwriter

    path = tmp_path / name
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Data").write("A1", 1)
    book.close()
    import zipfile

    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b'<c r="A1"><v>1</v></c>', b'<c r="A1"><v>1</v></c>' + cells_xml)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for part, data in parts.items():
            new.writestr(part, data)
    return path


def _recalc_one(path: Path, *more: str):
    return CliRunner().invoke(cli, ["recalc", str(path), "--out", str(path.parent / "out"), "--quiet", *more])


def test_an_array_formula_over_millions_of_cells_is_refused(tmp_path):
    path = _sheet_with(tmp_path, b'<c r="C1"><f t="array" ref="C1:Z100000">A1*2</f><v>0</v></c>')
    result = _recalc_one(path)
    assert result.exit_code == 1 and "an array formula over C1:Z100000" in result.output


def test_a_formula_longer_than_excel_allows_is_refused(tmp_path):
    formula = "+".join(["A1"] * 5000).encode()
    path = _sheet_with(tmp_path, b'<c r="C1"><f>' + formula + b"</f><v>0</v></c>")
    result = _recalc_one(path)
    assert result.exit_code == 1 and "longer than Excel allows (8,192)" in result.output


def test_more_formula_cells_than_the_budget_are_refused_and_the_option_raises_it(tmp_path):
    cells = b"".join(b'<c r="B%d"><f>A1+%d</f><v>0</v></c>' % (k, k) for k in range(1, 51))
    path = _sheet_with(tmp_path, cells)
    refused = _recalc_one(path, "--max-cells", "40")
    assert refused.exit_code == 1 and "more than 40 formula cells" in refused.output
    assert _recalc_one(path, "--max-cells", "50").exit_code == 0


def test_warnings_that_say_the_same_are_counted(tmp_path):
    cells = b"".join(b'<c r="B%d"><f>NOSUCHFN(A1)</f><v>0</v></c>' % k for k in range(2, 12))
    path = _sheet_with(tmp_path, cells)
    result = _recalc_one(path)
    lines = [line for line in result.output.splitlines() if "warning:" in line and "NOSUCHFN" in line]
    assert (
        len(lines) == 4
        and "... and 7 more cells like Data!B5: computed by the IronCalc engine with NOSUCHFN" in lines[-1]
    )
    sheet = openpyxl.load_workbook(tmp_path / "out" / "book.xlsx", data_only=True)["Data"]
    assert {sheet[f"B{k}"].value for k in range(2, 12)} == {"#NAME?"}  # as in Excel


def test_a_shared_formula_moved_off_the_grid_is_ref(tmp_path):
    cells = b'<c r="B1048575"><f t="shared" si="0" ref="B1048575:B1048576">A1048576+1</f><v>0</v></c>'
    cells += b'<c r="B1048576"><f t="shared" si="0"/><v>0</v></c>'
    path = _sheet_with(tmp_path, cells)
    result = _recalc_one(path)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "out" / "book.xlsx", data_only=True)["Data"]
    assert sheet["B1048576"].value == "#REF!"  # A1048577 does not exist


def test_a_part_of_exactly_one_mebibyte_has_its_ratio_checked(tmp_path):
    import zipfile

    path = write_xlsxwriter(tmp_path / "book.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/media/blank.bin", b"\\0" * (1 << 20))
    result = _recalc_one(path)
    assert result.exit_code == 1 and "zip bomb" in result.output


def test_file_names_with_control_characters_are_done_and_shown_escaped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    write_xlsxwriter(tmp_path / "in" / "a\nb.xlsx")
    write_xlsxwriter(tmp_path / "in" / "c\x1b[31md.xlsx")
    result = CliRunner().invoke(cli, ["recalc", "in", "--out", "out", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "in/a\\nb.xlsx -> out/a\\nb.xlsx" in result.output and "in/c\\x1b[31md.xlsx" in result.output
    assert "\x1b" not in result.output and len(result.output.splitlines()) == 2
    assert (tmp_path / "out" / "a\nb.xlsx").exists()


def test_an_unwritable_summary_is_refused_before_any_work(inputs, tmp_path):
    (tmp_path / "sum.csv").mkdir()  # a folder where the summary file should go
    result = _recalc("in", "--out", "out", "--summary", "sum.csv")
    assert result.exit_code == 2 and "sum.csv" in result.output
    assert not (tmp_path / "out").exists()


def test_the_per_file_lines_come_before_the_summary_is_written(inputs, tmp_path, monkeypatch):
    from ftxl.errors import WorkbookError
    from ftxl.recalc import summary

    def fail(*args: object) -> None:
        raise WorkbookError("cannot write sum.csv: the disk is full")

    monkeypatch.setattr(summary, "write", fail)  # a write that fails after the checks passed
    result = CliRunner().invoke(cli, ["recalc", "in", "--out", "out", "--summary", "sum.csv", "--quiet"])
    assert result.exit_code == 1 and result.output.startswith("ok ") and "the disk is full" in result.output


def test_entity_declarations_in_parts_that_are_only_copied_are_never_parsed(tmp_path):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart">&b;</c:chartSpace>'
    )
    damaged = _damaged(tmp_path, _replace("xl/charts/chart1.xml", lambda data: bomb))
    result = CliRunner().invoke(cli, ["recalc", str(damaged), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    import zipfile

    with zipfile.ZipFile(tmp_path / "out" / "damaged.xlsx") as package:
        assert package.read("xl/charts/chart1.xml") == bomb  # copied as it was: never expanded


def test_template_never_replaces_a_file_without_force_and_names_a_missing_folder(tmp_path):
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"my filled-in workbook")
    refused = CliRunner().invoke(cli, ["template", str(target)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert target.read_bytes() == b"my filled-in workbook"
    assert CliRunner().invoke(cli, ["template", str(target), "--force"]).exit_code == 0
    missing = CliRunner().invoke(cli, ["template", str(tmp_path / "no" / "such" / "x.xlsx")])
    assert missing.exit_code == 2 and "does not exist" in missing.output and "Traceback" not in missing.output


# --- sparse whole columns ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("=SUM(A:A)", 299),
        ("=SUM(A:C)", 299 + 10),
        ("=SUM(A1:C1048576)", 299 + 10),
        ("=SUMIF(A:A,1,B:B)", 10),
        ("=SUMIFS(B:B,A:A,1)", 10),
        ("=COUNT(A:A)+COUNTA(1:2)", 299 + 4),
        ("=AVERAGE(B:B)+MAX(A:B)+MIN(A:A)", 3),
    ],
)
def test_whole_columns_are_read_over_the_cells_in_use_by_the_plain_engine(tmp_path, formula, expected):
    import time

    cells: dict[str, object] = {**ONES, **{f"B{row}": 1 for row in range(1, 11)}, "D400": formula}
    started = time.perf_counter()
    result, values = _computed(tmp_path, cells, "auto")
    assert time.perf_counter() - started < 5  # the 299 cells, not a million
    assert result.ok and result.engine == "plain", (result.engine, result.warnings)
    assert values["D400"] == expected


def test_a_whole_column_that_counts_empty_cells_counts_those_past_the_data(tmp_path):
    cells = {**ONES, "D1": '=COUNTIF(A:A,"")', "D2": "=COUNTBLANK(A:A)", "D3": '=COUNTIF(A:A,"<>5")'}
    result, values = _computed(tmp_path, cells, "auto")
    assert result.ok and result.engine == "plain"
    assert values["D1"] == values["D2"] == 1_048_576 - 299
    assert values["D3"] == 1_048_576


@pytest.mark.libreoffice
def test_libreoffice_agrees_on_whole_columns_edges_and_missing_sheets(tmp_path):
    """A third engine on the same cells: LibreOffice recalculating on load gives the plain engine's answers."""
    import xlsxwriter
    from helpers.workbooks import libreoffice_recalculated

    from ftxl.recalc import engines as engine
    from ftxl.recalc.workbook import recalculate

    cells = {
        "D400": "=SUM(A:A)",
        "D401": "=SUM(A1:A1048576)",
        "D402": "=SUM(A2:A1048576)",
        "D403": "=SUMIF(A:A,1,B:B)",
        "D404": "=COUNT(A:C)",
        "D405": "=ISERROR(Nope!A1+1)",
        "D406": "=ISERROR(SUM(Gone!A1:A3))",
    }
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    for row in range(299):
        sheet.write(row, 0, 1)
    for row in range(10):
        sheet.write(row, 1, 1)
    for ref, formula in cells.items():
        sheet.write_formula(ref, formula)
    book.close()
    ours = tmp_path / "ours.xlsx"
    assert recalculate(path, ours, engine.ModelCache()).ok
    theirs = libreoffice_recalculated(path, tmp_path / "lo")
    ours_sheet = openpyxl.load_workbook(ours, data_only=True)["S"]
    their_sheet = openpyxl.load_workbook(theirs, data_only=True)["S"]
    for ref in cells:
        assert ours_sheet[ref].value == their_sheet[ref].value, (ref, ours_sheet[ref].value, their_sheet[ref].value)
    assert [ours_sheet[ref].value for ref in cells] == [299, 299, 298, 10, 309, True, True]


@pytest.mark.parametrize("engine_choice", ENGINES)
def test_a_defined_name_over_a_whole_column_or_the_whole_sheet(tmp_path, engine_choice):
    names = {"ColA": "=S!$A:$A", "Everything": "=S!$A$1:$XFD$1048576"}
    cells = {**ONES, "C1": "=SUM(ColA)", "C2": "=SUM(Everything)"}
    import xlsxwriter

    from ftxl.recalc import engines as engine
    from ftxl.recalc.workbook import recalculate

    path = tmp_path / "names.xlsx"
    book = xlsxwriter.Workbook(str(path))
    data, results = book.add_worksheet("S"), book.add_worksheet("R")
    for ref, value in cells.items():
        (results.write_formula(ref, value) if str(value).startswith("=") else data.write(ref, value))
    for name, formula in names.items():
        book.define_name(name, formula)
    book.close()
    result = recalculate(path, tmp_path / "out.xlsx", engine.ModelCache(engine=engine_choice))
    assert result.ok, result.error
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["R"]
    assert sheet["C1"].value == 299
    # the whole sheet: the plain engine sums the cells in use; formulas would build the box, so it is refused
    if engine_choice == "auto" and result.engine == "plain":
        assert sheet["C2"].value == 299
    else:
        assert sheet["C2"].value == "#VALUE!"
        assert any(w.startswith("R!C2: uses the name EVERYTHING, which reads a range") for w in result.warnings)


MALFORMED = {
    "a shared formula whose master cannot be read": (
        b'<c r="B2"><f t="shared" si="0" ref="B2:B3">(((</f><v>0</v></c><c r="B3"><f t="shared" si="0"/><v>0</v></c>',
        "the formula cannot be read",
    ),
    "a formula reference that is garbage": (b'<c r="B2"><f>SUM(A1:ZZZZ99)+Q$$1</f><v>0</v></c>', "cannot be read"),
    "invalid UTF-8": (b'<c r="B2" t="str"><f>"\xff\xfe"</f><v>x</v></c>', "not well-formed XML"),
}


@pytest.mark.parametrize("cells, message", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_formulas_are_named_never_an_internal_error(tmp_path, cells, message):
    path = _sheet_with(tmp_path, cells)
    result = _recalc_one(path)
    assert message in result.output and "internal error" not in result.output, result.output


# --- never a damaged output --------------------------------------------------------------------


def test_every_control_character_round_trips_as_excel_writes_it():
    from ftxl.recalc.ooxml.worksheet import ooxml_text, plain_text

    for code in range(32):
        text = f"a{chr(code)}b_x0041_c"
        stored = ooxml_text(text)
        assert plain_text(stored) == text
        if code not in (9, 10, 13):  # tab, line feed and carriage return are XML characters
            assert chr(code) not in stored and f"_x{code:04X}_" in stored
    assert ooxml_text("\x01") == "_x0001_" and ooxml_text("_x0041_") == "_x005F_x0041_"


def test_text_with_control_characters_is_written_as_well_formed_xml(tmp_path):
    import zipfile
    from xml.parsers import expat

    cells = {f"B{k}": f'="x"&CHAR({k})&"y"' for k in range(1, 32)}
    result, values = _computed(tmp_path, cells, "auto")
    assert result.ok, result.error
    with zipfile.ZipFile(tmp_path / "out_auto.xlsx") as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    expat.ParserCreate().Parse(sheet, True)  # well-formed
    assert b"_x0001_" in sheet and b"\x01" not in sheet
    from ftxl.recalc.ooxml.package import Package, read_workbook
    from ftxl.recalc.workbook import BookReader

    with Package(tmp_path / "out_auto.xlsx") as package:
        reader = BookReader(package, read_workbook(package))
    read_back = {cell.ref: cell.value for cell in reader.sheets[0].cells}
    assert all(read_back[f"B{k}"] == f"x{chr(k)}y" for k in range(1, 32))


def test_paired_whole_columns_on_two_sheets_are_cut_alike(tmp_path):
    import xlsxwriter

    from ftxl.recalc import engines as engine
    from ftxl.recalc.workbook import recalculate

    path = tmp_path / "pair.xlsx"
    book = xlsxwriter.Workbook(str(path))
    first, second = book.add_worksheet("S"), book.add_worksheet("T")
    for row in range(300):
        first.write(row, 0, 1)
    for row in range(10):
        second.write(row, 1, 2)
    first.write_formula("D1", "=SUMIF(A:A,1,T!B:B)")
    first.write_formula("D2", "=SUMIFS(T!B:B,A:A,1)")
    book.close()
    result = recalculate(path, tmp_path / "out.xlsx", engine.ModelCache())
    assert result.ok and result.engine == "plain", result.engine
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]
    assert (sheet["D1"].value, sheet["D2"].value) == (20, 20)
