"""Opening an Excel package (.xlsx / .xlsm) defensively, and reading its workbook-level parts.

Everything that can be wrong with a file a colleague sent is turned into a
`WorkbookError` with a message a user can act on, before any part is parsed:
not a workbook, a legacy .xls, a password-protected (encrypted) file, a truncated
or damaged zip, a zip bomb (sizes and ratios checked from the zip directory, then
enforced while reading), and XML with entity declarations (parsed with defusedxml).
"""

from __future__ import annotations

import copy
import posixpath
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ...bounded_cache import BoundedCache
from ...errors import WorkbookError
from ..values import ERRORS, CellError
from .worksheet import plain_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DATA_DESCRIPTOR = 0x08
LOCAL_HEADER_SIZE = 30
"""Bytes of a zip local file header before its name and extra field (ZIP_MAGIC first)."""
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Limits:
    """What a package may hold before it is refused as a zip bomb."""

    max_members: int = 10_000
    max_total_bytes: int = 1 << 30
    """Sum of the uncompressed sizes of all parts: 1 GiB."""
    max_ratio: float = 200.0
    """Uncompressed / compressed size of one part larger than `ratio_floor_bytes`."""
    ratio_floor_bytes: int = 1 << 20
    max_formula_cells: int = 500_000
    """Formula cells one workbook may hold (ftxl's template has about 1,000); more is refused for that file."""


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class DefinedName:
    """A workbook defined name; `sheet` is set for a sheet-scoped name."""

    name: str
    formula: str
    sheet: str | None = None
    hidden: bool = False


@dataclass
class Workbook:
    """The workbook-level facts of a package: its sheets, names and shared strings."""

    sheets: dict[str, str] = field(default_factory=dict)
    """Sheet name -> part path inside the package (worksheets only)."""
    names: list[DefinedName] = field(default_factory=list)
    shared_strings: list[str] = field(default_factory=list)
    date1904: bool = False
    """Dates count from 1904-01-01 (`<workbookPr date1904="1"/>`), as in workbooks first made on old Macs."""
    iteration: tuple[int, float] | None = None
    """(most iterations, largest change) when the workbook turns iterative calculation on (`<calcPr
    iterate="1" iterateCount="100" iterateDelta="0.001"/>`, Excel's defaults); None when it is off."""
    external: dict[str, dict[str, object]] = field(default_factory=dict)
    """Other workbooks' cells as this file saved them (its link cache, `xl/externalLinks/`): "[1]Sheet1" (the
    sheet as formulas name it) -> A1 -> value. Excel shows these until the links are updated."""


