"""Record what torchvision's drawing utilities return, for tests/test_utils_draw.py.

Run with a venv that has torchvision 0.29.1: ``python tests/golden/record_utils_draw.py`` writes
``tests/golden/utils_draw.pt``. Each case stores the function's name, its keyword arguments (small tensors and plain
Python values) and either torchvision's output, whether it warned, or the name of the exception it raised. The test
calls visionkit with the same arguments and compares exactly.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import torch

OUT = Path(__file__).with_name("utils_draw.pt")

MASKS = "draw_segmentation_masks"
KEYPOINTS = "draw_keypoints"
FLOW = "flow_to_image"

# Odd sizes on purpose, so that no code path can get away with assuming square or even images.
HEIGHT, WIDTH = 7, 9
KP_HEIGHT, KP_WIDTH = 13, 17


def _images(g: torch.Generator, height: int, width: int) -> dict[str, torch.Tensor]:
    uint8 = torch.randint(0, 256, (3, height, width), generator=g, dtype=torch.uint8)
    float32 = torch.rand(3, height, width, generator=g)
    float32[0, 0, :3] = torch.tensor([0.0, 1.0, 0.5])  # the ends of the range and a half
    return {
        "uint8": uint8,
        "float32": float32,
        "float64": torch.rand(3, height, width, generator=g, dtype=torch.float64),
        # Below 1 so that drawing does not depend on how 1.0 * 255.999 rounds in half precision.
        "float16": (torch.rand(3, height, width, generator=g) * 0.99).half(),
    }


def _masks(g: torch.Generator) -> torch.Tensor:
    """Four masks, the first two overlapping each other, the third overlapping the second, the fourth empty."""
    masks = torch.zeros(4, HEIGHT, WIDTH, dtype=torch.bool)
    masks[0, 1:5, 1:6] = True
    masks[1, 3:7, 4:9] = True
    masks[2] = torch.rand(HEIGHT, WIDTH, generator=g) > 0.6
    return masks


def mask_cases(g: torch.Generator) -> list[tuple[str, str, dict[str, Any]]]:
    images = _images(g, HEIGHT, WIDTH)
    masks = _masks(g)
    many = torch.rand(7, HEIGHT, WIDTH, generator=g) > 0.8
    out = []

    def add(name: str, **kwargs: Any) -> None:
        out.append((f"masks-{name}", MASKS, kwargs))

    for kind, image in images.items():
        add(f"{kind}-one-hw-mask-defaults", image=image, masks=masks[0])
        add(f"{kind}-one-mask-red", image=image, masks=masks[:1], colors="red")
        add(f"{kind}-overlapping-palette", image=image, masks=masks)
        add(f"{kind}-seven-masks-palette", image=image, masks=many, alpha=0.5)
        for alpha in (0.0, 0.3, 1.0):
            add(f"{kind}-overlapping-alpha{alpha}", image=image, masks=masks, alpha=alpha)
        add(f"{kind}-names", image=image, masks=masks, colors=["red", "lime", "navy", "gold"])
        add(f"{kind}-tuples", image=image, masks=masks[:3], colors=[(240, 10, 157), (0, 0, 0), (255, 255, 255)])
    image = images["uint8"]
    add("hex-one-color", image=image, masks=masks, colors="#FF00FF", alpha=0.3)
    add(
        "short-hex-and-rgb-strings",
        image=image,
        masks=masks[:3],
        colors=["#0f0", "rgb(10, 20, 30)", "hsl(0, 100%, 50%)"],
    )
    add("mixed-list", image=image, masks=masks[:2], colors=["#123456", (7, 8, 9)], alpha=0.6)
    add("tuple-one-color", image=image, masks=masks, colors=(1, 2, 3), alpha=1.0)
    add("extra-colors-ignored", image=image, masks=masks[:2], colors=["red", "green", "blue", "white"])
    add("alpha-int-1", image=image, masks=masks, alpha=1)
    add("float32-hex-alpha1", image=images["float32"], masks=masks, colors="#abcdef", alpha=1.0)
    add("all-pixels-one-mask", image=image, masks=torch.ones(1, HEIGHT, WIDTH, dtype=torch.bool), colors="blue")
    add("no-masks-warns", image=image, masks=torch.zeros(0, HEIGHT, WIDTH, dtype=torch.bool))

    add("error-image-not-tensor", image=image.tolist(), masks=masks)
    add("error-image-int32", image=image.int(), masks=masks)
    add("error-image-batch", image=image[None], masks=masks)
    add("error-image-one-channel", image=image[:1], masks=masks)
    add("error-image-four-channels", image=torch.cat([image, image[:1]]), masks=masks)
    add("error-masks-4d", image=image, masks=masks[None])
    add("error-masks-1d", image=image, masks=masks[0, 0])
    add("error-masks-uint8", image=image, masks=masks.to(torch.uint8))
    add("error-masks-float", image=image, masks=masks.float())
    add("error-masks-size", image=image, masks=masks[:, :-1])
    add("error-too-few-colors", image=image, masks=masks, colors=["red", "blue"])
    add("error-color-pair", image=image, masks=masks, colors=(1, 2))
    add("error-color-int", image=image, masks=masks, colors=5)
    add("error-unknown-color-name", image=image, masks=masks, colors="not-a-colour")
    add("error-unknown-color-in-list", image=image, masks=masks[:2], colors=["red", "#zzzzzz"])
    return out


def keypoint_cases(g: torch.Generator) -> list[tuple[str, str, dict[str, Any]]]:
    images = _images(g, KP_HEIGHT, KP_WIDTH)
    # Two instances of five keypoints with fractional coordinates (truncated when drawn), some near the borders.
    points = torch.tensor(
        [
            [[2.7, 3.2], [8.5, 1.9], [14.9, 6.0], [10.1, 11.8], [0.0, 12.0]],
            [[5.0, 5.0], [6.4, 9.6], [16.0, 0.0], [1.2, 8.8], [12.3, 4.4]],
        ]
    )
    skeleton = [(0, 1), (1, 2), (2, 3), (3, 4), (0, 3)]
    visible = torch.tensor([[True, False, True, True, True], [True, True, False, True, False]])
    out = []

    def add(name: str, **kwargs: Any) -> None:
        out.append((f"keypoints-{name}", KEYPOINTS, kwargs))

    for kind, image in images.items():
        add(f"{kind}-red", image=image, keypoints=points, colors="red")
        add(f"{kind}-skeleton-no-colors", image=image, keypoints=points, connectivity=skeleton)
        add(
            f"{kind}-skeleton-visibility",
            image=image,
            keypoints=points,
            connectivity=skeleton,
            colors="blue",
            visibility=visible,
        )
    image = images["uint8"]
    add("defaults", image=image, keypoints=points)
    add("tuple-color-skeleton", image=image, keypoints=points, connectivity=skeleton, colors=(240, 10, 157))
    add("hex-color", image=image, keypoints=points, colors="#00FF7F", radius=1)
    for radius in (0, 1, 3, 5):
        add(f"radius{radius}", image=image, keypoints=points, colors="yellow", radius=radius)
    for width in (0, 1, 2, 5):
        add(f"width{width}", image=image, keypoints=points, connectivity=skeleton, colors="red", width=width)
    add("empty-connectivity", image=image, keypoints=points, connectivity=[], colors="red")
    add("list-pairs-connectivity", image=image, keypoints=points, connectivity=[[0, 2], [1, 4]], colors="red")
    add("int-keypoints", image=image, keypoints=points.to(torch.int64), connectivity=skeleton, colors="cyan")
    add("keypoints-outside", image=image, keypoints=points * 2 - 6, connectivity=skeleton, colors="white", radius=3)
    add("one-instance-one-point", image=image, keypoints=points[:1, :1], colors="red")
    add("no-instances", image=image, keypoints=points[:0], connectivity=skeleton, colors="red")
    add(
        "visibility-all-false",
        image=image,
        keypoints=points,
        connectivity=skeleton,
        colors="red",
        visibility=torch.zeros(2, 5, dtype=torch.bool),
    )
    add(
        "visibility-float",
        image=image,
        keypoints=points,
        connectivity=skeleton,
        colors="red",
        visibility=visible.float(),
    )
    add(
        "visibility-int",
        image=image,
        keypoints=points,
        connectivity=skeleton,
        colors="red",
        visibility=visible.int() * 3,
    )
    add("negative-connectivity", image=image, keypoints=points, connectivity=[(0, -1), (-2, -4)], colors="red")
    scored = torch.cat([points, torch.rand(2, 5, 1, generator=g)], dim=-1)
    add("keypoints-with-score-column", image=image, keypoints=scored, connectivity=skeleton, colors="red")
    add(
        "visibility-nk1",
        image=image,
        keypoints=points,
        connectivity=skeleton,
        colors="red",
        visibility=visible[..., None],
    )

    add("error-image-not-tensor", image=image.tolist(), keypoints=points)
    add("error-image-int16", image=image.short(), keypoints=points)
    add("error-image-batch", image=image[None], keypoints=points)
    add("error-image-one-channel", image=image[:1], keypoints=points)
    add("error-keypoints-2d", image=image, keypoints=points[0])
    add("error-keypoints-4d", image=image, keypoints=points[None])
    add("error-visibility-1d", image=image, keypoints=points, visibility=visible[0])
    add("error-visibility-shape", image=image, keypoints=points, visibility=visible[:, :4])
    add("error-visibility-instances", image=image, keypoints=points, visibility=visible[:1])
    return out


def flow_cases(g: torch.Generator) -> list[tuple[str, str, dict[str, Any]]]:
    flow = torch.randn(2, 6, 7, generator=g) * 3
    flow[:, 0, 0] = 0  # no motion: white
    flow[:, 0, 1] = torch.tensor([-1.0, 0.0])  # exactly along an axis
    flow[:, 0, 2] = torch.tensor([1.0, -0.0])  # where atan2 gives +pi: the last hue of the wheel, wrapping to the first
    batch = torch.randn(3, 2, 5, 4, generator=g)
    out = []

    def add(name: str, **kwargs: Any) -> None:
        out.append((f"flow-{name}", FLOW, kwargs))

    add("single", flow=flow)
    add("batch", flow=batch)
    add("tiny-values", flow=flow * 1e-6)
    add("all-zero", flow=torch.zeros(2, 3, 3))
    add("error-float64", flow=flow.double())
    add("error-three-channels", flow=torch.zeros(3, 4, 4))
    add("error-2d", flow=flow[0])
    return out


def all_cases() -> list[tuple[str, str, dict[str, Any]]]:
    g = torch.Generator().manual_seed(0)
    return mask_cases(g) + keypoint_cases(g) + flow_cases(g)


def record(utils: Any) -> dict[str, Any]:
    cases = []
    for name, function, kwargs in all_cases():
        case: dict[str, Any] = {"name": name, "function": function, "kwargs": kwargs}
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                case["expected"] = getattr(utils, function)(**kwargs)
            case["warns"] = bool(caught)
        except Exception as exc:  # whatever torchvision raises: its type is what is recorded
            case["raises"] = type(exc).__name__
        cases.append(case)
    return {"cases": cases}


if __name__ == "__main__":
    import torchvision
    import torchvision.utils

    golden = record(torchvision.utils)
    golden["torchvision"] = torchvision.__version__
    torch.save(golden, OUT)
    raised = sum("raises" in case for case in golden["cases"])
    print(f"wrote {len(golden['cases'])} cases ({raised} raising) to {OUT} ({OUT.stat().st_size} bytes)")
