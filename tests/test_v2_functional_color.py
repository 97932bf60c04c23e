"""transforms.v2 colour, misc, augment, conversion and temporal functionals and the colour transforms: the golden
cases recorded from torchvision 0.29.1, hand-checkable values, the random draws and the argument checks."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import PIL.Image
import pytest
import torch

import visionkit.transforms.v2 as v2
import visionkit.transforms.v2.functional as F
from visionkit import tv_tensors as TV

from .v2_golden import check_golden, golden_params

_FUNCTIONALS = re.compile(
    r"F\.(adjust|autocontrast|equalize|invert|posterize|solarize|permute|rgb_to|grayscale|to_grayscale|normalize"
    r"|gaussian|to_dtype|erase|jpeg|to_image|to_pil|pil_to|uniform_temporal)"
)
_CLASSES = re.compile(
    r"v2\.(Grayscale|RandomGrayscale|RGB|ColorJitter|RandomChannelPermutation|RandomPhotometricDistort"
    r"|RandomEqualize|RandomInvert|RandomPosterize|RandomSolarize|RandomAutocontrast|RandomAdjustSharpness)"
)
# Pipelines (Compose) depend on other modules' transforms; the parity suite covers them.
_GOLDEN = golden_params(re.compile(f"{_FUNCTIONALS.pattern}|{_CLASSES.pattern}"), exclude=re.compile("Compose"))


@pytest.mark.parametrize(("case", "out"), _GOLDEN)
def test_golden(case: dict[str, Any], out: dict[str, Any]) -> None:
    check_golden(case, out)


def test_golden_covers_the_names() -> None:
    assert len(_GOLDEN) == 240


@pytest.fixture
def img() -> torch.Tensor:
    return torch.randint(0, 256, (3, 17, 19), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))


# --------------------------------------------------------------------------------------------------- hand checks
class TestColorKernels:
    def test_brightness_truncates_and_saturates(self) -> None:
        x = torch.tensor([[[10, 100, 200]]], dtype=torch.uint8)
        assert F.adjust_brightness(x, 1.5).tolist() == [[[15, 150, 255]]]
        assert F.adjust_brightness(x, 0.33).tolist() == [[[3, 33, 66]]]

    def test_saturation_of_gray_image_is_identity(self, img: torch.Tensor) -> None:
        gray = img[:1]
        assert F.adjust_saturation(gray, 3.0) is gray

    def test_contrast_zero_is_flat_mean(self) -> None:
        x = torch.tensor([[[0.0, 1.0]]])
        torch.testing.assert_close(F.adjust_contrast(x, 0.0), torch.full((1, 1, 2), 0.5))

    def test_grayscale_luma_and_channels(self) -> None:
        x = torch.tensor([255, 0, 0], dtype=torch.uint8).view(3, 1, 1)
        assert F.rgb_to_grayscale(x).tolist() == [[[76]]]  # 0.2989 * 255 = 76.2
        assert F.rgb_to_grayscale(x, 3).shape == (3, 1, 1)
        gray = torch.tensor([[[7]]], dtype=torch.uint8)
        assert F.grayscale_to_rgb(gray).flatten().tolist() == [7, 7, 7]
        assert F.grayscale_to_rgb(x) is x
        assert F.to_grayscale is F.rgb_to_grayscale

    def test_hue_half_turn_of_red_is_cyan(self) -> None:
        red = torch.tensor([1.0, 0.0, 0.0]).view(3, 1, 1)
        torch.testing.assert_close(F.adjust_hue(red, 0.5), torch.tensor([0.0, 1.0, 1.0]).view(3, 1, 1))
        torch.testing.assert_close(F.adjust_hue(red, 1 / 3), torch.tensor([0.0, 1.0, 0.0]).view(3, 1, 1))

    def test_gamma_clamps_only_with_gain(self) -> None:
        x = torch.tensor([[[1.5]]])
        assert F.adjust_gamma(x, 1.0).item() == 1.5
        assert F.adjust_gamma(x, 1.0, gain=2.0).item() == 1.0

    def test_sharpness_keeps_borders(self, img: torch.Tensor) -> None:
        out = F.adjust_sharpness(img, 0.0)
        assert torch.equal(out[:, 0], img[:, 0]) and torch.equal(out[:, :, -1], img[:, :, -1])
        tiny = img[:, :2]
        assert F.adjust_sharpness(tiny, 5.0) is tiny

    def test_invert_posterize_solarize(self) -> None:
        x = torch.tensor([[[0, 100, 200, 255]]], dtype=torch.uint8)
        assert F.invert(x).tolist() == [[[255, 155, 55, 0]]]
        assert F.posterize(x, 2).tolist() == [[[0, 64, 192, 192]]]
        assert F.posterize(x, 8) is x
        assert F.solarize(x, 150).tolist() == [[[0, 100, 55, 0]]]
        assert F.posterize(torch.tensor([[[0.3, 0.99]]]), 1).tolist() == [[[0.0, 0.5]]]
        assert F.invert(torch.tensor([[[-100]]], dtype=torch.int16)).item() == -100 ^ 0x7FFF

    def test_autocontrast_and_equalize(self) -> None:
        x = torch.tensor([[[50, 100, 150]]], dtype=torch.uint8)
        # v2 divides by (max - min) * (1 / 255), which lands a hair below 255 here (v1's scaling gives 255).
        assert F.autocontrast(x).tolist() == [[[0, 127, 254]]]
        flat = torch.full((3, 4, 4), 9, dtype=torch.uint8)
        assert torch.equal(F.autocontrast(flat), flat) and torch.equal(F.equalize(flat), flat)
        eq = F.equalize(torch.arange(256, dtype=torch.uint8).view(1, 16, 16))
        assert eq.min() == 0 and eq.max() == 255

    def test_permute_channels(self, img: torch.Tensor) -> None:
        assert torch.equal(F.permute_channels(img, [2, 0, 1]), img[[2, 0, 1]])
        pil = F.permute_channels(F.to_pil_image(img), [2, 1, 0])
        assert torch.equal(F.pil_to_tensor(pil), img[[2, 1, 0]])

    def test_v2_arithmetic_is_fused(self, img: torch.Tensor) -> None:
        # v2 blends with one fused multiply-add and scales by reciprocals: this is what it computes.
        ratio = 1.7
        gray = F.rgb_to_grayscale(img).float()
        expected = img.mul(ratio).add_(gray, alpha=1 - ratio).clamp_(0, 255).to(torch.uint8)
        assert torch.equal(F.adjust_saturation(img, ratio), expected)
        assert torch.equal(F.to_dtype(img, torch.float32, scale=True), img.float().mul_(1.0 / 255))

    def test_kernels_wrap_tv_tensors(self, img: torch.Tensor) -> None:
        assert type(F.adjust_hue(TV.Image(img), 0.1)) is TV.Image
        video = TV.Video(torch.stack([img, img]))
        out = F.adjust_contrast(video, 0.5)
        assert type(out) is TV.Video and torch.equal(out[0], F.adjust_contrast(img, 0.5))


class TestColorChecks:
    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda x: F.adjust_brightness(x, -1), ValueError, "not non-negative"),
            (lambda x: F.adjust_contrast(x[:2], 1), TypeError, "permitted channel values are 1 or 3"),
            (lambda x: F.adjust_sharpness(x[:2], 1), TypeError, "1 or 3 channels"),
            (lambda x: F.adjust_hue(x, 0.6), ValueError, r"not in \[-0.5, 0.5\]"),
            (lambda x: F.adjust_gamma(x, -1), ValueError, "non-negative"),
            (lambda x: F.posterize(x, 9), TypeError, r"range \[0, 8\]"),
            (lambda x: F.solarize(x, 256), TypeError, "maximum value of the dtype"),
            (lambda x: F.rgb_to_grayscale(x, 2), ValueError, "num_output_channels must be 1 or 3"),
            (lambda x: F.permute_channels(x, [0, 1]), ValueError, "does not match number of channels"),
            (lambda x: F.adjust_brightness(x.numpy(), 1), TypeError, "supports inputs of type"),
        ],
    )
    def test_raises(self, img: torch.Tensor, call: Any, error: type, match: str) -> None:
        with pytest.raises(error, match=match):
            call(img)


# ---------------------------------------------------------------------------------------------- misc and others
class TestMisc:
    def test_normalize(self) -> None:
        x = torch.ones(3, 2, 2)
        out = F.normalize(x, [0.5, 0.0, 1.0], [0.5, 1.0, 2.0])
        assert out[:, 0, 0].tolist() == [1.0, 1.0, 0.0]
        with pytest.raises(TypeError, match="float tensor"):
            F.normalize(x.to(torch.uint8), [0.5], [0.5])
        with pytest.raises(ValueError, match="division by zero"):
            F.normalize(x, [0.5], [0.0])
        with pytest.raises(ValueError, match=r"\(..., C, H, W\)"):
            F.normalize(x[0], [0.5], [0.5])

    def test_gaussian_blur_checks_and_constant(self) -> None:
        x = torch.full((3, 9, 9), 100, dtype=torch.uint8)
        assert torch.equal(F.gaussian_blur(x, [5, 3]), x)
        with pytest.raises(ValueError, match="odd and positive"):
            F.gaussian_blur(x, 4)
        with pytest.raises(ValueError, match="positive values"):
            F.gaussian_blur(x, 3, 0.0)
        with pytest.raises(TypeError, match="float or sequence"):
            F.gaussian_blur(x, 3, "a")

    def test_gaussian_noise(self) -> None:
        x = torch.full((1, 50, 50), 0.5)
        torch.manual_seed(0)
        out = F.gaussian_noise(x, sigma=0.1)
        torch.manual_seed(0)
        assert torch.equal(out, (x + torch.randn_like(x) * 0.1).clamp(0, 1))
        with pytest.raises(ValueError, match="shouldn't be negative"):
            F.gaussian_noise(x, sigma=-1.0)
        with pytest.raises(ValueError, match="uint8 or float"):
            F.gaussian_noise(x.to(torch.int16))
        with pytest.raises(ValueError, match="not implemented for PIL"):
            F.gaussian_noise(PIL.Image.new("RGB", (4, 4)))

    def test_to_dtype(self) -> None:
        x = torch.tensor([[[0, 255]]], dtype=torch.uint8)
        assert F.to_dtype(x, torch.float32, scale=True).tolist() == [[[0.0, 1.0]]]
        assert F.to_dtype(x, torch.float32).tolist() == [[[0.0, 255.0]]]
        assert F.to_dtype(torch.tensor([[[1.0, 0.5]]]), torch.uint8, scale=True).tolist() == [[[255, 127]]]
        assert F.convert_image_dtype(x, torch.int16).tolist() == [[[0, 255 << 7]]]
        boxes = TV.BoundingBoxes([[1, 2, 3, 4]], format="XYXY", canvas_size=(5, 5))
        out = F.to_dtype(boxes, torch.float64, scale=True)
        assert type(out) is TV.BoundingBoxes and out.dtype == torch.float64 and out.tolist() == [[1, 2, 3, 4]]
        with pytest.raises(RuntimeError, match="safely"):
            F.to_dtype(torch.rand(1, 2, 2), torch.int32, scale=True)

    def test_sanitize_bounding_boxes(self) -> None:
        boxes = torch.tensor([[0.0, 0, 10, 10], [2, 2, 2.5, 9], [-1, 0, 4, 4], [5, 5, 11, 8], [1, 1, 3, 2]])
        kept, valid = F.sanitize_bounding_boxes(boxes, format="xyxy", canvas_size=(10, 10))
        assert valid.tolist() == [True, False, False, False, True]
        assert torch.equal(kept, boxes[valid])
        _, valid = F.sanitize_bounding_boxes(boxes, format="XYXY", canvas_size=(10, 10), min_area=3)
        assert valid.tolist() == [True, False, False, False, False]
        wrapped = TV.BoundingBoxes(boxes, format="XYXY", canvas_size=(10, 10))
        kept, _ = F.sanitize_bounding_boxes(wrapped)
        assert type(kept) is TV.BoundingBoxes and kept.shape == (2, 4)
        with pytest.raises(ValueError, match="cannot be None"):
            F.sanitize_bounding_boxes(boxes)
        with pytest.raises(ValueError, match="must be None"):
            F.sanitize_bounding_boxes(wrapped, canvas_size=(10, 10))
        with pytest.raises(ValueError, match="BoundingBoxes instance or a pure tensor"):
            F.sanitize_bounding_boxes(TV.Mask(torch.zeros(2, 4)))

    def test_sanitize_keypoints(self) -> None:
        groups = torch.tensor([[[1.0, 2], [3, 4]], [[1, 2], [10, 4]], [[0, 0], [9.5, 9]]])
        kept, valid = F.sanitize_keypoints(groups, canvas_size=(10, 10))
        assert valid.tolist() == [True, False, True] and kept.shape == (2, 2, 2)
        _, valid = F.sanitize_keypoints(groups.reshape(-1, 2), canvas_size=(10, 10))
        assert valid.tolist() == [True, True, True, False, True, True]
        with pytest.raises(ValueError, match="canvas_size cannot be None"):
            F.sanitize_keypoints(groups)


class TestAugmentAndConversion:
    def test_erase(self, img: torch.Tensor) -> None:
        out = F.erase(img, 1, 2, 3, 4, torch.tensor(0, dtype=torch.uint8))
        assert out[:, 1:4, 2:6].eq(0).all() and torch.equal(out[:, 5:], img[:, 5:]) and img[:, 1:4, 2:6].ne(0).any()
        pil = F.erase(F.to_pil_image(img), 1, 2, 3, 4, torch.tensor(0, dtype=torch.uint8))
        assert torch.equal(F.pil_to_tensor(pil), out)

    def test_jpeg(self, img: torch.Tensor) -> None:
        smooth = F.gaussian_blur(torch.stack([img, img]), 7, 3.0)
        out = F.jpeg(smooth, 95)
        assert out.shape == smooth.shape and (out.int() - smooth.int()).abs().max() <= 16
        assert torch.equal(out[0], F.pil_to_tensor(F.jpeg(F.to_pil_image(smooth[0]), 95)))
        with pytest.raises(ValueError, match="between 1 and 100"):
            F.jpeg(img, 0)
        with pytest.raises(RuntimeError, match="uint8"):
            F.jpeg(img.float(), 50)

    def test_to_image(self, img: torch.Tensor) -> None:
        hwc = img.permute(1, 2, 0).numpy()
        assert torch.equal(F.to_image(hwc), img) and type(F.to_image(hwc)) is TV.Image
        assert F.to_image(hwc[:, :, 0]).shape == (1, 17, 19)
        assert torch.equal(F.to_image(PIL.Image.fromarray(hwc)), img)
        with pytest.raises(TypeError, match="pure Tensor, a numpy array, or a PIL image"):
            F.to_image([1, 2])

    def test_uniform_temporal_subsample(self) -> None:
        video = TV.Video(torch.arange(7).view(7, 1, 1, 1).expand(7, 3, 2, 2))
        out = F.uniform_temporal_subsample(video, 3)
        assert type(out) is TV.Video and out[:, 0, 0, 0].tolist() == [0, 3, 6]

    def test_deprecated(self, img: torch.Tensor) -> None:
        with pytest.warns(UserWarning, match="to_image"):
            out = F.to_tensor(np.asarray(F.to_pil_image(img)))
        assert torch.equal(out, img.float() / 255)
        with pytest.warns(UserWarning, match="get_size"):
            assert F.get_image_size(img) == [19, 17]


# ---------------------------------------------------------------------------------------------------- transforms
class TestColorTransforms:
    def test_color_jitter_draws_v1_params(self, img: torch.Tensor) -> None:
        jitter = v2.ColorJitter(0.4, 0.4, 0.4, 0.1)
        torch.manual_seed(5)
        params = jitter.make_params([img])
        torch.manual_seed(5)
        order, *factors = v2.ColorJitter.get_params(jitter.brightness, jitter.contrast, jitter.saturation, jitter.hue)
        assert torch.equal(params["fn_idx"], order)
        assert [params[f"{n}_factor"] for n in ("brightness", "contrast", "saturation", "hue")] == factors
        assert v2.ColorJitter(brightness=(0.5, 1.5)).brightness == (0.5, 1.5)
        assert v2.ColorJitter(brightness=1.0, hue=0.0).hue is None

    def test_color_jitter_applies_in_drawn_order(self, img: torch.Tensor) -> None:
        torch.manual_seed(3)
        out = v2.ColorJitter(0.4, 0.4, 0.4, 0.1)(img)
        torch.manual_seed(3)
        params = v2.ColorJitter(0.4, 0.4, 0.4, 0.1).make_params([img])
        steps = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue]
        names = ["brightness_factor", "contrast_factor", "saturation_factor", "hue_factor"]
        expected = img
        for i in params["fn_idx"].tolist():
            expected = steps[i](expected, params[names[i]])
        assert torch.equal(out, expected)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"brightness": -0.1}, ValueError, "must be non negative"),
            ({"contrast": "a"}, TypeError, "single number or a sequence with length 2"),
            ({"saturation": (1.5, 0.5)}, ValueError, "between .* and increasing"),
            ({"hue": 0.6}, ValueError, "between"),
        ],
    )
    def test_color_jitter_checks(self, kwargs: dict[str, Any], error: type, match: str) -> None:
        with pytest.raises(error, match=match):
            v2.ColorJitter(**kwargs)

    def test_photometric_distort_draw_order(self, img: torch.Tensor) -> None:
        t = v2.RandomPhotometricDistort(p=1.0)
        torch.manual_seed(0)
        params = t.make_params([img])
        torch.manual_seed(0)
        coin_then_value = []
        for low, high in (t.brightness, t.contrast, t.saturation, t.hue):
            assert torch.rand(1) < 1.0
            coin_then_value.append(float(torch.empty(1).uniform_(low, high).item()))
        assert [params[k] for k in ("brightness_factor", "contrast_factor", "saturation_factor", "hue_factor")] == (
            coin_then_value
        )
        assert params["contrast_before"] == bool(torch.rand(()) < 0.5)
        torch.rand(1)
        assert torch.equal(params["channel_permutation"], torch.randperm(3))

    def test_boxes_and_labels_pass_through(self, img: torch.Tensor) -> None:
        boxes = TV.BoundingBoxes([[1, 2, 5, 6]], format="XYXY", canvas_size=(17, 19))
        labels = torch.tensor([4])
        for t in [v2.RandomPhotometricDistort(p=1.0), v2.Grayscale(3), v2.RandomInvert(p=1.0), v2.RGB()]:
            out_img, out_boxes, out_labels = t(TV.Image(img), boxes, labels)
            assert type(out_img) is TV.Image and out_boxes is boxes and out_labels is labels

    def test_random_apply_ops(self, img: torch.Tensor) -> None:
        assert torch.equal(v2.RandomInvert(p=1.0)(img), F.invert(img))
        assert v2.RandomInvert(p=0.0)(img) is img
        assert torch.equal(v2.RandomPosterize(3, p=1.0)(img), F.posterize(img, 3))
        assert torch.equal(v2.RandomSolarize(99, p=1.0)(img), F.solarize(img, 99))
        assert torch.equal(v2.RandomAdjustSharpness(2.0, p=1.0)(img), F.adjust_sharpness(img, 2.0))
        assert torch.equal(v2.RandomAutocontrast(p=1.0)(img), F.autocontrast(img))
        assert torch.equal(v2.RandomEqualize(p=1.0)(img), F.equalize(img))
        assert v2.RandomGrayscale(p=1.0)(img).shape == img.shape
        perm = v2.RandomChannelPermutation()
        torch.manual_seed(1)
        out = perm(img)
        torch.manual_seed(1)
        assert torch.equal(out, img[torch.randperm(3)])
        with pytest.raises(ValueError, match=r"interval \[0.0, 1.0\]"):
            v2.RandomEqualize(p=1.5)

    def test_v1_get_params(self) -> None:
        torch.manual_seed(0)
        a = v2.ColorJitter.get_params((0.5, 1.5), None, None, None)
        torch.manual_seed(0)
        b = v2.ColorJitter._v1_transform_cls.get_params((0.5, 1.5), None, None, None)
        assert torch.equal(a[0], b[0]) and a[1:] == b[1:]


def test_no_warnings_from_plain_calls(img: torch.Tensor) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.adjust_hue(img, 0.2)
        F.equalize(img)


@pytest.mark.parametrize("threshold", [-3.0, 0, 0.0, 1, 100.5, 127.5, 128, 254.9, 255, 255.0])
def test_uint8_solarize_picks_the_inverted_values_exactly(threshold: float) -> None:
    """uint8 solarize chooses with bits instead of torch.where: the same values as the definition, in v1 and v2,
    at every kind of threshold (fractional, at or below 0, at the maximum)."""
    import visionkit.transforms.functional as F1

    image = torch.arange(256, dtype=torch.uint8).repeat(3, 2, 1)
    expected = torch.where(image >= threshold, 255 - image, image)
    for solarize in (F.solarize, F1.solarize):
        out = solarize(image, threshold)
        assert out.dtype == torch.uint8 and torch.equal(out, expected)
    assert torch.equal(F.solarize(TV.Image(image), threshold), expected)
