"""Recalculating many workbooks: finding them, deciding where each result goes, running in processes."""

from __future__ import annotations

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


def find_workbooks(paths: Sequence[Path]) -> Iterator[tuple[Path, Path]]:
    """Each workbook named or found under a folder, with its path relative to what was named."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and looks_like_workbook(found):
                    yield found, found.relative_to(path)
        else:
            yield path, Path(path.name)


def plan(paths: Sequence[Path], out_dir: Path | None) -> list[Job]:
    """The jobs for `paths`: in place when `out_dir` is None, else mirrored under `out_dir`.

    Raises WorkbookError when two inputs would be written to the same output file.
    """
    jobs: list[Job] = []
    claimed: dict[Path, Path] = {}
    for source, relative in find_workbooks(paths):
        target = source if out_dir is None else out_dir / relative
        key = target.resolve() if target.parent.exists() else target.absolute()
        if key in claimed:
            raise WorkbookError(f"{source} and {claimed[key]} would both be written to {target}")
        claimed[key] = source
        jobs.append(Job(source, target))
    return jobs


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
    return recalculate(job.source, job.target, cache, limits, sync_file=in_place, sync_folder=False)


def run(
    jobs: Sequence[Job],
    processes: int = 1,
    progress: Callable[[FileResult], None] | None = None,
    engine: str = "auto",
) -> list[FileResult]:
    """Recalculate every job, in order of the results; `processes` > 1 spreads them over processes.

    Consecutive jobs go to the same process so that copies of one template share its
    compiled model. Originals replaced in place are synced one by one before their rename;
    copies and the folders written to are synced once at the end, which makes the whole
    batch durable when this returns.
    """
    try:
        return _run(jobs, processes, progress or (lambda result: None), engine)
    finally:
        if any(job.target != job.source for job in jobs):
            sync_everything()
        for folder in sorted({job.target.parent for job in jobs}):
            fsync_folder(folder)


def _run(jobs: Sequence[Job], processes: int, report: Callable[[FileResult], None], engine: str) -> list[FileResult]:
    processes = max(1, min(processes, len(jobs)))
    if processes == 1:
        results = []
        for job in jobs:
            results.append(run_job(job, engine_choice=engine))
            report(results[-1])
        return results
    chunk = max(1, len(jobs) // (processes * 4))
    with ProcessPoolExecutor(max_workers=processes) as pool:
        results = []
        for result in pool.map(partial(run_job, engine_choice=engine), jobs, chunksize=chunk):
            results.append(result)
            report(result)
        return results
