"""The Augmentation page's computations: seeded previews that concurrent sessions cannot disturb, and pictures."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
import torch
from PIL import Image

from visionkit.transforms import catalog
from vkapp import augment_lab, model_lab


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    """A smooth 160x120 picture (JPEG keeps it close), with a bright square off-center (flips and crops move it)."""
    y, x = np.mgrid[0:120, 0:160]
    pixels = np.stack([x * 255 // 159, y * 255 // 119, (x + y) * 255 // 278], axis=-1).astype(np.uint8)
    pixels[20:50, 30:70] = 255
    return Image.fromarray(pixels)


def fingerprint(samples: list[augment_lab.Sample]) -> list[tuple[str, bytes]]:
    return [(repr([s.params for s in sample.steps]), sample.pictures[True].data) for sample in samples]


class TestConcurrentSessions:
    def test_previews_match_a_lone_run_while_other_threads_seed_and_draw(self, photo: Image.Image) -> None:
        steps = catalog.PRESETS["ImageNet training"]
        alone = {
            seed: fingerprint(augment_lab.previews(steps, photo, seed=seed, roll=0, count=3, boxes=None))
            for seed in (1, 2)
        }
        found: dict[int, list[list[tuple[str, bytes]]]] = {1: [], 2: []}
        failures: list[BaseException] = []

        def student(seed: int) -> None:
            try:
                for _ in range(15):
                    found[seed].append(
                        fingerprint(augment_lab.previews(steps, photo, seed=seed, roll=0, count=3, boxes=None))
                    )
            except BaseException as exc:
                failures.append(exc)

        def builder() -> None:
            for _ in range(5):
                model_lab.build("resnet18", None)

        threads = [threading.Thread(target=student, args=(seed,)) for seed in (1, 2)]
        threads.append(threading.Thread(target=builder))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures
        for seed in (1, 2):
            assert all(run == alone[seed] for run in found[seed]), f"seed {seed} saw another thread's draws"

    def test_a_preview_run_leaves_the_draws_of_a_reseeded_stream_alone(self, photo: Image.Image) -> None:
        torch.manual_seed(5)
        expected = torch.rand(3)
        torch.manual_seed(5)
        augment_lab.previews(catalog.PRESETS["CIFAR-10 classic"], photo, seed=9, roll=0, count=1, boxes=None)
        torch.manual_seed(5)
        assert torch.equal(torch.rand(3), expected)


class TestPreviews:
    def test_the_first_sample_carries_the_strip_and_tensor_view_and_no_sample_keeps_outputs(
        self, photo: Image.Image
    ) -> None:
        steps = catalog.PRESETS["CIFAR-10 classic"]
        samples = augment_lab.previews(steps, photo, seed=0, roll=0, count=4, boxes=None)
        first = samples[0].detail
        assert first is not None and all(s.detail is None for s in samples[1:])
        assert [p.caption.split(" · ")[0] for p in first.strip] == ["input", *(s.name for s in steps)]
        assert first.summary.startswith("torch.float32 (3, 32, 32)")
        assert first.histogram is not None
        points = first.histogram.data.to_pylist()
        before = sorted((p["value"], p["count"]) for p in points if p["series"] == "before Normalize")
        after = sorted((p["value"], p["count"]) for p in points if p["series"] == "after Normalize")
        assert len(before) == len(after) == 64
        assert min(v for v, _ in before) >= 0 and max(v for v, _ in before) <= 1  # ToTensor's [0, 1]
        # Normalize(0.5, 0.5) maps x to (x - 0.5) / 0.5: the same counts, at 2x - 1
        assert np.allclose([v for v, _ in after], [2 * v - 1 for v, _ in before], atol=1e-4)
        assert [n for _, n in after] == [n for _, n in before] and sum(n for _, n in after) == 3 * 32 * 32
        assert all(step.output is None for sample in samples for step in sample.steps)

    def test_a_reroll_changes_the_previews_and_the_same_seed_and_roll_repeat_them(self, photo: Image.Image) -> None:
        steps = catalog.PRESETS["ImageNet training"]
        first = fingerprint(augment_lab.previews(steps, photo, seed=3, roll=0, count=2, boxes=None))
        again = fingerprint(augment_lab.previews(steps, photo, seed=3, roll=0, count=2, boxes=None))
        rolled = fingerprint(augment_lab.previews(steps, photo, seed=3, roll=1, count=2, boxes=None))
        assert first == again
        assert first != rolled
        (sample,) = augment_lab.previews(steps, photo, seed=3, roll=0, count=1, boxes=None)
        crop = sample.steps[0].params
        # each preview is captioned with what its random steps drew, the same under both displays
        assert sample.pictures[True].caption == sample.pictures[False].caption
        assert f"ResizedCrop top={crop['top']} left={crop['left']}" in sample.pictures[True].caption

    def test_de_normalized_pixels_undo_normalize(self, photo: Image.Image) -> None:
        steps = [catalog.Step("ToTensor", {}), catalog.Step("Normalize", {"mean": [0.5] * 3, "std": [0.25] * 3})]
        (sample,) = augment_lab.previews(steps, photo, seed=0, roll=0, count=1, boxes=None)
        shown = np.asarray(Image.open(io.BytesIO(sample.pictures[True].data)).convert("RGB"), dtype=np.int16)
        assert np.abs(shown - np.asarray(photo, dtype=np.int16)).mean() < 3  # JPEG, at quality 92


class TestPictures:
    def test_small_images_are_exact_png(self) -> None:
        pixels = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)
        (picture,) = augment_lab.pictures([pixels], ["x"])
        assert picture.format == "PNG" and picture.caption == "x"
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(picture.data))), pixels)

    def test_large_images_are_jpeg_and_gray_stays_gray(self) -> None:
        (picture,) = augment_lab.pictures([np.full((256, 256, 1), 77, dtype=np.uint8)], [None])
        decoded = Image.open(io.BytesIO(picture.data))
        assert (picture.format, decoded.format, decoded.mode) == ("JPEG", "JPEG", "L")
        assert np.abs(np.asarray(decoded, dtype=np.int16) - 77).max() <= 1

    def test_one_large_image_makes_the_whole_set_jpeg(self) -> None:
        found = augment_lab.pictures([np.zeros((8, 8, 3), np.uint8), np.zeros((200, 200, 3), np.uint8)], ["a", "b"])
        assert [p.format for p in found] == ["JPEG", "JPEG"]
        assert [Image.open(io.BytesIO(p.data)).format for p in found] == ["JPEG", "JPEG"]

    def test_the_step_strip_is_one_format_with_a_thumbnail_input(self, photo: Image.Image) -> None:
        steps = catalog.PRESETS["CIFAR-10 classic"]
        (sample,) = augment_lab.previews(steps, photo, seed=0, roll=0, count=1, boxes=None)
        assert sample.detail is not None
        assert {p.format for p in sample.detail.strip} == {"PNG"}
        assert max(Image.open(io.BytesIO(sample.detail.strip[0].data)).size) == augment_lab.STRIP_SIDE


class TestPipelineTexts:
    def test_texts_are_what_the_catalog_writes_and_follow_every_change(self) -> None:
        steps = list(catalog.PRESETS["CIFAR-10 classic"])
        texts = augment_lab.pipeline_texts(steps, 3)
        assert texts.key == catalog.to_json(steps)
        assert texts.query == catalog.to_query(steps, 3)
        assert texts.json == catalog.to_json(steps, seed=3)
        flipped = [*steps[:2], catalog.Step("RandomHorizontalFlip", {"p": 0.25}), *steps[3:]]
        assert augment_lab.pipeline_texts(flipped, 3).key != texts.key
        assert augment_lab.pipeline_texts(steps, 4).query["seed"] == "4"

    def test_preview_code_is_what_the_catalog_writes_and_follows_every_change(self) -> None:
        steps = list(catalog.PRESETS["CIFAR-10 classic"])
        image = catalog.ScriptInput(augment_lab.INPUT_FILE, 256, 170)

        def code_of(steps: list[catalog.Step], library: str, preview_seed: int = 27) -> str:
            return augment_lab.preview_code(steps, library, preview_seed=preview_seed, image=image)

        assert code_of(steps, "torchvision") == catalog.to_code(steps, library="torchvision", seed=27, image=image)
        flipped = [*steps[:2], catalog.Step("RandomHorizontalFlip", {"p": 0.25}), *steps[3:]]
        assert "T.RandomHorizontalFlip(p=0.25)" in code_of(flipped, "torchvision")
        assert "torch.manual_seed(28)" in code_of(steps, "torchvision", 28)
        assert "from visionkit import transforms as T" in code_of(steps, "visionkit")


class TestLargeOutputs:
    def test_pictures_of_large_outputs_are_sent_scaled_down(self, photo: Image.Image) -> None:
        """A pipeline may make 1800 x 1800 images; the page gets them at most DISPLAY_SIDE wide, not 1800."""
        steps = [catalog.Step("Resize", {"size": [1800, 1800]}), catalog.Step("ToTensor")]
        (sample,) = augment_lab.previews(steps, photo, seed=0, roll=0, count=1, boxes=None, keep_outputs=True)
        assert tuple(sample.output.shape) == (3, 1800, 1800)
        for picture in [*sample.pictures.values(), sample.detail.raw, *sample.detail.strip]:
            assert max(Image.open(io.BytesIO(picture.data)).size) <= augment_lab.DISPLAY_SIDE
