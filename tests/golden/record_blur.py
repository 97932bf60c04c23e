"""Record digests of torchvision's Gaussian blur on uint8 images, for tests/test_blur_parity.py.

Run with a venv that has torchvision 0.29.1: ``python tests/golden/record_blur.py`` writes
``tests/golden/blur.json``, the SHA-256 of each output's bytes (see ``tests/pipelines/cases.py``). Blurring a uint8
image rounds the 2-D convolution's float32 sums: the cases cover full-size photos and images built so that many
sums fall near a rounding tie, for 1, 3 and 4 channels, batches, square and oblong kernels and both APIs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tests.pipelines.cases import PHOTOS, fingerprint, load_photo

KERNELS = ([3, 3], [5, 5], [9, 9], [7, 11], [15, 3], [31, 31])
SIGMAS = ([0.4, 0.4], [2.0, 2.0], [1.1, 6.5])


def images() -> dict[str, torch.Tensor]:
    """The photos (3 channels; the first also as gray and as a 4-channel batch of 2) and tie-prone patterns."""
    photos = {name: torch.from_numpy(np.array(load_photo(name))).permute(2, 0, 1).contiguous() for name in PHOTOS}
    first = photos[PHOTOS[0]]
    yy, xx = torch.meshgrid(torch.arange(97), torch.arange(131), indexing="ij")
    checker = (((yy + xx) % 2) * 255).to(torch.uint8).expand(3, -1, -1).clone()
    ramps = ((yy * 3 + xx * 5) % 256).to(torch.uint8)
    stripes = torch.stack([((xx // 2) % 2) * 255, ((yy // 3) % 2) * 128, (xx + yy) % 2 + 100]).to(torch.uint8)
    return {
        **photos,
        "gray": first[:1].clone(),
        "batch-rgba": torch.stack([torch.cat([first, first[:1]]), torch.cat([first, first[1:2]]).flip(-1)]),
        "checker": checker,
        "ramps": torch.stack([ramps, ((yy * 7 + xx * 2) % 256).to(torch.uint8), 255 - ramps]),
        "stripes": stripes,
    }


def cases(F1: Any, F2: Any) -> Iterator[tuple[str, Callable[[], Any]]]:
    """(name, thunk) pairs: every image with every kernel and sigma, through v2 (and v1 for the photos)."""
    for image_name, image in images().items():
        for kernel in KERNELS:
            if min(image.shape[-2:]) <= max(kernel) // 2:
                continue
            for sigma in SIGMAS:
                apis = (("v2", F2), ("v1", F1)) if image_name in PHOTOS else (("v2", F2),)
                for api, F in apis:
                    name = f"{api}/{image_name}/{kernel}/{sigma}"
                    yield name, lambda F=F, i=image, k=kernel, s=sigma: F.gaussian_blur(i, k, s)


if __name__ == "__main__":
    import torchvision.transforms.functional as functional_v1
    from torchvision.transforms.v2 import functional as functional_v2

    torch.set_num_threads(1)
    record = {name: fingerprint(thunk()) for name, thunk in cases(functional_v1, functional_v2)}
    path = Path(__file__).with_name("blur.json")
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"{len(record)} digests -> {path}")
