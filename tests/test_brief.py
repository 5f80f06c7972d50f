"""`ftxl report`: a one-page decision brief, PDF and HTML, computed afresh from a workbook (issue 13)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner
from helpers import TEMPLATES

from ftxl.cli import cli


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_brief_of_the_example_states_the_decision_on_one_page(tmp_path):
    if not shutil.which("pdfinfo"):
        pytest.fail("poppler is missing (apt-get install poppler-utils)")
    result = CliRunner().invoke(cli, ["report", "--example", "insurance", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pdf, page = tmp_path / "ftxl_insurance_example_brief.pdf", tmp_path / "ftxl_insurance_example_brief.html"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    text = " ".join(_pdf_text(pdf).split())
    assert "Fine-tune at Base; the worst case says Prompt the API model, the best case Fine-tune." in text
    for figure in ("€108,500", "−€51,900", "€637,440", "break-even day 48.48", "€148,500", "€0.0756"):
        assert figure in text, figure
    assert "Open questions (7)" in text and "[missing] Soft metrics" in text
    markup = page.read_text()
    assert markup.count('src="data:image/png;base64,') == 2 and "Fine-tune at Base" in markup
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


def test_a_workbook_with_failing_checks_gets_no_decision(tmp_path):
    blank = tmp_path / "blank.xlsx"
    shutil.copy(TEMPLATES / "ftxl_blank.xlsx", blank)
    result = CliRunner().invoke(cli, ["report", str(blank), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = " ".join(_pdf_text(tmp_path / "blank_brief.pdf").split())
    problems = "66 input problem(s) to fix, see the checks beside Inputs (column K)."
    assert f"No decision yet: 22 inputs missing, {problems}" in text
    assert "None" not in text and "Decision by case" not in text and "€0" not in text  # no figure, no chart
    assert (TEMPLATES / "ftxl_blank.xlsx").read_bytes() == blank.read_bytes()  # the workbook is not changed


def test_an_existing_brief_is_replaced_only_when_asked(tmp_path):
    (tmp_path / "ftxl_insurance_example_brief.pdf").write_text("mine")
    result = CliRunner().invoke(cli, ["report", "--example", "insurance", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "add --force" in result.output
    assert (tmp_path / "ftxl_insurance_example_brief.pdf").read_text() == "mine"
