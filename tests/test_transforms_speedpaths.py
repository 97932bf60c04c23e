"""The fast paths of visionkit.transforms agree with straightforward references computed here.

Each fast path (hue shift without an HSV image, ColorJitter converting once, blends that skip a clamp they cannot
need, the integer smoothing of adjust_sharpness, vectorized equalize, torch's own
padding, resizing without a clamp, the cast to uint8 through numpy) is compared with the plain way of computing the
same thing, on random images of odd sizes, batched and unbatched. Exactness is what parity with
torchvision rests on: integer results must be equal unless a float rounding tie is involved.
"""

from __future__ import annotations

import numpy as np
import PIL.Image
import PIL.ImageOps
import pytest
import torch
import torch.nn.functional as nnf

import visionkit.transforms as T
import visionkit.transforms.functional as F
from visionkit.transforms import _geometry
from visionkit.transforms._image import cast_in_range

SHAPES = [(3, 37, 53), (2, 3, 29, 31), (1, 2, 3, 19, 24)]
LUMA = (0.2989, 0.587, 0.114)


def _uint8(shape: tuple[int, ...], seed: int = 0) -> torch.Tensor:
    """Random pixels, plus a band of few colors so that gray pixels and ties between channels occur."""
    gen = torch.Generator().manual_seed(seed)
    img = torch.randint(0, 256, shape, dtype=torch.uint8, generator=gen)
    img[..., : shape[-2] // 3, :] = img[..., : shape[-2] // 3, :] // 85 * 85
    return img


def _float(shape: tuple[int, ...], seed: int = 0) -> torch.Tensor:
    return _uint8(shape, seed).float() / 255 + torch.rand(shape, generator=torch.Generator().manual_seed(seed)) / 512


# ------------------------------------------------------------------------------------------ references, by the book
def _reference_hue(img: torch.Tensor, hue_factor: float) -> torch.Tensor:
    """RGB -> HSV (float32, on [0, 1] intensities), shift the hue, HSV -> RGB with the 6-sector table, and back."""
    unit = img.float() / 255 if img.dtype == torch.uint8 else img.float()
    r, g, b = unit.unbind(-3)
    value, low = unit.amax(-3), unit.amin(-3)
    chroma = value - low
    gray = chroma == 0
    sat = chroma / torch.where(gray, torch.ones_like(value), value)
    safe = torch.where(gray, torch.ones_like(chroma), chroma)
    rc, gc, bc = (value - r) / safe, (value - g) / safe, (value - b) / safe
    is_r = value == r
    is_g = (value == g) & ~is_r
    is_b = ~is_r & ~is_g
    hue = is_r * (bc - gc) + is_g * (2.0 + rc - bc) + is_b * (4.0 + gc - rc)
    hue = (torch.fmod(hue / 6.0 + 1.0, 1.0) + hue_factor) % 1.0
    sector = torch.floor(hue * 6.0)
    frac = hue * 6.0 - sector
    sector = sector.long() % 6
    p = (value * (1.0 - sat)).clamp(0.0, 1.0)
    q = (value * (1.0 - sat * frac)).clamp(0.0, 1.0)
    t = (value * (1.0 - sat * (1.0 - frac))).clamp(0.0, 1.0)
    table = {"r": (value, q, p, p, t, value), "g": (t, value, value, q, p, p), "b": (p, p, t, value, value, q)}
    out = torch.stack([torch.stack(table[c], -1).gather(-1, sector[..., None])[..., 0] for c in "rgb"], -3)
    if img.dtype == torch.uint8:
        return out.mul(255.999).to(torch.uint8)
    return out.to(img.dtype)


def _reference_blend(img: torch.Tensor, other: torch.Tensor | float, ratio: float) -> torch.Tensor:
    return (ratio * img.float() + (1.0 - ratio) * other).clamp(0, 255).to(torch.uint8)


def _reference_gray(img: torch.Tensor) -> torch.Tensor:
    r, g, b = img.unbind(-3)
    return (LUMA[0] * r + LUMA[1] * g + LUMA[2] * b).to(torch.uint8).unsqueeze(-3)


def _reference_adjust(img: torch.Tensor, name: str, factor: float) -> torch.Tensor:
    """One torchvision-style step on a uint8 image: blends cast back to uint8 (truncating) after every step."""
    if name == "brightness":
        return _reference_blend(img, 0.0, factor)
    if name == "contrast":
        return _reference_blend(img, _reference_gray(img).float().mean(dim=(-3, -2, -1), keepdim=True), factor)
    if name == "saturation":
        return _reference_blend(img, _reference_gray(img), factor)
    return _reference_hue(img, factor)


# ----------------------------------------------------------------------------------------------------------- hue
class TestHueShift:
    @pytest.mark.parametrize("shape", SHAPES)
    @pytest.mark.parametrize("hue_factor", [-0.5, -0.37, 0.0, 0.013, 0.25, 0.5])
    def test_uint8_equals_the_hsv_round_trip(self, shape: tuple[int, ...], hue_factor: float) -> None:
        img = _uint8(shape)
        assert torch.equal(F.adjust_hue(img, hue_factor), _reference_hue(img, hue_factor))

    def test_every_color_of_a_slice_of_the_cube(self) -> None:
        values = torch.arange(0, 256, 5, dtype=torch.uint8)
        r, g, b = torch.meshgrid(values, values, values[::6], indexing="ij")
        img = torch.stack([r, g, b]).reshape(3, len(values), -1)
        for hue_factor in (-0.41, 0.1, 1 / 3):
            assert torch.equal(F.adjust_hue(img, hue_factor), _reference_hue(img, hue_factor))

    @pytest.mark.parametrize("shape", SHAPES)
    @pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
    def test_float_equals_the_hsv_round_trip(self, shape: tuple[int, ...], dtype: torch.dtype) -> None:
        img = _float(shape).to(dtype)
        out = F.adjust_hue(img, 0.21)
        assert out.dtype == dtype
        assert torch.equal(out, _reference_hue(img, 0.21))

    def test_out_of_range_floats_keep_the_unclamped_value_channel(self) -> None:
        img = _float((2, 3, 17, 23)) * 1.6 - 0.3
        assert torch.equal(F.adjust_hue(img, -0.2), _reference_hue(img, -0.2))

    def test_int32_images_cannot_come_back_from_float(self) -> None:
        with pytest.raises(RuntimeError, match=r"float32 to torch.int32 cannot be performed safely"):
            F.adjust_hue(torch.zeros(3, 4, 5, dtype=torch.int32), 0.1)


class TestColorJitterChain:
    @pytest.mark.parametrize("shape", SHAPES)
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_equals_the_steps_cast_to_uint8_one_by_one(self, shape: tuple[int, ...], seed: int) -> None:
        img = _uint8(shape, seed)
        jitter = T.ColorJitter(0.6, 0.6, 0.6, 0.3)
        torch.manual_seed(seed)
        out = jitter(img)
        expected = img
        names = ("brightness", "contrast", "saturation", "hue")
        for index in jitter.last_params["order"]:
            expected = _reference_adjust(expected, names[index], jitter.last_params[names[index]])
        assert torch.equal(out, expected)

    def test_float_images_are_not_modified_in_place(self) -> None:
        img = _float((3, 11, 13))
        before = img.clone()
        T.ColorJitter(0.5, 0.5, 0.5, 0.2)(img)
        assert torch.equal(img, before)

    def test_no_enabled_adjustment_returns_the_image_itself(self) -> None:
        img = _uint8((4, 5, 7))  # not even checked, as no adjustment runs
        assert T.ColorJitter()(img) is img

    def test_rejects_images_that_are_neither_gray_nor_rgb(self) -> None:
        with pytest.raises(TypeError, match=r"img should have 1 or 3 channels, got 4"):
            T.ColorJitter(brightness=0.5)(_uint8((4, 5, 7)))


class TestBlendsWithoutClamp:
    """Blends of uint8 levels with a ratio in [0, 1] skip the clamp: the truncation must still keep them in range."""

    @staticmethod
    def _extremes(shape: tuple[int, ...]) -> torch.Tensor:
        img = _uint8(shape)
        img[..., ::2, :] = 255  # white and black rows, where a rounding error above 255 or below 0 would show
        img[..., 1::4, :] = 0
        return img

    @pytest.mark.parametrize("shape", SHAPES)
    @pytest.mark.parametrize("factor", [0.0, 1e-7, 0.3, 0.999, 1.0, 1.0 + 1e-6, 1.7])
    def test_each_adjustment_equals_the_clamped_blend(self, shape: tuple[int, ...], factor: float) -> None:
        img = self._extremes(shape)
        for name in ("brightness", "contrast", "saturation"):
            expected = _reference_adjust(img, name, factor)
            assert torch.equal(getattr(F, f"adjust_{name}")(img, factor), expected), name

    @pytest.mark.parametrize("factor", [0.25, 0.9999, 1.6])
    def test_sharpness_equals_the_clamped_blend(self, factor: float) -> None:
        img = self._extremes((3, 21, 26))
        smooth = F.adjust_sharpness(img, 0.0)  # the smoothed image itself, borders included
        assert torch.equal(F.adjust_sharpness(img, factor), _reference_blend(img, smooth.float(), factor))

    def test_float_images_are_still_clamped(self) -> None:
        img = torch.ones(3, 4, 5)
        assert F.adjust_brightness(img, 0.999999).max() <= 1.0
        assert F.adjust_saturation(img * 1.5, 0.5).max() == 1.0


class TestSharpnessSmoothing:
    @pytest.mark.parametrize("shape", SHAPES)
    def test_uint8_equals_the_3x3_convolution(self, shape: tuple[int, ...]) -> None:
        img = _uint8(shape)
        kernel = torch.ones(3, 3, dtype=torch.float64)
        kernel[1, 1] = 5.0
        batch = img.reshape(-1, 1, *img.shape[-2:]).double()
        smoothed = img.double().clone()
        smoothed[..., 1:-1, 1:-1] = nnf.conv2d(batch, (kernel / 13)[None, None]).round().view_as(img[..., 1:-1, 1:-1])
        expected = (1.7 * img.float() + (1.0 - 1.7) * smoothed.float()).clamp(0, 255).to(torch.uint8)
        assert torch.equal(F.adjust_sharpness(img, 1.7), expected)


# -------------------------------------------------------------------------------------------------- nearest warps
class TestNearestWarps:
    @pytest.mark.parametrize("shape", SHAPES)
    @pytest.mark.parametrize("angle", [90.0, -45.0, 17.3])
    def test_rotate_uint8_equals_rotating_its_float_copy(self, shape: tuple[int, ...], angle: float) -> None:
        img = _uint8(shape)
        expected = F.rotate(img.float(), angle, fill=[5.0] * shape[-3], expand=True).to(torch.uint8)
        assert torch.equal(F.rotate(img, angle, fill=[5.0] * shape[-3], expand=True), expected)

    def test_fill_is_rounded_and_clamped_for_uint8(self) -> None:
        img = _uint8((3, 9, 11))
        out = F.affine(img, 0.0, [50, 0], 1.0, 0.0, fill=[-4.0, 99.6, 300.0])  # moved right out of the picture
        assert torch.equal(out, torch.tensor([0, 100, 255], dtype=torch.uint8).view(3, 1, 1).expand(3, 9, 11))


# -------------------------------------------------------------------------------------------- histogram and padding
class TestEqualize:
    @pytest.mark.parametrize("shape", SHAPES)
    def test_matches_pil_channel_by_channel(self, shape: tuple[int, ...]) -> None:
        img = _uint8(shape)
        img[..., 0, :, :] = img[..., 0, :, :] // 128 * 255  # a two-level channel
        img.view(-1, *shape[-3:])[0, 1] = 9  # a flat channel: nothing to spread
        channels = img.reshape(-1, *shape[-2:])
        expected = [np.asarray(PIL.ImageOps.equalize(PIL.Image.fromarray(c.numpy()))) for c in channels]
        assert torch.equal(F.equalize(img), torch.from_numpy(np.stack(expected)).reshape(shape))

    def test_accepts_non_contiguous_images(self) -> None:
        img = _uint8((11, 13, 3)).permute(2, 0, 1)
        assert torch.equal(F.equalize(img), F.equalize(img.contiguous()))


class TestPadModes:
    @pytest.mark.parametrize("shape", SHAPES)
    @pytest.mark.parametrize(
        ("mode", "numpy_mode"), [("edge", "edge"), ("reflect", "reflect"), ("symmetric", "symmetric")]
    )
    @pytest.mark.parametrize("padding", [[1, 2, 3, 4], [5, 0, 0, 6], [20, 1, 2, 18]])
    def test_matches_numpy(self, shape: tuple[int, ...], mode: str, numpy_mode: str, padding: list[int]) -> None:
        img = _uint8(shape)
        left, top, right, bottom = padding
        widths = [(0, 0)] * (len(shape) - 2) + [(top, bottom), (left, right)]
        expected = torch.from_numpy(np.pad(img.numpy(), widths, mode=numpy_mode))
        assert torch.equal(F.pad(img, padding, padding_mode=mode), expected)

    @pytest.mark.parametrize(
        ("mode", "padding", "error"),
        [("reflect", [0, 0, 7, 0], RuntimeError), ("reflect", [0, 5, 0, 0], RuntimeError),
         ("symmetric", [8, 0, 0, 0], IndexError), ("symmetric", [0, 0, 0, 6], IndexError)],
    )  # fmt: skip
    def test_mirror_padding_beyond_the_side_is_refused_as_torchvision_refuses_it(
        self, mode: str, padding: list[int], error: type[Exception]
    ) -> None:
        img = _uint8((3, 5, 7))
        with pytest.raises(error, match=f"in {mode} mode"):
            F.pad(img, padding, padding_mode=mode)

    @pytest.mark.parametrize(("mode", "largest"), [("reflect", [6, 4, 6, 4]), ("symmetric", [7, 5, 7, 5])])
    def test_the_largest_mirror_padding_torchvision_takes_works(self, mode: str, largest: list[int]) -> None:
        assert F.pad(_uint8((3, 5, 7)), largest, padding_mode=mode).shape == (3, 5 + 2 * largest[1], 7 + 2 * largest[0])


# ---------------------------------------------------------------------------------------------------- conversions
class TestConversions:
    @pytest.mark.parametrize("shape", SHAPES)
    def test_uint8_to_float_divides_by_255(self, shape: tuple[int, ...]) -> None:
        img = _uint8(shape)
        assert torch.equal(F.convert_image_dtype(img, torch.float32), img.to(torch.float32) / 255)

    @pytest.mark.parametrize("shape", SHAPES)
    def test_normalize_leaves_its_input_alone_unless_inplace(self, shape: tuple[int, ...]) -> None:
        img = _float(shape)
        before = img.clone()
        mean, std = [0.1, 0.2, 0.3][: shape[-3]], [0.5, 0.6, 0.7][: shape[-3]]
        expected = (img - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
        assert torch.equal(F.normalize(img, mean, std), expected)
        assert torch.equal(img, before)
        assert F.normalize(img, mean, std, inplace=True) is img
        assert torch.equal(img, expected)

    @pytest.mark.parametrize("shape", SHAPES)
    @pytest.mark.parametrize(
        ("mode", "antialias"),
        [("bilinear", True), ("bilinear", False), ("bicubic", True), ("bicubic", False), ("nearest", False)],
    )
    @pytest.mark.parametrize("size", [[17, 12], [45, 70]])
    def test_resize_uint8_equals_rounded_clamped_float_resize(
        self, shape: tuple[int, ...], mode: str, antialias: bool, size: list[int]
    ) -> None:
        img = _uint8(shape)
        img[..., ::3, ::2] = 255  # sharp white-black edges, where bicubic overshoots the range
        batch = img.reshape(-1, *shape[-3:]).float()
        align = None if mode == "nearest" else False
        resized = nnf.interpolate(batch, size, mode=mode, antialias=antialias, align_corners=align)
        expected = resized.round().clamp(0, 255).to(torch.uint8).reshape(*shape[:-2], *size)
        out = F.resize(img, size, T.InterpolationMode(mode), antialias=antialias)
        assert torch.equal(out, expected)

    def test_cast_in_range_truncates_as_torch_does(self) -> None:
        # every float32 bit pattern from 0 up to 256 is a candidate: a random 2 million of them, and the edges
        generator = torch.Generator().manual_seed(5)
        top = int(torch.tensor(256.0).view(torch.int32))
        bits = torch.randint(0, top, (2_000_000,), generator=generator, dtype=torch.int32)
        values = torch.cat([bits.view(torch.float32), torch.tensor([0.0, -0.0, 0.5, 0.9999999, 254.99998, 255.999])])
        for dtype in (torch.float32, torch.float64):
            cast = values.to(dtype)
            assert torch.equal(cast_in_range(cast, torch.uint8), cast.to(torch.uint8))

    @pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
    def test_cast_to_uint8_equals_the_cast_through_int32(self, dtype: torch.dtype) -> None:
        whole = torch.randint(0, 256, (2, 3, 17, 19), generator=torch.Generator().manual_seed(3)).to(dtype)
        for values in (whole, whole.transpose(-1, -2), whole[..., ::2], whole.requires_grad_()):
            out = cast_in_range(values, torch.uint8)
            assert out.dtype == torch.uint8
            assert torch.equal(out, values.detach().to(torch.int32).to(torch.uint8))


class TestWarpGrids:
    """The sampling grid built from broadcast row and column products is ``bmm``'s, bit for bit."""

    @pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
    @pytest.mark.parametrize(("ow", "oh"), [(500, 375), (1, 1), (3, 640), (777, 2), (64, 64)])
    def test_grid_product_equals_bmm_of_the_base_grid(self, dtype: torch.dtype, ow: int, oh: int) -> None:
        generator = torch.Generator().manual_seed(ow * 7 + oh)
        x0, y0 = -ow * 0.5 + 0.5, -oh * 0.5 + 0.5
        base = _geometry._make_base_grid(ow, oh, x0, y0, dtype).view(1, oh * ow, 3)
        for scale in (1.0, 1e-3, 250.0):
            matrix = (torch.randn(1, 3, 2, generator=generator, dtype=torch.float64) * scale).to(dtype)
            expected = base.bmm(matrix).view(1, oh, ow, 2)
            assert torch.equal(_geometry._grid_product(ow, oh, x0, y0, matrix), expected)

    def test_rotation_by_a_quarter_turn_moves_pixels_exactly(self) -> None:
        img = _uint8((3, 40, 40))
        assert torch.equal(F.rotate(img, 90.0), img.rot90(1, dims=(-2, -1)))
