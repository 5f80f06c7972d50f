"""Recalculating many workbooks: finding them, deciding where each result goes, running in processes."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import engine
from .atomic import fsync_folder, sync_everything
from .errors import WorkbookError
from .package import DEFAULT_LIMITS, Limits, looks_like_workbook
from .recalc import FileResult, recalculate


@dataclass(frozen=True)
class Job:
    """One workbook to recalculate and where its result goes."""

    source: Path
    target: Path


OUTPUT_MARK = ".ftxl-output"
"""A file ftxl leaves in every folder it writes copies to; folders holding it are never searched for inputs."""


def find_workbooks(paths: Sequence[Path]) -> Iterator[tuple[Path, Path]]:
    """Each workbook named or found under a folder, with its path relative to what was named.

    Searching a folder skips the folders ftxl wrote copies to (marked with `OUTPUT_MARK`), so a
    batch never recalculates its own earlier output.
    """
    for path in paths:
        if path.is_dir():
            for folder, subfolders, files in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if not (Path(folder) / d / OUTPUT_MARK).exists())
                for name in sorted(files):
                    found = Path(folder) / name
                    if found.is_file() and looks_like_workbook(found):
                        yield found, found.relative_to(path)
        else:
            yield path, Path(path.name)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_folder(paths: Sequence[Path], out_dir: Path) -> None:
    """Refuse an output folder that is an input folder, lies inside one, or holds an input (any spelling).

    Copies written there would replace the originals, or be read again as inputs next time.
    """
    out = out_dir.resolve()
    for path in paths:
        named = path.resolve()
        folder = named if path.is_dir() else named.parent
        if _inside(out, folder) and (path.is_dir() or out == folder):
            where = "is" if out == folder else "lies inside"
            raise WorkbookError(
                f"--out {out_dir} {where} the input folder {path if path.is_dir() else folder}: the copies would "
                "replace the originals or be read again as inputs; choose a folder outside it, or use --in-place"
            )
        if _inside(named, out):
            raise WorkbookError(
                f"--out {out_dir} holds the input {path}: choose a folder that holds no input, or use --in-place"
            )


def plan(paths: Sequence[Path], out_dir: Path | None) -> list[Job]:
    """The jobs for `paths`: in place when `out_dir` is None, else mirrored under `out_dir`.

    In place, a symbolic link is followed: its target is the file replaced (the link stays a
    link). Raises WorkbookError when two inputs would be written to the same output file, or
    when `out_dir` is refused by `check_output_folder`.
    """
    if out_dir is not None:
        check_output_folder(paths, out_dir)
    jobs: list[Job] = []
    claimed: dict[Path, Path] = {}
    for source, relative in find_workbooks(paths):
        if out_dir is None:
            source = source.resolve() if source.is_symlink() else source
            target = source
        else:
            target = out_dir / relative
        key = target.resolve() if target.parent.exists() else target.absolute()
        if key in claimed:
            if out_dir is None:
                continue  # the same file named twice (or through a link): once is enough
            raise WorkbookError(f"{source} and {claimed[key]} would both be written to {target}")
        claimed[key] = source
        jobs.append(Job(source, target))
    return jobs


def mark_output_folder(out_dir: Path) -> None:
    """Leave `OUTPUT_MARK` in `out_dir` (creating it), so that no later search reads the copies as inputs."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        mark = out_dir / OUTPUT_MARK
        if not mark.exists():
            mark.write_text("Copies written by ftxl recalc. ftxl never searches this folder for inputs.\n")
    except OSError as exc:
        raise WorkbookError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None


_caches: dict[str, engine.ModelCache] = {}
"""This process's compiled models, one cache per engine choice."""


def run_job(job: Job, limits: Limits = DEFAULT_LIMITS, engine_choice: str = "auto") -> FileResult:
    """Recalculate one job with this process's model cache (created on first use)."""
    cache = _caches.get(engine_choice)
    if cache is None:
        cache = _caches[engine_choice] = engine.ModelCache(engine=engine_choice)
    if job.target != job.source:
        try:
            job.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return FileResult(source=job.source, error=f"cannot create {job.target.parent}: {exc.strerror or exc}")
    # an original replaced in place is synced before the rename; copies are synced with the batch
    in_place = job.target == job.source
    if in_place and _read_only(job.source):
        return FileResult(
            source=job.source,
            error="the file is read-only, so it is not replaced (as Excel would not): make it writable, "
            "or write copies with --out",
        )
    return recalculate(job.source, job.target, cache, limits, sync_file=in_place, sync_folder=False)


def _read_only(path: Path) -> bool:
    """True for a file nobody may write (no write bit), or one this user may not write."""
    try:
        return path.stat().st_mode & 0o222 == 0 or not os.access(path, os.W_OK)
    except OSError:
        return False  # missing or unreadable: recalculate says why


DEFAULT_MEMORY_GIB = 8.0
"""Address space each recalculating process may use (two processes fit a 24 GiB machine with room to spare)."""


def limit_memory(gib: float | None) -> None:
    """Cap this process's address space at `gib` GiB, so that a hostile workbook meets a MemoryError (reported
    for that file) rather than the system's out-of-memory killer. None or 0: no cap. A no-op where the
    platform has no such limit."""
    if not gib:
        return
    try:
        import resource
    except ImportError:
        return
    wanted = int(gib * (1 << 30))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


@contextlib.contextmanager
def _memory_capped(gib: float | None) -> Iterator[None]:
    """`limit_memory` for the duration of the block, in this process."""
    try:
        import resource
    except ImportError:
        yield
        return
    before = resource.getrlimit(resource.RLIMIT_AS)
    limit_memory(gib)
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, before)


def run(
    jobs: Sequence[Job],
    processes: int = 1,
    progress: Callable[[FileResult], None] | None = None,
    engine: str = "auto",
    memory_gib: float | None = None,
) -> list[FileResult]:
    """Recalculate every job, in order of the results; `processes` > 1 spreads them over processes.

    Consecutive jobs go to the same process so that copies of one template share its
    compiled model. Originals replaced in place are synced one by one before their rename;
    copies and the folders written to are synced once at the end, which makes the whole
    batch durable when this returns.
    """
    try:
        return _run(jobs, processes, progress or (lambda result: None), engine, memory_gib)
    finally:
        if any(job.target != job.source for job in jobs):
            sync_everything()
        for folder in sorted({job.target.parent for job in jobs}):
            fsync_folder(folder)


def _run(
    jobs: Sequence[Job],
    processes: int,
    report: Callable[[FileResult], None],
    engine: str,
    memory_gib: float | None,
) -> list[FileResult]:
    processes = max(1, min(processes, len(jobs)))
    if processes == 1:
        results = []
        with _memory_capped(memory_gib):
            for job in jobs:
                results.append(run_job(job, engine_choice=engine))
                report(results[-1])
        return results
    chunk = max(1, len(jobs) // (processes * 4))
    with ProcessPoolExecutor(max_workers=processes, initializer=limit_memory, initargs=(memory_gib,)) as pool:
        results = []
        for result in pool.map(partial(run_job, engine_choice=engine), jobs, chunksize=chunk):
            results.append(result)
            report(result)
        return results
