"""ftxl's Excel functions through xlwings' own code: the Office.js path (xlwings Lite) and the
classic add-in path, each in a fresh process because the decorators bind at import."""

from __future__ import annotations

import inspect
import re

import pytest
from helpers.golden import GOLDEN, close, exact
from helpers.xlwings_calls import run_xlwings

from ftxl import excel_functions

FUNCTION_NAMES = sorted(f.__name__ for f in excel_functions.EXCEL_FUNCTIONS)


def _excel_args(case):
    """Worked-example arguments as Excel sends them: every argument a 2-D list (a range is a row)."""
    return [[arg] if isinstance(arg, list) else [[arg]] for arg in case["args"]]


GOLDEN_CALLS = [{"function": c["function"].upper(), "args": _excel_args(c)} for c in GOLDEN["cases"]]
ERROR_CALLS = [
    # (call, what the cell shows, words the message must contain)
    ({"function": "BREAKEVEN_DAYS", "args": [[[40000]], [[5000]], [[0.155]], [[0.32]]]}, "#NUM!", None),
    (
        {"function": "BREAKEVEN_DAYS", "args": [[[-1]], [[5000]], [[0.32]], [[0.155]]]},
        "#VALUE!",
        "investment = -1 is negative",
    ),
    (
        {"function": "BREAKEVEN_DAYS", "args": [[[None]], [[5000]], [[0.32]], [[0.155]]]},
        "#VALUE!",
        "investment is empty",
    ),
    ({"function": "ERROR_SHARES", "args": [[[95]], [[0.8]]]}, "#VALUE!", "for 95% type 0.95"),
    (
        {"function": "ERROR_SHARES", "args": [[[0.9]], [[0.95]]]},
        "#VALUE!",
        "full_route_accuracy 0.95 exceeds top_level_accuracy 0.9",
    ),
    ({"function": "EXPECTED_ERROR_COST", "args": [[[0.8, 0.3, 0.05]], [[0, 2, 8]], None]}, "#VALUE!", "add up to 1.15"),
    ({"function": "NET_SAVINGS", "args": [[[1, 2]], [[0.3], [0.2]], [[0.1]], [[0]]]}, "#VALUE!", "do not fit together"),
    (
        {"function": "AMORTIZED_COST_PER_EVENT", "args": [[[0.1]], [[100]], [[0]]]},
        "#VALUE!",
        "events = 0 must be greater than 0",
    ),
    (
        {"function": "COST_PER_EVENT", "args": [[[0.1]], [["ten"]], None, None]},
        "#VALUE!",
        "inference_cost = 'ten' is not a number",
    ),
]
SPILL_CALLS = [
    # low / base / high in a column spill a column, with #NUM! where a scenario never pays back
    (
        {"function": "BREAKEVEN_DAYS", "args": [[[40000]], [[5000]], [[0.32], [0.155], [0.5]], [[0.155]]]},
        [[1600 / 33], ["#NUM!"], [40000 / (5000 * 0.345)]],
    ),
    ({"function": "ERROR_SHARES", "args": [[[0.95, 0.98]], [[0.8, 0.93]]]}, [[0.8, 0.93], [0.15, 0.05], [0.05, 0.02]]),
    (
        {"function": "EXPECTED_ERROR_COST", "args": [[[0.8, 0.93], [0.15, 0.05], [0.05, 0.02]], [[0], [2], [8]], None]},
        [[0.7, 0.26]],
    ),
    ({"function": "COST_PER_EVENT", "args": [[[0.26]], [[0.06]], [[0.1]], None]}, 0.32),
    ({"function": "COST_PER_EVENT", "args": [[[0.26]], [[0.06]], [[0.1]], [[2]]]}, 0.52),
]
ALL_CALLS = (
    GOLDEN_CALLS
    + [c for c, *_ in ERROR_CALLS]
    + [c for c, _ in SPILL_CALLS]
    + [{"function": "FTXL_VERSION", "args": []}]
)


@pytest.fixture(scope="module")
def lite():
    return run_xlwings("lite", ALL_CALLS)


@pytest.fixture(scope="module")
def classic():
    return run_xlwings("classic", ALL_CALLS)


def _unwrap(value):
    """The value of a 1x1 result, rows otherwise; Office.js error cells as their Excel text."""
    codes = {"Num": "#NUM!", "Value": "#VALUE!"}
    if isinstance(value, dict) and value.get("type") == "Error":
        return codes[value["errorType"]]
    if isinstance(value, list):
        rows = [[_unwrap(v) for v in row] for row in value]
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows
    return value


