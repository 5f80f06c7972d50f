"""Reading the cells of a worksheet part and rewriting only their cached values, byte for byte.

The worksheet XML is scanned, not parsed into a tree, so that writing back changes
nothing but the ``<v>`` element (and the ``t`` type attribute) of the cells whose
values were computed: every other byte of the part stays as the writer left it.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import WorkbookError
from ..values import CellError

CELL = re.compile(
    rb"<(?P<prefix>(?:[A-Za-z_][\w.-]*:)?)c(?P<attrs>(?:\s[^>]*?)?)(?:/>|>(?P<body>.*?)</(?P=prefix)c>)",
    re.S,
)
SCAN = re.compile(
    rb'<c(?P<plain> r="(?P<ref>[A-Z]{1,3}[0-9]+)"(?: s="[0-9]+")?(?: t="(?P<type>[a-zA-Z]+)")?)'
    rb'(?:/>|>(?P<felem><f(?P<fattrs>(?: [a-zA-Z]+="[^"&<]*")*)(?:/>|>(?P<f>[^<]*)</f>))?'
    rb"(?:<v>(?P<v>[^<&]*)</v>)?</c>)"
    rb"|" + CELL.pattern,
    re.S,
)
"""A cell as most writers write it (attributes r, s, t in that order; an <f>, shared or not, its text with
entities such as &quot; or not, and a <v> without entities), else any cell."""
ATTR = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')
PLAIN_BODY = re.compile(rb"\A(?:<f>([^<&]*)</f>)?(?:<v>([^<&]*)</v>)?\Z")
"""A cell body of a plain <f> and <v> without entities, which `patch` rewrites without parsing."""
REF_ATTR = re.compile(rb'\sr\s*=\s*"\$?([A-Za-z]+)\$?(\d+)"')
TYPE_ATTR = re.compile(rb'\s+t\s*=\s*"([^"]*)"')
DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


@dataclass(slots=True)
class Cell:
    """One ``<c>`` element of a worksheet: where it sits in the part and what it holds."""

    ref: str
    start: int
    end: int
    attrs: dict[str, str]
    """The element's attributes; for the common form only its type ``t`` (read-only: such cells share it)."""
    formula: str | None
    formula_attrs: dict[str, str]
    """The <f> element's attributes (read-only: cells without any share one empty dict)."""
    value: Any
    """The cached or typed value: float, str, bool, CellError, or None when empty."""
    plain: tuple[bytes, bytes | None] | None = None
    """For an element of the common form: its attribute bytes and <f> element, to rewrite it without parsing."""


_NO_ATTRS: dict[str, str] = {}
_TYPED = {kind.encode(): {"t": kind} for kind in ("s", "str", "b", "e", "n", "d")}
"""The attributes `scan` gives cells of the common form, shared (never written to)."""


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode(): html.unescape(v.decode()) for k, v in ATTR.findall(raw)}


@functools.lru_cache(maxsize=64)
def _child(prefix: bytes, tag: bytes) -> re.Pattern[bytes]:
    """The pattern of a cell's child element `tag` (with the namespace prefix the writer used)."""
    name = re.escape(prefix + tag)
    return re.compile(rb"<" + name + rb"(\s[^>]*?)?(?:/>|>(.*?)</" + name + rb">)", re.S)


def _element(body: bytes, prefix: bytes, tag: bytes) -> tuple[dict[str, str], str | None, re.Match[bytes] | None]:
    """Attributes and text of the first child `tag` of a cell body."""
    if b"<" + prefix + tag not in body:
        return {}, None, None
    match = _child(prefix, tag).search(body)
    if not match:
        return {}, None, None
    text = match.group(2)
    return _attrs(match.group(1) or b""), None if text is None else html.unescape(_eol(text.decode("utf-8"))), match


