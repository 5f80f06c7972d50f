"""Replacing a file so that a reader sees either the old bytes or the new, never half of each."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..errors import WorkbookError

TEMP_SUFFIX = ".ftxl-tmp"


def write_atomically(
    target: Path, write: Callable[[IO[bytes]], Any], sync_file: bool = True, sync_folder: bool = True
) -> None:
    """Write `target` through a temporary file in its folder: fsync, then rename over the target.

    On any failure, the temporary file is removed and `target` is as it was. A killed
    process can leave a hidden ``.NAME.*.ftxl-tmp`` file behind, never a damaged target.
    A batch may leave syncing to its end: with `sync_folder` False the caller makes the
    rename durable (`fsync_folder`); with `sync_file` False too, the bytes (`sync_everything`).
    Until then a power cut may undo the write; a file replaced in place should always be
    synced first (`sync_file`), so that it can never come back empty.
    """
    folder = target.parent
    try:
        handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{target.name}.", suffix=TEMP_SUFFIX, delete=False)
    except OSError as exc:
        raise WorkbookError(f"cannot write to {folder}: {_reason(exc)}") from None
    temporary = Path(handle.name)
    try:
        with handle:
            write(handle)
            handle.flush()
            if sync_file:
                os.fsync(handle.fileno())
        # keep the original's permissions; a new file gets the usual ones, not mkstemp's 0600
        os.chmod(temporary, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask())
        os.replace(temporary, target)
        if sync_folder:
            fsync_folder(folder)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise WorkbookError(f"cannot write {target}: {_reason(exc)}; the original is unchanged") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    return exc.strerror or str(exc)


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def sync_everything() -> None:
    """Flush every written file to disk (POSIX sync); a no-op where the platform has none."""
    if hasattr(os, "sync"):
        os.sync()
