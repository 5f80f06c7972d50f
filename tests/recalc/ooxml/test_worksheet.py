"""Scanning a worksheet part and patching cached values: nothing but <v> and the type attribute changes."""

from __future__ import annotations

from ftxl.recalc.ooxml.worksheet import ooxml_text, patch, plain_text, scan
from ftxl.recalc.values import CellError

PART = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" s="3"><v>30</v></c><c r="B1" t="s"><v>0</v></c>'
    b'<c r="C1"><f>A1*2</f><v>0</v></c><c r="D1" t="str"><f>B1&amp;"!"</f><v>old</v></c></row>'
    b"</sheetData></worksheet>"
)


def test_scan_reads_values_formulas_and_shared_strings():
    cells = {cell.ref: cell for cell in scan(PART, ["hello"])}
    assert cells["A1"].value == 30.0 and cells["B1"].value == "hello"
    assert cells["C1"].formula == "A1*2" and cells["D1"].formula == 'B1&"!"'


def test_patch_changes_only_the_cached_values():
    patched, missing = patch(PART, {"C1": 60.0, "D1": CellError("#VALUE!")})
    assert not missing
    assert (
        patched.replace(b"<v>60</v>", b"<v>0</v>")
        .replace(b't="e"><f>', b't="str"><f>')
        .replace(b"<v>#VALUE!</v>", b"<v>old</v>")
        == PART
    )


def test_patch_reports_the_cells_it_did_not_find():
    _, missing = patch(PART, {"Z9": 1.0})
    assert missing == {"Z9"}


def test_control_characters_are_written_as_excel_escapes_and_read_back():
    text = "a\x01b_x0041_"
    assert ooxml_text(text) == "a_x0001_b_x005F_x0041_"
    assert plain_text(ooxml_text(text)) == text
