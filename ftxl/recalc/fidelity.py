"""Which results of the `formulas` engine ftxl vouches for, and which it flags.

The plain engine's functions were each checked against Excel. `formulas` computes what
the plain engine does not; its functions are trusted only where its results were
compared with Excel's own (the cached values of the Excel-saved workbooks under
`tests/corpus`, see `tests/recalc/test_corpus.py`) and agreed. A cell it computes
through any other function is written with a warning, and so is every cell depending
on a volatile function, whose value is that of the moment it was computed.
"""

from __future__ import annotations

import re

from .formula_text import FTXL_NAMES, FUNCTION_CALL, RELATIVE_REFERENCE, STRING_LITERAL

VOLATILE = frozenset({"RAND", "RANDBETWEEN", "TODAY", "NOW", "OFFSET", "INDIRECT", "RANDARRAY", "CELL", "INFO"})
"""Functions whose value changes each time Excel recalculates (or that Excel recalculates every time)."""

MOVING = frozenset({"RAND", "RANDBETWEEN", "RANDARRAY", "TODAY", "NOW"})
"""The volatile functions whose value itself changes from one recalculation to the next (OFFSET and INDIRECT are
recomputed every time but give the same value again): a cell using one is noted whichever engine computes it."""
_MOVING_HINT = re.compile(r"RAND|TODAY|NOW", re.I)

VERIFIED: frozenset[str] = frozenset()
"""Functions of `formulas` trusted without a warning. None yet: on the corpus, every function `formulas`
computed for ftxl either missed Excel's value somewhere or was seen too seldom to vouch for (the plain
engine computes the common ones itself), so every cell `formulas` computes is written with a warning."""

_PREFIXES = re.compile(r"^(?:_XLFN\.)?(?:_XLWS\.)?(?:_XLUDF\.|_XLDUDF_)?", re.I)
_OURS = frozenset(FTXL_NAMES)
"""ftxl's own functions: the same code whichever engine calls them."""


def functions_in(formula: str) -> set[str]:
    """The upper-case names of the functions a formula calls (Excel's _xlfn. prefix dropped)."""
    return {_PREFIXES.sub("", name.upper()) for name in FUNCTION_CALL.findall(STRING_LITERAL.sub('""', formula))}


def unverified(formula: str) -> list[str]:
    """What a formula computed by `formulas` uses that nobody checked against Excel: its functions, sorted,
    or "operators" for a formula of operators only (formulas compares logicals, raises negative numbers to
    fractional powers and reads ranges in a normal cell otherwise than Excel)."""
    used = functions_in(formula)
    if not used:
        return ["operators"]
    return sorted(used - VERIFIED - VOLATILE - _OURS)


def uses_name(formula: str, name: str) -> bool:
    """Whether `formula` mentions the defined name `name` (outside its text literals)."""
    bare = STRING_LITERAL.sub('""', formula)
    return re.search(rf"(?<![\w.!]){re.escape(name)}(?![\w(])", bare, re.IGNORECASE) is not None


def relative_names(formula: str, names: dict[str, str]) -> list[str]:
    """The defined names a formula uses whose own references are relative (read from the using cell)."""
    return sorted(
        name
        for name, text in names.items()
        if RELATIVE_REFERENCE.search(STRING_LITERAL.sub('""', text)) and uses_name(formula, name)
    )


def with_names(formula: str, names: dict[str, str]) -> str:
    """`formula` followed by the formulas of the defined names it uses (and theirs), so that a function
    reached through a name counts as used."""
    texts, seen, pending = [formula], set(), [formula]
    while pending:
        current = pending.pop()
        for name, text in names.items():
            if name not in seen and uses_name(current, name):
                seen.add(name)
                texts.append(text)
                pending.append(text)
    return " ".join(texts)


def scoped_names(formula: str, sheet: str, local_names: dict[str, str]) -> list[str]:
    """The names scoped to one sheet that a formula on `sheet` uses ("SHEET!NAME" keys)."""
    bare = STRING_LITERAL.sub('""', formula)
    found = []
    for key in local_names:
        owner, name = key.rsplit("!", 1)
        written = (
            rf"(?<![\w.]){re.escape(name)}(?![\w(])" if owner == sheet.upper() else rf"!{re.escape(name)}(?![\w(])"
        )
        if re.search(written, bare, re.IGNORECASE):
            found.append(name)
    return sorted(found)


def volatile(formula: str) -> list[str]:
    """The volatile functions a formula calls, sorted."""
    return sorted(functions_in(formula) & VOLATILE)


def moving(formula: str) -> list[str]:
    """The functions a formula calls whose value changes at each recalculation (`MOVING`), sorted."""
    return sorted(functions_in(formula) & MOVING) if _MOVING_HINT.search(formula) else []


DATE_FUNCTIONS = frozenset(
    "DATE DATEVALUE DATEDIF DAY DAYS DAYS360 EDATE EOMONTH HOUR ISOWEEKNUM MINUTE MONTH NETWORKDAYS NETWORKDAYS.INTL "
    "NOW SECOND TIME TIMEVALUE TODAY WEEKDAY WEEKNUM WORKDAY WORKDAY.INTL YEAR YEARFRAC TEXT DATESTRING COUPDAYBS "
    "COUPDAYS COUPDAYSNC COUPNCD COUPNUM COUPPCD ACCRINT ACCRINTM DISC DURATION MDURATION PRICE PRICEDISC PRICEMAT "
    "RECEIVED TBILLEQ TBILLPRICE TBILLYIELD XIRR XNPV YIELD YIELDDISC YIELDMAT ODDFPRICE ODDFYIELD ODDLPRICE "
    "ODDLYIELD AMORDEGRC AMORLINC".split()
)
"""Functions that read or make date serials: the `formulas` engine counts them from 1900 whatever the workbook."""


def dates_in(formula: str) -> list[str]:
    """The date functions a formula calls, sorted."""
    return sorted(functions_in(formula) & DATE_FUNCTIONS)
