"""transforms.v2 geometry classes: the golden cases recorded from torchvision 0.29.1, the parameters each class draws
at a seed (values recorded from torchvision), hand-checkable flips and crops, the input refusals and the argument
checks."""

from __future__ import annotations

import re
import warnings
from typing import Any

import pytest
import torch

import visionkit.transforms as v1
import visionkit.transforms.v2 as v2
from tests.v2_golden import check_golden, golden_params
from visionkit import tv_tensors as TV

_CLASSES = re.compile(
    r"v2\.(RandomHorizontalFlip|RandomVerticalFlip|Resize|CenterCrop|RandomResizedCrop|FiveCrop|TenCrop|Pad"
    r"|RandomZoomOut|RandomRotation|RandomAffine|RandomCrop|RandomPerspective|ElasticTransform|RandomIoUCrop"
    r"|ScaleJitter|RandomShortestSize|RandomResize)\("
)
# Pipelines depend on other modules' transforms; the parity suite covers them.
_CONTAINERS = re.compile(r"v2\.(Compose|RandomApply|RandomChoice|RandomOrder)")


@pytest.mark.parametrize(("case", "out"), golden_params(_CLASSES, exclude=_CONTAINERS))
def test_golden(case: dict[str, Any], out: dict[str, Any]) -> None:
    check_golden(case, out)


def test_golden_covers_the_names() -> None:
    assert len(golden_params(_CLASSES, exclude=_CONTAINERS)) == 557


# ---------------------------------------------------------------------------------- parameters drawn at a seed
IMAGE = TV.Image(torch.zeros(3, 97, 131, dtype=torch.uint8))
SMALL = TV.Image(torch.zeros(3, 40, 23, dtype=torch.uint8))


def _params(transform: v2.Transform, seed: int, flat: list[Any] | None = None) -> dict[str, Any]:
    torch.manual_seed(seed)
    return transform.make_params([IMAGE] if flat is None else flat)


# Recorded from torchvision 0.29.1 with torch.manual_seed(0) on a 3x97x131 image.
RECORDED = [
    (v2.RandomResizedCrop(32), {"top": 1, "left": 37, "height": 76, "width": 89}),
    (
        v2.RandomResizedCrop((24, 28), scale=(0.3, 0.9), ratio=(0.5, 2.0)),
        {"top": 1, "left": 24, "height": 72, "width": 105},
    ),
    # No rectangle fits in 10 tries: the central fallback crops.
    (v2.RandomResizedCrop(32, scale=(0.9, 1.0), ratio=(5.0, 6.0)), {"top": 35, "left": 0, "height": 26, "width": 131}),
    (v2.RandomResizedCrop(32, scale=(2.0, 3.0)), {"top": 0, "left": 1, "height": 97, "width": 129}),
    (
        v2.RandomCrop(32, padding=4),
        {"needs_crop": True, "top": 58, "left": 63, "height": 32, "width": 32, "needs_pad": True, "padding": [4] * 4},
    ),
    (
        v2.RandomCrop((90, 150), padding=[1, 2], pad_if_needed=True),
        {
            "needs_crop": True,
            "top": 8,
            "left": 9,
            "height": 90,
            "width": 150,
            "needs_pad": True,
            "padding": [18, 2, 18, 2],
        },
    ),
    (
        v2.RandomCrop((97, 131)),
        {"needs_crop": False, "top": 0, "left": 0, "height": 97, "width": 131, "needs_pad": False, "padding": [0] * 4},
    ),
    (v2.RandomZoomOut(), {"padding": [149, 12, 46, 132]}),
    (v2.RandomRotation((-10, 40)), {"angle": pytest.approx(14.812829971313477)}),
    (
        v2.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=10),
        {
            "angle": pytest.approx(-0.11230230331420898),
            "translate": (7, -8),
            "scale": pytest.approx(0.9264060854911804),
            "shear": pytest.approx((-3.851543664932251, 0.0)),
        },
    ),
    (
        v2.RandomAffine(degrees=0, shear=(-5, 5, -8, 8)),
        {
            "angle": 0.0,
            "translate": (0, 0),
            "scale": 1.0,
            "shear": pytest.approx((2.682218074798584, -6.5843610763549805)),
        },
    ),
    (
        v2.RandomPerspective(distortion_scale=0.9),
        {
            "coefficients": pytest.approx(
                [
                    0.366514533,
                    0.0578707158,
                    -8.46841430,
                    -0.430328845,
                    1.58776509,
                    -1.64712083,
                    -0.00555441249,
                    0.000863847,
                ]
            )
        },
    ),
    (v2.ScaleJitter((333, 250), scale_range=(0.37, 1.7)), {"size": (253, 342)}),
    (v2.RandomShortestSize([20, 30, 40], max_size=60), {"size": (40, 54)}),
    (v2.RandomShortestSize(77), {"size": (77, 103)}),
    (v2.RandomResize(20, 50), {"size": [34]}),
]


@pytest.mark.parametrize(("transform", "expected"), RECORDED, ids=lambda value: repr(value)[:60])
def test_make_params_draws_as_torchvision(transform: v2.Transform, expected: dict[str, Any]) -> None:
    assert _params(transform, 0) == expected