def _eol(text: str) -> str:
    """Line ends as an XML parser reads them: CR LF and a lone CR are LF (&#13; stays a CR)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _number(raw: bytes) -> float:
    try:
        return float(raw)
    except ValueError:
        raise WorkbookError(f"damaged workbook: {raw.decode(errors='replace')!r} is not a number") from None


def _typed_value(cell_type: str, raw: str | None, inline: str | None, shared_strings: list[str]) -> Any:
    if cell_type == "inlineStr":
        return None if inline is None else plain_text(inline)
    if raw is None or raw == "":
        return "" if cell_type == "str" and raw == "" else None  # <v></v>: a formula's empty text, kept as such
    if cell_type == "s":
        return _shared_string(shared_strings, raw)
    if cell_type == "str":
        return plain_text(raw)
    if cell_type == "d":
        return raw
    if cell_type == "b":
        return raw.strip() in ("1", "true")
    if cell_type == "e":
        return CellError(raw)
    try:
        return float(raw)
    except ValueError:
        raise WorkbookError(f"damaged workbook: {raw!r} is not a number") from None


def _shared_string(shared_strings: list[str], raw: str | bytes) -> str:
    try:
        return shared_strings[int(raw)]
    except (ValueError, IndexError):
        shown = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
        raise WorkbookError(f"damaged workbook: shared string {shown} does not exist") from None


def _formula_text(raw: bytes) -> str:
    """The text of an <f> element; short ones (nearly all) decoded once for every copy that repeats them."""
    return _short_formula_text(raw) if len(raw) <= REMEMBERED_FORMULA_BYTES else _decoded(raw)


def _decoded(raw: bytes) -> str:
    text = _eol(raw.decode("utf-8"))
    return html.unescape(text) if "&" in text else text


REMEMBERED_FORMULA_BYTES = 2048
"""Formulas up to this size are remembered (at most 8,192 of them: a few MB however hostile the files)."""
_short_formula_text = functools.lru_cache(maxsize=8192)(_decoded)


def scan(part: bytes, shared_strings: list[str], part_name: str = "sheet") -> Iterator[Cell]:
    """Every cell of a worksheet part, in document order."""
    if DOCTYPE.search(part, 0, 4096):
        raise WorkbookError(f"refused: part {part_name} declares XML entities (a possible entity bomb)")
    for match in SCAN.finditer(part):
        attrs_raw, ref, cell_type, element, formula_attrs, formula, raw = match.group(
            "plain", "ref", "type", "felem", "fattrs", "f", "v"
        )
        if ref is not None:
            attrs = _TYPED[cell_type] if cell_type in _TYPED else {"t": cell_type.decode()} if cell_type else _NO_ATTRS
            yield Cell(
                ref.decode(),
                match.start(),
                match.end(),
                attrs,
                None if element is None else _formula_text(formula or b""),
                _attrs(formula_attrs) if formula_attrs else _NO_ATTRS,
                _common_value(attrs.get("t"), raw, shared_strings),
                (attrs_raw, element),
            )
            continue
        attrs = _attrs(match.group("attrs") or b"")
        ref = attrs.get("r")
        if not ref:
            raise WorkbookError(f"unsupported workbook: a cell in {part_name} has no reference (r attribute)")
        body = match.group("body") or b""
        prefix = match.group("prefix")
        formula_attrs, formula, _ = _element(body, prefix, b"f")
        _, raw, _ = _element(body, prefix, b"v")
        inline = None
        if attrs.get("t") == "inlineStr":
            inline = "".join(
                html.unescape(t.decode("utf-8"))
                for t in re.findall(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", body, re.S)
            )
        has_formula = formula is not None or bool(formula_attrs)
        yield Cell(
            ref=ref.replace("$", "").upper(),
            start=match.start(),
            end=match.end(),
            attrs=attrs,
            formula=(formula or "") if has_formula else None,
            formula_attrs=formula_attrs,
            value=_typed_value(attrs.get("t", "n"), raw, inline, shared_strings),
        )


VALUE_TEXT = re.compile(rb"<v>([^<&]*)</v>")
"""A cached value without markup or entities: what filled copies of one template differ in."""
XML_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters an XML document cannot hold (an XML parser refuses them)."""


