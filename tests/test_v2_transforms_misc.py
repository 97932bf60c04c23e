"""transforms.v2 containers, misc, meta, type conversion, temporal, augment and auto-augment classes: the golden
cases recorded from torchvision 0.29.1, the parameters drawn at a seed (values recorded from torchvision), the
properties a user relies on (labels follow their boxes, mixed labels sum to one, ToDtype's per-type dtypes), the
input refusals and the argument checks."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import PIL.Image
import pytest
import torch

import visionkit.transforms.v2 as v2
from tests.v2_golden import check_golden, golden_params
from visionkit import tv_tensors as TV

_CLASSES = re.compile(
    r"v2\.(Compose|RandomApply|RandomChoice|RandomOrder|Identity|Lambda|LinearTransformation|Normalize|GaussianBlur"
    r"|GaussianNoise|ToDtype|Sanitize|SetClamping|ConvertBoundingBoxFormat|ClampBoundingBoxes|ClampKeyPoints"
    r"|PILToTensor|ToImage|ToPILImage|ToPureTensor|ToTensor|ConvertImageDtype|UniformTemporal|RandomErasing|CutMix"
    r"|MixUp|JPEG|AutoAugment|RandAugment|TrivialAugmentWide|AugMix)"
)
_GOLDEN = golden_params(_CLASSES)


@pytest.mark.filterwarnings("ignore::UserWarning")  # ToTensor's deprecation, RandomErasing's passthrough
@pytest.mark.parametrize(("case", "out"), _GOLDEN)
def test_golden(case: dict[str, Any], out: dict[str, Any]) -> None:
    check_golden(case, out)


def test_golden_covers_the_names() -> None:
    assert len(_GOLDEN) == 328


# ---------------------------------------------------------------------------------- parameters drawn at a seed
IMAGE = TV.Image(torch.zeros(3, 97, 131, dtype=torch.uint8))

# Recorded from torchvision 0.29.1 with torch.manual_seed(0) on a 3x97x131 image, with the next torch.rand(()).
RECORDED = [
    (v2.RandomErasing(p=1.0), {"i": 23, "j": 72, "h": 65, "w": 34, "v": [[[0.0]]]}, 0.30742281675338745),
    (
        v2.RandomErasing(scale=(0.1, 0.2), ratio=(0.5, 0.6), value=(1, 2, 3)),
        {"i": 53, "j": 60, "h": 33, "w": 57, "v": [[[1.0]], [[2.0]], [[3.0]]]},
        0.30742281675338745,
    ),
    # No rectangle fits in 10 tries: nothing is erased.
    (v2.RandomErasing(scale=(0.9, 1.0)), {"i": 0, "j": 0, "h": 97, "w": 131, "v": None}, 0.6816085577011108),
    (v2.JPEG((5, 95)), {"quality": 86}, 0.7682217955589294),
    (v2.GaussianBlur(3, sigma=(0.5, 4.0)), {"sigma": [2.2368979454040527] * 2}, 0.7682217955589294),
    (v2.CutMix(alpha=0.5), {"box": (14, 0, 131, 70), "lam_adjusted": 0.35547336113952943}, 0.2938884496688843),
    (v2.MixUp(alpha=0.5), {"lam": 0.017564604058861732}, 0.022325754165649414),
]


@pytest.mark.parametrize(("transform", "expected", "next_draw"), RECORDED)
def test_make_params_draws_as_torchvision(transform: v2.Transform, expected: dict[str, Any], next_draw: float) -> None:
    torch.manual_seed(0)
    params = transform.make_params([IMAGE])
    assert {k: v.tolist() if isinstance(v, torch.Tensor) else v for k, v in params.items()} == expected
    assert float(torch.rand(())) == next_draw


@pytest.mark.parametrize(
    ("transform", "next_draw"),
    [
        (v2.RandomChoice([v2.Identity()] * 4, p=[1, 2, 3, 4]), 0.455627977848053),
        (v2.RandomOrder([v2.Identity()] * 4), 0.13203048706054688),
    ],
)
def test_containers_draw_as_torchvision(transform: v2.Transform, next_draw: float) -> None:
    torch.manual_seed(0)
    transform(IMAGE)
    assert float(torch.rand(())) == next_draw


def test_get_params_is_v1s() -> None:
    torch.manual_seed(0)
    sigma = v2.GaussianBlur.get_params(0.5, 4.0)
    torch.manual_seed(0)
    assert v2.GaussianBlur(3, sigma=(0.5, 4.0)).make_params([IMAGE])["sigma"] == [sigma, sigma]


# ------------------------------------------------------------------------------------------------- containers
class _Record(v2.Transform):
    """Appends its name to a log, to see the order transforms run in."""

    def __init__(self, name: str, log: list[str]) -> None:
        super().__init__()
        self.name, self.log = name, log

    def forward(self, *inputs: Any) -> Any:
        self.log.append(self.name)
        return inputs if len(inputs) > 1 else inputs[0]


def test_compose_unpacks_several_inputs_and_keeps_one() -> None:
    image, boxes = TV.Image(torch.zeros(3, 4, 6)), TV.BoundingBoxes([0, 0, 2, 2], format="XYXY", canvas_size=(4, 6))
    out_image, out_boxes = v2.Compose([v2.RandomHorizontalFlip(p=1.0), v2.Identity()])(image, boxes)
    assert out_boxes.tolist() == [[4, 0, 6, 2]]
    assert isinstance(out_image, TV.Image)
    single = v2.Compose([v2.Identity()])(image)
    assert single is image


def test_random_order_runs_every_transform_once() -> None:
    log: list[str] = []
    transform = v2.RandomOrder([_Record(name, log) for name in "abcd"])
    for seed in range(5):
        torch.manual_seed(seed)
        log.clear()
        transform(IMAGE)
        assert sorted(log) == list("abcd")


def test_random_choice_normalizes_p_and_never_picks_zero_weight() -> None:
    log: list[str] = []
    transform = v2.RandomChoice([_Record("a", log), _Record("b", log)], p=[0, 5])
    assert transform.p == [0.0, 1.0]
    for _ in range(10):
        transform(IMAGE)
    assert log == ["b"] * 10


def test_random_apply_with_zero_probability_returns_the_inputs() -> None:
    log: list[str] = []
    image, labels = IMAGE, torch.tensor([1])
    out = v2.RandomApply([_Record("a", log)], p=0.0)(image, labels)
    assert out == (image, labels) and not log
    v2.RandomApply(torch.nn.ModuleList([_Record("a", log)]), p=1.0)(image)
    assert log == ["a"]


# ------------------------------------------------------------------------------------------------------ misc
def _detection_sample() -> dict[str, Any]:
    boxes = TV.BoundingBoxes(
        [[2, 3, 20, 30], [10, 10, 10.5, 30], [40, 5, 60, 20], [5, 5, 9, 9], [-1, 2, 10, 10]],
        format="XYXY",
        canvas_size=(37, 53),
    )
    masks = TV.Mask(torch.arange(5).reshape(5, 1, 1).expand(5, 37, 53).clone())
    return {"image": TV.Image(torch.zeros(3, 37, 53)), "boxes": boxes, "labels": torch.arange(5) * 10, "masks": masks}


def test_sanitize_drops_the_same_labels_and_masks_as_boxes() -> None:
    out = v2.SanitizeBoundingBoxes()(_detection_sample())
    # Kept: the first box and the 4x4 one; dropped: too thin, outside the canvas on the right, left of it.
    assert out["boxes"].tolist() == [[2, 3, 20, 30], [5, 5, 9, 9]]
    assert out["labels"].tolist() == [0, 30]
    assert out["masks"][:, 0, 0].tolist() == [0, 3]
    assert isinstance(out["masks"], TV.Mask) and out["boxes"].canvas_size == (37, 53)


def test_sanitize_min_size_and_area() -> None:
    sample = _detection_sample()
    assert v2.SanitizeBoundingBoxes(min_size=5)(sample)["labels"].tolist() == [0]
    assert v2.SanitizeBoundingBoxes(min_area=17)(sample)["labels"].tolist() == [0]


def test_sanitize_custom_labels_getter_filters_each_tensor() -> None:
    sample = _detection_sample()
    sample["iscrowd"] = torch.tensor([0, 1, 0, 1, 0])
    out = v2.SanitizeBoundingBoxes(labels_getter=lambda s: (s["labels"], s["iscrowd"]))(sample)
    assert out["labels"].tolist() == [0, 30] and out["iscrowd"].tolist() == [0, 1]


def test_sanitize_passes_a_semantic_mask_through() -> None:
    image, boxes = _detection_sample()["image"], _detection_sample()["boxes"]
    semantic = TV.Mask(torch.zeros(37, 53, dtype=torch.uint8))
    out = v2.SanitizeBoundingBoxes(labels_getter=None)(image, boxes, semantic)
    assert out[2] is semantic and len(out[1]) == 2


def test_sanitize_keypoints_drops_whole_groups_with_labels() -> None:
    points = TV.KeyPoints([[[1, 2], [3, 4]], [[60, 3], [4, 4]], [[10, 30], [20, 20]]], canvas_size=(37, 53))
    out_points, out_labels = v2.SanitizeKeyPoints(labels_getter=lambda s: s[1])(points, torch.tensor([7, 8, 9]))
    assert out_labels.tolist() == [7, 9] and out_points.shape == (2, 2, 2)


@pytest.mark.parametrize(
    ("getter", "message"),
    [
        (lambda s: s["labels"][:2], "must match the number of labels"),
        (lambda s: [s["labels"], 3], "must be a tensor or None"),
    ],
)
def test_sanitize_refuses_bad_labels(getter: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        v2.SanitizeBoundingBoxes(labels_getter=getter)(_detection_sample())


def test_sanitize_needs_boxes() -> None:
    with pytest.raises(ValueError, match="No bounding boxes"):
        v2.SanitizeBoundingBoxes()({"image": IMAGE, "labels": torch.tensor([1])})


def test_to_dtype_dict_converts_each_type_and_others() -> None:
    sample = _detection_sample()
    sample["image"] = TV.Image(torch.full((3, 37, 53), 255, dtype=torch.uint8))
    out = v2.ToDtype({TV.Image: torch.float32, TV.Mask: torch.int64, "others": None}, scale=True)(sample)
    assert out["image"].dtype == torch.float32 and out["image"].max() == 1.0
    assert out["masks"].dtype == torch.int64 and isinstance(out["masks"], TV.Mask)
    assert out["boxes"] is sample["boxes"] and out["labels"] is sample["labels"]


def test_to_dtype_single_dtype_only_converts_images_and_videos() -> None:
    sample = _detection_sample()
    out = v2.ToDtype(torch.float64)(sample)
    assert out["image"].dtype == torch.float64
    assert out["boxes"] is sample["boxes"] and out["masks"] is sample["masks"]


def test_to_dtype_dict_without_the_type_raises() -> None:
    with pytest.raises(ValueError, match="No dtype was specified for type"):
        v2.ToDtype({TV.Image: torch.float32})(_detection_sample())


def test_to_dtype_warns_about_unscaled_images_and_shadowed_tensors() -> None:
    with pytest.warns(UserWarning, match="no scaling will be done"):
        v2.ToDtype({TV.Mask: torch.int64, "others": None}, scale=True)(_detection_sample())
    with pytest.warns(UserWarning, match="will \\*not\\* be transformed"):
        v2.ToDtype({torch.Tensor: torch.float32, TV.Image: torch.float32})


def test_lambda_applies_only_to_its_types() -> None:
    sample = _detection_sample()
    out = v2.Lambda(lambda t: t + 1, TV.Mask)(sample)
    assert torch.equal(out["masks"], sample["masks"] + 1) and out["image"] is sample["image"]
    assert out["labels"] is sample["labels"]


def test_linear_transformation_centres_and_multiplies() -> None:
    image = TV.Image(torch.rand(2, 3, 2, 2))
    mean = torch.arange(12.0)
    out = v2.LinearTransformation(torch.eye(12) * 2, mean)(image)
    assert isinstance(out, TV.Image)
    torch.testing.assert_close(out, (image - mean.reshape(3, 2, 2)) * 2)


def test_gaussian_blur_keeps_a_constant_image() -> None:
    image = TV.Image(torch.full((3, 9, 11), 77, dtype=torch.uint8))
    assert torch.equal(v2.GaussianBlur(5)(image), image)


def test_normalize_and_linear_transformation_refuse_pil() -> None:
    pil = PIL.Image.new("RGB", (4, 4))
    with pytest.raises(TypeError, match="does not support PIL images"):
        v2.Normalize([0.5], [0.5])(pil)
    with pytest.raises(TypeError, match="does not support PIL images"):
        v2.LinearTransformation(torch.eye(48), torch.zeros(48))(pil)


# ------------------------------------------------------------------------------------------------------ meta
def test_set_clamping_mode_then_clamp_hard() -> None:
    boxes = TV.BoundingBoxes([[-5, 2, 70, 30]], format="XYXY", canvas_size=(37, 53), clamping_mode=None)
    out = v2.Compose([v2.SetClampingMode("hard"), v2.ClampBoundingBoxes()])(boxes)
    assert out.tolist() == [[0, 2, 53, 30]] and out.clamping_mode == "hard"
    assert boxes.clamping_mode is None  # the input is not changed


def test_convert_format_round_trip() -> None:
    boxes = _detection_sample()["boxes"]
    there = v2.ConvertBoundingBoxFormat("CXCYWH")(boxes)
    back = v2.ConvertBoundingBoxFormat(TV.BoundingBoxFormat.XYXY)(there)
    assert there.format == TV.BoundingBoxFormat.CXCYWH
    torch.testing.assert_close(back, boxes)


def test_clamp_keypoints_onto_the_canvas() -> None:
    points = TV.KeyPoints([[-3, 4], [60, 40]], canvas_size=(37, 53))
    assert v2.ClampKeyPoints()(points).tolist() == [[0, 4], [52, 36]]


# ------------------------------------------------------------------------------------- conversion and temporal
def test_conversions_keep_the_values() -> None:
    array = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    image = v2.ToImage()(array)
    assert isinstance(image, TV.Image) and image.shape == (3, 2, 3)
    pil = v2.ToPILImage()(image)
    assert isinstance(pil, PIL.Image.Image) and np.array_equal(np.asarray(pil), array)
    tensor = v2.PILToTensor()(pil)
    assert type(tensor) is torch.Tensor and torch.equal(tensor, image.as_subclass(torch.Tensor))
    assert all(type(v) is torch.Tensor for v in v2.ToPureTensor()(_detection_sample()).values())


def test_to_tensor_is_deprecated_and_scales() -> None:
    with pytest.warns(UserWarning, match="deprecated"):
        to_tensor = v2.ToTensor()
    out = to_tensor(PIL.Image.new("L", (3, 2), color=255))
    assert out.dtype == torch.float32 and out.shape == (1, 2, 3) and out.max() == 1.0


def test_uniform_temporal_subsample_keeps_first_and_last() -> None:
    video = TV.Video(torch.arange(5).reshape(5, 1, 1, 1).expand(5, 3, 2, 2).clone())
    out = v2.UniformTemporalSubsample(3)(video)
    assert out[:, 0, 0, 0].tolist() == [0, 2, 4] and isinstance(out, TV.Video)


# ---------------------------------------------------------------------------------------------------- augment
def test_random_erasing_fills_one_rectangle() -> None:
    image = TV.Image(torch.zeros(3, 37, 53))
    torch.manual_seed(0)
    out = v2.RandomErasing(p=1.0, value=(1, 2, 3))(image)
    erased = out[0] == 1
    rows, cols = erased.any(1).nonzero().flatten(), erased.any(0).nonzero().flatten()
    assert erased.sum() == len(rows) * len(cols) > 0  # a full rectangle
    assert (out[1][erased] == 2).all() and (out[2][erased] == 3).all()


def test_random_erasing_passes_boxes_through_with_a_warning() -> None:
    sample = _detection_sample()
    with pytest.warns(UserWarning, match="passing through inputs of type"):
        out = v2.RandomErasing(p=1.0)(sample)
    assert out["boxes"] is sample["boxes"]


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(3)
    return torch.rand(4, 3, 17, 19), torch.tensor([1, 3, 0, 7])


@pytest.mark.parametrize("transform", [v2.CutMix(num_classes=10), v2.MixUp(alpha=0.4, num_classes=10)])
def test_mixed_labels_sum_to_one(transform: v2.Transform) -> None:
    images, labels = _batch()
    for seed in range(5):
        torch.manual_seed(seed)
        _, mixed = transform(images, labels)
        assert mixed.shape == (4, 10)
        torch.testing.assert_close(mixed.sum(-1), torch.ones(4))


def test_cutmix_label_weight_is_the_area_kept() -> None:
    images, labels = _batch()
    torch.manual_seed(1)
    out, mixed = v2.CutMix(num_classes=10)(images, labels)
    pasted = (out != images).any(1).float().mean((1, 2))  # fraction of pixels from the previous sample
    kept = mixed[torch.arange(4), labels]
    torch.testing.assert_close(kept, 1 - pasted)
    assert torch.equal(out[0][out[0] != images[0]], images[3][out[0] != images[0]])


def test_mixup_mixes_images_like_labels() -> None:
    images, labels = _batch()
    torch.manual_seed(2)
    out, mixed = v2.MixUp(num_classes=10)(images, labels)
    lam = float(mixed[0, labels[0]])
    torch.testing.assert_close(out, lam * images + (1 - lam) * images.roll(1, 0))


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ((torch.rand(4, 3, 5, 5), torch.tensor([1, 2, 3, 4])), "num_classes must be passed"),
        ((torch.rand(3, 5, 5), torch.tensor([1, 2, 3])), "Expected a batched input"),
        ((torch.rand(3, 3, 5, 5), torch.tensor([1, 2])), "does not match the batch size"),
        ((TV.Image(torch.rand(2, 3, 5, 5)), TV.Mask(torch.zeros(2, 5, 5))), "does not support"),
    ],
)
def test_batch_mixes_refuse(inputs: tuple[Any, ...], message: str) -> None:
    num_classes = None if "num_classes" in message else 10
    with pytest.raises(ValueError, match=message):
        v2.MixUp(num_classes=num_classes)(*inputs)


# ---------------------------------------------------------------------------------------------- auto augment
AUTO = [v2.AutoAugment(), v2.RandAugment(), v2.TrivialAugmentWide(), v2.AugMix()]


@pytest.mark.parametrize("transform", AUTO)
def test_auto_augment_keeps_type_and_labels(transform: v2.Transform) -> None:
    image = TV.Image(torch.randint(0, 256, (3, 20, 24), dtype=torch.uint8))
    labels = torch.tensor([4])
    for seed in range(3):
        torch.manual_seed(seed)
        out, out_labels = transform(image, labels)
        assert isinstance(out, TV.Image) and out.shape == image.shape and out.dtype == torch.uint8
        assert out_labels is labels
    pil = v2.ToPILImage()(image)
    assert isinstance(transform(pil), PIL.Image.Image)


@pytest.mark.parametrize("transform", AUTO)
def test_auto_augment_refuses_boxes_and_two_images(transform: v2.Transform) -> None:
    with pytest.raises(TypeError, match="not supported"):
        transform(_detection_sample())
    with pytest.raises(TypeError, match="single image or video"):
        transform(IMAGE, TV.Image(torch.zeros(3, 5, 5, dtype=torch.uint8)))


def test_augmix_mixes_each_image_of_a_batch() -> None:
    batch = torch.randint(0, 256, (2, 3, 12, 14), dtype=torch.uint8)
    torch.manual_seed(0)
    out = v2.AugMix(mixture_width=2)(batch)
    assert out.shape == batch.shape and out.dtype == torch.uint8


# ------------------------------------------------------------------------------------------- argument checks
ARGUMENT_CHECKS = [
    (lambda: v2.Compose([]), ValueError, "at least one transform"),
    (lambda: v2.Compose(v2.Identity()), TypeError, "sequence of callables"),
    (lambda: v2.RandomApply(v2.Identity()), TypeError, "nn.ModuleList"),
    (lambda: v2.RandomApply([v2.Identity()], p=1.5), ValueError, "interval"),
    (lambda: v2.RandomChoice([v2.Identity()], p=[1, 2]), ValueError, "Length of p"),
    (lambda: v2.RandomOrder(5), TypeError, "sequence of callables"),
    (lambda: v2.GaussianBlur(4), ValueError, "odd and positive"),
    (lambda: v2.GaussianBlur((3, 5, 7)), ValueError, "two integers"),
    (lambda: v2.GaussianBlur(3, sigma=(2.0, 1.0)), ValueError, "positive and of the form"),
    (lambda: v2.GaussianBlur(3, sigma="a"), ValueError, "sequence of numbers"),
    (lambda: v2.LinearTransformation(torch.ones(3, 4), torch.zeros(3)), ValueError, "should be square"),
    (lambda: v2.LinearTransformation(torch.eye(3), torch.zeros(4)), ValueError, "same length"),
    (lambda: v2.LinearTransformation(torch.eye(3), torch.zeros(3, dtype=torch.float64)), ValueError, "same dtype"),
    (lambda: v2.ToDtype("float"), ValueError, "dict or a torch.dtype"),
    (lambda: v2.SanitizeBoundingBoxes(min_size=0.5), ValueError, "min_size must be >= 1"),
    (lambda: v2.SanitizeBoundingBoxes(min_area=0.5), ValueError, "min_area must be >= 1"),
    (lambda: v2.SanitizeBoundingBoxes(labels_getter="x"), ValueError, "labels_getter should either be"),
    (lambda: v2.SetClampingMode("bad"), ValueError, "clamping_mode must be"),
    (lambda: v2.RandomErasing(value="x"), ValueError, "should be 'random'"),
    (lambda: v2.RandomErasing(value=None), TypeError, "number or str or a sequence"),
    (lambda: v2.RandomErasing(scale=0.5), TypeError, "Scale should be a sequence"),
    (lambda: v2.RandomErasing(ratio=2), TypeError, "Ratio should be a sequence"),
    (lambda: v2.RandomErasing(scale=(0.1, 1.5)), ValueError, "between 0 and 1"),
    (lambda: v2.JPEG(0), ValueError, "from 1 to 100"),
    (lambda: v2.JPEG((50, 40)), ValueError, "from 1 to 100"),
    (lambda: v2.JPEG(True), TypeError, "can't be bool"),
    (lambda: v2.JPEG([10]), ValueError, "length 2"),
    (lambda: v2.JPEG(5.0), TypeError, "length 2"),
    (lambda: v2.AutoAugment(policy="imagenet"), ValueError, "not recognized"),
    (lambda: v2.RandAugment(num_ops=-1), ValueError, "non-negative integer"),
    (lambda: v2.AugMix(severity=0), ValueError, "severity must be between"),
]


@pytest.mark.parametrize(("build", "error", "message"), ARGUMENT_CHECKS)
def test_argument_checks(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()


def test_random_erasing_value_per_channel_must_match() -> None:
    with pytest.raises(ValueError, match="single value or 3"):
        v2.RandomErasing(p=1.0, value=[1, 2])(IMAGE)


def test_reversed_erasing_ranges_only_warn() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        v2.RandomErasing(scale=(0.3, 0.1))
    assert any("(min, max)" in str(w.message) for w in caught)
