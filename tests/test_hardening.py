"""`ftxl recalc` writes only what it was asked to write: no original replaced without --in-place, no output read
back as input, links and read-only files respected, every option checked before any work."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from workbooks import write_xlsxwriter

from ftxl.batch import OUTPUT_MARK
from ftxl.cli import cli
from ftxl.summary import neutralise


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inputs(tmp_path, monkeypatch) -> Path:
    """A folder `in` with one workbook, the working folder its parent."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_xlsxwriter(folder / "a.xlsx")
    monkeypatch.chdir(tmp_path)
    return folder


def _recalc(*args: str):
    return CliRunner().invoke(cli, ["recalc", *args, "--quiet"])


@pytest.mark.parametrize("out", ["in", "./in/", "ABSOLUTE", "in/sub", ".", "in/a.xlsx-folder/.."])
def test_out_in_or_around_an_input_folder_is_refused(inputs, out):
    before = _digest(inputs / "a.xlsx")
    out = str(inputs) if out == "ABSOLUTE" else out
    result = _recalc("in", "--out", out)
    assert result.exit_code == 2, result.output
    assert "--out" in result.output and ("input folder" in result.output or "holds the input" in result.output)
    assert _digest(inputs / "a.xlsx") == before
    assert not (inputs / "sub").exists()


def test_out_equal_to_a_named_files_folder_is_refused(inputs):
    result = _recalc("in/a.xlsx", "--out", "in")
    assert result.exit_code == 2 and "input folder" in result.output


def test_the_default_output_inside_the_input_is_refused(inputs, monkeypatch):
    monkeypatch.chdir(inputs)
    result = _recalc(".")
    assert result.exit_code == 2 and "recalculated lies inside the input folder" in result.output
    assert not (inputs / "recalculated").exists()


def test_output_folders_are_marked_and_never_searched(inputs, tmp_path):
    assert _recalc("in", "--out", "out").exit_code == 0
    assert (tmp_path / "out" / OUTPUT_MARK).exists()
    (tmp_path / "all").mkdir()
    os.rename(tmp_path / "out", tmp_path / "all" / "out")
    write_xlsxwriter(tmp_path / "all" / "b.xlsx")
    result = CliRunner().invoke(cli, ["recalc", "all", "--out", "elsewhere", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "elsewhere").rglob("*.xlsx")) == ["b.xlsx"]


def test_in_place_writes_through_a_link_to_its_target(inputs, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(inputs / "a.xlsx")
    before = _digest(inputs / "a.xlsx")
    result = _recalc(str(link), str(inputs / "a.xlsx"), "--in-place")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == (inputs / "a.xlsx").resolve()
    assert _digest(inputs / "a.xlsx") != before  # the target got the new values
    assert result.output.count("ok ") == 1  # the file and its link: recalculated once


def test_in_place_respects_a_read_only_original(inputs):
    original = inputs / "a.xlsx"
    original.chmod(0o444)
    before = _digest(original)
    result = _recalc(str(original), "--in-place")
    assert result.exit_code == 1 and "read-only" in result.output
    assert _digest(original) == before and oct(original.stat().st_mode & 0o777) == "0o444"


@pytest.mark.parametrize(
    "summary, message", [("sum.txt", "unknown format '.txt'"), ("missing/sum.csv", "does not exist")]
)
def test_a_bad_summary_path_is_refused_before_any_work(inputs, tmp_path, summary, message):
    result = _recalc("in", "--out", "out", "--summary", summary)
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "out").exists()


def test_the_summary_xlsx_holds_text_as_text(tmp_path):
    from ftxl import summary

    path = tmp_path / "s.xlsx"
    summary.write(path, ["workbook", "note"], [{"workbook": "=1+2!A1", "note": "@SUM(A1)"}])
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[2]] == ["=1+2!A1", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in sheet[2])


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\n=1+1", " =1+1", "＝1+1", "＋1", "－1", "＠A"]
)
def test_csv_neutralises_formula_starts_the_owasp_way_and_wider(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "1+1", "a=b", ""])
def test_csv_leaves_ordinary_text_alone(text):
    assert neutralise(text) == text
