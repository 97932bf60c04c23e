"""Annotated inputs of the Augmentation page: the photos' and shapes' objects scaled to the previews' copy, the
v2 sample built from them, the drawing of boxes, masks and keypoints, and which objects a step dropped."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import ImageColor

from visionkit import datasets, tv_tensors
from visionkit.transforms import catalog
from vkapp import annotated, augment_lab, sources


@pytest.fixture(scope="module")
def photos() -> datasets.ImageFolder:
    return sources.open_dataset("photos")


def _index(photos: datasets.ImageFolder, name: str) -> int:
    return next(i for i, (path, _) in enumerate(photos.samples) if path.endswith(name))


def test_photo_objects_are_scaled_to_the_preview_copy(photos: datasets.ImageFolder) -> None:
    document = json.loads(annotated.PHOTO_ANNOTATIONS.read_text())
    record = next(r for r in document["images"] if r["file_name"] == "food/coffee.jpg")
    recorded = [a for a in document["annotations"] if a["image_id"] == record["id"]]
    index = _index(photos, "coffee.jpg")
    image = augment_lab.preview_input(photos[index][0])
    found = annotated.dataset_annotations(photos, index, image.size)
    assert found is not None and found.kinds == ("boxes", "masks")
    sx, sy = image.width / record["width"], image.height / record["height"]
    for box, obj in zip(found.boxes, recorded, strict=True):
        x, y, w, h = obj["bbox"]
        assert box == pytest.approx((x * sx, y * sy, (x + w) * sx, (y + h) * sy))
    assert list(found.labels) == [obj["category_id"] for obj in recorded]
    ids = found.ids()
    assert ids.shape == (image.height, image.width)
    for number, box in enumerate(found.boxes, start=1):  # each mask lies inside its box (a pixel of slack)
        ys, xs = torch.nonzero(ids == number, as_tuple=True)
        assert len(xs) > 0
        assert xs.min() >= box[0] - 1 and xs.max() <= box[2] + 1 and ys.min() >= box[1] - 1 and ys.max() <= box[3] + 1


def test_a_photo_without_objects_has_none(photos: datasets.ImageFolder) -> None:
    index = _index(photos, "brick.png")
    assert annotated.dataset_annotations(photos, index, (256, 256)) is None


def test_the_person_has_keypoints_with_their_visibility(photos: datasets.ImageFolder) -> None:
    index = _index(photos, "astronaut.jpg")
    found = annotated.dataset_annotations(photos, index, (256, 256))
    assert found is not None and found.kinds == ("boxes", "masks", "keypoints")
    (points,), (visible,) = found.keypoints, found.visibility
    assert len(points) == len(visible) == 17 and 0 < sum(visible) < 17
    person = found.boxes[found.labels.index(1)]
    for (x, y), seen in zip(points, visible, strict=True):
        if seen:
            assert person[0] - 1 <= x <= person[2] + 1 and person[1] - 1 <= y <= person[3] + 1
    assert all(0 <= a < 17 and 0 <= b < 17 for a, b in found.skeleton)


def test_shapes_masks_are_the_visible_pixels_and_scale_with_the_image() -> None:
    shapes = datasets.Shapes(train=True, size=20)
    for index in range(20):
        found = shapes.annotations(index)
        masks = found["masks"]
        assert masks.shape[0] == len(found["labels"]) and masks.dtype == torch.bool
        assert not (masks.sum(0) > 1).any()  # visible pixels: no pixel belongs to two shapes
        image = np.asarray(shapes[index][0])
        for mask, box in zip(masks, found["boxes"].long().tolist(), strict=True):
            ys, xs = torch.nonzero(mask, as_tuple=True)
            assert xs.min() >= box[0] and xs.max() < box[2] and ys.min() >= box[1] and ys.max() < box[3]
            colours = {tuple(c) for c in image[mask.numpy()]}
            assert len(colours) == 1  # one shape's colour
    scaled = annotated.dataset_annotations(shapes, 3, (128, 128))
    assert scaled is not None and scaled.ids().shape == (128, 128)
    assert scaled.class_names == tuple(enumerate(shapes.classes))


def test_the_sample_is_the_scripts_target(photos: datasets.ImageFolder) -> None:
    index = _index(photos, "coffee.jpg")
    image = augment_lab.preview_input(photos[index][0])
    found = annotated.dataset_annotations(photos, index, image.size)
    target = found.target(image, ("boxes",))
    assert sorted(target) == ["boxes", "labels"]
    assert isinstance(target["boxes"], tv_tensors.BoundingBoxes)
    assert target["boxes"].format == tv_tensors.BoundingBoxFormat.XYXY
    with_masks = found.target(image, ("boxes", "masks"))
    assert with_masks["masks"].shape == (3, image.height, image.width)
    assert found.script(("boxes", "masks")).mask_path == annotated.MASK_FILE
    assert found.script(("boxes",)).mask_path is None


def test_drawing_colours_masks_and_boxes_by_class() -> None:
    pixels = np.full((40, 60, 3), 100, np.uint8)
    mask = torch.zeros(2, 40, 60, dtype=torch.uint8)
    mask[0, 5:15, 5:20] = 1
    mask[1, 25:35, 30:50] = 1
    target = {
        "boxes": tv_tensors.BoundingBoxes([[5, 5, 20, 15], [30, 25, 50, 35]], format="XYXY", canvas_size=(40, 60)),
        "labels": torch.tensor([1, 2]),
        "masks": tv_tensors.Mask(mask),
    }
    objects = annotated.Annotations(((5, 5, 20, 15), (30, 25, 50, 35)), (1, 2), ((1, "a"), (2, "b")))
    drawn = annotated.draw(pixels, target, objects, ("masks",))
    assert drawn.shape == (80, 120, 3)  # small images are drawn at twice their size
    inside = drawn[2 * 10, 2 * 10].astype(int)
    colour = np.array(ImageColor.getrgb(annotated.class_color(1, objects.names)))
    assert np.allclose(inside, 100 * (1 - annotated.MASK_ALPHA) + colour * annotated.MASK_ALPHA, atol=1)
    assert (drawn[2 * 20, 2 * 2] == 100).all()  # outside every mask: untouched
    other = drawn[2 * 30, 2 * 40].astype(int)
    assert not np.array_equal(inside, other)  # another class, another colour
    outlined = annotated.draw(pixels, target, objects, ("boxes",))
    assert tuple(outlined[2 * 5, 2 * 12]) == ImageColor.getrgb(annotated.class_color(1, objects.names))
    assert annotated.draw(pixels, None, objects, ("boxes",)) is pixels  # an image alone: nothing to draw


def test_dropped_names_the_objects_a_step_removed() -> None:
    boxes = tv_tensors.BoundingBoxes([[0, 0, 5, 5], [1, 1, 9, 9], [2, 2, 3, 3]], format="XYXY", canvas_size=(10, 10))
    before = {"boxes": boxes, "labels": torch.tensor([7, 8, 9])}
    after = {"boxes": boxes[[1]], "labels": torch.tensor([8])}
    assert annotated.dropped(before, after, {7: "cup", 9: "spoon"}) == ["cup", "spoon"]
    assert annotated.dropped(before, before, {}) == []


def test_sanitize_in_a_preview_lists_the_objects_it_dropped(photos: datasets.ImageFolder) -> None:
    """Small random crops leave objects outside; SanitizeBoundingBoxes drops what is left degenerate, and each
    preview says which, by name and step."""
    index = _index(photos, "coffee.jpg")
    image = augment_lab.preview_input(photos[index][0])
    found = annotated.dataset_annotations(photos, index, image.size)
    steps = [
        catalog.Step("RandomResizedCrop", {"size": 64, "scale": [0.02, 0.05]}),
        catalog.default_step("SanitizeBoundingBoxes", api="v2"),
    ]
    given = augment_lab.PreviewInput(image, found, ("boxes", "masks"))
    samples = augment_lab.previews(steps, given, seed=0, roll=0, count=8, keep_outputs=True, api="v2")
    names = found.names
    for sample in samples:
        _, target = sample.output
        kept = target["labels"].tolist()
        gone = [names[label] for label in found.labels if label not in kept]
        assert sample.dropped == [f"{name} (step 2)" for name in gone]
        assert ("dropped: " in sample.pictures[True].caption) == bool(gone)
        assert target["masks"].shape[0] == len(kept) == len(target["boxes"])
    assert any(sample.dropped for sample in samples)


def test_v2_captions_say_what_each_step_drew(photos: datasets.ImageFolder) -> None:
    image = augment_lab.preview_input(photos[0][0])
    steps = [catalog.Step("RandomRotation", {"degrees": [-30, 30]}), catalog.Step("RandomHorizontalFlip", {"p": 0.5})]
    samples = augment_lab.previews(steps, image, seed=0, roll=0, count=6, api="v2")
    captions = [s.pictures[False].caption for s in samples]
    assert all("Rotation angle=" in c for c in captions)
    assert any("HorizontalFlip: skipped" in c for c in captions)
    assert any(c.endswith("HorizontalFlip") for c in captions)
    flipped = [s.steps[1].params for s in samples]
    assert {"apply": True} in flipped and {"apply": False} in flipped


def test_the_pipeline_draws_the_same_with_and_without_recording(photos: datasets.ImageFolder) -> None:
    """Recording what a v2 step drew changes none of its draws: the output equals the v2 pipeline's own."""
    from visionkit.transforms import v2

    image = augment_lab.preview_input(photos[0][0])
    steps = catalog.PRESETS_V2["ImageNet training"]
    (sample,) = augment_lab.previews(steps, image, seed=0, roll=4, count=1, keep_outputs=True, api="v2")
    torch.manual_seed(sample.seed)
    expected = catalog.build_pipeline(steps, api="v2")(image)
    assert not isinstance(expected, v2.Transform)
    assert torch.equal(sample.output, expected)


def test_convert_api_rewrites_the_conversions_and_refuses_v2_only_steps() -> None:
    v1 = catalog.PRESETS["ImageNet training"]
    v2_steps = augment_lab.convert_api(v1, "v2")
    assert [s.name for s in v2_steps] == [s.name for s in catalog.PRESETS_V2["ImageNet training"]]
    assert v2_steps[3].params == {"dtype": "float32", "scale": True}
    assert [s.name for s in augment_lab.convert_api(v2_steps, "v1")] == [s.name for s in v1]
    alone = augment_lab.convert_api([catalog.Step("ToImage")], "v1")
    assert [s.name for s in alone] == ["PILToTensor"]
    with pytest.raises(
        ValueError, match=r"v1 has no RandomPhotometricDistort \(step 1\), RandomZoomOut \(step 2\), RandomIoUCrop"
    ):
        augment_lab.convert_api(catalog.PRESETS_V2["Detection (SSD)"], "v1")
