"""Reading and editing template workbooks the way a user's Excel would leave them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from ftxl.recalc.ooxml.worksheet import patch
from ftxl.recalc.workbook import cells_in

from . import EXAMPLE_WORKBOOK

INPUTS_PART = "xl/worksheets/sheet2.xml"


def parts(path: Path) -> dict[str, bytes]:
    """Every member of a workbook's zip package, by name."""
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def named_values(path: Path) -> dict[str, object]:
    """Every out_... name of the workbook with its cached value, read by openpyxl."""
    book = openpyxl.load_workbook(path, data_only=True)
    values = {}
    for name, defined in book.defined_names.items():
        if name.startswith("out_"):
            ((sheet, ref),) = defined.destinations
            values[name[4:]] = book[sheet][ref.replace("$", "")].value
    return values


def input_cell(name: str, scenario: int) -> str:
    """The Inputs cell of input `name` in scenario 0 (Low), 1 (Base) or 2 (High)."""
    book = openpyxl.load_workbook(EXAMPLE_WORKBOOK)
    ((_, ref),) = book.defined_names[name].destinations
    return list(cells_in(ref))[scenario]


def edit_inputs(source: Path, target: Path, changes: dict[str, float | None]) -> None:
    """A copy of `source` with Inputs cells set (None: emptied), written the way Excel would store them."""
    members = parts(source)
    xml = members[INPUTS_PART]
    values = {ref: v for ref, v in changes.items() if v is not None}
    xml, missing = patch(xml, values)
    assert not missing
    for ref in (ref for ref, v in changes.items() if v is None):
        xml = re.sub(rb'(<c r="' + ref.encode() + rb'"[^>]*?)(?:/>|>.*?</c>)', rb"\1/>", xml, flags=re.S)
    members[INPUTS_PART] = xml
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
