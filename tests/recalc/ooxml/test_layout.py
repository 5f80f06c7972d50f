"""Reading a filled copy's sheet through the layout of the template's: exactly the cells a scan finds, or no
answer (then the part is scanned); never a damaged part taken for a good one."""

from __future__ import annotations

import re
import zipfile

import pytest
from helpers import EXAMPLE_WORKBOOK
from hypothesis import given, settings
from hypothesis import strategies as st

from ftxl.errors import WorkbookError
from ftxl.recalc import workbook
from ftxl.recalc.ooxml.package import check_well_formed
from ftxl.recalc.ooxml.worksheet import Layout, patch, scan

STRINGS = [f"label {k}" for k in range(2000)]


def _sheets(small: bool) -> dict[str, bytes]:
    with zipfile.ZipFile(EXAMPLE_WORKBOOK) as package:
        return {
            name: package.read(name)
            for name in package.namelist()
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name)
            and (package.getinfo(name).file_size < 1 << 16 or not small)
        }


SHEETS = _sheets(small=True)
EVERY_SHEET = _sheets(small=False)
"""With the large ones: the Inputs sheet that filled copies differ in, the label log."""


def _fields(cells):
    return [(c.ref, c.start, c.end, c.attrs, c.formula, c.formula_attrs, c.value, c.plain) for c in cells]


@pytest.mark.parametrize("name", sorted(EVERY_SHEET))
def test_every_sheet_of_the_example_has_a_layout_that_reads_it_back(name):
    part = EVERY_SHEET[name]
    cells = list(scan(part, STRINGS))
    layout = Layout.of(part, cells)
    assert layout is not None
    assert _fields(layout.cells_of(part, STRINGS)) == _fields(cells)


NUMBERS = st.floats(allow_nan=False, allow_infinity=False).map(lambda x: repr(x).encode())


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_copy_with_other_values_reads_as_a_scan_reads_it(data):
    name = data.draw(st.sampled_from(sorted(SHEETS)))
    part = SHEETS[name]
    layout = Layout.of(part, list(scan(part, STRINGS)))
    assert layout is not None

    def other(match: re.Match[bytes]) -> bytes:
        cell_type = re.search(rb'\bt="(\w+)"', part[part.rfind(b"<c ", 0, match.start()) : match.start()])
        kind = cell_type.group(1) if cell_type else b"n"
        if kind == b"s":
            value = str(data.draw(st.integers(0, len(STRINGS) - 1))).encode()
        elif kind == b"str":
            value = data.draw(st.text(st.characters(codec="utf-8", exclude_characters="<&\r"), max_size=12)).encode()
        elif kind == b"n":
            value = data.draw(NUMBERS)
        else:
            return match.group(0)
        return b"<v>" + value + b"</v>"

    copy = re.sub(rb"<v>([^<&]*)</v>", other, part)
    assert Layout.skeleton_of(copy) == layout.skeleton
    try:
        check_well_formed(name, copy)  # what a recalculation checks before it scans a part
        expected = _fields(scan(copy, STRINGS))
    except WorkbookError:
        with pytest.raises(WorkbookError):
            layout.cells_of(copy, STRINGS)
        return
    found = layout.cells_of(copy, STRINGS)
    assert found is not None and _fields(found) == expected
    assert patch(copy, {found[-1].ref: 1.5}, found[-1:])[0] == patch(copy, {found[-1].ref: 1.5})[0]


PART = (
    b'<worksheet><sheetData><row r="1"><c r="A1"><v>30</v></c><c r="B1" t="str"><f>A1&amp;"x"</f><v>ab</v></c>'
    b"</row></sheetData></worksheet>"
)


def test_values_that_are_not_text_xml_can_hold_are_refused():
    layout = Layout.of(PART, list(scan(PART, [])))
    assert layout is not None
    with pytest.raises(WorkbookError, match="not UTF-8"):
        layout.cells_of(PART.replace(b"<v>ab</v>", b"<v>a\xff</v>"), [])
    for bad in (b"a\x01", b"a]]>"):
        copy = PART.replace(b"<v>ab</v>", b"<v>" + bad + b"</v>")
        with pytest.raises(WorkbookError, match="not well-formed"):
            check_well_formed("sheet", copy)
        with pytest.raises(WorkbookError, match="control character or"):
            layout.cells_of(copy, [])
    with pytest.raises(WorkbookError, match="not a number"):
        layout.cells_of(PART.replace(b"<v>30</v>", b"<v>3x</v>"), [])


def test_parts_of_another_form_have_no_layout_or_do_not_match_it():
    with_entity = PART.replace(b"<v>ab</v>", b"<v>a&amp;b</v>")  # not the common form: scanned each time
    assert Layout.of(with_entity, list(scan(with_entity, []))) is None
    outside = PART.replace(b"</sheetData>", b"</sheetData><extLst><v>1</v></extLst>")
    assert Layout.of(outside, list(scan(outside, []))) is None
    layout = Layout.of(PART, list(scan(PART, [])))
    assert layout is not None
    emptied = PART.replace(b"<v>30</v>", b"")  # another skeleton: never looked up under this one
    assert Layout.skeleton_of(emptied) != layout.skeleton


def test_a_large_sheet_that_differs_only_in_values_is_read_through_its_layout(monkeypatch):
    """A filled copy's Inputs sheet (over 64 kB) is not scanned again, and reads as a scan would read it."""
    name = max((n for n in EVERY_SHEET if len(EVERY_SHEET[n]) < 1 << 20), key=lambda n: len(EVERY_SHEET[n]))
    part = EVERY_SHEET[name]
    assert len(part) >= workbook.LARGE_PART
    workbook._scanned(part, STRINGS, name)
    copy = re.sub(rb"<c r=\"([A-Z]+\d+)\"( s=\"\d+\")?><v>(\d+)</v>", rb'<c r="\1"\2><v>\g<3>7</v>', part)
    assert copy != part
    scans = []
    monkeypatch.setattr(workbook, "_checked_cells", lambda *args: scans.append(args) or [])
    found = workbook._scanned(copy, STRINGS, name)
    assert not scans
    assert _fields(found) == _fields(scan(copy, STRINGS))


def test_a_formula_cached_as_empty_text_reads_as_empty_text():
    """`<v></v>` in a `t="str"` cell is the empty text a formula such as IF(…, "", …) gave, not a missing value:
    a recalculation that gives "" again leaves the part as it is."""
    part = PART.replace(b"<v>ab</v>", b"<v></v>")
    (cell,) = [c for c in scan(part, []) if c.ref == "B1"]
    assert cell.value == ""
    layout = Layout.of(PART, list(scan(PART, [])))
    assert layout is not None
    assert [c.value for c in layout.cells_of(part, [])] == [30.0, ""]
    assert [c.value for c in scan(PART.replace(b"<v>ab</v>", b""), [])] == [30.0, None]
