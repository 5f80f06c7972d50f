"""Recalculating many workbooks: finding them, deciding where each result goes, running in processes."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import WorkbookError
from .atomic import TEMP_SUFFIX, fsync_folder, sync_everything
from .engines import ModelCache
from .ooxml.package import DEFAULT_LIMITS, Limits, looks_like_workbook
from .workbook import FileResult, recalculate


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


_caches: dict[tuple[str, bool], ModelCache] = {}
"""This process's compiled models, one cache per engine choice (and --iterate)."""


def run_job(
    job: Job, limits: Limits = DEFAULT_LIMITS, engine_choice: str = "auto", iterate: bool = False
) -> FileResult:
    """Recalculate one job with this process's model cache (created on first use)."""
    cache = _caches.get((engine_choice, iterate))
    if cache is None:
        cache = _caches[(engine_choice, iterate)] = ModelCache(engine=engine_choice, iterate=iterate)
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
    shared = cache.shared
    with _collector_paused():
        result = recalculate(job.source, job.target, cache, limits, sync_file=in_place, sync_folder=False)
    if cache.shared != shared:  # a second copy of a template: more are likely to follow
        settle_heap()
    return result


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while one workbook is computed: nearly everything a workbook allocates
    is freed by reference counting when it is done, or kept for the batch, so collecting cycles mid-file only
    walks the growing heap again and again (a third of the time of compiling a model). Cycles a file leaves
    are collected after it, as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def settle_heap() -> None:
    """Exempt what this process keeps for the batch (compiled models, shared label logs) from Python's cycle
    collector, which otherwise walks those hundreds of thousands of objects again and again while later
    copies are computed (a third of the time per copy of the example template). Called when a model is
    used for a second workbook, so once per template whose copies the batch holds, not for each of many
    different workbooks: frozen objects are still freed when nothing refers to them (a model dropped from
    the cache), but a reference cycle among them would stay until the process ends. The young ones are
    collected first; a full collection would cost more than it finds (nothing, in the example template).
    """
    gc.collect(1)
    gc.freeze()


def _read_only(path: Path) -> bool:
    """True for a file nobody may write (no write bit), or one this user may not write."""
    try:
        return path.stat().st_mode & 0o222 == 0 or not os.access(path, os.W_OK)
    except OSError:
        return False  # missing or unreadable: recalculate says why


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


@dataclass(frozen=True)
class Settings:
    """How every job of a batch is computed: the engine choice, the memory cap of each process (GiB,
    None for none) and the limits a package must keep."""

    engine: str = "auto"
    memory_gib: float | None = None
    limits: Limits = DEFAULT_LIMITS
    iterate: bool = False
    """Iterate the loops of workbooks saved with iterative calculation off, with Excel's defaults."""


def run(
    jobs: Sequence[Job],
    processes: int = 1,
    progress: Callable[[FileResult], None] | None = None,
    settings: Settings = Settings(),  # noqa: B008 (frozen)
) -> list[FileResult]:
    """Recalculate every job, in order of the results; `processes` > 1 spreads them over processes.

    Each process keeps the models it compiled, so that copies of one template compile once
    per process. A worker that dies costs only the file it was computing: the files of its
    lost work are retried one by one in fresh processes. Originals replaced in place are
    synced one by one before their rename; copies and the folders written to are synced
    once at the end, which makes the whole batch durable when this returns.
    """
    try:
        return _run(jobs, processes, progress or (lambda result: None), settings)
    finally:
        if any(job.target != job.source for job in jobs):
            sync_everything()
        for folder in sorted({job.target.parent for job in jobs}):
            fsync_folder(folder)


def _run(
    jobs: Sequence[Job], processes: int, report: Callable[[FileResult], None], settings: Settings
) -> list[FileResult]:
    processes = max(1, min(processes, len(jobs)))
    if processes == 1:
        results = []
        with _memory_capped(settings.memory_gib):
            for job in jobs:
                results.append(run_job(job, settings.limits, settings.engine, settings.iterate))
                report(results[-1])
        return results
    done: dict[int, FileResult] = {}
    pending = list(range(len(jobs)))
    while pending:
        came_back = _run_pool([jobs[k] for k in pending], processes, settings, report)
        done.update((k, result) for k, result in zip(pending, came_back, strict=True) if result is not None)
        # a worker died: the pool runs jobs in order, so the first lost ones were in flight. Each of those
        # runs alone (the one that kills a process is found), the rest in a new pool.
        missing = [k for k, result in zip(pending, came_back, strict=True) if result is None]
        for k in missing[: processes + 1]:
            done[k] = _run_alone(jobs[k], settings)
            report(done[k])
        pending = missing[processes + 1 :]
    return [done[k] for k in range(len(jobs))]