@dataclass(slots=True)
class Layout:
    """A scanned sheet part without its values: another part that differs from it only inside ``<v>``
    elements (a filled copy of the same template) has the same cells at known places, so its cells are
    found by reading those values alone, not by scanning it again.

    The skeleton is the part with every value taken out; two parts with the same skeleton differ only
    there, and a value matched by `VALUE_TEXT` holds no markup: the other part is as well-formed as this
    one was found to be, its cells inside Excel's grid, its formulas the same.
    """

    skeleton: bytes
    cells: list[Cell]
    slots: list[int]
    """Per cell, the index of its value among the part's `VALUE_TEXT` matches (-1: none)."""
    lengths: list[int]
    """Per cell, the length of that value in the part scanned (0: none)."""
    count: int
    """How many values the part holds."""

    @staticmethod
    def skeleton_of(part: bytes) -> bytes:
        return VALUE_TEXT.sub(b"<v></v>", part)

    @classmethod
    def of(cls, part: bytes, cells: list[Cell], skeleton: bytes | None = None) -> Layout | None:
        """The layout of a part `scan` read as `cells` (`skeleton`: its skeleton, when already taken); None
        unless every cell is of the common form with at most one value, and every value of the part belongs
        to a cell."""
        matches = list(VALUE_TEXT.finditer(part))
        slots, lengths, k = [], [], 0
        for cell in cells:
            if cell.plain is None:
                return None
            inside = []
            while k < len(matches) and matches[k].start() < cell.end:
                if matches[k].start() < cell.start:
                    return None  # a value outside any cell
                inside.append(k)
                k += 1
            if len(inside) > 1:
                return None
            slots.append(inside[0] if inside else -1)
            lengths.append(len(matches[inside[0]].group(1)) if inside else 0)
        if k != len(matches):
            return None
        return cls(cls.skeleton_of(part) if skeleton is None else skeleton, cells, slots, lengths, len(matches))

    def cells_of(self, part: bytes, shared_strings: list[str], part_name: str = "sheet") -> list[Cell] | None:
        """The cells of `part`, whose skeleton is this layout's, read from its values; None when its values
        do not line up with this layout's (then `scan` it)."""
        raws = VALUE_TEXT.findall(part)
        if len(raws) != self.count:
            return None
        found: list[Cell] = []
        shift = 0
        for cell, slot, length in zip(self.cells, self.slots, self.lengths, strict=True):
            start = cell.start + shift
            value: Any = None
            if slot >= 0:
                raw = raws[slot]
                shift += len(raw) - length
                value = _value_of(cell.attrs.get("t"), raw, shared_strings, part_name)
            found.append(
                Cell(cell.ref, start, cell.end + shift, cell.attrs, cell.formula, cell.formula_attrs, value, cell.plain)
            )
        return found


def _value_of(cell_type: str | None, raw: bytes, shared_strings: list[str], part_name: str) -> Any:
    """A cell's value from its raw `<v>` text, as `scan` reads the common form, with the checks an XML parser
    would have made of text (a layout's part is not parsed)."""
    if cell_type not in (None, "s"):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise WorkbookError(f"damaged workbook: part {part_name} is not well-formed XML (not UTF-8)") from None
        if XML_CONTROL.search(text) or "]]>" in text:
            raise WorkbookError(
                f"damaged workbook: part {part_name} is not well-formed XML (a control character or ]]>)"
            )
    return _common_value(cell_type, raw, shared_strings)


def _common_value(cell_type: str | None, raw: bytes | None, shared_strings: list[str]) -> Any:
    """The value of a cell of the common form from its type and raw `<v>` text (None: no <v>)."""
    if cell_type is None:
        return _number(raw) if raw else None
    if cell_type == "s" and raw:  # a shared string, as most text cells are
        return _shared_string(shared_strings, raw)
    return _typed_value(cell_type, None if raw is None else _eol(raw.decode("utf-8")), None, shared_strings)


