"""Augmentation previews computed in worker processes, beside the server's own Python work.

A Streamlit server runs every session's script in a thread of one process, so the Python work of all sessions
shares one interpreter lock, and so one core. Computing previews (a dozen passes through the pipeline, each
transform's Python overhead included, then encoding the pictures) is most of what a reroll costs. A worker
process does that on another core while the server draws pages; the server only unpickles the result, a fraction
of a millisecond.

The server starts one worker per core beyond the first, at most :data:`MAX_DEFAULT_WORKERS` (each holds its own
torch, ~0.3 GB; ``VISIONKIT_PREVIEW_WORKERS`` sets the number, 0 computes in the server process), with its first
session (:func:`start`: a worker takes seconds to import torch, which the first visit to the Augmentation page
should not wait for).

A page of previews that :func:`visionkit.transforms.catalog.trace` expects to take more than
:data:`HEAVY_SECONDS` goes to a worker of its own that runs only on a core nothing else wants (Linux's idle
scheduling class, and ``nice`` +:data:`HEAVY_NICE`), so
that one student's heavy pipeline takes only the time the others leave, and never holds up their previews.
A worker that dies while computing a page of previews (out of memory, killed) is not replaced by the server's
own process: the previews are refused with :class:`WorkerStopped`, and the next ones go to a new worker.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import torch
from PIL import Image

from visionkit.transforms import catalog

from . import augment_lab

__all__ = [
    "HEAVY_NICE",
    "HEAVY_SECONDS",
    "MAX_DEFAULT_WORKERS",
    "WORKERS_VARIABLE",
    "WorkerStopped",
    "previews",
    "start",
    "worker_count",
]

WORKERS_VARIABLE = "VISIONKIT_PREVIEW_WORKERS"
MAX_DEFAULT_WORKERS = 4
#: Pages of previews expected to take longer than this (on one core) go to the low-priority worker.
HEAVY_SECONDS = 0.5
HEAVY_NICE = 19
_LOG = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_heavy_pool: ProcessPoolExecutor | None = None


class WorkerStopped(RuntimeError):
    """The worker computing a page of previews stopped before it finished (it ran out of memory or was killed)."""


def worker_count() -> int:
    """How many worker processes previews use: ``VISIONKIT_PREVIEW_WORKERS``, else one per core beyond the first,
    at most :data:`MAX_DEFAULT_WORKERS`."""
    value = os.environ.get(WORKERS_VARIABLE, "").strip()
    if not value:
        return min(MAX_DEFAULT_WORKERS, max(0, (os.cpu_count() or 1) - 1))
    if not value.isdigit():
        raise ValueError(f"{WORKERS_VARIABLE} should be a whole number of processes (0: none), got {value!r}")
    return int(value)


def previews(
    pipeline: str,
    image: Image.Image | augment_lab.PreviewInput,
    *,
    seed: int,
    roll: int,
    count: int,
    input_key: str | None = None,
) -> list[augment_lab.Sample]:
    """The previews of :func:`vkapp.augment_lab.previews` for a pipeline given as JSON (its API with it), computed
    by a worker when there is one (the low-priority one for a heavy page). ``image`` is an image or a
    :class:`vkapp.augment_lab.PreviewInput`; ``input_key``, the input's content key
    (:func:`vkapp.augment_lab.input_key`), lets the server pickle an input once for all the pages made from it.
    A pipeline that fails on the image raises here as it would in the server's own process, and one that cannot run
    on it (:func:`vkapp.augment_lab.check_steps`) before any worker starts on it.

    Raises:
        WorkerStopped: if the worker stopped while computing these previews; they are not computed here instead.
    """
    steps, _, api = catalog.from_json(pipeline)
    given = image if isinstance(image, augment_lab.PreviewInput) else augment_lab.PreviewInput(image)
    kinds = given.kinds if api == "v2" else ()
    expected = augment_lab.check_steps(steps, given.image, api=api, kinds=kinds).seconds * count
    heavy = expected > HEAVY_SECONDS
    pool = _current_pool(heavy)
    if pool is None:
        return _compute(pipeline, given, seed, roll, count)
    job = (pipeline, _packed(given, input_key), seed, roll, count)
    try:
        future = pool.submit(_compute, *job)
    except BrokenProcessPool:  # it stopped earlier, between two pages: this page goes to its replacement
        _LOG.warning("a preview worker had stopped; starting a new one")
        _discard(pool)
        pool = _current_pool(heavy)
        assert pool is not None
        future = pool.submit(_compute, *job)
    try:
        return future.result()
    except BrokenProcessPool:
        _LOG.warning("a preview worker stopped while computing previews; starting a new one")
        _discard(pool)
        raise WorkerStopped(
            "the worker computing these previews stopped before it finished (it may have run out of memory), so "
            "they were not made; a new worker is starting: reroll to try again, or make the pipeline lighter"
        ) from None


def start() -> None:
    """Start the workers now, if they are not running (cheap when they are); they get ready in the background."""
    _current_pool()


#: How many inputs the server keeps pickled (an input is at most a few hundred kilobytes: a preview-sized image).
PACKED_KEPT = 16
_packed_inputs: OrderedDict[str, Packed] = OrderedDict()


@dataclass(frozen=True)
class Packed:
    """An input pickled once by the server: a page's job carries these bytes, where pickling the input itself
    would encode the image again for every page."""

    data: bytes

    def open(self) -> augment_lab.PreviewInput:
        # the server's own pickle of its own object, as a job itself is
        return pickle.loads(self.data)


def _packed(given: augment_lab.PreviewInput, key: str | None) -> augment_lab.PreviewInput | Packed:
    """``given`` as a job carries it: pickled once per content key (kept for the last :data:`PACKED_KEPT` keys),
    or as it is without a key."""
    if key is None:
        return given
    with _lock:
        found = _packed_inputs.get(key)
        if found is not None:
            _packed_inputs.move_to_end(key)
            return found
    found = Packed(pickle.dumps(given, protocol=pickle.HIGHEST_PROTOCOL))
    with _lock:
        _packed_inputs[key] = found
        while len(_packed_inputs) > PACKED_KEPT:
            _packed_inputs.popitem(last=False)
    return found


def _compute(
    pipeline: str,
    given: augment_lab.PreviewInput | Packed,
    seed: int,
    roll: int,
    count: int,
) -> list[augment_lab.Sample]:
    given = given.open() if isinstance(given, Packed) else given
    steps, _, api = catalog.from_json(pipeline)
    return augment_lab.previews(steps, given, seed=seed, roll=roll, count=count, api=api)


def _current_pool(heavy: bool = False) -> ProcessPoolExecutor | None:
    global _pool, _heavy_pool
    with _lock:
        workers = worker_count()
        if workers == 0:
            return None
        if heavy:
            if _heavy_pool is None:
                _heavy_pool = _new_pool(1, _start_heavy_worker)
            return _heavy_pool
        if _pool is None:
            _pool = _new_pool(workers)
        return _pool


def _new_pool(workers: int, initializer: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """A pool whose workers are all started now, each with this module as its main module.

    Spawn, not fork: the server has threads (and torch's thread pools) that a fork would copy half-held. A spawned
    process first imports its parent's ``__main__``, and in a Streamlit server that is the app script, which must
    not run in a worker; so the workers are started here, all at once (a pool starts one per job submitted while
    none is idle), while ``__main__`` names this module, which imports only what previews need.
    """
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=initializer or _start_worker)
    app_main = sys.modules["__main__"]
    sys.modules["__main__"] = sys.modules[__name__]
    try:
        for _ in range(workers):
            pool.submit(_ready)
    finally:
        sys.modules["__main__"] = app_main
    return pool


def _ready() -> bool:
    return True


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool, _heavy_pool
    with _lock:
        if _pool is pool:
            _pool = None
        if _heavy_pool is pool:
            _heavy_pool = None
    pool.shutdown(wait=False, cancel_futures=True)


#: How often a worker checks that the server that started it is still there.
PARENT_CHECK_S = 1.0


def _start_worker() -> None:
    """Each worker uses one core (the others belong to the server and the other workers), and ends with the server:
    a pool's workers wait on their queue forever once the server is gone (killed, or stopped without shutting the
    pool down), and would go on holding memory and computing a heavy page for nobody."""
    torch.set_num_threads(1)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def _start_heavy_worker() -> None:
    """The heavy pages' worker: as every worker (:func:`_start_worker`), and with only the time the server and the
    other workers leave: Linux's idle scheduling class where there is one (it runs only on a core nothing else
    wants), and the lowest priority."""
    _start_worker()
    os.nice(HEAVY_NICE)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
