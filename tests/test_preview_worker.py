"""Previews computed in a worker process: the same previews as in the server's process, the pipeline's errors
raised as they are, and a worker that dies replaced without losing a preview."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from visionkit.transforms import catalog
from vkapp import augment_lab, preview_worker


@pytest.fixture
def one_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(preview_worker.WORKERS_VARIABLE, "1")
    yield
    for pool in (preview_worker._pool, preview_worker._heavy_pool):
        if pool is not None:
            preview_worker._discard(pool)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    y, x = np.mgrid[0:90, 0:120]
    return Image.fromarray(np.stack([x * 2, y * 2, x + y], axis=-1).astype(np.uint8))


def shown(samples: list[augment_lab.Sample]) -> list[tuple[str, bytes, bytes]]:
    return [(repr([s.params for s in x.steps]), x.pictures[False].data, x.pictures[True].data) for x in samples]


class TestWorkerCount:
    @pytest.mark.parametrize(("value", "expected"), [("0", 0), ("3", 3), (" 2 ", 2)])
    def test_the_variable_sets_the_number(self, monkeypatch: pytest.MonkeyPatch, value: str, expected: int) -> None:
        monkeypatch.setenv(preview_worker.WORKERS_VARIABLE, value)
        assert preview_worker.worker_count() == expected

    @pytest.mark.parametrize(("cores", "expected"), [(None, 0), (1, 0), (2, 1), (4, 3), (64, 4)])
    def test_without_the_variable_every_core_but_one_up_to_four(
        self, monkeypatch: pytest.MonkeyPatch, cores: int | None, expected: int
    ) -> None:
        monkeypatch.delenv(preview_worker.WORKERS_VARIABLE, raising=False)
        monkeypatch.setattr(os, "cpu_count", lambda: cores)
        assert preview_worker.worker_count() == expected

    @pytest.mark.parametrize("value", ["two", "-1", "1.5"])
    def test_a_bad_value_names_the_variable(self, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
        monkeypatch.setenv(preview_worker.WORKERS_VARIABLE, value)
        with pytest.raises(ValueError, match=f"VISIONKIT_PREVIEW_WORKERS should be a whole number.*{value!r}"):
            preview_worker.worker_count()


class TestStart:
    def test_start_brings_a_worker_up_before_the_first_preview(self, one_worker: None) -> None:
        preview_worker.start()
        pool = preview_worker._pool
        assert pool is not None
        assert pool.submit(os.getpid).result() != os.getpid()  # a process of its own, already there
        preview_worker.start()
        assert preview_worker._pool is pool

    def test_workers_never_run_the_app_script_that_started_them(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Streamlit makes the app script ``__main__`` while it runs; a spawned worker must not run it again."""
        marker = tmp_path / "the script ran"
        script = tmp_path / "app_script.py"
        script.write_text(f"open({str(marker)!r}, 'w').close()\n")
        app_main = types.ModuleType("__main__")
        app_main.__file__ = str(script)
        monkeypatch.setitem(sys.modules, "__main__", app_main)
        pool = preview_worker._new_pool(1)
        try:
            assert pool.submit(os.getpid).result() != os.getpid()
        finally:
            pool.shutdown()
        assert sys.modules["__main__"] is app_main
        assert not marker.exists()

    def test_without_workers_start_does_nothing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(preview_worker.WORKERS_VARIABLE, "0")
        monkeypatch.setattr(preview_worker, "_pool", None)
        preview_worker.start()
        assert preview_worker._pool is None


