"""The exceptions ftxl raises.

    FtxlError                     base of everything ftxl raises on purpose
     ├── InputError (ValueError)  a model argument breaks a rule; the message
     │                            names the argument, its value and the rule
     └── WorkbookError            a workbook cannot be read, computed or written

Each surface converts them once: the Excel functions into an error cell
(`#VALUE!` with the message), the command line into "Error: ..." and an exit code.
"""

from __future__ import annotations


class FtxlError(Exception):
    """Base class of every error ftxl raises on purpose."""


class InputError(FtxlError, ValueError):
    """An argument of the cost model is missing, malformed or out of range."""


class WorkbookError(FtxlError):
    """A workbook cannot be opened, evaluated or written back."""