def sniff(path: Path) -> None:
    """Refuse files that are not Office Open XML packages, saying what they are instead."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise WorkbookError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head.startswith(OLE_MAGIC):
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise WorkbookError(
                "password-protected workbook (encrypted): remove the password in Excel "
                "(File > Info > Protect Workbook > Encrypt with Password) and save again"
            )
        raise WorkbookError("legacy .xls workbook (Excel 97-2003): open it in Excel and save it as .xlsx or .xlsm")
    if not head.startswith(ZIP_MAGIC):
        raise WorkbookError("not an Excel workbook: .xlsx and .xlsm files are zip packages, this file is not one")


class Package:
    """A read-only view of an Excel package that enforces the zip-bomb limits part by part."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        sniff(path)
        self.path = path
        self.limits = limits or DEFAULT_LIMITS
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise WorkbookError(
                "truncated or damaged workbook: the zip directory at the end of the file is missing"
            ) from None
        except OSError as exc:
            raise WorkbookError(f"cannot read {path}: {exc.strerror or exc}") from None
        self.infos = self.zip.infolist()
        self._check_directory()
        self.names = {info.filename for info in self.infos}
        if "[Content_Types].xml" not in self.names or "xl/workbook.xml" not in self.names:
            self.close()
            raise WorkbookError("not an Excel workbook: the zip package has no xl/workbook.xml")
        try:
            for name in CHECKED_PARTS:
                if name in self.names:
                    check_well_formed(name, self.read(name))
        except WorkbookError:
            self.close()
            raise

    def _check_directory(self) -> None:
        limits = self.limits
        if len(self.infos) > limits.max_members:
            self.close()
            raise WorkbookError(f"refused as a zip bomb: {len(self.infos)} parts (at most {limits.max_members})")
        total = sum(info.file_size for info in self.infos)
        if total > limits.max_total_bytes:
            self.close()
            raise WorkbookError(
                f"refused as a zip bomb: {total:,} bytes uncompressed (at most {limits.max_total_bytes:,})"
            )
        names = [info.filename for info in self.infos]
        if len(set(names)) != len(names):
            twice = sorted({name for name in names if names.count(name) > 1})
            self.close()
            raise WorkbookError(
                f"damaged workbook: the zip package holds {twice[0]} twice; which one is meant is unclear"
            )
        for info in self.infos:
            kind = (info.external_attr >> 16) & 0o170000
            if kind not in (0, 0o100000, 0o040000):  # unset, a regular file, a folder
                self.close()
                raise WorkbookError(f"refused: part {info.filename} is not a regular file (a link or a device)")
            if info.flag_bits & 0x1:
                self.close()
                raise WorkbookError("password-protected workbook: its zip parts are encrypted")
            if info.file_size >= limits.ratio_floor_bytes:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    self.close()
                    raise WorkbookError(
                        f"refused as a zip bomb: part {info.filename} expands {ratio:,.0f} times "
                        f"(at most {limits.max_ratio:,.0f})"
                    )

    def read(self, name: str) -> bytes:
        """The bytes of one part, never more than the zip directory declared. A large part whose compressed
        bytes (and declared checksum and size) are those of a part read before is not expanded again: it
        is the very same bytes object (a label log that filled copies of a template share)."""
        info = self.zip.getinfo(name)
        if not SHARED_PART_BYTES <= info.file_size <= LARGEST_SHARED_PART:
            return self._expanded(info)
        key = (self._compressed(info), info.CRC, info.file_size, info.compress_type)
        data = _EXPANDED.get(key)
        if data is None:
            data = _EXPANDED.put(key, self._expanded(info))
        return data

    def _expanded(self, info: zipfile.ZipInfo) -> bytes:
        name = info.filename
        try:
            with self.zip.open(info) as member:
                data = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise WorkbookError(f"damaged workbook: part {name} cannot be read ({exc})") from None
        except NotImplementedError as exc:
            raise WorkbookError(f"unsupported workbook: part {name} uses {exc}") from None
        if len(data) > info.file_size:
            raise WorkbookError(f"refused as a zip bomb: part {name} is larger than its zip directory says")
        return data

    def write_copy(self, handle: IO[bytes], replaced: Mapping[str, bytes]) -> None:
        """Write this package to `handle` with the parts in `replaced` swapped in.

        Every other part is copied as its compressed bytes, without unpacking and packing
        it again: byte for byte what the original holds, and no time spent on it.
        """
        with zipfile.ZipFile(handle, "w") as out:
            out.comment = self.zip.comment
            for info in self.infos:
                if info.filename in replaced:  # writestr fills in offsets and sizes: on a copy, not ours
                    out.writestr(copy.copy(info), replaced[info.filename], compress_type=info.compress_type)
                else:
                    self._copy_compressed(info, out)

    def _copy_compressed(self, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
        # zipfile has no public call for this; these are the steps its own writestr takes
        if out.fp is None:
            raise WorkbookError("the copy was closed while it was being written")
        data = self._compressed(info)
        copied = copy.copy(info)
        copied.flag_bits &= ~_DATA_DESCRIPTOR  # sizes and CRC go into the header written here
        copied.header_offset = out.fp.tell()
        zip64 = max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT
        out.fp.write(copied.FileHeader(zip64))
        out.fp.write(data)
        out.filelist.append(copied)
        out.NameToInfo[copied.filename] = copied
        out.start_dir = out.fp.tell()

    def _compressed(self, info: zipfile.ZipInfo) -> bytes:
        """A part's bytes as stored in the zip, not expanded."""
        source = self.zip.fp
        if source is None:
            raise WorkbookError("the package was closed while it was being read")
        source.seek(info.header_offset)
        header = source.read(LOCAL_HEADER_SIZE)
        if len(header) != LOCAL_HEADER_SIZE or not header.startswith(ZIP_MAGIC):
            raise WorkbookError(f"damaged workbook: part {info.filename} has no valid zip header")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        source.seek(info.header_offset + LOCAL_HEADER_SIZE + name_length + extra_length)
        data = source.read(info.compress_size)
        if len(data) != info.compress_size:
            raise WorkbookError(f"truncated workbook: part {info.filename} is cut short")
        return data

    def xml(self, name: str, data: bytes | None = None) -> Element:
        """A small part (or its `data`, already read) parsed with defusedxml: entity declarations are refused."""
        try:
            return fromstring(self.read(name) if data is None else data)
        except DefusedXmlException:
            raise WorkbookError(f"refused: part {name} declares XML entities (a possible entity bomb)") from None
        except Exception as exc:  # ParseError and friends
            raise WorkbookError(f"damaged workbook: part {name} is not well-formed XML ({exc})") from None

    def close(self) -> None:
        """Release the file handle."""
        self.zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


SHARED_PART_BYTES = 1 << 18
"""Parts this large (expanded) are kept for the batch by their compressed bytes (see `Package.read`)."""
LARGEST_SHARED_PART = 16 << 20
_EXPANDED: BoundedCache[tuple[bytes, int, int, int], bytes] = BoundedCache(4)


CHECKED_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/styles.xml")
"""Package-level parts checked to be well-formed XML without a DTD when a package is opened, though recalc
only copies them: a file damaged there is refused, not passed on. Other parts it does not read (charts,
drawings, themes, comments ...) are copied as their compressed bytes, never parsed or expanded."""


class _DoctypeError(Exception):
    pass


def _refuse_doctype(*_: object) -> None:
    raise _DoctypeError


def check_well_formed(name: str, data: bytes) -> None:
    """Refuse a part that is not well-formed XML, or that declares a DTD (where entities would hide)."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    try:
        parser.Parse(data, True)
    except _DoctypeError:
        raise WorkbookError(f"refused: part {name} declares a DTD or XML entities (a possible entity bomb)") from None
    except expat.ExpatError as exc:
        raise WorkbookError(f"damaged workbook: part {name} is not well-formed XML ({exc})") from None


def _relationships(package: Package, part: str) -> dict[str, str]:
    """Relationship id -> target part path for `part`."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in package.names:
        return {}
    targets = {}
    for rel in package.xml(rels_name).iter(f"{{{PKG_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        targets[rel.get("Id", "")] = path
    return targets


_WORKBOOKS: BoundedCache[tuple[bytes, ...], Workbook] = BoundedCache(32)
"""Parsed workbook-level parts by their bytes: filled copies of one template share them."""


def read_workbook(package: Package) -> Workbook:
    """Sheets, defined names and shared strings of `package` (read-only: copies share one object)."""
    names = ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    names += sorted(name for name in package.names if name.endswith("sharedStrings.xml"))
    names += sorted(name for name in package.names if name.startswith("xl/externalLinks/") and name.endswith(".xml"))
    data = {name: package.read(name) for name in names if name in package.names}
    key = tuple(data.get(name, b"") for name in names)
    book = _WORKBOOKS.get(key)
    if book is None:
        book = _parse_workbook(package, data)
        if sum(map(len, key)) <= CACHED_PARTS_BYTES:  # large shared strings are not kept for the batch
            _WORKBOOKS.put(key, book)
    return book


def _iteration(calc: Element | None) -> tuple[int, float] | None:
    """Iterative calculation's settings from `<calcPr>`, within the bounds Excel's dialog allows."""
    if calc is None or calc.get("iterate", "0").lower() not in ("1", "true"):
        return None
    try:
        count = int(calc.get("iterateCount", "100"))
        delta = float(calc.get("iterateDelta", "0.001"))
    except ValueError:
        raise WorkbookError("damaged workbook: calcPr's iterateCount or iterateDelta is not a number") from None
    if not (1 <= count <= MAX_ITERATIONS) or not (0 <= delta < float("inf")):
        raise WorkbookError(
            f"iterative calculation set to {count} iterations and a change of {delta}: Excel allows 1 to "
            f"{MAX_ITERATIONS:,} iterations and a change of 0 or more"
        )
    return count, delta


MAX_ITERATIONS = 32767
"""Excel's largest Maximum Iterations."""

CACHED_PARTS_BYTES = 4 << 20
"""Workbook-level parts up to this size are parsed once per batch; larger ones each time (bounded memory)."""


def _parse_workbook(package: Package, data: dict[str, bytes]) -> Workbook:
    root = package.xml("xl/workbook.xml", data["xl/workbook.xml"])
    rels = _relationships(package, "xl/workbook.xml")
    book = Workbook()
    properties = root.find(f"{{{MAIN_NS}}}workbookPr")
    book.date1904 = properties is not None and properties.get("date1904", "0").lower() in ("1", "true")
    book.iteration = _iteration(root.find(f"{{{MAIN_NS}}}calcPr"))
    sheet_names: list[str] = []
    for sheet in root.iter(f"{{{MAIN_NS}}}sheet"):
        name = sheet.get("name", "")
        sheet_names.append(name)
        relation = sheet.get(f"{{{REL_NS}}}id", "")
        target = rels.get(relation)
        if not target or target not in package.names:
            why = f"points at {target}, which is not in the package" if target else "is not in workbook.xml.rels"
            raise WorkbookError(f"damaged workbook: sheet {name!r} has no part (relationship {relation!r} {why})")
        if "worksheets/" in target:
            book.sheets[name] = target
    for defined in root.iter(f"{{{MAIN_NS}}}definedName"):
        local = defined.get("localSheetId")
        if local is not None and not (local.isdigit() and int(local) < len(sheet_names)):
            raise WorkbookError(
                f"damaged workbook: the defined name {defined.get('name', '')!r} belongs to sheet number {local!r}, "
                f"which does not exist"
            )
        book.names.append(
            DefinedName(
                name=defined.get("name", ""),
                formula=defined.text or "",
                sheet=sheet_names[int(local)] if local is not None else None,
                hidden=defined.get("hidden") in ("1", "true"),
            )
        )
    strings_part = next((t for t in rels.values() if t.endswith("sharedStrings.xml")), None)
    if strings_part and strings_part in package.names:
        t, run = f"{{{MAIN_NS}}}t", f"{{{MAIN_NS}}}r"
        for item in package.xml(strings_part, data.get(strings_part)).iter(f"{{{MAIN_NS}}}si"):
            # plain text, or rich-text runs; phonetic guides (rPh) are not part of the value
            texts = [item.findtext(t) or ""] + [r.findtext(t) or "" for r in item.findall(run)]
            book.shared_strings.append(plain_text("".join(texts)))
    for number, reference in enumerate(root.iter(f"{{{MAIN_NS}}}externalReference"), start=1):
        part = rels.get(reference.get(f"{{{REL_NS}}}id", ""))
        if part and part in package.names:
            book.external.update(_link_cache(package.xml(part, data.get(part)), number, book.shared_strings))
    return book


def _link_cache(link: Element, number: int, strings: list[str]) -> dict[str, dict[str, object]]:
    """The cells another workbook (the `number`th external reference) had when this file was saved, by the
    sheet name formulas use for them ("[1]Sheet1")."""
    book = link.find(f"{{{MAIN_NS}}}externalBook")
    if book is None:
        return {}
    sheets = [s.get("val", "") for s in book.iter(f"{{{MAIN_NS}}}sheetName")]
    found: dict[str, dict[str, object]] = {}
    for data in book.iter(f"{{{MAIN_NS}}}sheetData"):
        sheet_id = data.get("sheetId", "")
        if not sheet_id.isdigit() or int(sheet_id) >= len(sheets):
            continue
        cells: dict[str, object] = {}
        for cell in data.iter(f"{{{MAIN_NS}}}cell"):
            ref, kind, text = cell.get("r", ""), cell.get("t", "n"), cell.findtext(f"{{{MAIN_NS}}}v")
            if not ref or text is None:
                continue
            value: object
            if kind == "n":
                try:
                    value = float(text)
                except ValueError:
                    continue
            elif kind == "b":
                value = text.strip() in ("1", "true")
            elif kind == "e":
                value = CellError(text.strip()) if text.strip() in ERRORS else None
            elif kind == "s":
                value = strings[int(text)] if text.isdigit() and int(text) < len(strings) else None
            else:  # str, inlineStr
                value = plain_text(text)
            if value is not None:
                cells[ref.replace("$", "").upper()] = value
        found[f"[{number}]{sheets[int(sheet_id)]}"] = cells
    return found


def looks_like_workbook(path: Path) -> bool:
    """True for the file names `ftxl recalc` picks up when walking a folder."""
    return path.suffix.lower() in (".xlsx", ".xlsm") and not path.name.startswith(("~$", "."))
