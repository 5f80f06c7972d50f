"""ftxl's own worksheet functions in the plain engine, under every spelling a saved file may hold.

They run under the call contract of `ftxl.cell_functions.answer`: an error argument is the answer,
a refusal becomes an error value carrying its reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .... import cell_functions
from ....cell_functions import Refusal
from ...values import MISSING, CellError, Grid, Value
from .spec import Library

FUNCTIONS = Library()


def _ftxl(function: Callable[..., cell_functions.Result]) -> Callable[..., Value]:
    """An ftxl sheet function as the plain engine calls it: an error argument is the answer, a refusal
    becomes an error value carrying its reason."""

    def call(*args: Value) -> Value:
        converted: list[Any] = []
        for arg in args:
            if isinstance(arg, Grid):
                error = arg.first_error()
                if error is not None:
                    return error
                converted.append(arg.rows)
            elif type(arg) is CellError:
                return arg
            else:
                converted.append(None if arg is MISSING else arg)
        result = cell_functions.answer(function, *converted)
        if isinstance(result, list):
            return Grid([[_value(v) for v in row] for row in result])
        return _value(result)

    return call


def _value(result: Any) -> Value:
    """One cell of an ftxl answer as a plain-engine value."""
    if isinstance(result, Refusal):
        return CellError(result.code, result.reason)
    return result if isinstance(result, str) else float(result)


for _name, _function in cell_functions.FUNCTIONS.items():
    _code, _wrapped = _function.__code__, _ftxl(_function)
    _fewest = _code.co_argcount - len(_function.__defaults__ or ())
    for _spelling in cell_functions.spellings(_name):
        FUNCTIONS.add(_spelling, _fewest, _code.co_argcount, ranges=None, shared=True)(_wrapped)