def test_make_params_leaves_the_generator_where_torchvision_does() -> None:
    # The next draw after make_params, recorded from torchvision: the same number of draws were taken.
    _params(v2.RandomAffine(degrees=(3, 7), translate=(0.3, 0.0), shear=[1, 3]), 0)
    assert torch.rand(1).item() == pytest.approx(0.30742281675338745)


def test_random_iou_crop_params() -> None:
    boxes = TV.BoundingBoxes([[10, 10, 60, 50], [70, 20, 120, 90]], format="XYXY", canvas_size=(97, 131))
    params = _params(v2.RandomIoUCrop(), 1, [IMAGE, boxes])
    assert {k: v for k, v in params.items() if k != "is_within_crop_area"} == {
        "top": 1,
        "left": 49,
        "height": 56,
        "width": 64,
    }
    assert params["is_within_crop_area"].tolist() == [False, True]
    torch.manual_seed(0)
    assert v2.RandomIoUCrop(sampler_options=[1.0]).make_params([IMAGE, boxes]) == {}


def test_elastic_displacement() -> None:
    torch.manual_seed(0)
    displacement = v2.ElasticTransform(alpha=30.0, sigma=4.0).make_params([TV.Image(torch.zeros(3, 20, 30))])[
        "displacement"
    ]
    assert displacement.shape == (1, 20, 30, 2)
    assert displacement.sum().item() == pytest.approx(-22.55559730529785, abs=1e-4)
    assert displacement[0, 5, 7].tolist() == pytest.approx([-0.0656421035528183, 0.022475454956293106], abs=1e-6)


def test_random_crop_too_large_for_the_input() -> None:
    with pytest.raises(ValueError, match=r"Required crop size \(24, 24\) is larger than input image size \(40, 23\)"):
        _params(v2.RandomCrop(24), 0, [SMALL])
    with pytest.raises(ValueError, match=r"larger than padded input image size \(48, 31\)"):
        _params(v2.RandomCrop(32, padding=4), 0, [SMALL])


def test_get_params_is_v1s() -> None:
    assert v2.RandomRotation.get_params is v1.RandomRotation.get_params
    assert v2.RandomCrop.get_params is v1.RandomCrop.get_params
    assert not hasattr(v2.RandomZoomOut, "get_params")


# ---------------------------------------------------------------------------------------------- applied to inputs
def test_horizontal_flip_of_a_box_on_a_10_wide_canvas() -> None:
    boxes = TV.BoundingBoxes([[1, 2, 4, 6]], format="XYXY", canvas_size=(8, 10))
    image = TV.Image(torch.arange(80, dtype=torch.uint8).reshape(1, 8, 10))
    out_image, out_boxes = v2.RandomHorizontalFlip(p=1.0)(image, boxes)
    assert out_boxes.tolist() == [[6, 2, 9, 6]]
    assert torch.equal(out_image, image.flip(-1))
    assert v2.RandomVerticalFlip(p=1.0)(boxes).tolist() == [[1, 2, 4, 6]]


def test_probability_zero_returns_the_inputs() -> None:
    sample = {"image": IMAGE, "boxes": TV.BoundingBoxes([[1, 2, 4, 6]], format="XYXY", canvas_size=(97, 131))}
    for transform in (v2.RandomHorizontalFlip(p=0.0), v2.RandomZoomOut(p=0.0), v2.RandomPerspective(p=0.0)):
        assert transform(sample) is sample


def test_random_crop_pads_then_crops() -> None:
    image = TV.Image(torch.ones(1, 4, 5, dtype=torch.uint8))
    out = v2.RandomCrop((6, 7), pad_if_needed=True, fill=9)(image)
    assert out.shape == (1, 6, 7)
    assert out.sum().item() == 20 + 9 * (42 - 20)


def test_random_iou_crop_zeroes_boxes_outside_the_crop() -> None:
    boxes = TV.BoundingBoxes([[10, 10, 60, 50], [70, 20, 120, 90]], format="XYXY", canvas_size=(97, 131))
    torch.manual_seed(1)
    out_image, out_boxes = v2.RandomIoUCrop()(IMAGE, boxes)
    assert out_image.shape == (3, 56, 64)
    assert out_boxes.canvas_size == (56, 64)
    assert out_boxes[0].tolist() == [0, 0, 0, 0]
    assert out_boxes[1].tolist() == [21, 19, 64, 56]


def test_five_crop_passes_keypoints_through_with_a_warning() -> None:
    keypoints = TV.KeyPoints([[1.0, 2.0]], canvas_size=(97, 131))
    with pytest.warns(UserWarning, match="passing through inputs of type tv_tensors.KeyPoints"):
        crops, out = v2.FiveCrop(20)(IMAGE, keypoints)
    assert len(crops) == 5
    assert out is keypoints


