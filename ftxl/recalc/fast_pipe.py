"""Running a compiled `formulas` model without the dispatcher's bookkeeping for every node.

`ExcelModel.compile` returns a schedula `DispatchPipe`: the nodes to visit in order,
each cell's formula itself a nested pipe. Calling it runs schedula's solution machinery
(workflow graphs, futures, distances) around every node, which costs far more than the
cells' arithmetic. `FastPipe` walks the same precomputed order and calls the same node
functions, with the same data-node filters, and nothing else. Any step it cannot mirror
exactly (a sub-dispatcher, an unexpected error) makes it hand that call back to
schedula, so results never depend on which path ran.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import schedula as sh
from formulas.cell import CellWrapper
from formulas.functions import Array
from formulas.functions.operators import OPERATORS
from formulas.tokens.operand import Error

_Step = tuple[str, dict[str, Any], Callable[..., Any] | None]


class UnsupportedPipeError(Exception):
    """The pipe holds something FastPipe does not mirror; use schedula's own call."""


def _steps(pipe: Any) -> list[_Step]:
    steps: list[_Step] = []
    solutions = set()
    for task, _next_nodes, next_dispatchers in pipe.pipe:
        node_id, solution = task[-1]
        if next_dispatchers:
            raise UnsupportedPipeError("sub-dispatcher")
        solutions.add(id(solution))
        node = solution.nodes[node_id]
        function = None
        if node["type"] == "function":
            function = fast_operator(_fast_cell(node["function"]))
        elif node["type"] != "data":
            raise UnsupportedPipeError(node["type"])
        steps.append((node_id, node, function))
    if len(solutions) > 1:
        raise UnsupportedPipeError("several solutions")
    return steps


def _fast_cell(function: Callable[..., Any]) -> Callable[..., Any]:
    """A cell's formula pipe made fast; other node functions are kept as they are."""
    if not isinstance(function, CellWrapper) or not isinstance(function.func, sh.DispatchPipe):
        return function
    try:
        inner = FastPipe(function.func)
    except UnsupportedPipeError:
        return function
    parse_args = function.parse_args

    def cell(*args: Any) -> Any:
        try:
            return inner(*parse_args(*args))
        except NotImplementedError:
            return Error.errors["#NAME?"]

    return cell


_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_OPERATOR_OF = {id(OPERATORS[symbol]): function for symbol, function in _ARITHMETIC.items()}


def _plain_number(value: Any) -> float | None:
    """A single plain number (not a boolean, text, empty cell or error), else None."""
    value = getattr(value, "value", value)  # a Ranges holds its cells in .value
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return None
        value = value.flat[0]
    if type(value) in (float, int, np.float64, np.int64):
        return float(value)
    return None


def fast_operator(function: Callable[..., Any]) -> Callable[..., Any]:
    """+ - * / of two plain numbers in Python floats; anything else (text, booleans, empty cells,
    errors, ranges, a zero divisor, overflow) goes to formulas' own operator, as before."""
    arithmetic = _OPERATOR_OF.get(id(function))
    if arithmetic is None:
        return function

    def call(*args: Any) -> Any:
        if len(args) == 2:
            x, y = _plain_number(args[0]), _plain_number(args[1])
            if x is not None and y is not None and not (arithmetic is operator.truediv and y == 0):
                result = arithmetic(x, y)
                if math.isfinite(result):
                    return np.asarray([[result]], dtype=object).view(Array)
        return function(*args)

    return call


class FastPipe:
    """Calls a `DispatchPipe` the way schedula would, minus its per-node bookkeeping."""

    def __init__(self, pipe: Any) -> None:
        self.pipe = pipe
        self.inputs = list(pipe.inputs)
        self.outputs = list(pipe.outputs)
        self.steps = _steps(pipe)
        self.nodes = {node_id: node for node_id, node, _ in self.steps}
        self.defaults = {k: d["value"] for k, d in pipe.dsp.default_values.items()}

    def _filtered(self, node_id: str, value: Any) -> Any:
        node = self.nodes.get(node_id)
        for data_filter in node.get("filters", ()) if node else ():
            value = data_filter(value)
        return value

    def __call__(self, *args: Any) -> Any:
        try:
            values = self._run(args)
        except Exception:  # whatever schedula would make of it, let it make it
            return self.pipe(*args)
        results = [values[o] for o in self.outputs]
        return results[0] if len(results) == 1 else results

    def _run(self, args: tuple[Any, ...]) -> dict[str, Any]:
        values = {k: self._filtered(k, v) for k, v in zip(self.inputs, args, strict=True)}
        for node_id, node, function in self.steps:
            if function is None:
                if node_id not in values and node_id in self.defaults:
                    values[node_id] = self._filtered(node_id, self.defaults[node_id])
                continue
            result = function(*[values[i] for i in node["inputs"]])
            outputs = node["outputs"]
            if len(outputs) == 1:
                values[outputs[0]] = self._filtered(outputs[0], result)
            else:
                for output, value in zip(outputs, result, strict=True):
                    values[output] = self._filtered(output, value)
        return values
