"""The exceptions ftxl raises.

    FtxlError                     base of everything ftxl raises on purpose
     ├── InputError (ValueError)  a model argument breaks a rule; the message
     │    │                       names the argument, its value and the rule
     │    └── NoAnswerError       the inputs are valid but the answer overflows a float
     └── WorkbookError            a workbook cannot be read, computed or written

Each surface converts them once: the Excel functions into an error cell
(`#VALUE!` with the message; `#NUM!` for NoAnswerError), the command line into
"Error: ..." and an exit code.
"""

from __future__ import annotations


class FtxlError(Exception):
    """Base class of every error ftxl raises on purpose."""


class InputError(FtxlError, ValueError):
    """An argument of the cost model is missing, malformed or out of range."""


class NoAnswerError(InputError):
    """The inputs pass every rule but the result is too large (or small) to compute: Excel's #NUM!."""


class WorkbookError(FtxlError):
    """A workbook cannot be opened, evaluated or written back."""
