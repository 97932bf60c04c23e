"""Gaussian blur of uint8 images gives torchvision's bytes (v1 and v2), on photos and on tie-prone patterns.

visionkit blurs uint8 images with two 1-D passes and recomputes with the 2-D convolution only the values whose
rounding the passes cannot settle; the digests were recorded from torchvision 0.29.1 by tests/golden/record_blur.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import visionkit.transforms.functional as F1
import visionkit.transforms.v2.functional as F2
from tests.golden.record_blur import cases
from tests.pipelines.cases import PHOTOS, fingerprint, load_photo
from visionkit.transforms import _color

RECORDED = json.loads((Path(__file__).parent / "golden" / "blur.json").read_text())
CASES = dict(cases(F1, F2))


def test_every_recorded_case_is_computed() -> None:
    assert sorted(CASES) == sorted(RECORDED)


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("name", sorted(RECORDED))
def test_blur_matches_torchvision(name: str) -> None:
    actual = fingerprint(CASES[name]())
    expected = RECORDED[name]
    assert actual["shape"] == expected["shape"]
    assert actual["sha256"] == expected["sha256"], f"channel sums {actual['sums']} != {expected['sums']}"


def _blur_parts(image: torch.Tensor, size: int, sigma: float) -> tuple[torch.Tensor, torch.Tensor, list[float]]:
    weights = _color._gaussian_kernel1d_softmax(size, sigma, torch.float32)
    padded = torch.nn.functional.pad(image[None].float(), [size // 2] * 4, mode="reflect")
    return padded, weights.outer(weights).expand(image.shape[0], 1, size, size), weights.tolist()


def test_values_near_a_tie_are_settled_by_the_convolution() -> None:
    """On a photo, rounding the two 1-D passes alone gives other whole numbers than the 2-D convolution here and
    there; the fast path finds those values and gives exactly the convolution's rounding."""
    photo = torch.from_numpy(np.array(load_photo(PHOTOS[0]))).permute(2, 0, 1).contiguous()
    padded, weight, weights = _blur_parts(photo, 9, 2.0)
    reference = torch.nn.functional.conv2d(padded, weight, groups=3).round()
    two_passes = _color._correlate1d(_color._correlate1d(padded, weights, dim=-1), weights, dim=-2).round()
    assert not torch.equal(two_passes, reference)
    assert torch.equal(_color._rounded_blur_uint8(padded, weight, weights, weights), reference)


def test_a_pattern_full_of_ties_takes_the_whole_convolution() -> None:
    yy, xx = torch.meshgrid(torch.arange(60), torch.arange(80), indexing="ij")
    checker = (((yy + xx) % 2) * 255).to(torch.uint8).expand(3, -1, -1).clone()
    sigma = math.sqrt(0.5 / math.log(2.0))  # weights (1/4, 1/2, 1/4): every blurred value is near 127.5
    padded, weight, weights = _blur_parts(checker, 3, sigma)
    assert _color._rounded_blur_uint8(padded, weight, weights, weights) is None
    expected = torch.nn.functional.conv2d(padded, weight, groups=3).round()[0].to(torch.uint8)
    assert torch.equal(F2.gaussian_blur(checker, [3, 3], [sigma, sigma]), expected)
