"""Atomic writes: the target is replaced whole or left as it was, and no temporary file stays behind."""

from __future__ import annotations

import pytest

from ftxl.errors import WorkbookError
from ftxl.recalc.atomic import TEMP_SUFFIX, write_atomically


def test_a_write_replaces_the_target_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomically(target, lambda handle: handle.write(b"new"))
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}"))


def test_a_failing_write_leaves_the_original_and_no_temporary_file(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")

    def fail(handle):
        handle.write(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_atomically(target, fail)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_a_folder_that_cannot_be_written_is_named(tmp_path):
    with pytest.raises(WorkbookError, match="cannot write to"):
        write_atomically(tmp_path / "missing" / "book.xlsx", lambda handle: handle.write(b"x"))
