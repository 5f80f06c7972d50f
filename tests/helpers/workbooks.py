"""Test workbooks written by other writers than ftxl's own, holding what recalculation must not touch."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import xlsxwriter

# (cell, formula as typed, expected value) on sheet "Model", every ftxl spelling a file may hold
FTXL_FORMULAS = [
    ("B7", "=BREAKEVEN_DAYS(Inputs!B1,Inputs!B2,Inputs!B3,Inputs!B4)", 1600 / 33),
    ("B8", "=_xludf.BREAKEVEN_DAYS(Inputs!B1,Inputs!B2,Inputs!B3,Inputs!B4)", 1600 / 33),
    ("B9", "=_xldudf_BREAKEVEN_DAYS(Inputs!B1,Inputs!B2,Inputs!B3,Inputs!B4)", 1600 / 33),
    ("B10", "=[1]!MAX_FT_INVESTMENT(Events,Inputs!B3,Inputs!B4)", 148500.0),
    ("B11", "=_xldudf_XLWINGS_NET_SAVINGS(Events,Inputs!B3,Inputs!B4,Investment)", 108500.0),
    ("B12", "=net_savings(Events,Inputs!B3,Inputs!B4,Investment)", 108500.0),
    ("B13", "=_xludf.max_cost_premium(0.26,0.14,Investment,Events)", 17 / 225),
    ("B14", "=AMORTIZED_COST_PER_EVENT(Inputs!B4,Investment,Events)", 359 / 1800),
    ("B15", "=COST_PER_EVENT(0.26,0.06)", 0.32),
    ("B16", "=HUMAN_COST_PER_EVENT(30,20)", 1 / 6),
    ("B17", "=EXPECTED_ERROR_COST(Inputs!B6:D6,Inputs!B5:D5)", 0.7),
    ("B18", "=BREAKEVEN_DAYS(Investment,Inputs!B2,Inputs!B4,Inputs!B3)", "#NUM!"),
    ("B19", "=Inputs!B1/0", "#DIV/0!"),
    ("B20", '=IF(B7<90,"fine-tune","stay")', "fine-tune"),
    ("B21", "=SUM(Inputs!B1:B2)*2", 90000.0),
]
ARRAY_FORMULA = ("C1:E1", "{=ERROR_SHARES(0.95,0.8)}", [0.8, 0.15, 0.05])
EXTERNAL_LINK_TARGET = "ftxl-addin.xlam"


def tiny_png() -> bytes:
    """A valid 1x1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


X14_VALIDATION = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>B1</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def write_xlsxwriter(path: Path, vba_project: bytes | None = None) -> Path:
    """A workbook by XlsxWriter: inputs, ftxl formulas in every spelling, a chart, an image, comments,
    an x14 data validation, defined names, and (for .xlsm) a VBA project."""
    book = xlsxwriter.Workbook(str(path))
    inputs = book.add_worksheet("Inputs")
    for row, (label, value) in enumerate(
        [
            ("Investment (EUR)", 40000),
            ("Events per day", 5000),
            ("Cost prompted (EUR)", 0.32),
            ("Cost fine-tuned (EUR)", 0.155),
        ]
    ):
        inputs.write(row, 0, label)
        inputs.write(row, 1, value)
    inputs.write_row("B5", [0, 2, 8])
    inputs.write_row("B6", [0.8, 0.15, 0.05])
    inputs.write_comment("B1", "Training, evaluation and MLOps set-up, in euros.")
    inputs.data_validation(
        "B2", {"validate": "integer", "criteria": ">", "value": 0, "input_message": "Events per day"}
    )
    inputs.insert_image("F2", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    lists = book.add_worksheet("Lists")
    lists.write_column("A1", ["low", "base", "high"])
    model = book.add_worksheet("Model")
    for cell, formula, _ in FTXL_FORMULAS:
        model.write_formula(cell, formula)
    model.write_array_formula(ARRAY_FORMULA[0], ARRAY_FORMULA[1])
    model.write("A1", "Results")
    book.define_name("Investment", "=Inputs!$B$1")
    book.define_name("Events", "=Inputs!$B$2*180")
    book.define_name("out_breakeven_days", "=Model!$B$7")
    book.define_name("out_net_savings", "=Model!$B$12")
    book.define_name("out_shares", "=Model!$C$1:$E$1")
    chart = book.add_chart({"type": "line"})
    chart.add_series({"values": "=Inputs!$B$1:$B$4", "name": "inputs"})
    model.insert_chart("D5", chart)
    if vba_project is not None:
        book.add_vba_project(io.BytesIO(vba_project), is_stream=True)
    book.close()
    _add_x14_validation_and_addin_link(path)
    return path


def _add_x14_validation_and_addin_link(path: Path) -> None:
    """Post-process XlsxWriter's package the way Excel writes these two things.

    An Excel-2010 (x14) data validation list on Inputs!B1, and the external link part that
    Excel saves for a function of an add-in workbook (the ``[1]!`` in B10).
    """
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
        infos = source.infolist()
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("</worksheet>", X14_VALIDATION + "</worksheet>").encode()
    parts["xl/externalLinks/externalLink1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<externalBook r:id="rId1"><definedNames><definedName name="MAX_FT_INVESTMENT"/></definedNames>'
        b"</externalBook></externalLink>"
    )
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        f'Target="{EXTERNAL_LINK_TARGET}" TargetMode="External"/></Relationships>'
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdX1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>',
    ).encode()
    workbook = parts["xl/workbook.xml"].decode()
    parts["xl/workbook.xml"] = workbook.replace(
        "<definedNames>", '<externalReferences><externalReference r:id="rIdX1"/></externalReferences><definedNames>'
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>",
        '<Override PartName="/xl/externalLinks/externalLink1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>',
    ).encode()
    names = [info.filename for info in infos] + [
        "xl/externalLinks/externalLink1.xml",
        "xl/externalLinks/_rels/externalLink1.xml.rels",
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            target.writestr(name, parts[name])


RECALC_ALWAYS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
    "<value>0</value></prop></item></oor:items>\n"
)
"""A LibreOffice profile setting that recalculates every formula of an .xlsx on loading."""


def libreoffice(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    """Run LibreOffice headless with a throwaway profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
    command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=240, check=True)


def libreoffice_recalculated(path: Path, folder: Path) -> Path:
    """`path` recalculated by LibreOffice (every formula, on loading) and saved as .xlsx in `folder`."""
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    libreoffice("--convert-to", "xlsx", "--outdir", str(folder), str(path), profile=profile)
    return folder / path.name
