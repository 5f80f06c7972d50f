"""Bad workbooks, bad places to write, and a killed process: each reported clearly, originals untouched,
the rest of the batch done."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.workbooks import libreoffice, write_xlsxwriter
from msoffcrypto.format.ooxml import OOXMLFile

from ftxl.cli import cli
from ftxl.recalc.batch import OUTPUT_MARK

ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol3;</workbook>'
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rezip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info)))
    return target


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A folder with two good workbooks and one of each kind of bad file, and what each must say."""
    folder = tmp_path_factory.mktemp("batch")
    good = write_xlsxwriter(folder / "a_good.xlsx")
    write_xlsxwriter(folder / "z_good.xlsx")
    (folder / "notes.xlsx").write_bytes(b"region,volume\nnorth,5000\n")
    with zipfile.ZipFile(folder / "archive.xlsx", "w") as package:
        package.writestr("readme.txt", "not a workbook")
    (folder / "truncated.xlsx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with good.open("rb") as plain, (folder / "encrypted.xlsx").open("wb") as locked:
        OOXMLFile(plain).encrypt("secret", locked)
    profile = tmp_path_factory.mktemp("profile")
    libreoffice("--convert-to", "xls", "--outdir", str(folder / "xls"), str(good), profile=profile)
    shutil.move(folder / "xls" / "a_good.xls", folder / "legacy.xlsx")  # an old file with a new name
    shutil.rmtree(folder / "xls")
    _rezip(good, folder / "entities.xlsx", {"xl/workbook.xml": ENTITY_BOMB})
    _rezip(good, folder / "bomb.xlsx", {"xl/worksheets/sheet2.xml": b" " * (40 << 20)})
    expected = {
        "notes.xlsx": "not an Excel workbook: .xlsx and .xlsm files are zip packages",
        "archive.xlsx": "not an Excel workbook: the zip package has no xl/workbook.xml",
        "truncated.xlsx": "truncated or damaged workbook",
        "encrypted.xlsx": "password-protected workbook (encrypted)",
        "legacy.xlsx": "legacy .xls workbook (Excel 97-2003)",
        "entities.xlsx": "declares XML entities",
        "bomb.xlsx": "refused as a zip bomb: part xl/worksheets/sheet2.xml expands",
    }
    return folder, expected


@pytest.mark.libreoffice
def test_each_bad_file_is_named_and_the_rest_is_done(batch, tmp_path):
    folder, expected = batch
    before = {p.name: digest(p) for p in folder.iterdir()}
    result = CliRunner().invoke(cli, ["recalc", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for name, message in expected.items():
        (line,) = [line for line in lines if line.startswith("FAILED") and f"{name}:" in line]
        assert message in line, line
        assert not (tmp_path / "out" / name).exists()
    for name in ("a_good.xlsx", "z_good.xlsx"):  # the good file after the bad ones was done too
        assert any(line.startswith("ok") and name in line for line in lines)
        assert (tmp_path / "out" / name).exists()
    assert {p.name: digest(p) for p in folder.iterdir()} == before


@pytest.mark.libreoffice
def test_in_place_failures_leave_every_original_untouched(batch, tmp_path):
    folder, expected = batch
    copy = shutil.copytree(folder, tmp_path / "copy")
    before = {p.name: digest(p) for p in copy.iterdir()}
    result = CliRunner().invoke(cli, ["recalc", str(copy), "--in-place", "--quiet"])
    assert result.exit_code == 1
    for name in expected:
        assert digest(copy / name) == before[name]
    assert digest(copy / "a_good.xlsx") != before["a_good.xlsx"]  # recalculated in place
    assert not list(copy.glob(".*ftxl-tmp"))


@pytest.mark.libreoffice
def test_legacy_xls_named_as_such(batch, tmp_path):
    folder, _ = batch
    legacy = shutil.copy(folder / "legacy.xlsx", tmp_path / "old.xls")
    result = CliRunner().invoke(cli, ["recalc", str(legacy), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "legacy .xls workbook" in result.output


def test_usage_errors_exit_2(tmp_path):
    runner = CliRunner()
    good = write_xlsxwriter(tmp_path / "book.xlsx")
    assert runner.invoke(cli, ["recalc", str(good), "--in-place", "--out", str(tmp_path)]).exit_code == 2
    assert runner.invoke(cli, ["recalc", str(tmp_path / "missing.xlsx")]).exit_code == 2
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli, ["recalc", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "no .xlsx or .xlsm workbooks found" in result.output


def _without_root_file_access(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the ftxl command line as root stripped of its power to bypass file permissions."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv (util-linux) to drop the file-permission override")
    command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-m", "ftxl", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120, check=False)


def test_unreadable_input_and_unwritable_output(tmp_path):
    secret = write_xlsxwriter(tmp_path / "secret.xlsx")
    secret.chmod(0o000)
    good = write_xlsxwriter(tmp_path / "good.xlsx")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    unreadable = _without_root_file_access(
        "recalc", str(secret), str(good), "--out", str(tmp_path / "out"), cwd=tmp_path
    )
    assert unreadable.returncode == 1
    assert "secret.xlsx: cannot read" in unreadable.stdout and "Permission denied" in unreadable.stdout
    assert "ok      " in unreadable.stdout and (tmp_path / "out" / "good.xlsx").exists()
    before = digest(good)
    unwritable = _without_root_file_access("recalc", str(good), "--out", str(locked), cwd=tmp_path)
    # refused before any work: the output folder is marked first
    assert unwritable.returncode == 1 and f"cannot write to {locked}: Permission denied" in unwritable.stderr
    assert digest(good) == before and not list(locked.iterdir())


@pytest.fixture
def full_disk(tmp_path):
    """A 200 KiB file system: too small for a recalculated copy of a large workbook."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def _large_workbook(path: Path, megabytes: int) -> Path:
    """A small model in a large package: a part of random (incompressible) bytes makes writing slow."""
    write_xlsxwriter(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/media/recording.bin", os.urandom(megabytes << 20))
    return path


def test_disk_full_is_reported_and_the_original_kept(tmp_path, full_disk):
    source = _large_workbook(tmp_path / "large.xlsx", 1)
    before = digest(source)
    result = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(full_disk), "--quiet"])
    assert result.exit_code == 1
    assert "the disk is full" in result.output and "the original is unchanged" in result.output
    assert digest(source) == before and [p.name for p in full_disk.iterdir()] == [OUTPUT_MARK]  # no partial copy


def test_killed_mid_write_leaves_the_original(tmp_path):
    """SIGKILL while the recalculated package is being written: the original stays byte for byte."""
    source = _large_workbook(tmp_path / "large.xlsx", 64)
    before = digest(source)
    process = subprocess.Popen(
        [sys.executable, "-m", "ftxl", "recalc", str(source), "--in-place", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp_path.glob(".large.xlsx.*.ftxl-tmp")):
        if process.poll() is not None:
            pytest.fail("the recalculation finished before it could be killed mid-write")
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert list(tmp_path.glob(".large.xlsx.*.ftxl-tmp")), "killed before the write began"
    assert digest(source) == before