class TestPreviewsInAWorker:
    def test_a_worker_gives_the_previews_of_the_server_process(self, one_worker: None, photo: Image.Image) -> None:
        pipeline = catalog.to_json(catalog.PRESETS["ImageNet training"])
        found = preview_worker.previews(
            pipeline, augment_lab.PreviewInput(photo, kinds=("boxes",)), seed=4, roll=2, count=3
        )
        assert preview_worker._pool is not None  # it did go through a worker
        steps, _, _ = catalog.from_json(pipeline)
        here = augment_lab.previews(steps, photo, seed=4, roll=2, count=3, boxes=augment_lab.sample_boxes(photo))
        assert shown(found) == shown(here)
        assert found[0].detail is not None and found[0].detail.histogram is not None

    def test_a_pipeline_that_cannot_run_on_the_image_is_refused_before_a_worker_starts_on_it(
        self, one_worker: None, photo: Image.Image
    ) -> None:
        pipeline = catalog.to_json([catalog.Step("RandomCrop", {"size": [500, 500]}), catalog.Step("ToTensor", {})])
        with pytest.raises(catalog.StepInputError, match=r"step 1 RandomCrop\(size=\[500, 500\]\) crops 500 x 500"):
            preview_worker.previews(pipeline, photo, seed=0, roll=0, count=2)
        assert len(preview_worker.previews(catalog.to_json([]), photo, seed=0, roll=0, count=2)) == 2

    def test_an_error_in_a_worker_reaches_the_server_whole(self, one_worker: None, photo: Image.Image) -> None:
        """The worker checks the steps too; what it raises arrives with its type, message and attributes."""
        pipeline = catalog.to_json([catalog.Step("RandomCrop", {"size": [500, 500]})])
        preview_worker.start()
        pool = preview_worker._pool
        assert pool is not None
        with pytest.raises(catalog.StepInputError, match="crops 500 x 500 out of a 120 x 90 image") as caught:
            pool.submit(preview_worker._compute, pipeline, augment_lab.PreviewInput(photo), 0, 0, 2).result()
        assert caught.value.index == 0 and caught.value.step.name == "RandomCrop"

    def test_a_worker_that_died_between_pages_is_replaced_for_the_next_page(
        self, one_worker: None, photo: Image.Image
    ) -> None:
        pipeline = catalog.to_json(catalog.PRESETS["CIFAR-10 classic"])
        first = preview_worker.previews(pipeline, photo, seed=1, roll=0, count=2)
        dying = preview_worker._pool
        assert dying is not None
        with pytest.raises(BrokenProcessPool):
            dying.submit(os._exit, 1).result()
        again = preview_worker.previews(pipeline, photo, seed=1, roll=0, count=2)
        assert preview_worker._pool is not None and preview_worker._pool is not dying
        assert shown(again) == shown(first)

    def test_a_worker_that_dies_on_a_page_is_not_replaced_by_the_server(
        self, one_worker: None, photo: Image.Image
    ) -> None:
        """The page is refused in words (the server does not run a job that may have killed its worker), and the
        next page gets a new worker."""
        pipeline = catalog.to_json(catalog.PRESETS["CIFAR-10 classic"])
        preview_worker.start()
        dying = preview_worker._pool
        assert dying is not None
        dying.submit(time.sleep, 0.5)
        dying.submit(os._exit, 1)  # the worker dies with this page queued behind it
        with pytest.raises(preview_worker.WorkerStopped, match="stopped before it finished"):
            preview_worker.previews(pipeline, photo, seed=1, roll=0, count=2)
        assert preview_worker._pool is None
        assert len(preview_worker.previews(pipeline, photo, seed=1, roll=0, count=2)) == 2
        assert preview_worker._pool is not None and preview_worker._pool is not dying

    def test_a_heavy_page_goes_to_a_low_priority_worker(self, one_worker: None, photo: Image.Image) -> None:
        heavy = [catalog.Step("ElasticTransform", {"sigma": 10.0})]
        expected = augment_lab.check_steps(heavy, photo).seconds * 12
        assert expected > preview_worker.HEAVY_SECONDS
        found = preview_worker.previews(catalog.to_json(heavy), photo, seed=0, roll=0, count=12)
        assert len(found) == 12
        lane = preview_worker._heavy_pool
        assert lane is not None
        assert lane.submit(os.nice, 0).result() == os.nice(0) + preview_worker.HEAVY_NICE
        light = catalog.to_json(catalog.PRESETS["CIFAR-10 classic"])
        preview_worker.previews(light, photo, seed=0, roll=0, count=2)
        assert preview_worker._pool is not None and preview_worker._pool is not lane


class TestPackedInputs:
    def test_pages_from_a_packed_input_are_the_pages_of_the_input(self, one_worker: None, photo: Image.Image) -> None:
        pipeline = catalog.to_json(catalog.PRESETS["CIFAR-10 classic"])
        key = f"test-photo-{id(photo)}"
        first = preview_worker.previews(pipeline, photo, seed=2, roll=0, count=3, input_key=key)
        again = preview_worker.previews(pipeline, photo, seed=2, roll=1, count=3, input_key=key)
        steps, _, api = catalog.from_json(pipeline)
        assert shown(first) == shown(augment_lab.previews(steps, photo, seed=2, roll=0, count=3, api=api))
        assert shown(again) == shown(augment_lab.previews(steps, photo, seed=2, roll=1, count=3, api=api))

    def test_an_input_is_pickled_once_per_key_and_only_the_last_keys_are_kept(self, photo: Image.Image) -> None:
        given = augment_lab.PreviewInput(photo)
        packed = preview_worker._packed(given, "test-once")
        assert isinstance(packed, preview_worker.Packed)
        assert preview_worker._packed(given, "test-once") is packed
        assert preview_worker._packed(given, None) is given
        for i in range(preview_worker.PACKED_KEPT):
            preview_worker._packed(given, f"test-other-{i}")
        assert "test-once" not in preview_worker._packed_inputs
        assert len(preview_worker._packed_inputs) == preview_worker.PACKED_KEPT
        opened = packed.open()
        assert opened.image.tobytes() == photo.tobytes() and opened.kinds == given.kinds


class TestWorkersEndWithTheServer:
    def test_workers_of_a_killed_server_exit(self, tmp_path: Path) -> None:
        """A server killed without shutting its pools down leaves no worker behind, light or heavy."""
        pids = tmp_path / "workers.txt"
        script = (
            "import os, sys\n"
            "from vkapp import preview_worker\n"
            "pools = [preview_worker._new_pool(1), preview_worker._new_pool(1, preview_worker._start_heavy_worker)]\n"
            f"open({str(pids)!r}, 'w').write(' '.join(str(pool.submit(os.getpid).result()) for pool in pools))\n"
            "os._exit(0)\n"
        )
        done = subprocess.run(  # its output goes nowhere: a pipe would stay open in the workers it leaves
            [sys.executable, "-c", script],
            cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )
        assert done.returncode == 0
        workers = [int(pid) for pid in pids.read_text().split()]
        assert len(workers) == 2
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"
