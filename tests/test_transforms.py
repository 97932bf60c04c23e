"""Behaviour of visionkit.transforms beyond the golden cases: argument validation, replay of sampled parameters,
box mapping, and the image types (uint8/float tensors, batches, PIL images) every transform accepts."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import PIL.Image
import pytest
import torch

import visionkit.transforms as T
import visionkit.transforms.functional as F
import visionkit.transforms.v2.functional as F2
from visionkit.transforms import InterpolationMode as IM

Factory = Callable[[], Any]


def _image(channels: int = 3, height: int = 24, width: int = 30, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (channels, height, width), dtype=torch.uint8, generator=gen)


def _pil(img: torch.Tensor) -> PIL.Image.Image:
    return PIL.Image.fromarray(img.permute(1, 2, 0).squeeze(-1).numpy())


def _as_tensor(img: torch.Tensor | PIL.Image.Image) -> torch.Tensor:
    return F.pil_to_tensor(img) if isinstance(img, PIL.Image.Image) else img


def _check_raises(factory: Factory, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        factory()


IMG = _image()


# --------------------------------------------------------------------------------------------- image type plumbing
class TestInterpolationMode:
    def test_accepts_strings_and_pil_codes(self) -> None:
        assert T.Resize(8, interpolation="bicubic").interpolation is IM.BICUBIC
        assert T.Resize(8, interpolation=PIL.Image.Resampling.NEAREST).interpolation is IM.NEAREST

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.Resize(8, interpolation="cubic"), TypeError, r"interpolation should be .* got 'cubic'"),
            (lambda: T.Resize(8, interpolation=99), TypeError, r"interpolation should be .* got 99"),
            (lambda: F.rotate(IMG, 10, interpolation=IM.BICUBIC), ValueError, r"BICUBIC is unsupported with Tensor"),
            (lambda: F.resize(IMG, [5, 5], interpolation=IM.LANCZOS), ValueError, r"LANCZOS is unsupported"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestGetDimensions:
    def test_tensor_and_pil_agree(self) -> None:
        assert F.get_dimensions(IMG) == F.get_dimensions(_pil(IMG)) == [3, 24, 30]
        assert F.get_image_size(IMG) == [30, 24]
        assert F.get_image_num_channels(_pil(IMG[:1])) == 1

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: F.get_dimensions(np.zeros((4, 4))), TypeError, r"img should be a Tensor or a PIL Image, got "),
            (lambda: F.hflip("a"), TypeError, r"img should be a Tensor or a PIL Image, got str"),
            (lambda: F.autocontrast(torch.zeros(4, 4)), TypeError, r"at least 3 dimensions .* got shape \(4, 4\)"),
            (lambda: F.adjust_brightness(torch.zeros(2, 4, 4), 1.5), TypeError, r"1 or 3 channels, got 2"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


# --------------------------------------------------------------------------------------------------- conversions
class TestToTensor:
    def test_scales_8_bit_images_to_unit_range(self) -> None:
        out = T.ToTensor()(_pil(IMG))
        assert out.dtype == torch.float32
        assert torch.allclose(out, IMG.float() / 255)

    def test_keeps_non_8_bit_arrays(self) -> None:
        array = np.arange(12, dtype=np.int32).reshape(2, 3, 2)
        assert torch.equal(F.to_tensor(array), torch.from_numpy(array).permute(2, 0, 1))

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: F.to_tensor("a"), TypeError, r"pic should be a PIL Image or an ndarray, got str"),
            (lambda: F.to_tensor(np.zeros((1, 2, 3, 4))), ValueError, r"2 or 3 dimensional, got 4 dimensions"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestPILToTensor:
    def test_keeps_values(self) -> None:
        assert torch.equal(T.PILToTensor()(_pil(IMG)), IMG)

    def test_rejects_tensors(self) -> None:
        with pytest.raises(TypeError, match=r"pic should be a PIL Image, got Tensor"):
            F.pil_to_tensor(IMG)


class TestToPILImage:
    @pytest.mark.parametrize(
        ("img", "mode"),
        [
            (IMG, "RGB"),
            (IMG[:1], "L"),
            (IMG[:2], "LA"),
            (torch.cat([IMG, IMG[:1]]), "RGBA"),
            (IMG[:1].to(torch.int16), "I;16"),
            (IMG[:1].to(torch.int32), "I"),
        ],
    )
    def test_infers_mode(self, img: torch.Tensor, mode: str) -> None:
        pil = T.ToPILImage()(img)
        assert pil.mode == mode
        assert torch.equal(F.pil_to_tensor(pil).to(img.dtype), img)

    def test_float_images_become_8_bit(self) -> None:
        pil = F.to_pil_image(IMG.float() / 255)
        assert pil.mode == "RGB"
        assert int((F.pil_to_tensor(pil).int() - IMG.int()).abs().max()) <= 1

    def test_float_mode_keeps_values(self) -> None:
        img = torch.rand(1, 4, 5)
        assert torch.equal(F.pil_to_tensor(F.to_pil_image(img, mode="F")), img)

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: F.to_pil_image("a"), TypeError, r"pic should be a Tensor or an ndarray, got str"),
            (lambda: F.to_pil_image(torch.zeros(1, 1, 4, 4)), ValueError, r"2 or 3 dimensional, got 4"),
            (lambda: F.to_pil_image(np.zeros((1, 1, 4, 4))), ValueError, r"2 or 3 dimensional, got 4"),
            (lambda: F.to_pil_image(torch.zeros(5, 4, 4)), ValueError, r"more than 4 channels, got 5"),
            (lambda: F.to_pil_image(np.zeros((4, 4, 5), np.uint8)), ValueError, r"more than 4 channels, got 5"),
            (lambda: F.to_pil_image(IMG[:1], mode="RGB"), ValueError, r"mode 'RGB' does not fit .* should be 'L'"),
            (lambda: F.to_pil_image(IMG, mode="L"), ValueError, r"one of \['RGB', 'YCbCr', 'HSV'\] .* got 'L'"),
            (lambda: F.to_pil_image(IMG.to(torch.int16)), TypeError, r"dtype int16 with 3 channels"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestConvertImageDtype:
    def test_round_trips_uint8(self) -> None:
        as_float = T.ConvertImageDtype(torch.float32)(IMG)
        assert torch.allclose(as_float, IMG / 255.0)
        assert torch.equal(F.convert_image_dtype(as_float, torch.uint8), IMG)

    def test_rescales_between_integer_types(self) -> None:
        wide = F.convert_image_dtype(IMG, torch.int16)
        assert int(wide.max()) == int(IMG.max()) * 128
        assert torch.equal(F.convert_image_dtype(wide, torch.uint8), IMG)

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.ConvertImageDtype("float"), TypeError, r"dtype should be a torch.dtype, got 'float'"),
            (lambda: F.convert_image_dtype("a"), TypeError, r"image should be a Tensor, got str"),
            (lambda: F.convert_image_dtype(IMG.float(), torch.int32), RuntimeError, r"cannot be performed safely"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestNormalize:
    def test_standardizes_each_channel(self) -> None:
        img = IMG.float() / 255
        out = T.Normalize([0.5, 0.4, 0.3], [0.5, 0.2, 0.1])(img)
        assert torch.allclose(out[1], (img[1] - 0.4) / 0.2)
        assert not torch.equal(out, img)

    def test_inplace_overwrites_input(self) -> None:
        img = torch.ones(3, 2, 2)
        F.normalize(img, [1.0] * 3, [1.0] * 3, inplace=True)
        assert torch.equal(img, torch.zeros(3, 2, 2))

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.Normalize("abc", [1.0]), TypeError, r"mean should be a sequence of numbers, got 'abc'"),
            (lambda: T.Normalize([0.5], 1.0), TypeError, r"std should be a sequence of numbers, got 1.0"),
            (lambda: T.Normalize([0.5], [0.0]), ValueError, r"std should not hold zeros, got \[0.0\]"),
            (lambda: F.normalize("a", [0.5], [1.0]), TypeError, r"tensor should be a Tensor image, got str"),
            (lambda: F.normalize(IMG, [0.5], [1.0]), TypeError, r"float Tensor, got torch.uint8"),
            (lambda: F.normalize(torch.zeros(4), [0.5], [1.0]), TypeError, r"shape \(..., C, H, W\), got shape \(4,\)"),
            (lambda: F.normalize(torch.zeros(4, 4), [0.5], [1.0]), ValueError, r"\(..., C, H, W\), got \(4, 4\)"),
            (lambda: F.normalize(torch.zeros(1, 2, 2), [0.5], [1e-50]), ValueError, r"std should not hold zeros"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestLinearTransformation:
    def test_whitens_flattened_images(self) -> None:
        img = torch.rand(2, 1, 2, 2)
        matrix, mean = 2 * torch.eye(4), torch.full((4,), 0.5)
        out = T.LinearTransformation(matrix, mean)(img)
        assert torch.allclose(out, 2 * (img - 0.5))

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (
                lambda: T.LinearTransformation(torch.ones(2, 3), torch.ones(2)),
                ValueError,
                r"square, got shape \(2, 3\)",
            ),
            (lambda: T.LinearTransformation(torch.eye(3), torch.ones(2)), ValueError, r"shape \(3,\), got \(2,\)"),
            (
                lambda: T.LinearTransformation(torch.eye(3), torch.ones(3, device="meta")),
                ValueError,
                r"device of transformation_matrix \(cpu\), got meta",
            ),
            (
                lambda: T.LinearTransformation(torch.eye(3), torch.ones(3, dtype=torch.float64)),
                ValueError,
                r"dtype of transformation_matrix \(torch.float32\), got torch.float64",
            ),
            (
                lambda: T.LinearTransformation(torch.eye(3), torch.ones(3))(torch.rand(3, 2, 2)),
                ValueError,
                r"has 12 values per image, but transformation_matrix expects 3",
            ),
            (
                lambda: T.LinearTransformation(torch.eye(3), torch.ones(3)).map_boxes(torch.zeros(1, 4), {}),
                NotImplementedError,
                r"mixes all pixels",
            ),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


# ---------------------------------------------------------------------------------------------------- containers
class TestCompose:
    def test_applies_in_order_and_accepts_plain_callables(self) -> None:
        out = T.Compose([T.CenterCrop(10), lambda x: x.flip(-1), T.ConvertImageDtype(torch.float32)])(IMG)
        assert torch.allclose(out, F.center_crop(IMG, 10).flip(-1) / 255.0)

    def test_records_each_transform_params(self) -> None:
        compose = T.Compose([T.RandomCrop(10), T.RandomHorizontalFlip()])
        compose(IMG)
        assert compose.last_params["transforms"] == [t.last_params for t in compose.transforms]

    def test_boxes_need_visionkit_transforms(self) -> None:
        compose = T.Compose([lambda x: x])
        compose(IMG)
        with pytest.raises(NotImplementedError, match=r"cannot map boxes through .* not a visionkit Transform"):
            compose.map_boxes(torch.zeros(1, 4))

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.Compose(T.RandomHorizontalFlip()), TypeError, r"transforms should be a sequence of callables"),
            (lambda: T.Compose([T.ToTensor(), 3]), TypeError, r"sequence of callables, got the item 3"),
            (lambda: T.Compose("ab"), TypeError, r"sequence of callables, got 'ab'"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomApply:
    def test_probability_zero_and_one(self) -> None:
        flip = [T.RandomHorizontalFlip(p=1.0)]
        assert torch.equal(T.RandomApply(flip, p=0.0)(IMG), IMG)
        assert torch.equal(T.RandomApply(flip, p=1.0)(IMG), IMG.flip(-1))

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomApply([T.ToTensor()], p=2), ValueError, r"p should be a float in \[0, 1\], got 2"),
            (lambda: T.RandomApply([T.ToTensor()], p="x"), TypeError, r"p should be a float in \[0, 1\], got 'x'"),
            (lambda: T.RandomApply(T.ToTensor()), TypeError, r"transforms should be a sequence of callables"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomChoice:
    def test_weights_pick_the_only_possible_transform(self) -> None:
        choice = T.RandomChoice([T.RandomHorizontalFlip(1.0), T.RandomVerticalFlip(1.0)], p=[0.0, 1.0])
        assert torch.equal(choice(IMG), IMG.flip(-2))
        assert choice.last_params["index"] == 1

    def test_draws_from_python_random(self) -> None:
        choice = T.RandomChoice([T.RandomHorizontalFlip(1.0), T.RandomVerticalFlip(1.0)])
        random.seed(3)
        expected = random.choices([0, 1])[0]
        random.seed(3)
        choice(IMG)
        assert choice.last_params["index"] == expected

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomChoice([T.ToTensor()], p=0.5), TypeError, r"p should be a sequence of weights, got 0.5"),
            (lambda: T.RandomChoice([T.ToTensor()], p=[1, 2]), ValueError, r"one weight per transform \(1\)"),
            (lambda: T.RandomChoice(T.ToTensor()), TypeError, r"transforms should be a sequence of callables"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomOrder:
    def test_shuffles_with_python_random(self) -> None:
        order = T.RandomOrder([T.CenterCrop(20), T.Pad(2), T.Grayscale()])
        random.seed(5)
        expected = [0, 1, 2]
        random.shuffle(expected)
        random.seed(5)
        order(IMG)
        assert order.last_params["order"] == expected

    def test_rejects_a_single_transform(self) -> None:
        with pytest.raises(TypeError, match=r"RandomOrder: transforms should be a sequence of callables"):
            T.RandomOrder(T.ToTensor())


class TestLambda:
    def test_calls_the_function(self) -> None:
        assert torch.equal(T.Lambda(lambda x: x + 1)(IMG), IMG + 1)

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.Lambda(3), TypeError, r"lambd should be callable, got int"),
            (lambda: T.Lambda(abs).map_boxes(torch.zeros(1, 4), {}), NotImplementedError, r"geometry is unknown"),
            (lambda: T.Lambda(abs).map_boxes(torch.zeros(1, 4)), RuntimeError, r"no parameters yet"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


# ------------------------------------------------------------------------------------------------------ geometry
class TestResize:
    def test_smaller_edge_keeps_aspect_ratio(self) -> None:
        assert T.Resize(12)(IMG).shape == (3, 12, 15)
        assert T.Resize(12)(_pil(IMG)).size == (15, 12)
        assert T.Resize(12, max_size=14)(IMG).shape == (3, 11, 14)

    def test_works_on_batches_of_any_rank(self) -> None:
        batch = torch.stack([IMG, _image(seed=1)]).reshape(1, 2, 3, 24, 30)
        out = F.resize(batch, [10, 11])
        assert out.shape == (1, 2, 3, 10, 11)
        assert torch.equal(out[0, 1], F.resize(batch[0, 1], [10, 11]))

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.Resize("a"), TypeError, r"size should be an int or a sequence of 1 or 2 ints, got 'a'"),
            (lambda: T.Resize((1, 2, 3)), ValueError, r"sequence of 1 or 2 ints \(h, w\), got \(1, 2, 3\)"),
            (lambda: T.Resize(0), ValueError, r"size should be positive, got 0"),
            (lambda: T.Resize(10, max_size=8.5), TypeError, r"max_size should be an int or None, got 8.5"),
            (lambda: T.Resize(10, max_size=5), ValueError, r"larger than the smaller edge size 10, got 5"),
            (lambda: T.Resize((10, 12), max_size=20), ValueError, r"max_size should only be given .* got \(10, 12\)"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestCenterCrop:
    def test_pads_images_smaller_than_the_crop(self) -> None:
        out = T.CenterCrop((30, 31))(IMG)
        assert out.shape == (3, 30, 31)
        assert torch.equal(out[:, 3:27, 0:30], IMG)
        assert int(out[:, :3].abs().sum()) == 0

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.CenterCrop((1, 2, 3)), ValueError, r"got \(1, 2, 3\)"),
            (lambda: T.CenterCrop(-4), ValueError, r"size should be positive, got -4"),
            (lambda: F.center_crop(IMG, [1, 2, 3]), ValueError, r"output_size should be .* got \[1, 2, 3\]"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestPad:
    @pytest.mark.parametrize(
        ("mode", "expected"),
        [
            ("constant", [9, 9, 1, 2, 3, 9, 9]),
            ("edge", [1, 1, 1, 2, 3, 3, 3]),
            ("reflect", [3, 2, 1, 2, 3, 2, 1]),
            ("symmetric", [2, 1, 1, 2, 3, 3, 2]),
        ],
    )
    def test_modes_on_tensors_and_pil(self, mode: str, expected: list[int]) -> None:
        row = torch.tensor([[[1, 2, 3]]], dtype=torch.uint8)
        assert F.pad(row, [2, 0], fill=9, padding_mode=mode)[0, 0].tolist() == expected
        assert np.asarray(F.pad(_pil(row), [2, 0], fill=9, padding_mode=mode))[0].tolist() == expected

    def test_negative_padding_crops(self) -> None:
        assert torch.equal(F.pad(IMG, [-1, -2, 0, 0]), IMG[:, 2:, 1:])

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.Pad("a"), TypeError, r"padding should be an int or a sequence of 1, 2 or 4 ints, got 'a'"),
            (lambda: T.Pad((1, 2, 3)), ValueError, r"sequence of 1, 2 or 4 ints, got \(1, 2, 3\)"),
            (lambda: T.Pad(1, fill="a"), TypeError, r"fill should be a number or a sequence of numbers, got 'a'"),
            (lambda: T.Pad(1, padding_mode="wrap"), ValueError, r"padding_mode should be one of .* got 'wrap'"),
            (lambda: F.pad(IMG, 1, fill=(1, 2)), TypeError, r"fill should be a number for Tensor images, got \(1, 2\)"),
            (lambda: F.pad(_pil(IMG), 1, fill=(1, 2)), ValueError, r"fill should have 1 or 3 values .* got \(1, 2\)"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestFiveCropAndTenCrop:
    def test_corners_and_center(self) -> None:
        crops = T.FiveCrop((10, 12))(IMG)
        assert torch.equal(crops[0], IMG[:, :10, :12])
        assert torch.equal(crops[3], IMG[:, 14:, 18:])
        assert torch.equal(crops[4], IMG[:, 7:17, 9:21])

    def test_ten_crop_adds_the_flipped_crops(self) -> None:
        crops = T.TenCrop(8, vertical_flip=True)(IMG)
        assert len(crops) == 10
        assert torch.equal(crops[5], IMG.flip(-2)[:, :8, :8])

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.FiveCrop((1, 2, 3)), ValueError, r"got \(1, 2, 3\)"),
            (lambda: T.TenCrop((1, 2, 3)), ValueError, r"got \(1, 2, 3\)"),
            (lambda: T.FiveCrop(40)(IMG), ValueError, r"size \(40, 40\) should not be larger than .* \(24, 30\)"),
            (lambda: T.FiveCrop(4).map_boxes(torch.zeros(1, 4), {}), NotImplementedError, r"several images"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomCrop:
    def test_get_params_is_the_sampler(self) -> None:
        torch.manual_seed(0)
        expected = T.RandomCrop.get_params(IMG, (10, 11))
        torch.manual_seed(0)
        crop = T.RandomCrop((10, 11))
        out = crop(IMG)
        top, left = crop.last_params["top"], crop.last_params["left"]
        assert (top, left, 10, 11) == expected
        assert torch.equal(out, IMG[:, top : top + 10, left : left + 11])

    def test_pad_if_needed_pads_both_sides(self) -> None:
        crop = T.RandomCrop((24, 40), pad_if_needed=True)
        assert crop(IMG).shape == (3, 24, 40)
        assert crop.last_params["paddings"] == [(10, 0, 10, 0)]

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomCrop(30)(IMG), ValueError, r"crop size \(30, 30\) should not be larger .* \(24, 30\)"),
            (lambda: T.RandomCrop((1, 2, 3)), ValueError, r"got \(1, 2, 3\)"),
            (lambda: T.RandomCrop(8, padding=(1, 2, 3)), ValueError, r"padding should be .* got \(1, 2, 3\)"),
            (lambda: T.RandomCrop(8, fill=[1, "a"]), TypeError, r"fill should be .* got \[1, 'a'\]"),
            (lambda: T.RandomCrop(8, padding_mode="zeros"), ValueError, r"padding_mode .* got 'zeros'"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomResizedCrop:
    def test_crop_area_follows_scale(self) -> None:
        torch.manual_seed(1)
        for _ in range(20):
            top, left, h, w = T.RandomResizedCrop.get_params(IMG, (0.25, 0.5), (0.5, 2.0))
            assert 0.2 <= h * w / (24 * 30) <= 0.55
            assert 0 <= top <= 24 - h and 0 <= left <= 30 - w

    def test_falls_back_to_a_central_crop(self) -> None:
        assert T.RandomResizedCrop.get_params(IMG, (1.0, 1.0), (10.0, 20.0)) == (10, 0, 3, 30)

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomResizedCrop(8, scale=0.5), TypeError, r"scale should be a sequence of 2 numbers, got 0.5"),
            (lambda: T.RandomResizedCrop(8, scale=(0.9, 0.1)), ValueError, r"form \(min, max\), got \(0.9, 0.1\)"),
            (lambda: T.RandomResizedCrop(8, scale=(-0.1, 0.5)), ValueError, r"scale values should be within"),
            (lambda: T.RandomResizedCrop(8, ratio=(2, 1)), ValueError, r"ratio should be of the form .* \(2, 1\)"),
            (
                lambda: T.RandomResizedCrop(8, ratio=(0, 1)),
                ValueError,
                r"ratio values should be positive, got \(0, 1\)",
            ),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomFlips:
    @pytest.mark.parametrize(("cls", "dim"), [(T.RandomHorizontalFlip, -1), (T.RandomVerticalFlip, -2)])
    def test_flip_follows_one_draw(self, cls: type, dim: int) -> None:
        torch.manual_seed(4)
        expected = bool(torch.rand(1) < 0.5)
        torch.manual_seed(4)
        flip = cls()
        out = flip(IMG)
        assert flip.last_params["flip"] is expected
        assert torch.equal(out, IMG.flip(dim) if expected else IMG)

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomHorizontalFlip(p=1.5), ValueError, r"p should be a float in \[0, 1\], got 1.5"),
            (lambda: T.RandomVerticalFlip(p=-1), ValueError, r"p should be a float in \[0, 1\], got -1"),
            (lambda: T.RandomHorizontalFlip(p=True), TypeError, r"p should be a float in \[0, 1\], got True"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomRotation:
    def test_expand_holds_the_whole_image(self) -> None:
        out = T.RandomRotation((90, 90), expand=True)(IMG)
        assert out.shape == (3, 30, 24)
        assert torch.equal(out, IMG.rot90(1, (-2, -1)))

    def test_fill_per_channel(self) -> None:
        out = T.RandomRotation((45, 45), fill=(1, 2, 3))(IMG)
        assert out[:, 0, 0].tolist() == [1, 2, 3]

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomRotation(-5), ValueError, r"degrees should be non-negative .* got -5"),
            (lambda: T.RandomRotation((1, 2, 3)), ValueError, r"degrees should be a sequence of 2 numbers"),
            (lambda: T.RandomRotation("a"), TypeError, r"degrees should be a sequence of 2 numbers, got 'a'"),
            (lambda: T.RandomRotation(5, center=(1,)), ValueError, r"center should be a sequence of 2 numbers"),
            (lambda: T.RandomRotation(5, fill="a"), TypeError, r"fill should be a number or a sequence .* got 'a'"),
            (lambda: T.RandomRotation(5, fill=[1, 2])(IMG), ValueError, r"fill should have 1 or 3 values .* \[1, 2\]"),
            (lambda: F.rotate(IMG, "a"), TypeError, r"angle should be an int or a float, got 'a'"),
            (lambda: F.rotate(IMG, 5, center=(1,)), ValueError, r"center should be a sequence of 2 numbers"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomAffine:
    def test_get_params_ranges(self) -> None:
        torch.manual_seed(2)
        angle, (tx, ty), scale, (sx, sy) = T.RandomAffine.get_params(
            [-5, 5], [0.1, 0.2], [0.9, 1.1], [1, 2, 3, 4], [30, 24]
        )
        assert -5 <= angle <= 5 and abs(tx) <= 3 and abs(ty) <= 5 and 0.9 <= scale <= 1.1
        assert 1 <= sx <= 2 and 3 <= sy <= 4

    def test_identity_parameters_keep_the_image(self) -> None:
        assert torch.equal(T.RandomAffine(0)(IMG), IMG)

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomAffine(-5), ValueError, r"degrees should be non-negative .* got -5"),
            (lambda: T.RandomAffine(5, translate=(0.1,)), ValueError, r"translate should be a sequence of 2 numbers"),
            (lambda: T.RandomAffine(5, translate=(0.1, 1.5)), ValueError, r"translate values .* \(0.1, 1.5\)"),
            (lambda: T.RandomAffine(5, scale=(0.1,)), ValueError, r"scale should be a sequence of 2 numbers"),
            (lambda: T.RandomAffine(5, scale=(-1, 2)), ValueError, r"scale values should be positive, got \(-1, 2\)"),
            (lambda: T.RandomAffine(5, shear=-3), ValueError, r"shear should be non-negative .* got -3"),
            (lambda: T.RandomAffine(5, shear=(1, 2, 3)), ValueError, r"shear should be a sequence of 2 or 4 numbers"),
            (lambda: T.RandomAffine(5, fill=object()), TypeError, r"fill should be a number or a sequence"),
            (lambda: T.RandomAffine(5, center=(1,)), ValueError, r"center should be a sequence of 2 numbers"),
            (lambda: F.affine(IMG, 10, "ab", 1.0, 0), TypeError, r"translate should be a sequence of 2 numbers, got"),
            (lambda: F.affine(IMG, 10, [1], 1.0, 0), ValueError, r"translate should be a sequence .* got \[1\]"),
            (lambda: F.affine(IMG, 10, [1, 2], "a", 0), TypeError, r"scale should be an int or a float, got 'a'"),
            (lambda: F.affine(IMG, 10, [1, 2], 0.0, 0), ValueError, r"scale should be positive, got 0.0"),
            (lambda: F.affine(IMG, 10, [1, 2], 1.0, "a"), TypeError, r"shear should be a number or a sequence"),
            (lambda: F.affine(IMG, 10, [1, 2], 1.0, (1, 2, 3)), ValueError, r"shear .* got \(1, 2, 3\)"),
            (lambda: F.affine(IMG, None, [1, 2], 1.0, 0), TypeError, r"angle should be an int or a float, got None"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomPerspective:
    def test_corners_move_inwards(self) -> None:
        torch.manual_seed(0)
        start, end = T.RandomPerspective.get_params(30, 24, 0.5)
        assert start == [[0, 0], [29, 0], [29, 23], [0, 23]]
        assert 0 <= end[0][0] <= 7 and 22 <= end[1][0] <= 29 and 17 <= end[2][1] <= 23

    def test_probability_zero_keeps_the_image(self) -> None:
        assert torch.equal(T.RandomPerspective(p=0.0)(IMG), IMG)

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomPerspective(distortion_scale=2), ValueError, r"distortion_scale should be .* got 2"),
            (lambda: T.RandomPerspective(p=2), ValueError, r"p should be a float in \[0, 1\], got 2"),
            (lambda: T.RandomPerspective(fill="a"), TypeError, r"fill should be a number or a sequence"),
            (lambda: F.perspective(IMG, [[0, 0]], [[0, 0]]), ValueError, r"4 corners each, got 1 and 1"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestElasticTransform:
    def test_zero_displacement_keeps_the_image(self) -> None:
        out = F.elastic_transform(IMG, torch.zeros(1, 24, 30, 2), interpolation=IM.NEAREST)
        assert torch.equal(out, IMG)

    def test_works_on_pil_images(self) -> None:
        torch.manual_seed(0)
        out = T.ElasticTransform(alpha=5.0, sigma=1.0)(_pil(IMG))
        assert out.size == (30, 24) and out.mode == "RGB"

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.ElasticTransform(alpha="a"), TypeError, r"alpha should be a sequence of 1 or 2 numbers"),
            (lambda: T.ElasticTransform(alpha=(1, 2, 3)), ValueError, r"alpha .* got \(1, 2, 3\)"),
            (lambda: T.ElasticTransform(sigma=(1, 2, 3)), ValueError, r"sigma .* got \(1, 2, 3\)"),
            (lambda: T.ElasticTransform(fill="a"), TypeError, r"fill should be a number or a sequence"),
            (lambda: F.elastic_transform(IMG, torch.zeros(2, 24, 30, 2)), ValueError, r"\(1, 24, 30, 2\), got \(2,"),
            (lambda: F.elastic_transform(IMG, [0.0]), ValueError, r"displacement should be a Tensor .* got list"),
            (lambda: T.ElasticTransform().map_boxes(torch.zeros(1, 4), {}), NotImplementedError, r"bends"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


# --------------------------------------------------------------------------------------------------------- color
class TestColorJitter:
    def test_get_params_draws_order_then_factors(self) -> None:
        torch.manual_seed(0)
        order, b, c, s, h = T.ColorJitter.get_params((0.5, 1.5), None, (1.0, 2.0), (-0.1, 0.1))
        assert sorted(order.tolist()) == [0, 1, 2, 3]
        assert 0.5 <= b <= 1.5 and c is None and 1.0 <= s <= 2.0 and -0.1 <= h <= 0.1

    def test_single_numbers_become_ranges(self) -> None:
        jitter = T.ColorJitter(brightness=1.5, hue=0.2)
        assert jitter.brightness == (0.0, 2.5) and jitter.hue == (-0.2, 0.2) and jitter.contrast is None

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.ColorJitter(brightness=-1), ValueError, r"brightness should be non-negative .* got -1"),
            (lambda: T.ColorJitter(brightness=(1, 2, 3)), TypeError, r"brightness .* got \(1, 2, 3\)"),
            (lambda: T.ColorJitter(contrast=(2, 1)), ValueError, r"contrast should be a range .* got \[2.0, 1.0\]"),
            (lambda: T.ColorJitter(hue=0.7), ValueError, r"hue should be a range .* got \[-0.7, 0.7\]"),
            (lambda: T.ColorJitter(saturation="a"), TypeError, r"saturation should be a number or .* got 'a'"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestColorFunctionals:
    def test_gray_images_keep_hue_and_saturation(self) -> None:
        gray = IMG[:1]
        assert torch.equal(F.adjust_hue(gray, 0.3), gray)
        assert torch.equal(F.adjust_saturation(gray, 0.3), gray)

    def test_hue_round_trip(self) -> None:
        img = IMG.float() / 255
        assert torch.allclose(F.adjust_hue(F.adjust_hue(img, 0.25), -0.25), img, atol=1e-4)

    def test_posterize_keeps_high_bits(self) -> None:
        assert torch.equal(F.posterize(IMG, 2), IMG & 0b11000000)

    def test_solarize_inverts_above_threshold(self) -> None:
        out = F.solarize(IMG, 128)
        assert torch.equal(out, torch.where(IMG >= 128, 255 - IMG, IMG))

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: F.adjust_brightness(IMG, -1), ValueError, r"brightness_factor should be .* got -1"),
            (lambda: F.adjust_contrast(IMG, "a"), TypeError, r"contrast_factor should be .* got 'a'"),
            (lambda: F.adjust_saturation(IMG, -0.5), ValueError, r"saturation_factor .* got -0.5"),
            (lambda: F.adjust_sharpness(IMG, -1), ValueError, r"sharpness_factor .* got -1"),
            (lambda: F.adjust_gamma(IMG, -1), ValueError, r"gamma should be a non-negative number, got -1"),
            (lambda: F.adjust_hue(IMG, 0.7), ValueError, r"hue_factor should be in \[-0.5, 0.5\], got 0.7"),
            (lambda: F.adjust_hue(IMG, "a"), TypeError, r"hue_factor should be a number .* got 'a'"),
            (lambda: F.posterize(IMG, 9), ValueError, r"bits should be an int in \[0, 8\], got 9"),
            (lambda: F.posterize(IMG, 2.5), TypeError, r"bits should be an int in \[0, 8\], got 2.5"),
            (lambda: F.posterize(IMG.float(), 3), TypeError, r"torch.uint8 Tensor, got torch.float32"),
            (lambda: F.equalize(IMG.float()), TypeError, r"torch.uint8 Tensor, got torch.float32"),
            (lambda: F.solarize(IMG.float(), 2.0), TypeError, r"threshold should be at most 1.0 .* got 2.0"),
            (lambda: F.solarize(IMG, "a"), TypeError, r"threshold should be a number, got 'a'"),
            (lambda: F.rgb_to_grayscale(IMG, 2), ValueError, r"num_output_channels should be 1 or 3, got 2"),
            (lambda: F.to_grayscale(IMG), TypeError, r"img should be a PIL Image, got Tensor"),
            (lambda: F.to_grayscale(_pil(IMG), 2), ValueError, r"num_output_channels should be 1 or 3, got 2"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestGrayscale:
    def test_three_equal_channels(self) -> None:
        out = T.Grayscale(3)(IMG)
        assert out.shape == (3, 24, 30) and torch.equal(out[0], out[2])

    def test_random_grayscale_keeps_channel_count(self) -> None:
        assert T.RandomGrayscale(p=1.0)(IMG).shape == (3, 24, 30)
        assert T.RandomGrayscale(p=1.0)(_pil(IMG[:1])).mode == "L"

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.Grayscale(2), ValueError, r"num_output_channels should be 1 or 3, got 2"),
            (lambda: T.RandomGrayscale(p=2), ValueError, r"p should be a float in \[0, 1\], got 2"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestGaussianBlur:
    def test_constant_image_stays_constant(self) -> None:
        img = torch.full((3, 9, 9), 0.25)
        assert torch.allclose(T.GaussianBlur(5, sigma=3.0)(img), img)

    def test_pil_and_tensor_agree(self) -> None:
        tensor = F.gaussian_blur(IMG, [3, 5], [1.0, 2.0])
        assert torch.equal(F.pil_to_tensor(F.gaussian_blur(_pil(IMG), [3, 5], [1.0, 2.0])), tensor)

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.GaussianBlur(4), ValueError, r"kernel_size should hold odd positive ints, got 4"),
            (lambda: T.GaussianBlur(-3), ValueError, r"kernel_size should hold odd positive ints, got -3"),
            (lambda: T.GaussianBlur((3, 5, 7)), ValueError, r"kernel_size should be an int or a sequence of 2 ints"),
            (lambda: T.GaussianBlur(3, sigma=-1), ValueError, r"sigma should be positive .* got -1"),
            (lambda: T.GaussianBlur(3, sigma=(2, 1)), ValueError, r"sigma should be of the form \(min, max\)"),
            (lambda: T.GaussianBlur(3, sigma=(0, 1)), ValueError, r"sigma values should be positive, got \(0, 1\)"),
            (lambda: T.GaussianBlur(3, sigma=(1, 2, 3)), ValueError, r"sigma should be a sequence of 2 numbers"),
            (lambda: F.gaussian_blur(IMG, 4), ValueError, r"kernel_size should hold odd positive ints, got 4"),
            (lambda: F.gaussian_blur(IMG, [3, 3, 3]), ValueError, r"int or a sequence of 2 ints, got \[3, 3, 3\]"),
            (lambda: F.gaussian_blur(IMG, 3.0), TypeError, r"kernel_size should be an int or a sequence of ints"),
            (lambda: F.gaussian_blur(IMG, 3, -1), ValueError, r"sigma should hold positive values, got -1"),
            (lambda: F.gaussian_blur(IMG, 3, [1, 2, 3]), ValueError, r"sigma should be .* got \[1, 2, 3\]"),
            (lambda: F.gaussian_blur(IMG, 3, "a"), TypeError, r"sigma should be a number or a sequence of numbers"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomPhotometricOps:
    @pytest.mark.parametrize(
        ("make", "op"),
        [
            (lambda p: T.RandomInvert(p=p), F.invert),
            (lambda p: T.RandomPosterize(3, p=p), lambda x: F.posterize(x, 3)),
            (lambda p: T.RandomSolarize(100, p=p), lambda x: F.solarize(x, 100)),
            (lambda p: T.RandomAdjustSharpness(2.0, p=p), lambda x: F.adjust_sharpness(x, 2.0)),
            (lambda p: T.RandomAutocontrast(p=p), F.autocontrast),
            (lambda p: T.RandomEqualize(p=p), F.equalize),
        ],
    )
    def test_probability_decides(self, make: Callable[[float], T.Transform], op: Callable[[Any], Any]) -> None:
        assert torch.equal(make(1.0)(IMG), op(IMG))
        assert torch.equal(make(0.0)(IMG), IMG)

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomInvert(p=2), ValueError, r"p should be a float in \[0, 1\], got 2"),
            (lambda: T.RandomPosterize(bits=9), ValueError, r"bits should be an int in \[0, 8\], got 9"),
            (lambda: T.RandomSolarize("a"), TypeError, r"threshold should be a number, got 'a'"),
            (lambda: T.RandomSolarize(300, p=1.0)(IMG), TypeError, r"threshold should be at most 255 .* got 300"),
            (lambda: T.RandomAdjustSharpness(-1), ValueError, r"sharpness_factor should be .* got -1"),
            (lambda: T.RandomAutocontrast(p=-0.1), ValueError, r"p should be a float in \[0, 1\], got -0.1"),
            (lambda: T.RandomEqualize(p=2), ValueError, r"p should be a float in \[0, 1\], got 2"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandomErasing:
    def test_erases_one_rectangle_with_the_value(self) -> None:
        img = torch.ones(3, 20, 20)
        erasing = T.RandomErasing(p=1.0, value=(0.1, 0.2, 0.3))
        out = erasing(img)
        p = erasing.last_params
        window = out[:, p["top"] : p["top"] + p["height"], p["left"] : p["left"] + p["width"]]
        assert torch.allclose(window[:, 0, 0], torch.tensor([0.1, 0.2, 0.3]))
        assert int((out != 1).any(0).sum()) == p["height"] * p["width"]

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandomErasing(p=2), ValueError, r"p should be a float in \[0, 1\], got 2"),
            (lambda: T.RandomErasing(scale=1), TypeError, r"scale should be a sequence of 2 numbers, got 1"),
            (lambda: T.RandomErasing(scale=(-1, 0.5)), ValueError, r"scale values should be within \[0.0, 1.0\]"),
            (lambda: T.RandomErasing(scale=(0.5, 0.1)), ValueError, r"scale should be of the form \(min, max\)"),
            (lambda: T.RandomErasing(ratio=(3, 1)), ValueError, r"ratio should be of the form \(min, max\)"),
            (lambda: T.RandomErasing(ratio=(-1, 1)), ValueError, r"ratio values should be positive, got \(-1, 1\)"),
            (lambda: T.RandomErasing(value="foo"), ValueError, r"value should be .* or 'random', got 'foo'"),
            (lambda: T.RandomErasing(value=object()), TypeError, r"value should be a number, a sequence of numbers"),
            (lambda: T.RandomErasing(p=1.0, value=[1, 2])(IMG), ValueError, r"1 or 3 \(number of channels\) values"),
            (lambda: F.erase("a", 1, 1, 1, 1, 0), TypeError, r"img should be a Tensor image, got str"),
            (lambda: T.RandomErasing()(_pil(IMG)), TypeError, r"img should be a Tensor image .* got Image"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


# ---------------------------------------------------------------------------------------------- auto augmentation
class TestAutoAugment:
    def test_applies_a_sub_policy_of_the_chosen_policy(self) -> None:
        augment = T.AutoAugment(T.AutoAugmentPolicy.SVHN)
        torch.manual_seed(0)
        augment(IMG)
        policy = augment.policies[augment.last_params["policy_index"]]
        assert {name for name, _ in augment.last_params["ops"]} <= {name for name, _, _ in policy}

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.AutoAugment("imagenet"), ValueError, r"policy should be an AutoAugmentPolicy, got 'imagenet'"),
            (lambda: T.AutoAugment(fill="a"), TypeError, r"fill should be a number or a sequence"),
            (lambda: T.AutoAugment(interpolation="x"), TypeError, r"interpolation should be .* got 'x'"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRandAugment:
    def test_samples_num_ops(self) -> None:
        augment = T.RandAugment(num_ops=4)
        augment(IMG)
        assert len(augment.last_params["ops"]) == 4

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.RandAugment(num_ops=-1), ValueError, r"num_ops should be a non-negative int, got -1"),
            (lambda: T.RandAugment(magnitude=40), ValueError, r"magnitude should be an int in \[0, 30\], got 40"),
            (lambda: T.RandAugment(num_magnitude_bins=1), ValueError, r"num_magnitude_bins should be .* got 1"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestTrivialAugmentWide:
    def test_samples_one_op(self) -> None:
        augment = T.TrivialAugmentWide()
        augment(_pil(IMG))
        assert len(augment.last_params["ops"]) == 1

    def test_rejects_one_bin(self) -> None:
        with pytest.raises(ValueError, match=r"num_magnitude_bins should be an int >= 2, got 1"):
            T.TrivialAugmentWide(num_magnitude_bins=1)


class TestAugMix:
    def test_mixing_weights_sum_to_one(self) -> None:
        augmix = T.AugMix(mixture_width=4)
        augmix(torch.stack([IMG, IMG]))
        p = augmix.last_params
        assert p["chain_weights"].shape == (2, 4)
        assert torch.allclose(p["image_weight"] + p["chain_weights"].sum(1), torch.ones(2))

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: T.AugMix(severity=0), ValueError, r"severity should be an int in \[1, 10\], got 0"),
            (lambda: T.AugMix(severity=11), ValueError, r"severity should be an int in \[1, 10\], got 11"),
            (lambda: T.AugMix(mixture_width=0), ValueError, r"mixture_width should be a positive int, got 0"),
            (lambda: T.AugMix(chain_depth=1.5), TypeError, r"chain_depth should be an int, got 1.5"),
            (lambda: T.AugMix(alpha=0), ValueError, r"alpha should be a positive number, got 0"),
            (lambda: T.AugMix().map_boxes(torch.zeros(1, 4), {}), NotImplementedError, r"AugMix cannot map boxes"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


# ------------------------------------------------------------------------------------------------ replay, batches
RANDOM_TRANSFORMS: list[Factory] = [
    lambda: T.RandomCrop(16, padding=3, padding_mode="reflect"),
    lambda: T.RandomResizedCrop(14),
    lambda: T.RandomHorizontalFlip(),
    lambda: T.RandomVerticalFlip(),
    lambda: T.RandomRotation(40, interpolation=IM.BILINEAR, expand=True),
    lambda: T.RandomAffine(20, translate=(0.2, 0.1), scale=(0.8, 1.2), shear=(-5, 5, -5, 5)),
    lambda: T.RandomPerspective(p=0.8),
    lambda: T.ElasticTransform(alpha=20.0, sigma=2.0),
    lambda: T.ColorJitter(0.4, 0.4, 0.4, 0.1),
    lambda: T.RandomGrayscale(p=0.5),
    lambda: T.GaussianBlur(5),
    lambda: T.RandomInvert(),
    lambda: T.RandomPosterize(3),
    lambda: T.RandomSolarize(120),
    lambda: T.RandomAdjustSharpness(3.0),
    lambda: T.RandomAutocontrast(),
    lambda: T.RandomEqualize(),
    lambda: T.AutoAugment(T.AutoAugmentPolicy.CIFAR10),
    lambda: T.RandAugment(num_ops=3),
    lambda: T.TrivialAugmentWide(),
    lambda: T.AugMix(),
    lambda: T.RandomApply([T.RandomRotation(30), T.ColorJitter(0.5)], p=0.7),
    lambda: T.RandomChoice([T.RandomCrop(12), T.RandomResizedCrop(10)]),
    lambda: T.RandomOrder([T.RandomCrop(20), T.RandomRotation(10)]),
    lambda: T.Compose([T.RandomResizedCrop(16), T.RandomHorizontalFlip(), T.ColorJitter(0.3)]),
]


class TestReplay:
    @pytest.mark.parametrize("factory", RANDOM_TRANSFORMS, ids=lambda f: repr(f()).split("(")[0])
    @pytest.mark.parametrize("kind", ["tensor", "pil"])
    def test_apply_params_replays_the_last_call(self, factory: Factory, kind: str) -> None:
        transform = factory()
        img = IMG if kind == "tensor" else _pil(IMG)
        for seed in range(3):
            torch.manual_seed(seed)
            random.seed(seed)
            out = _as_tensor(transform(img))
            torch.manual_seed(seed + 100)  # a replay must not depend on (nor draw from) the generator
            state = torch.get_rng_state()
            replayed = _as_tensor(transform.apply_params(img, transform.last_params))
            assert torch.equal(torch.get_rng_state(), state)
            assert torch.equal(replayed, out)

    def test_erasing_replays_on_tensors(self) -> None:
        erasing = T.RandomErasing(p=1.0, value="random")
        out = erasing(IMG.float())
        assert torch.equal(erasing.apply_params(IMG.float(), erasing.last_params), out)


class TestBatchedImages:
    @pytest.mark.parametrize(
        "op",
        [
            lambda x: F.rotate(x, 30, interpolation=IM.BILINEAR, fill=[1.0, 2.0, 3.0]),
            lambda x: F.affine(x, 10, [2, 1], 1.1, [5.0, 2.0]),
            lambda x: F.perspective(x, [[0, 0], [29, 0], [29, 23], [0, 23]], [[2, 1], [27, 0], [29, 20], [1, 23]]),
            lambda x: F.resize(x, [11, 13]),
            lambda x: F.adjust_hue(x, 0.2),
            lambda x: F.adjust_sharpness(x, 2.0),
            lambda x: F.autocontrast(x),
            lambda x: F.equalize(x),
            lambda x: F.pad(x, [2, 3], padding_mode="symmetric"),
        ],
    )
    def test_batch_equals_per_image(self, op: Callable[[torch.Tensor], torch.Tensor]) -> None:
        batch = torch.stack([IMG, _image(seed=1), _image(seed=2), _image(seed=3)]).reshape(2, 2, 3, 24, 30)
        out = op(batch)
        for i in range(2):
            for j in range(2):  # uint8 results may differ by one rounding step between batch sizes
                assert int((out[i, j].int() - op(batch[i, j]).int()).abs().max()) <= 1


# --------------------------------------------------------------------------------------------------------- boxes
def _rectangle_image() -> tuple[torch.Tensor, torch.Tensor]:
    """A white 15x10 rectangle on a black 50x40 canvas, and its box."""
    img = torch.zeros(1, 40, 50, dtype=torch.uint8)
    img[:, 10:20, 15:30] = 255
    return img, torch.tensor([[15.0, 10.0, 30.0, 20.0]])


def _object_box(img: torch.Tensor | PIL.Image.Image) -> list[int]:
    """The box around pixels brighter than half intensity."""
    ys, xs = torch.nonzero(_as_tensor(img)[0] > 127, as_tuple=True)
    return [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]


GEOMETRIC_TRANSFORMS: list[Factory] = [
    lambda: T.RandomHorizontalFlip(p=1.0),
    lambda: T.RandomVerticalFlip(p=1.0),
    lambda: T.RandomCrop(30, padding=4),
    lambda: T.CenterCrop(24),
    lambda: T.CenterCrop((50, 61)),
    lambda: T.RandomResizedCrop(32, scale=(0.5, 1.0)),
    lambda: T.Resize(20),
    lambda: T.Resize((60, 33)),
    lambda: T.Pad((3, 5, 7, 9)),
    lambda: T.Pad((-3, -5, 2, 1)),
    lambda: T.RandomRotation(45, expand=True),
    lambda: T.RandomRotation((30, 30)),
    lambda: T.RandomRotation(60, expand=True, center=(10, 12), interpolation=IM.BILINEAR),
    lambda: T.RandomAffine(20, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=(-10, 10, -5, 5)),
    lambda: T.RandomAffine(20, scale=(0.8, 1.2), shear=(-10, 10), center=(5, 30), interpolation=IM.BILINEAR),
    lambda: T.RandomPerspective(0.6, p=1.0),
    lambda: T.Compose([T.RandomResizedCrop(32, scale=(0.6, 1.0)), T.RandomHorizontalFlip(), T.RandomRotation(30)]),
    lambda: T.RandomChoice([T.RandomVerticalFlip(1.0), T.RandomRotation(20, expand=True)]),
    lambda: T.RandomApply([T.RandomAffine(15, scale=(0.9, 1.1))], p=0.7),
    lambda: T.ColorJitter(0.2),
]


class TestBoxes:
    @pytest.mark.parametrize("factory", GEOMETRIC_TRANSFORMS, ids=lambda f: repr(f()).split("(")[0])
    @pytest.mark.parametrize("kind", ["tensor", "pil"])
    def test_box_follows_the_object(self, factory: Factory, kind: str) -> None:
        img, box = _rectangle_image()
        transform = factory()
        for seed in range(3):
            torch.manual_seed(seed)
            random.seed(seed)
            out = transform(img if kind == "tensor" else _pil(img))
            mapped = transform.map_boxes(box)[0].tolist()
            found = _object_box(out)
            # The box holds every object pixel and is tight around them (within interpolation blur).
            assert mapped[0] - 1 <= found[0] <= mapped[0] + 1.5
            assert mapped[1] - 1 <= found[1] <= mapped[1] + 1.5
            assert mapped[2] - 1.5 <= found[2] <= mapped[2] + 1
            assert mapped[3] - 1.5 <= found[3] <= mapped[3] + 1

    def test_boxes_are_clipped_to_the_canvas(self) -> None:
        boxes = torch.tensor([[15.0, 10.0, 30.0, 20.0], [0.0, 0.0, 5.0, 5.0]])
        out = F.crop_boxes(boxes, 12, 20, 30, 40)
        assert out.tolist() == [[0.0, 0.0, 10.0, 8.0], [0.0, 0.0, 0.0, 0.0]]

    @pytest.mark.parametrize(
        "ops",
        [[("ShearX", 0.3)], [("ShearY", -0.2)], [("TranslateX", 7.0)], [("TranslateY", -5.0)], [("Rotate", 20.0)]],
    )
    def test_auto_augment_geometric_ops_move_boxes(self, ops: list[tuple[str, float]]) -> None:
        img, box = _rectangle_image()
        augment = T.RandAugment()
        params = {"image_size": (40, 50), "ops": ops}
        found = _object_box(augment.apply_params(img, params))
        mapped = augment.map_boxes(box, params)[0].tolist()
        assert all(abs(f - m) <= 1.5 for f, m in zip(found, mapped, strict=True))

    def test_chained_warps_keep_the_object_inside(self) -> None:
        img, box = _rectangle_image()
        augment = T.RandAugment()
        params = {"image_size": (40, 50), "ops": [("ShearX", 0.3), ("TranslateY", -5.0), ("Rotate", 20.0)]}
        found = _object_box(augment.apply_params(img, params))
        x1, y1, x2, y2 = augment.map_boxes(box, params)[0].tolist()
        assert x1 - 1 <= found[0] and y1 - 1 <= found[1] and found[2] <= x2 + 1 and found[3] <= y2 + 1

    def test_rotate_boxes_by_quarter_turn(self) -> None:
        box = torch.tensor([[15.0, 10.0, 30.0, 20.0]])
        rotated = F.rotate_boxes(box, (40, 50), 90, expand=True)
        assert torch.allclose(rotated, torch.tensor([[10.0, 20.0, 20.0, 35.0]]), atol=1e-4)

    def test_perspective_identity(self) -> None:
        corners = [[0, 0], [49, 0], [49, 39], [0, 39]]
        box = torch.tensor([[15.0, 10.0, 30.0, 20.0]])
        assert torch.allclose(F.perspective_boxes(box, (40, 50), corners, corners), box, atol=1e-3)

    def test_photometric_transforms_keep_boxes(self) -> None:
        jitter = T.ColorJitter(0.5)
        jitter(IMG)
        box = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
        assert torch.equal(jitter.map_boxes(box), box)

    def test_integer_boxes_become_float(self) -> None:
        assert F.hflip_boxes(torch.tensor([[1, 2, 3, 4]]), 10).tolist() == [[7.0, 2.0, 9.0, 4.0]]

    @pytest.mark.parametrize(
        ("factory", "error", "match"),
        [
            (lambda: F.hflip_boxes([[1, 2, 3, 4]], 10), TypeError, r"boxes should be a Tensor\[N, 4\], got list"),
            (lambda: F.vflip_boxes(torch.zeros(4), 10), ValueError, r"boxes should have shape \[N, 4\], got \(4,\)"),
            (lambda: T.RandomHorizontalFlip().map_boxes(torch.zeros(1, 4)), RuntimeError, r"call it on an image"),
        ],
    )
    def test_rejects_invalid(self, factory: Factory, error: type[Exception], match: str) -> None:
        _check_raises(factory, error, match)


class TestRotationMath:
    def test_forward_and_inverse_matrices_compose_to_identity(self) -> None:
        from visionkit.transforms._geometry import affine_matrix

        args = ([3.0, -2.0], 25.0, [4.0, 1.0], 1.3, [7.0, -3.0])
        a, b, c, d, e, f = affine_matrix(*args, inverted=False)
        p, q, r, s, t, u = affine_matrix(*args)
        x, y = 5.0, 8.0
        fx, fy = a * x + b * y + c, d * x + e * y + f
        assert math.isclose(p * fx + q * fy + r, x, abs_tol=1e-9)
        assert math.isclose(s * fx + t * fy + u, y, abs_tol=1e-9)


def test_v1_blur_refuses_five_dimensional_tensors_as_torchvision_does() -> None:
    # torchvision's v1 blur pads the tensor itself, and torch's reflect padding has no 5-D form; v2 blurs videos
    video = torch.zeros(2, 2, 3, 16, 16, dtype=torch.uint8)
    with pytest.raises(NotImplementedError, match="5D input"):
        F.gaussian_blur(video, [3, 3])
    assert F2.gaussian_blur(video, [3, 3]).shape == video.shape
