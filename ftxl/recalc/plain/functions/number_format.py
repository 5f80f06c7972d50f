"""TEXT(value, format): a value written with an Excel number format, as Excel writes it (English).

Covered: General; numbers with 0 # ? placeholders, a decimal point, thousands
separators and scaling commas, %, scientific E+00, literal text ("..." and \\x and the
characters Excel shows as they are); sections for positive;negative;zero;text; colours
([Red]) and locale tags ([$-409]) are ignored; dates and times with y m d h s, AM/PM,
elapsed [h] [m] [s] and fractions of a second. Anything else (conditions such as [>100],
fractions # ?/?, * fills) is left to the other engine; _x spacing is one space.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal

from ...values import MISSING, VALUE, CellError, NotCoveredError, Value, direct, elementwise, general, number
from .dates import LAST_SERIAL, OFFSET_1904, to_date
from .spec import Library

FUNCTIONS = Library()

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_TOKEN = re.compile(
    r'"[^"]*"|\\.|_.|\[[^\]]*\]|AM/PM|A/P|am/pm|a/p|[yY]+|[mM]+|[dD]+|[hH]+|[sS]+|[eE][+-]|[0#?]|[.,%]|.',
    re.S,
)
_LITERAL = set("$-+/():!^&'~{}<>= £¥€¢|")
"""Characters a number format shows as they are (the currency symbols too: Excel's £000.00 shows £012.30)."""
_NUMBER_CODES = {"0", "#", "?", ".", ",", "%", "E+", "E-", "e+", "e-", "/"}
"""Tokens of a number section that are not literal text."""
_COLOURS = {"red", "black", "blue", "green", "white", "yellow", "magenta", "cyan"}


def _sections(fmt: str) -> list[str]:
    parts, current, quoted, k = [], "", False, 0
    while k < len(fmt):
        char = fmt[k]
        if char == '"':
            quoted = not quoted
        elif char == "\\" and not quoted and k + 1 < len(fmt):
            current += fmt[k : k + 2]
            k += 2
            continue
        if char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
        k += 1
    parts.append(current)
    return parts


def _tokens(section: str) -> list[str]:
    tokens = []
    for token in _TOKEN.findall(section):
        if token.startswith("["):
            inner = token[1:-1].lower()
            if inner in ("h", "hh", "m", "mm", "s", "ss"):
                tokens.append(token.lower())
            elif inner.startswith("$"):
                symbol = token[2:-1].split("-")[0]
                if symbol:
                    tokens.append(f'"{symbol}"')  # a currency symbol; the locale tag after it is ignored
            elif inner in _COLOURS or inner.startswith("color"):
                continue
            else:
                raise NotCoveredError(f"number format with {token}")
        elif len(token) == 2 and token[0] == "_":
            tokens.append('" "')  # _x: room as wide as x, which TEXT writes as one space (POI's Excel-saved tests)
        elif token in ("*", "_"):
            raise NotCoveredError(f"number format with {token} (fill or spacing)")
        else:
            tokens.append(token)
    return tokens


def _is_date(tokens: list[str]) -> bool:
    """Whether a section formats a date or time (it has y, m, d, h, s, AM/PM or an elapsed [h])."""
    return any(
        t[0] in "yYmMdDhHsS" or t.startswith("[") or t.upper() in ("AM/PM", "A/P")
        for t in tokens
        if _literal(t) is None
    )


_DATE_LIKE = re.compile(r"\d\s*[:/-]|[:/-]\s*\d")
"""Text with a digit beside : / or -: a time or date Excel would read as a number."""


def _unquoted(section: str) -> str:
    """A section without its quoted and escaped text."""
    return re.sub(r'"[^"]*"|\\.', "", section)


def _literal(token: str) -> str | None:
    if token.startswith('"'):
        return token[1:-1]
    if token.startswith("\\"):
        return token[1:]
    if token in _LITERAL:
        return token
    return None


def format_text(value: Value, fmt: str, date1904: bool) -> Value:
    """`value` written with the number format `fmt`, or an error."""
    sections = _sections(fmt)
    if len(sections) > 4:
        return VALUE
    if len(sections) == 4 and any("@" in _unquoted(section) for section in sections[:3]):
        raise NotCoveredError("number format with @ outside its text section")
    if isinstance(value, bool):  # formatted as the text TRUE or FALSE (TEXT(TRUE,"-@-") is -TRUE-)
        value = "TRUE" if value else "FALSE"
    if isinstance(value, str):
        as_number = number(value)
        if isinstance(as_number, CellError) and _DATE_LIKE.search(value):
            raise NotCoveredError("TEXT of text that may be a date or time (Excel reads it as a number first)")
        if isinstance(as_number, CellError):
            if len(sections) == 4:
                return "".join(value if t == "@" else (_literal(t) or "") for t in _tokens(sections[3]))
            if "@" in sections[0]:
                return "".join(value if t == "@" else (_literal(t) or "") for t in _tokens(sections[0]))
            return value
        value = as_number
    x = float(value) if value is not None else 0.0
    section = sections[0]
    negative_own = False
    if x < 0 and len(sections) >= 2 and sections[1] != "":
        section, negative_own = sections[1], True
    elif x == 0 and len(sections) >= 3:
        section = sections[2]
    if section == "":  # TEXT(-1, "") is "-", as an empty section shows only the sign Excel adds
        return "-" if x < 0 and not negative_own else ""
    if section.strip().lower() == "general":
        return general_in_a_cell(abs(x) if negative_own else x)
    tokens = _tokens(section)
    if "@" in tokens:
        raise NotCoveredError("number format with @ for a number")
    if _is_date(tokens):
        if x < 0 and any(t.startswith("[") for t in tokens):  # elapsed time below 0: TEXT(-1,"[h]") is -24
            if sum(_literal(t) is None for t in tokens) != 1:  # Excel: -1 as [h]:m is #VALUE!, -3.14 as
                raise NotCoveredError("TEXT of a negative elapsed time with more than one unit")  # [h]:m:s not
            text = _date_text(-x, tokens, date1904)
            return text if isinstance(text, CellError) or negative_own else "-" + text
        return _date_text(x, tokens, date1904)
    text = _number_text(abs(x), tokens)
    return "-" + text if x < 0 and not negative_own and any(c in "123456789" for c in text) else text


def general_in_a_cell(x: float) -> str:
    """A number as the General format shows it in a cell: at most 11 characters, scientific when the whole
    part does not fit (TEXT(123456789012,"General") is 1.23457E+11)."""
    sign = "-" if x < 0 else ""
    size = abs(x)
    if size == 0:
        return "0"
    plain = general(size)
    if "E" in plain:
        exact = format(Decimal(repr(size)), "f")  # 1E-08 as 0.00000001
        plain = exact if len(exact) <= 11 else plain
    if "E" not in plain and len(plain) <= 11:
        return sign + plain
    if 1e-4 <= size < 1e11:  # as a decimal, rounded to 11 characters besides the sign
        decimals = max(0, 10 - len(str(int(size))))
        text = f"{size:.{decimals}f}"
        return sign + (text.rstrip("0").rstrip(".") if "." in text else text)
    for digits in range(10, -1, -1):
        mantissa, exponent = f"{size:.{digits}E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        text = f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
        if len(text) <= 11:
            return sign + text
    return sign + general(size)


def _number_text(x: float, tokens: list[str]) -> str:
    if any(t in ("/",) for t in tokens):
        raise NotCoveredError("number format with a fraction")
    strange = next((t for t in tokens if t not in _NUMBER_CODES and _literal(t) is None), None)
    if strange is not None:  # Excel shows some such characters as they are; which ones is not checked here
        raise NotCoveredError(f"number format with {strange!r}")
    if tokens.count(".") > 1:
        raise NotCoveredError("number format with two decimal points")
    placeholders = [k for k, t in enumerate(tokens) if t in ("0", "#", "?")]
    if not placeholders:
        return "".join(_literal(t) or ("%" if t == "%" else "") for t in tokens)
    first, last = placeholders[0], placeholders[-1]
    if "," in tokens[:first]:
        raise NotCoveredError("number format with a comma before its digits")
    exponent_at = next((k for k, t in enumerate(tokens) if t[0] in "eE" and len(t) == 2), None)
    scientific = exponent_at is not None
    if first > 0 and tokens[first - 1] == ".":  # .## : the point starts the number (1234.56 as 1234.56)
        first -= 1
    if exponent_at is None and last + 1 < len(tokens) and tokens[last + 1] == ".":  # #. shows 1.
        last += 1
    body = tokens[first : (exponent_at if exponent_at is not None else last + 1)]
    point = body.index(".") if "." in body else None
    integer_tokens = body if point is None else body[:point]
    fraction_tokens = [] if point is None else [t for t in body[point + 1 :] if t in ("0", "#", "?")]
    if point is not None and any(t not in ("0", "#", "?") for t in body[point + 1 :]):
        raise NotCoveredError("number format with text among the decimals")
    if "0" in fraction_tokens and any(
        t != "0" for t in fraction_tokens[: len(fraction_tokens) - fraction_tokens[::-1].index("0")]
    ):
        raise NotCoveredError("number format with # or ? before a 0 among the decimals")
    digit_positions = [k for k, t in enumerate(integer_tokens) if t in ("0", "#", "?")]
    grouping = bool(digit_positions) and "," in integer_tokens[: digit_positions[-1]]
    trailing_commas = 0
    k = len(integer_tokens) - 1
    while k >= 0 and integer_tokens[k] == ",":
        trailing_commas += 1
        k -= 1
    after = tokens[(exponent_at if exponent_at is not None else last + 1) :]
    for t in after:  # commas right after the digits scale by 1,000 each, decimals or not (0.#, is 1234.6)
        if t != ",":
            break
        trailing_commas += 1
    if scientific:  # Excel's scientific formats neither group nor scale: % and commas are only shown or dropped
        grouping, trailing_commas = False, 0
    else:
        x *= 100 ** tokens.count("%")
    x /= 1000**trailing_commas
    integer_places = [t for t in integer_tokens if t in ("0", "#", "?")]
    literal_inside = [t for t in integer_tokens if t not in ("0", "#", "?", ",")]
    if literal_inside:
        raise NotCoveredError("number format with text among the digits")
    decimals = len(fraction_tokens)
    exponent_text = ""
    if exponent_at is not None:
        exp_digits = [t for t in tokens[exponent_at + 1 :] if t in ("0", "#", "?")]
        power = 0 if x == 0 else math.floor(math.log10(x))
        step = len(integer_places) if len(integer_places) > 1 and "#" in integer_places else 1
        if step > 1:
            power -= power % step
        elif integer_places.count("0") > 1:
            power -= integer_places.count("0") - 1
        mantissa = x / 10**power if x else 0.0
        rounded = _round(mantissa, decimals)
        if float(rounded) >= 10 ** max(1, integer_places.count("0") or 1) and step == 1:
            power += 1
            rounded = _round(x / 10**power, decimals)
        sign = "-" if power < 0 else ("+" if tokens[exponent_at][1] == "+" else "")
        exponent_text = tokens[exponent_at][0] + sign + str(abs(power)).zfill(max(1, len(exp_digits)))
        digits = rounded
        after = tokens[exponent_at + 1 + len(exp_digits) :]
    else:
        digits = _round(x, decimals)
    whole, _, fraction = digits.partition(".")
    if whole == "0" and not (scientific and x == 0):  # 0 in a scientific format shows 0e0, even with #
        whole = ""
    minimum = 0
    for k, t in enumerate(integer_places):
        if t in ("0", "?"):
            minimum = len(integer_places) - k
            break
    pad = "".join("0" if t == "0" else " " for t in integer_places[len(integer_places) - minimum :])
    if len(whole) < minimum:
        whole = pad[: minimum - len(whole)] + whole
    if grouping:
        whole = _grouped(whole)
    fraction_text = ""
    if decimals:
        chars = list(fraction.ljust(decimals, "0"))
        for k in range(decimals - 1, -1, -1):
            if chars[k] != "0" or fraction_tokens[k] == "0":
                break
            chars[k] = "" if fraction_tokens[k] == "#" else " "
        fraction_text = "." + "".join(chars)
    elif point is not None:
        fraction_text = "."
    prefix = "".join(_literal(t) or "" if t != "%" else "%" for t in tokens[:first])
    suffix = "".join((_literal(t) or "") if t not in ("%", ",") else ("%" if t == "%" else "") for t in after)
    return prefix + whole + fraction_text + exponent_text + suffix


def _grouped(whole: str) -> str:
    """Digits (padded by 0 and ? placeholders) with a separator every three from the right: a separator in
    the ? padding is a space, one in the 0 padding a comma ('?,?????????' shows '    1,234,567', '0,0000000'
    shows '01,234,567')."""
    out: list[str] = []
    for k, char in enumerate(reversed(whole)):
        if k and k % 3 == 0:
            out.append(" " if char == " " else ",")
        out.append(char)
    return "".join(reversed(out))


def _round(x: float, decimals: int) -> str:
    """x to `decimals` places, half away from zero on the 15 digits Excel keeps, as text."""
    shown = Decimal(f"{x:.15g}")
    # digits enough for any double (1E308) with its decimals: the default 28 would refuse large numbers
    return format(shown.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_WIDE), "f")


