"""From label logs to bucket shares: hand-built logs, invariants, bad labels, the worked example, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import ftxl
from ftxl import excel_functions
from ftxl.cli import cli
from ftxl.labels import bucket_cost_matrix, confusion_matrix, route_buckets, wilson

ROUTES = ["Claims/Water", "Claims/Fire", "Motor/Glass", "Motor/Theft", "Life"]


def test_hand_built_log():
    true = ["Claims/Water", "Claims/Water", "Claims/Fire", "Motor/Glass", "Life"]
    pred = ["Claims/Water", "Claims/Fire", "Motor/Glass", "Motor/Glass", "Life"]
    result = route_buckets(true, pred)
    assert result.as_row() == [0.6, 0.2, 0.2]
    assert result.events == 5 and result.skipped == 0


def test_clean_up_is_documented_and_switchable():
    true, pred = [" claims/Water ", "Claims / Fire"], ["Claims/water", "claims/fire"]
    assert route_buckets(true, pred).as_row() == [1.0, 0.0, 0.0]
    assert route_buckets(true, pred, clean=False).as_row() == [0.0, 0.0, 1.0]


def test_abstentions_get_their_own_bucket():
    result = route_buckets(["A/x", "A/x", "B/y", "B/y"], ["A/x", "HUMAN", "human ", "A/x"], abstain="Human")
    assert result.as_row() == [0.25, 0.0, 0.25, 0.5]


def test_missing_labels_are_skipped_and_counted():
    result = route_buckets(["A/x", None, "B/y", "", float("nan")], ["A/x", "A/x", None, "B/y", "B/y"])
    assert result.events == 1 and result.skipped == 4 and result.as_row() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "true, pred, words",
    [
        (["A/x", "/x"], ["A/x", "A/x"], "true_labels row 2 = '/x' is malformed"),
        (["A/x"], ["A/"], "predicted_labels row 1 = 'A/' is malformed"),
        ([], [], "true_labels is empty"),
        (["A/x", "B/y"], ["A/x"], "true_labels has 2 rows but predicted_labels has 1"),
        ([None], [None], "no event left to count"),
    ],
)
def test_bad_logs_are_named(true, pred, words):
    with pytest.raises(ftxl.InputError) as raised:
        route_buckets(true, pred)
    assert words in str(raised.value)


def test_weights_and_priors_reweight_the_mix():
    true = ["A/x"] * 8 + ["B/y"] * 2
    pred = ["A/x"] * 8 + ["A/x"] * 2  # every B event is routed to A
    assert route_buckets(true, pred).as_row() == [0.8, 0.0, 0.2]
    reweighted = route_buckets(true, pred, priors={"A": 0.5, "B": 0.5})
    assert reweighted.as_row() == pytest.approx([0.5, 0.0, 0.5])
    assert route_buckets(true, pred, weights=[1] * 8 + [4] * 2).as_row() == pytest.approx([0.5, 0.0, 0.5])
    with pytest.raises(ftxl.InputError, match="never occurs"):
        route_buckets(true, pred, priors={"C": 1.0})


def test_wilson_interval_contains_the_share_and_narrows_with_n():
    low, high = wilson(15, 100)
    assert low < 0.15 < high
    narrow = wilson(1500, 10_000)
    assert narrow[1] - narrow[0] < high - low
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0


labels = st.sampled_from([*ROUTES, None, " motor/glass "])


@given(st.lists(st.tuples(labels, labels), min_size=1, max_size=60))
def test_shares_sum_to_one_and_equal_a_naive_loop(pairs):
    true, pred = zip(*pairs, strict=True)
    counts = {"correct": 0, "wrong_subclass": 0, "wrong_department": 0}
    for t, p in pairs:
        if t is None or p is None:
            continue
        t, p = t.strip().casefold(), p.strip().casefold()
        if t == p:
            counts["correct"] += 1
        elif t.partition("/")[0] == p.partition("/")[0]:
            counts["wrong_subclass"] += 1
        else:
            counts["wrong_department"] += 1
    total = sum(counts.values())
    if total == 0:
        with pytest.raises(ftxl.InputError):
            route_buckets(list(true), list(pred))
        return
    result = route_buckets(list(true), list(pred))
    assert math.isclose(sum(result.as_row()), 1.0)
    assert result.as_row() == pytest.approx([c / total for c in counts.values()])


def _synthetic_human_log(n: int = 10_000, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """A log built so that 80% are correct, 15% wrong subclass, 5% wrong department (the worked example)."""
    rng = np.random.default_rng(seed)
    departments, subclasses = 10, 10
    d = rng.integers(0, departments, n)
    s = rng.integers(0, subclasses, n)
    outcome = rng.permutation(np.repeat([0, 1, 2], [int(n * 0.80), int(n * 0.15), int(n * 0.05)]))
    pd_ = np.where(outcome == 2, (d + 1 + rng.integers(0, departments - 1, n)) % departments, d)
    ps = np.where(outcome == 1, (s + 1 + rng.integers(0, subclasses - 1, n)) % subclasses, s)
    true = np.asarray([f"Dept{a}/Sub{b}" for a, b in zip(d, s, strict=True)], dtype=object)
    pred = np.asarray([f"Dept{a}/Sub{b}" for a, b in zip(pd_, ps, strict=True)], dtype=object)
    return true, pred


def test_worked_example_human_process_recovered_from_a_log():
    true, pred = _synthetic_human_log()
    result = route_buckets(true, pred)
    assert result.as_row() == pytest.approx([0.80, 0.15, 0.05], abs=1e-12)
    assert ftxl.expected_error_cost(result.as_row(), [0, 2, 8]) == pytest.approx(0.70)


def test_matrix_form_agrees_with_the_bucket_form_on_a_log():
    true, pred = _synthetic_human_log(2_000, seed=9)
    matrix = confusion_matrix(true, pred)
    assert list(matrix.index) == list(matrix.columns)
    costs = bucket_cost_matrix(list(matrix.index), 2, 8)
    bucket = ftxl.expected_error_cost(route_buckets(true, pred).as_row(), [0, 2, 8])
    assert ftxl.expected_error_cost(matrix.to_numpy(), costs) == pytest.approx(bucket, rel=1e-12)
    assert excel_functions.EXPECTED_ERROR_COST(matrix.to_numpy().tolist(), costs.tolist()) == pytest.approx(bucket)
    departments = confusion_matrix(true, pred, level="department")
    assert departments.shape == (10, 10)


def test_route_buckets_excel_function_spills_shares_and_bounds():
    true = [["Claims/Water"], ["Claims/Water"], ["Motor/Glass"], ["Life"], [None]]
    pred = [["claims/water"], ["Claims/Fire"], ["Claims/Water"], ["Life"], [None]]
    assert excel_functions.ROUTE_BUCKETS(true, pred, None, None, None) == [[0.5, 0.25, 0.25]]
    rows = excel_functions.ROUTE_BUCKETS(true, pred, None, None, [[True]])
    assert len(rows) == 3 and all(low <= share <= high for share, low, high in zip(*rows, strict=True))
    assert excel_functions.ROUTE_BUCKETS([["A/x"]], [["A/x"], ["B"]], None, None, None).startswith("#VALUE!")


def test_route_buckets_excel_function_is_fast_on_100k_rows():
    import time

    true, pred = _synthetic_human_log(100_000)
    rows_true, rows_pred = [[t] for t in true], [[p] for p in pred]
    start = time.perf_counter()
    result = excel_functions.ROUTE_BUCKETS(rows_true, rows_pred, None, None, None)
    assert time.perf_counter() - start < 1.0
    assert result == [[pytest.approx(0.8), pytest.approx(0.15), pytest.approx(0.05)]]


def test_cli_buckets_on_csv_xlsx_and_parquet(tmp_path):
    true, pred = _synthetic_human_log(1_000)
    frame = pd.DataFrame({"truth": true, "routed": pred, "channel": np.where(np.arange(1_000) % 2, "mail", "web")})
    frame.to_csv(tmp_path / "log.csv", index=False)
    frame.to_excel(tmp_path / "log.xlsx", index=False)
    frame.to_parquet(tmp_path / "log.parquet")
    outputs = []
    for name in ("log.csv", "log.xlsx", "log.parquet"):
        args = ["buckets", str(tmp_path / name), "--true", "truth", "--pred", "routed", "--costs", "2,8", "--json"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.output))
    assert outputs[0] == outputs[1] == outputs[2]
    report = outputs[0]
    assert report["shares"]["correct"]["share"] == pytest.approx(0.8)
    assert report["expected_error_cost"]["value"] == pytest.approx(0.7)
    assert len(report["groups"]) == 10
    by_channel = CliRunner().invoke(
        cli, ["buckets", str(tmp_path / "log.csv"), "--true", "truth", "--pred", "routed", "--by", "channel"]
    )
    assert by_channel.exit_code == 0 and "By channel" in by_channel.output and "mail" in by_channel.output


def test_cli_buckets_names_a_missing_column(tmp_path):
    pd.DataFrame({"a": ["A/x"], "b": ["A/x"]}).to_csv(tmp_path / "log.csv", index=False)
    result = CliRunner().invoke(cli, ["buckets", str(tmp_path / "log.csv"), "--true", "truth", "--pred", "b"])
    assert result.exit_code == 2 and "no column 'truth' in the log; it has: a, b" in result.output


def _issue_log() -> tuple[list[str], list[str]]:
    """100 events: 80 correct, 10 wrong subclass, 5 wrong department, 5 sent to a person."""
    true = ["A/x"] * 100
    pred = ["A/x"] * 80 + ["A/y"] * 10 + ["B/x"] * 5 + ["HUMAN"] * 5
    return true, pred


def test_abstained_events_cost_a_persons_handling_time():
    shares = route_buckets(*_issue_log(), abstain="HUMAN")
    estimate = shares.expected_cost(2, 8, abstain_cost=1 / 6)
    assert estimate.value == pytest.approx(0.608333, abs=1e-6)
    with pytest.raises(ftxl.InputError, match="abstain_cost is missing"):
        shares.expected_cost(2, 8)


def test_the_interval_is_one_of_the_expected_cost():
    shares = route_buckets(*_issue_log(), abstain="HUMAN")
    estimate = shares.expected_cost(2, 8, abstain_cost=0)
    assert estimate.value == pytest.approx(0.60)
    assert (estimate.low, estimate.high) == (pytest.approx(0.2472, abs=5e-5), pytest.approx(0.9528, abs=5e-5))


def test_a_prediction_that_is_no_route_is_named():
    shares = route_buckets(*_issue_log())
    assert shares.unknown_predictions == {"human": 5, "b/x": 5}
    assert route_buckets(*_issue_log(), abstain="HUMAN").unknown_predictions == {"b/x": 5}


def test_cli_buckets_charges_abstentions_and_says_what_it_could_not_place(tmp_path):
    true, pred = _issue_log()
    pd.DataFrame({"truth": true, "routed": pred}).to_csv(tmp_path / "log.csv", index=False)
    base = ["buckets", str(tmp_path / "log.csv"), "--true", "truth", "--pred", "routed", "--costs", "2,8"]
    missing = CliRunner().invoke(cli, [*base, "--abstain", "HUMAN"])
    assert missing.exit_code == 2 and "--abstain-cost is missing" in missing.output
    charged = CliRunner().invoke(cli, [*base, "--abstain", "HUMAN", "--abstain-cost", str(1 / 6), "--json"])
    assert charged.exit_code == 0, charged.output
    assert json.loads(charged.output)["expected_error_cost"]["value"] == pytest.approx(0.608333, abs=1e-6)
    silent = CliRunner().invoke(cli, base)
    assert silent.exit_code == 0 and "'human' (5 rows) is in no department of the true labels" in silent.output