def test_fill_per_type() -> None:
    pad = v2.Pad(1, fill={TV.Image: 9, TV.Mask: 255})
    image, mask = pad(TV.Image(torch.zeros(1, 2, 2, dtype=torch.uint8)), TV.Mask(torch.zeros(2, 2, dtype=torch.uint8)))
    assert image[0, 0, 0].item() == 9
    assert mask[0, 0].item() == 255
    assert v2.RandomRotation(10, fill=[1, 2])._fill == {"others": [1.0, 2.0]}


# --------------------------------------------------------------------------------------------------- refusals
def test_multi_crops_refuse_boxes_and_masks() -> None:
    boxes = TV.BoundingBoxes([[1, 2, 4, 6]], format="XYXY", canvas_size=(97, 131))
    with pytest.raises(TypeError, match=r"BoundingBoxes'es and Mask's are not supported by FiveCrop\(\)"):
        v2.FiveCrop(20)(IMAGE, boxes)
    with pytest.raises(TypeError, match=r"not supported by TenCrop\(\)"):
        v2.TenCrop(20)(IMAGE, TV.Mask(torch.zeros(97, 131)))


def test_random_iou_crop_needs_an_image_and_boxes() -> None:
    with pytest.raises(TypeError, match=r"RandomIoUCrop\(\) requires input sample to contain tensor or PIL images"):
        v2.RandomIoUCrop()(IMAGE)
    with pytest.raises(TypeError, match="and bounding boxes"):
        v2.RandomIoUCrop()(TV.BoundingBoxes([[1, 2, 4, 6]], format="XYXY", canvas_size=(97, 131)))


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: v2.Resize((1, 2, 3)), ValueError, "size can be an integer, a sequence of one or two integers"),
        (lambda: v2.Resize(None), ValueError, "max_size must be an integer when size is None, but got None"),
        (lambda: v2.CenterCrop((1, 2, 3)), ValueError, r"Please provide only two dimensions \(h, w\) for size"),
        (lambda: v2.CenterCrop(None), TypeError, "has no len"),
        (lambda: v2.RandomResizedCrop(10, scale=0.5), TypeError, "Scale should be a sequence of two floats"),
        (lambda: v2.RandomResizedCrop(10, ratio=(1.0,)), TypeError, "Ratio should be a sequence of two floats"),
        (lambda: v2.Pad((1, 2, 3)), ValueError, "Padding must be an int or a 1, 2, or 4 element of tuple or list"),
        (lambda: v2.Pad(2, padding_mode="wrap"), ValueError, "Padding mode should be either constant, edge"),
        (lambda: v2.Pad(2, fill={TV.Image: "x"}), TypeError, "Got inappropriate fill arg"),
        (lambda: v2.RandomZoomOut(side_range=(0.5, 2.0)), ValueError, r"Invalid side range provided \(0.5, 2.0\)"),
        (lambda: v2.RandomZoomOut(side_range=2.0), TypeError, "side_range should be a sequence of length 2"),
        (lambda: v2.RandomZoomOut(side_range=(1, 2, 3)), ValueError, "side_range should be a sequence of length 2"),
        (lambda: v2.RandomZoomOut(p=1.5), ValueError, "`p` should be a floating point value"),
        (lambda: v2.RandomRotation(-3), ValueError, "If degrees is a single number, it must be positive"),
        (lambda: v2.RandomRotation((1, 2, 3)), ValueError, "degrees should be a sequence of length 2"),
        (lambda: v2.RandomRotation(None), TypeError, "degrees should be a sequence of length 2"),
        (lambda: v2.RandomRotation(10, center=3), TypeError, "center should be a sequence of length 2"),
        (lambda: v2.RandomAffine(10, translate=(0.5, 1.5)), ValueError, "translation values should be between 0 and 1"),
        (lambda: v2.RandomAffine(10, scale=(0.0, 1.0)), ValueError, "scale values should be positive"),
        (lambda: v2.RandomAffine(10, shear=(1, 2, 3)), ValueError, "shear should be a sequence of length 2 or 4"),
        (lambda: v2.RandomCrop(10, padding=1.5), ValueError, "Padding must be an int"),
        (lambda: v2.RandomCrop(10, pad_if_needed=True, padding_mode="x"), ValueError, "Padding mode should be"),
        (lambda: v2.RandomPerspective(1.5), ValueError, "distortion_scale value should be between 0 and 1"),
        (lambda: v2.ElasticTransform(alpha=object()), TypeError, "alpha should be a number or a sequence of numbers"),
        (lambda: v2.ElasticTransform(alpha="a"), ValueError, "alpha should be a sequence of numbers"),
        (lambda: v2.ElasticTransform(sigma=(1.0, 2.0, 3.0)), ValueError, "its length should be 1 or 2"),
    ],
)
def test_argument_checks(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()


def test_unchecked_arguments_are_accepted_as_torchvision_does() -> None:
    # torchvision only checks padding_mode when there is padding to do.
    assert v2.RandomCrop(10, padding_mode="x").padding is None
    assert v2.RandomCrop(10, padding=(1, 2)).padding == [1, 1, 2, 2]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        v2.RandomResizedCrop(10, scale=(0.9, 0.1))
    assert "Scale and ratio should be of kind (min, max)" in str(caught[0].message)