_WIDE = Context(prec=400, Emax=999, Emin=-999)


def _elapsed_only(tokens: list[str]) -> bool:
    """Whether a section shows elapsed time alone ([h]:mm:ss, [m]:ss, [s].00): after its bracketed unit only
    smaller units, and no day, month or year. Other mixes are left to the other engine."""
    units = [t.lower() for t in tokens if _literal(t) is None and t[0] in "yYmMdDhHsS["]
    if not units or not units[0].startswith("["):
        if any(t.startswith("[") for t in units):
            raise NotCoveredError("date format with elapsed time after other units")
        return False
    order = {"h": 0, "m": 1, "s": 2}
    last = order[units[0][1]]
    for unit in units[1:]:
        if unit[0] not in order or order[unit[0]] <= last:
            raise NotCoveredError(f"date format with {unit} after elapsed {units[0]}")
        last = order[unit[0]]
    return True


def _date_text(x: float, tokens: list[str], date1904: bool) -> str | CellError:
    elapsed = _elapsed_only(tokens)
    if not 0 <= x < (float("inf") if elapsed else LAST_SERIAL + 1):  # no calendar day (1e308): #VALUE!
        return VALUE
    fraction_digits = 0
    for k, t in enumerate(tokens):
        if t == "." and k > 0 and tokens[k - 1].lower().startswith("s"):
            fraction_digits = sum(1 for u in tokens[k + 1 :] if u == "0")
    seconds_total = round(x * 86400, fraction_digits) if fraction_digits else round(x * 86400)
    day = math.floor(seconds_total / 86400 + 1e-12)
    seconds_of_day = seconds_total - day * 86400
    ymd = (1900, 1, 1) if elapsed else to_date(day, date1904)  # elapsed time shows no calendar day
    if isinstance(ymd, CellError):
        return VALUE
    year, month, dom = ymd
    serial_1900 = day + (OFFSET_1904 if date1904 else 0)
    weekday = (serial_1900 - 2) % 7  # 0 = Monday
    hour, rest = divmod(seconds_of_day, 3600)
    minute, second = divmod(rest, 60)
    twelve = any(t.upper() in ("AM/PM", "A/P") for t in tokens)
    out = []
    lowered = [t.lower() for t in tokens]
    for k, t in enumerate(tokens):
        lt = lowered[k]
        literal = _literal(t)
        if lt.startswith("y"):
            out.append(str(year) if len(lt) > 2 else f"{year % 100:02d}")
        elif lt.startswith("m"):
            previous = next((u for u in reversed(lowered[:k]) if u[0] in "hdsym[" or u in ("am/pm", "a/p")), "")
            following = next((u for u in lowered[k + 1 :] if u[0] in "hdsym[" or u in ("am/pm", "a/p")), "")
            minutes = len(lt) <= 2 and (previous.startswith(("h", "[h")) or following.startswith("s"))
            if minutes:
                out.append(f"{int(minute):02d}" if len(lt) == 2 else str(int(minute)))
            elif len(lt) == 1:
                out.append(str(month))
            elif len(lt) == 2:
                out.append(f"{month:02d}")
            elif len(lt) == 3:
                out.append(_MONTHS[month - 1][:3])
            elif len(lt) == 5:
                out.append(_MONTHS[month - 1][0])
            else:
                out.append(_MONTHS[month - 1])
        elif lt.startswith("d"):
            if len(lt) == 1:
                out.append(str(dom))
            elif len(lt) == 2:
                out.append(f"{dom:02d}")
            elif len(lt) == 3:
                out.append(_DAYS[weekday][:3])
            else:
                out.append(_DAYS[weekday])
        elif lt.startswith("h"):
            shown = hour % 12 or 12 if twelve else hour
            out.append(f"{int(shown):02d}" if len(lt) >= 2 else str(int(shown)))
        elif lt.startswith("s"):
            out.append(f"{int(second):02d}" if len(lt) >= 2 else str(int(second)))
        elif lt.startswith("[") and lt[1] in "hms":
            total = {"h": seconds_total // 3600, "m": seconds_total // 60, "s": seconds_total}[lt[1]]
            out.append(str(int(total)).zfill(len(lt) - 2))
        elif lt in ("am/pm", "a/p"):
            word = "AM" if hour < 12 else "PM"
            out.append(word if lt == "am/pm" else word[0] if t[0] == "A" else word[0].lower())  # a/p shows p
        elif t == "." and fraction_digits and k > 0 and lowered[k - 1].startswith("s"):
            part = f"{second - int(second):.{fraction_digits}f}"[1:]
            out.append(part)
        elif t == "0" and fraction_digits:
            continue
        elif literal is not None:
            out.append(literal)
        elif t in (",", "."):
            out.append(t)
        else:
            raise NotCoveredError(f"date format with {t}")
    return "".join(out)


@FUNCTIONS.add("TEXT", 2, 2, dates=True)
def xl_text(date1904: bool, value: Value, fmt: Value) -> Value:
    def single(item: Value, pattern: Value) -> Value:
        item, pattern = direct(item), direct(pattern)
        if isinstance(item, CellError):
            return item
        if isinstance(pattern, CellError):
            return pattern
        if pattern is None or pattern is MISSING:  # an empty cell as the format: ""
            pattern = ""
        elif not isinstance(pattern, str):
            pattern = general(float(pattern)) if isinstance(pattern, float) else ("TRUE" if pattern else "FALSE")
        return format_text(item, pattern, date1904)

    return elementwise(single, value, fmt)
