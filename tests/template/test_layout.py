"""The template's layout is planned before any sheet is written, from the content alone."""

from __future__ import annotations

from ftxl.template.content import OPTIONS, inputs
from ftxl.template.layout import Layout
from ftxl.template.results import result_blocks


def test_every_input_has_its_own_row_in_content_order():
    layout = Layout()
    rows = [layout.input_rows[item.name] for item in inputs()]
    assert rows == sorted(set(rows)) and layout.inputs_end > rows[-1]


def test_result_rows_are_placed_before_any_sheet_is_written():
    layout = Layout()
    layout.place_results(result_blocks(layout))
    assert layout.res("decision", 2).startswith("C") and len(set(layout.result_rows.values())) == len(
        layout.result_rows
    )


def test_each_option_has_its_label_block_and_the_runtime_picks_the_spelling():
    layout = Layout("lite")
    assert set(layout.label_blocks) == {key for key, _ in OPTIONS}
    assert layout.fn("NET_SAVINGS", "1", "2") == "_xldudf_NET_SAVINGS(1,2)"
