"""Clean stops: an interrupted batch leaves no worker, no temporary file and no half-written file, says how far
it got, and exits with "interrupted"; a worker that dies costs at most its own file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT

from ftxl.recalc.batch import INTERRUPTED

EXAMPLE = ROOT / "workbook_templates" / "ftxl_insurance_example.xlsx"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc as on Linux")


@pytest.fixture
def copies(tmp_path) -> Path:
    """120 copies of the example template (about 0.1 s of work each)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(120):
        shutil.copy(EXAMPLE, folder / f"copy{k:03}.xlsx")
    return folder


_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _end_what_was_started():
    """A test that fails halfway leaves no process running."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def _start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "ftxl", "recalc", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _STARTED.append(process)
    return process


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _written(out: Path) -> list[Path]:
    return sorted(out.glob("*.xlsx")) if out.exists() else []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_batch_stops_cleanly_and_says_how_far_it_got(copies, tmp_path, signum):
    out = tmp_path / "out"
    process = _start(str(copies), "--out", str(out), "--jobs", "2", "--quiet", cwd=tmp_path)
    _wait_for(lambda: len(_written(out)) >= 4)
    workers = _children(process.pid)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == INTERRUPTED, stderr
    assert "interrupted:" in stderr and "Traceback" not in stderr
    listed = [line for line in stdout.splitlines() if line.startswith("ok ")]
    assert 1 <= len(listed) < 120  # files finished in a worker as the signal came may be unlisted
    _wait_for(lambda: not any(_alive(pid) for pid in workers), timeout=15)
    assert not list(out.glob(".*ftxl-tmp"))
    assert len(_written(out)) >= len(listed)  # a file finished as the signal came may be unlisted, never half


def test_workers_die_with_the_main_process(copies, tmp_path):
    out = tmp_path / "out"
    process = _start(str(copies), "--out", str(out), "--jobs", "2", "--quiet", cwd=tmp_path)
    _wait_for(lambda: len(_written(out)) >= 2)
    workers = _children(process.pid)
    assert workers
    process.kill()
    process.communicate(timeout=30)
    _wait_for(lambda: not any(_alive(pid) for pid in workers), timeout=15)
    count = len(_written(out))
    time.sleep(1)
    assert len(_written(out)) == count  # nobody writes on
    assert not list(out.glob(".*ftxl-tmp"))


def test_a_dead_worker_costs_no_other_file(copies, tmp_path):
    out = tmp_path / "out"
    process = _start(str(copies), "--out", str(out), "--jobs", "2", "--quiet", cwd=tmp_path)
    _wait_for(lambda: len(_written(out)) >= 2)
    os.kill(_children(process.pid)[0], signal.SIGKILL)  # as the out-of-memory killer would
    stdout, stderr = process.communicate(timeout=300)
    assert "Traceback" not in stderr
    lines = [line for line in stdout.splitlines() if line.startswith(("ok ", "FAILED"))]
    assert len(lines) == 120  # every file has its line
    assert process.returncode == 0 and len(_written(out)) == 120  # the killed one's file was run again


def test_sigterm_in_place_leaves_no_temporary_file(tmp_path):
    import zipfile

    from helpers.workbooks import write_xlsxwriter

    source = write_xlsxwriter(tmp_path / "large.xlsx")
    with zipfile.ZipFile(source, "a", zipfile.ZIP_STORED) as package:
        package.writestr("xl/media/recording.bin", os.urandom(96 << 20))
    before = source.read_bytes()
    process = _start(str(source), "--in-place", "--quiet", cwd=tmp_path)
    _wait_for(lambda: bool(list(tmp_path.glob(".large.xlsx.*ftxl-tmp"))) or process.poll() is not None)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    assert not list(tmp_path.glob(".*ftxl-tmp"))
    after = source.read_bytes()
    assert after == before or zipfile.ZipFile(source).testzip() is None  # as it was, or replaced whole