def _run_pool(
    jobs: Sequence[Job], processes: int, settings: Settings, report: Callable[[FileResult], None]
) -> list[FileResult | None]:
    """Per job its result, or None when the pool broke (a worker died) before it came back."""
    results: list[FileResult | None] = [None] * len(jobs)
    pool = ProcessPoolExecutor(max_workers=processes, initializer=_worker_setup, initargs=(settings.memory_gib,))
    try:
        futures = {pool.submit(_run_in_worker, job, settings): k for k, job in enumerate(jobs)}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool:  # a worker died (the out-of-memory killer, a signal)
                continue
            results[futures[future]] = result
            report(result)
    except BaseException:  # an interrupt: end the workers, which remove their temporary files
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return results


def _run_in_worker(job: Job, settings: Settings) -> FileResult:
    """One job in a worker (whose model cache lets copies of one template share their compiled model)."""
    global _busy
    _busy = True
    try:
        return run_job(job, settings.limits, settings.engine, settings.iterate)
    except KeyboardInterrupt:  # the file being written has been cleaned up on the way here
        os._exit(INTERRUPTED)
    finally:
        _busy = False


def _run_alone(job: Job, settings: Settings) -> FileResult:
    """One job in a process of its own: after a worker died, the file that kills a process is found exactly."""
    pool = ProcessPoolExecutor(max_workers=1, initializer=_worker_setup, initargs=(settings.memory_gib,))
    try:
        return pool.submit(_run_in_worker, job, settings).result()
    except BrokenProcessPool:
        remove_temporary_files(job.target)
        return FileResult(
            source=job.source,
            error="the process recalculating it died (out of memory, or killed); the original is unchanged",
        )
    finally:
        _stop(pool)


def _worker_setup(memory_gib: float | None) -> None:
    """In each worker: the memory cap, SIGTERM as KeyboardInterrupt (so temporary files are removed), and
    death with the main process (Linux), so no worker writes on after it is gone."""
    limit_memory(memory_gib)
    signal.signal(signal.SIGTERM, _worker_interrupt)
    signal.signal(signal.SIGINT, _worker_interrupt)
    sys.unraisablehook = _quiet_interrupts
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """End this worker (as SIGTERM would) once the main process is gone, on any platform."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)


PR_SET_PDEATHSIG = 1
INTERRUPTED = 130
"""Exit status of an interrupted batch (and of a worker ended by a signal): 128 + SIGINT, as shells report it."""
_busy = False
"""True in a worker while it recalculates: an interrupt then unwinds (removing a temporary file)."""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _worker_interrupt(signum: int, frame: object) -> None:
    if _busy:
        raise KeyboardInterrupt(f"signal {signum}")
    os._exit(INTERRUPTED)  # idle: nothing to clean up, and no traceback from the worker loop


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within the block SIGTERM interrupts this (main) process like Ctrl+C: files being written are cleaned up."""
    before, hook = signal.signal(signal.SIGTERM, _interrupt), sys.unraisablehook
    sys.unraisablehook = _quiet_interrupts
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
        sys.unraisablehook = hook


def _quiet_interrupts(unraisable: Any) -> None:
    """An interrupt that lands in a finaliser (a zip file closing) is not a traceback on the user's terminal."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down; when work is still running (an interrupt), end the workers first."""
    running = [p for p in getattr(pool, "_processes", {}).values() if p.is_alive()]
    pool.shutdown(wait=False, cancel_futures=True)
    for process in running:
        process.terminate()  # SIGTERM: the worker removes its temporary file and stops
    for process in running:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


def remove_temporary_files(target: Path) -> None:
    """Remove what a killed writer of `target` may have left: hidden `.NAME.*.ftxl-tmp` files beside it."""
    for leftover in target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)
