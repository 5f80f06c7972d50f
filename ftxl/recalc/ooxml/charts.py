"""Refreshing the cached series of a chart part, so that file previewers draw the values just computed.

A chart keeps, next to each series' source range (`<c:f>Timeline!$B$7:$B$9</c:f>`), a copy of its
values (`<c:numCache>` or `<c:strCache>`): what Excel shows before it recalculates, and all that
previewers ever show. Only those caches whose range holds a recomputed cell are rewritten, and in
them only the points; every other byte of the part stays as it was. Like worksheets, the part is
scanned, not parsed into a tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..values import CellError
from .worksheet import format_number, ooxml_text

SERIES_SOURCE = re.compile(
    rb"<(?P<p>(?:\w+:)?)(?P<kind>num|str)Ref>\s*<(?P=p)f>(?P<f>[^<]*)</(?P=p)f>\s*"
    rb"<(?P=p)(?P=kind)Cache>(?P<cache>.*?)</(?P=p)(?P=kind)Cache>",
    re.S,
)
"""A series source with its cache: <c:numRef><c:f>…</c:f><c:numCache>…</c:numCache> (or str)."""
FORMAT_CODE = re.compile(rb"<(?:\w+:)?formatCode>[^<]*</(?:\w+:)?formatCode>")
RANGE = re.compile(
    r"^(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!]+))!(?P<ref>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$"
)

Lookup = Callable[[str, str], tuple[bool, list[Any]]]
"""(sheet, A1 range) -> (whether a recomputed cell lies in it, the range's values in order); raises KeyError
for a sheet or range it does not know."""


def refresh(part: bytes, lookup: Lookup) -> bytes | None:
    """The chart part with the caches of recomputed series rewritten, or None when none changed."""
    changed = False

    def rewrite(match: re.Match[bytes]) -> bytes:
        nonlocal changed
        source = RANGE.match(match.group("f").decode("utf-8", "replace").strip())
        if source is None:
            return match.group(0)  # a name, several areas, another workbook: left as it was
        sheet = source.group("plain") or source.group("quoted").replace("''", "'")
        try:
            recomputed, values = lookup(sheet, source.group("ref").replace("$", ""))
        except KeyError:
            return match.group(0)
        if not recomputed:
            return match.group(0)
        prefix, numeric = match.group("p"), match.group("kind") == b"num"
        points = [_point(prefix, k, v, numeric) for k, v in enumerate(values)]
        body = b"".join(p for p in points if p is not None)
        format_code = FORMAT_CODE.search(match.group("cache"))
        cache = (format_code.group(0) if format_code and numeric else b"") + (
            b'<%sptCount val="%d"/>' % (prefix, len(values)) + body
        )
        start, end = match.span("cache")
        new = match.group(0)[: start - match.start()] + cache + match.group(0)[end - match.start() :]
        changed = changed or new != match.group(0)
        return new

    result = SERIES_SOURCE.sub(rewrite, part)
    return result if changed else None


def _point(prefix: bytes, index: int, value: Any, numeric: bool) -> bytes | None:
    """One cached point, as Excel writes it: empty cells and (in a number cache) text and errors have none."""
    if value is None or isinstance(value, CellError):
        return None
    if numeric:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        text = format_number(float(value))
    else:
        text = value if isinstance(value, str) else format_number(float(value))
    escaped = ooxml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return b'<%spt idx="%d"><%sv>%s</%sv></%spt>' % (prefix, index, prefix, escaped.encode(), prefix, prefix)