def format_number(value: float) -> str:
    """A float as Excel stores it: shortest round-trip digits, integers without '.0'."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def encode(value: Any) -> tuple[str | None, str]:
    """The `t` attribute (None for a number) and `<v>` text that store `value` as a cached result."""
    if isinstance(value, CellError):
        return "e", value.code
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, (int, float)):
        number = float(value)
        return (None, format_number(number)) if math.isfinite(number) else ("e", "#NUM!")
    return "str", str(value)


def _with_type(attrs: bytes, cell_type: str | None) -> bytes:
    """Cell attributes with `t` set for the new value; untouched when the type stays the same."""
    wanted = cell_type or "n"
    current = TYPE_ATTR.search(attrs)
    if current is None:
        return attrs if cell_type is None else attrs + f' t="{cell_type}"'.encode()
    if current.group(1).decode() == wanted:
        return attrs
    if cell_type is None:
        return attrs[: current.start()] + attrs[current.end() :]
    return attrs[: current.start(1)] + cell_type.encode() + attrs[current.end(1) :]


NOT_IN_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
"""Characters XML 1.0 cannot hold, a carriage return (which a reader would turn into a line feed) and an
underscore that would read as an escape: OOXML writes them _xHHHH_, as Excel does (_x000D_)."""
OOXML_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def ooxml_text(text: str) -> str:
    """Text with the characters XML cannot hold written as Excel writes them: U+0001 as _x0001_."""
    return NOT_IN_XML.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def plain_text(text: str) -> str:
    """The text an OOXML string stands for: _x0001_ is U+0001, _x005F_ an underscore."""
    return OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _escaped(text: str) -> bytes:
    """Text as the content of an XML element, UTF-8; characters XML cannot hold as _xHHHH_."""
    if NOT_IN_XML.search(text):
        text = ooxml_text(text)
    return (html.escape(text, quote=False) if "&" in text or "<" in text or ">" in text else text).encode("utf-8")


def _with_value(body: bytes, prefix: bytes, text: str) -> bytes:
    """The cell body with its `<v>` set to `text` (inserted after `<f>` when there was none)."""
    escaped = _escaped(text)
    if not prefix:
        plain = PLAIN_BODY.match(body)
        if plain is not None:
            formula = plain.group(1)
            return (b"" if formula is None else b"<f>" + formula + b"</f>") + b"<v>" + escaped + b"</v>"
    v = b"<" + prefix + b"v>" + escaped + b"</" + prefix + b"v>"
    if b"<" + prefix + b"is>" in body:
        body = _child(prefix, b"is").sub(b"", body)
    _, _, existing = _element(body, prefix, b"v")
    if existing:
        return body[: existing.start()] + v + body[existing.end() :]
    _, _, formula = _element(body, prefix, b"f")
    at = formula.end() if formula else 0
    return body[:at] + v + body[at:]


def _patched_element(match: re.Match[bytes], value: Any) -> bytes:
    """The ``<c>`` element of `match` holding `value` as its cached value."""
    cell_type, text = encode(value)
    prefix = match.group("prefix")
    body = match.group("body") or b""
    return (
        b"<"
        + prefix
        + b"c"
        + _with_type(match.group("attrs") or b"", cell_type)
        + b">"
        + _with_value(body, prefix, text)
        + b"</"
        + prefix
        + b"c>"
    )


def patch(part: bytes, values: Mapping[str, Any], cells: Iterable[Cell] | None = None) -> tuple[bytes, set[str]]:
    """`part` with the cached values of the cells in `values` replaced; also the refs not found.

    Only the ``<v>`` element and the ``t`` attribute of those cells change. With `cells`
    (from `scan` of this very part), only those cells are revisited, not the whole part.
    """
    edits: list[tuple[int, int, str, bytes]] = []
    if cells is not None:
        for cell in sorted((cell for cell in cells if cell.ref in values), key=lambda cell: cell.start):
            edits.append((cell.start, cell.end, cell.ref, _rewritten(part, cell, values[cell.ref])))
    else:
        for match in CELL.finditer(part):
            ref_match = REF_ATTR.search(match.group("attrs") or b"")
            if ref_match:
                ref = (ref_match.group(1) + ref_match.group(2)).decode().upper()
                if ref in values:
                    edits.append((match.start(), match.end(), ref, _patched_element(match, values[ref])))
    pieces: list[bytes] = []
    position = 0
    for start, end, _, element in edits:
        pieces += [part[position:start], element]
        position = end
    pieces.append(part[position:])
    return b"".join(pieces), set(values) - {ref for _, _, ref, _ in edits}


def _rewritten(part: bytes, cell: Cell, value: Any) -> bytes:
    """The element of a cell `scan` found in `part`, holding `value`: common forms without parsing."""
    if cell.plain is None:
        match = CELL.match(part, cell.start)
        if match is None:  # not a cell where `scan` said one starts: the part changed since
            raise WorkbookError(f"cell {cell.ref} moved while it was being written")
        return _patched_element(match, value)
    attrs, formula_element = cell.plain
    if type(value) is float and "t" not in cell.attrs and math.isfinite(value):  # a number stays a number
        number = format_number(value).encode()
        return b"".join((b"<c", attrs, b">", formula_element or b"", b"<v>", number, b"</v></c>"))
    cell_type, text = encode(value)
    return b"".join(
        (b"<c", _with_type(attrs, cell_type), b">", formula_element or b"", b"<v>", _escaped(text), b"</v></c>")
    )
