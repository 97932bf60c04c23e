"""v2 exports reproduce v2 previews: for every v2 preset and random mixes of v2 steps on an embedded photo with its
boxes, masks and keypoints, the code for a preview, run in a fresh Python process on the downloaded input and mask
files, gives that preview's image and objects value for value."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from visionkit import tv_tensors
from visionkit.transforms import catalog
from vkapp import annotated, augment_lab, sources

from .test_preview_export import run_previews

REPO = Path(__file__).resolve().parent.parent
#: Run in the child after each script: keep ``out_img`` (PIL as its array) and the target's tensors in a file.
SAVE = """
import numpy, torch
from PIL import Image as _Image
_img, _target = (out_img, out_target) if "out_img" in globals() else (out, {{}})
_img = torch.from_numpy(numpy.asarray(_img).copy()) if isinstance(_img, _Image.Image) else _img
_plain = {{k: v.as_subclass(torch.Tensor) for k, v in _target.items()}}
torch.save({{"image": _img.as_subclass(torch.Tensor), **_plain}}, {path!r})
"""
KINDS = ("boxes", "masks", "keypoints")


@pytest.fixture(scope="module")
def given() -> augment_lab.PreviewInput:
    """The astronaut, as the page previews it, with its boxes, masks and keypoints."""
    photos = sources.open_dataset("photos")
    index = next(i for i, (path, _) in enumerate(photos.samples) if path.endswith("astronaut.jpg"))
    image = augment_lab.preview_input(photos[index][0])
    found = annotated.dataset_annotations(photos, index, image.size)
    assert found is not None and found.kinds == KINDS
    return augment_lab.PreviewInput(image, found, KINDS)


def _random_step(rng: random.Random, names: list[str]) -> catalog.Step:
    name = rng.choice(names)
    params = dict(catalog.default_step(name, api="v2").params)
    for param in catalog.spec_for(name, api="v2").params:
        if param.kind in ("float", "int") and param.minimum is not None and rng.random() < 0.5:
            value = rng.uniform(param.minimum, min(param.maximum, param.minimum + 40))
            params[param.name] = round(value) if param.kind == "int" else round(value, 2)
    step = catalog.Step(name, params, p=rng.choice([1.0, 1.0, 0.5]))
    return step if not catalog.validate_step(step, api="v2") else catalog.default_step(name, api="v2")


def _random_mix(rng: random.Random, given: augment_lab.PreviewInput) -> list[catalog.Step]:
    """Random v2 steps that take the sample with its objects, then ToImage, ToDtype and more random steps, ending
    with SanitizeBoundingBoxes half of the time: a pipeline the page accepts."""
    names = [spec.name for spec in catalog.search(api="v2") if spec.group != "conversion" and not spec.needs_boxes]
    while True:
        steps = [_random_step(rng, names) for _ in range(rng.randint(2, 4))]
        steps += [catalog.Step("ToImage"), catalog.Step("ToDtype", {"dtype": "float32", "scale": True})]
        steps += [_random_step(rng, names) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.5:
            steps.append(catalog.default_step("SanitizeBoundingBoxes", api="v2"))
        if catalog.check_pipeline(steps, api="v2"):
            continue
        try:
            augment_lab.check_steps(steps, given.image, api="v2", kinds=given.kinds)
        except catalog.StepInputError:
            continue
        return steps


PIPELINES: dict[str, Any] = {f"preset {name}": steps for name, steps in catalog.PRESETS_V2.items()}
PIPELINES |= {f"random mix {seed}": seed for seed in range(4)}


def _plain(output: Any) -> dict[str, torch.Tensor]:
    image, target = output if isinstance(output, tuple) else (output, {})
    image = torch.from_numpy(np.asarray(image).copy()) if isinstance(image, Image.Image) else image
    return {"image": image.as_subclass(torch.Tensor), **{k: v.as_subclass(torch.Tensor) for k, v in target.items()}}


def _runnable(steps: list[catalog.Step], given: augment_lab.PreviewInput) -> augment_lab.PreviewInput:
    """The input with the objects the pipeline takes: all of them, or without masks and keypoints, or none (the
    auto-augment policies take images only) for a preset that refuses them (the page says so, and the student
    unticks them)."""
    for kinds in (KINDS, ("boxes",), ()):
        try:
            augment_lab.check_steps(steps, given.image, api="v2", kinds=kinds)
        except catalog.StepInputError:
            continue
        return augment_lab.PreviewInput(given.image, given.annotations, kinds)
    pytest.fail("the pipeline takes no sample with objects")


@pytest.mark.parametrize("name", list(PIPELINES))
def test_the_v2_code_for_a_preview_makes_that_preview_with_its_objects(
    name: str, given: augment_lab.PreviewInput, tmp_path: Path
) -> None:
    chosen = PIPELINES[name]
    steps = _random_mix(random.Random(chosen), given) if isinstance(chosen, int) else chosen
    given = _runnable(steps, given)
    seed, roll = 5, 2
    samples = augment_lab.previews(steps, given, seed=seed, roll=roll, count=4, keep_outputs=True, api="v2")
    script_input = augment_lab.preview_script_input(given, "v2")
    assert (script_input.annotations is not None) == bool(given.kinds)
    call = "out_img, out_target = pipeline(img, target)" if given.kinds else "out = pipeline(img)"
    (tmp_path / augment_lab.INPUT_FILE).write_bytes(augment_lab.input_png(given.image))
    (tmp_path / annotated.MASK_FILE).write_bytes(given.annotations.instance_ids)
    codes = {
        index: augment_lab.preview_code(
            steps, "visionkit", preview_seed=samples[index].seed, image=script_input, api="v2"
        )
        for index in (0, 3)
    }
    assert all("from visionkit.transforms import v2" in code and call in code for code in codes.values())
    for index, made in run_previews(codes, SAVE, tmp_path).items():
        expected = _plain(samples[index].output)
        assert sorted(made) == sorted(expected)
        for key, value in expected.items():
            assert made[key].dtype == value.dtype and made[key].shape == value.shape, (name, index, key)
            assert torch.equal(made[key], value), f"preview {index + 1} of {name} differs in {key}"


def test_the_preview_runs_on_the_objects_the_script_builds(given: augment_lab.PreviewInput) -> None:
    """The sample the previews start from is the script's target: boxes in XYXY on the image's canvas, one mask
    per object from the id map, the person's keypoints."""
    image, target = given.sample("v2")
    canvas = (image.height, image.width)
    assert isinstance(target["boxes"], tv_tensors.BoundingBoxes) and target["boxes"].canvas_size == canvas
    assert target["labels"].tolist() == list(given.annotations.labels)
    masks = target["masks"]
    assert isinstance(masks, tv_tensors.Mask) and masks.shape == (len(target["labels"]), *canvas)
    ids = given.annotations.ids()
    for number, mask in enumerate(masks, start=1):
        assert torch.equal(mask.bool(), ids == number) and mask.any()
    assert isinstance(target["keypoints"], tv_tensors.KeyPoints) and target["keypoints"].shape[-2:] == (17, 2)