def _same(actual, expected):
    if isinstance(expected, list):
        return all(_same(a, e) for a, e in zip(actual, expected, strict=True))
    if isinstance(expected, str):
        return actual == expected
    return close(actual, expected)


# --- Office.js / xlwings Lite --------------------------------------------------------------


def test_lite_registers_every_function_with_help(lite):
    functions = {f["name"]: f for f in lite["meta"]["functions"]}
    assert sorted(functions) == FUNCTION_NAMES
    for name, meta in functions.items():
        python = getattr(excel_functions, name)
        assert meta["id"] == name and 0 < len(meta["description"]) <= 255
        assert [p["name"] for p in meta["parameters"]] == list(inspect.signature(python).parameters)
        for param in meta["parameters"]:
            assert 0 < len(param["description"]) <= 255 and not param["description"].startswith("Positional")
            default = inspect.signature(python).parameters[param["name"]].default
            assert param.get("optional", False) == (default is not inspect.Parameter.empty)


@pytest.mark.parametrize("index", range(len(GOLDEN_CALLS)), ids=[c["id"] for c in GOLDEN["cases"]])
def test_lite_worked_example(lite, index):
    expected = exact(GOLDEN["cases"][index]["expected"])
    assert _same(_unwrap(lite["results"][index]["value"]), [expected] if isinstance(expected, list) else expected)


@pytest.mark.parametrize(
    "call, shows, words", ERROR_CALLS, ids=[f"{c['function']}-{s}-{i}" for i, (c, s, _) in enumerate(ERROR_CALLS)]
)
def test_lite_errors(lite, call, shows, words):
    result = lite["results"][ALL_CALLS.index(call)]
    if shows == "#NUM!":
        assert _unwrap(result["value"]) == "#NUM!"
    else:  # the add-in turns the exception into #VALUE! with this message on hover
        assert result["error"] == "InputError" and words in result["message"]


@pytest.mark.parametrize("call, expected", SPILL_CALLS, ids=[c["function"] for c, _ in SPILL_CALLS])
def test_lite_spills_in_the_shape_of_the_input(lite, call, expected):
    assert _same(_unwrap(lite["results"][ALL_CALLS.index(call)]["value"]), expected)


def test_lite_version_cell(lite):
    assert re.fullmatch(r"ftxl \d+\.\d+\.\d+, computed by the ftxl add-in", _unwrap(lite["results"][-1]["value"]))


def test_lite_never_hands_nan_or_infinity_to_excel(lite):
    text = str([r.get("value") for r in lite["results"]])
    assert "nan" not in text and "inf" not in text


# --- classic add-in (Windows), registration through xlwings.udfs -----------------------------


def test_classic_vba_wrapper_declares_every_function_with_its_arguments(classic):
    declared = dict(re.findall(r"^Function (\w+)\((.*)\)$", classic["vba"], flags=re.M))
    assert sorted(declared) == FUNCTION_NAMES
    for name, signature in declared.items():
        expected = []
        for param in inspect.signature(getattr(excel_functions, name)).parameters.values():
            optional = param.default is not inspect.Parameter.empty
            expected.append(("Optional " if optional else "") + param.name)
        assert signature == ", ".join(expected)
        assert f'XLPy.CallUDF("ftxl.excel_functions", "{name}"' in classic["vba"]


def test_classic_metadata_carries_the_help(classic):
    for meta in classic["meta"].values():
        assert 0 < len(meta["description"]) <= 255 and "\n" not in meta["description"]
        for arg in meta["args"]:
            assert 0 < len(arg["doc"]) <= 255 and not arg["doc"].startswith("Positional")
            assert arg["options"] == {"ndim": 2}


@pytest.mark.parametrize("index", range(len(GOLDEN_CALLS)), ids=[c["id"] for c in GOLDEN["cases"]])
def test_classic_worked_example(classic, index):
    expected = exact(GOLDEN["cases"][index]["expected"])
    assert _same(_unwrap(classic["results"][index]["value"]), [expected] if isinstance(expected, list) else expected)


@pytest.mark.parametrize(
    "call, shows, words", ERROR_CALLS, ids=[f"{c['function']}-{s}-{i}" for i, (c, s, _) in enumerate(ERROR_CALLS)]
)
def test_classic_errors_are_the_cell_text(classic, call, shows, words):
    value = classic["results"][ALL_CALLS.index(call)]["value"]  # never an exception: VBA would show a traceback
    assert value.startswith(shows) and (words is None or words in value)
    assert "Traceback" not in value
