"""The Models page's families, explanations, comparison and timing: which family an architecture belongs to and
what its official weights say about it, which layers an explanation method can use, heatmaps over images, a
stage-by-stage comparison of two models, and a measured forward time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

from visionkit import models
from visionkit.models._summary import evaluating

#: Families in the order the picker shows them, with the prefixes of their builders' names.
FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ResNet", ("resnet", "resnext", "wide_resnet")),
    ("VGG", ("vgg",)),
    ("AlexNet", ("alexnet",)),
    ("SqueezeNet", ("squeezenet",)),
    ("DenseNet", ("densenet",)),
    ("GoogLeNet / Inception", ("googlenet", "inception")),
    ("MobileNet", ("mobilenet",)),
    ("ShuffleNet", ("shufflenet",)),
    ("MNASNet", ("mnasnet",)),
    ("EfficientNet", ("efficientnet",)),
    ("RegNet", ("regnet",)),
    ("ConvNeXt", ("convnext",)),
    ("Vision Transformer", ("vit_",)),
    ("Swin Transformer", ("swin",)),
    ("MaxViT", ("maxvit",)),
)
OTHER = "Other"
#: Explanation methods, and which kind of model each needs.
METHODS = ("Grad-CAM", "Grad-CAM++", "Occlusion", "Attention rollout")


def family_of(arch: str) -> str:
    return next((family for family, prefixes in FAMILIES if arch.startswith(prefixes)), OTHER)


def ordered_architectures() -> list[str]:
    """Every registered architecture, grouped by family in :data:`FAMILIES`' order, by name within a family."""
    order = {family: place for place, (family, _) in enumerate(FAMILIES)}
    return sorted(models.list_models(), key=lambda a: (order.get(family_of(a), len(order)), a))


def official_facts(arch: str) -> dict[str, Any]:
    """Parameter count, top-1 accuracy and GFLOPs of an architecture's default official weights (empty when it
    has none)."""
    found = list(models.get_model_weights(arch))
    if not found:
        return {}
    best = type(found[0]).DEFAULT if hasattr(type(found[0]), "DEFAULT") else found[0]
    meta = best.meta
    accuracy = next(iter(meta.get("_metrics", {}).values()), {}).get("acc@1")
    return {"params": meta.get("num_params"), "acc1": accuracy, "gflops": meta.get("_ops"), "weights": best.name}


def arch_label(arch: str) -> str:
    """``"ResNet · resnet50 · 25.6 M params · 80.9% top-1"`` for the picker."""
    facts = official_facts(arch)
    parts = [family_of(arch), arch]
    if facts.get("params"):
        parts.append(f"{facts['params'] / 1e6:.1f} M params")
    if facts.get("acc1"):
        parts.append(f"{facts['acc1']:.1f}% top-1")
    return " · ".join(parts)


def is_transformer(model: nn.Module) -> bool:
    """Whether the model attends with ``nn.MultiheadAttention`` over a class token (ViT), so that attention
    rollout applies."""
    return hasattr(model, "class_token") and any(isinstance(m, nn.MultiheadAttention) for m in model.modules())


def explainable_layers(model: nn.Module, input_size: tuple[int, ...], method: str) -> list[str]:
    """The layers where ``method`` is meaningful: for Grad-CAM(++) those whose output is a spatial map (``[N, C,
    h, w]`` with h, w > 1, Swin's channels-last stages, or a ViT's square grid of tokens), deepest last; none for
    the methods that need no layer.

    One forward pass on zeros records the output shapes (modes are restored)."""
    if method not in ("Grad-CAM", "Grad-CAM++"):
        return []
    shapes: dict[str, tuple[int, ...]] = {}
    hooks = []
    for name, module in model.named_modules():
        if name and name.count(".") <= 2 and not isinstance(module, (nn.Dropout, nn.Identity)):
            hooks.append(module.register_forward_hook(_shape_keeper(shapes, name)))
    try:
        with evaluating(model), torch.no_grad():
            model(torch.zeros(input_size))
    finally:
        for hook in hooks:
            hook.remove()
    return [name for name, shape in shapes.items() if _spatial(shape)]


def _shape_keeper(shapes: dict[str, tuple[int, ...]], name: str) -> Callable[..., None]:
    def keep(_module: nn.Module, _inputs: object, output: object) -> None:
        tensor = output[0] if isinstance(output, (tuple, list)) else output
        if isinstance(tensor, torch.Tensor):
            shapes[name] = tuple(tensor.shape)

    return keep


def _spatial(shape: tuple[int, ...]) -> bool:
    if len(shape) == 4:
        return min(shape[2], shape[3]) > 1 or min(shape[1], shape[2]) > 1
    if len(shape) == 3:
        tokens = shape[1]
        return any(round(n**0.5) ** 2 == n and n > 1 for n in (tokens, tokens - 1))
    return False


def explain(model: nn.Module, batch: torch.Tensor, method: str, layer: str | None, target: int) -> np.ndarray:
    """One heatmap ``[H, W]`` in [0, 1] for the first image of ``batch`` and class ``target``."""
    if method == "Grad-CAM":
        heat = models.grad_cam(model, batch, layer or "", target=target)
    elif method == "Grad-CAM++":
        heat = models.grad_cam_plus_plus(model, batch, layer or "", target=target)
    elif method == "Occlusion":
        side = min(batch.shape[-2:])  # a square of a seventh of the image, moved by half of it
        window = min(side, max(8, side // 7))
        heat = models.occlusion_sensitivity(model, batch, target=target, window=window, stride=max(1, window // 2))
    elif method == "Attention rollout":
        heat = models.attention_rollout(model, batch)
    else:
        raise ValueError(f"method should be one of {METHODS}, got {method!r}")
    return heat[0].numpy()


#: The colours of the heatmap, low to high (a perceptually ordered blue-green-yellow-red ramp).
RAMP = np.array(
    [[48, 18, 59], [50, 101, 220], [27, 189, 212], [97, 252, 108], [210, 233, 53], [254, 155, 45], [210, 49, 6]],
    dtype=np.float64,
)


def colorize(heat: np.ndarray) -> np.ndarray:
    """``[H, W]`` values in [0, 1] as RGB uint8 ``[H, W, 3]`` along :data:`RAMP`."""
    position = np.clip(heat, 0, 1) * (len(RAMP) - 1)
    low = np.floor(position).astype(int).clip(0, len(RAMP) - 2)
    share = (position - low)[..., None]
    return (RAMP[low] * (1 - share) + RAMP[low + 1] * share).round().astype(np.uint8)


def overlay(image: Image.Image, heat: np.ndarray, alpha: float = 0.5) -> Image.Image:
    """The heatmap over the image (resized to the heatmap's size), at opacity ``alpha``."""
    base = np.asarray(image.convert("RGB").resize(heat.shape[::-1], Image.Resampling.BILINEAR), dtype=np.float64)
    mixed = base * (1 - alpha) + colorize(heat).astype(np.float64) * alpha
    return Image.fromarray(mixed.round().astype(np.uint8))


def legend(width: int = 256, height: int = 14) -> Image.Image:
    """The colour ramp as a horizontal bar, low at the left."""
    return Image.fromarray(np.repeat(colorize(np.linspace(0, 1, width))[None], height, axis=0))


@dataclass(frozen=True)
class Stage:
    """One top-level part of a model: its name, output shape, parameters and mult-adds."""

    name: str
    type: str
    output_shape: tuple[int, ...] | None
    params: int
    mult_adds: int


def stages(info: models.ModelSummary) -> list[Stage]:
    """The model's top-level children (for a Sequential ``features``, its children) from a summary."""
    top = [row for row in info.rows if row.depth == 1]
    if len(top) <= 3:  # features / avgpool / classifier: look one level into the body
        body = max(top, key=lambda row: row.mult_adds, default=None)
        inner = [row for row in info.rows if row.depth == 2 and body and row.name.startswith(body.name + ".")]
        top = [row for row in top if row is not body] if inner else top
        order = {row.name: place for place, row in enumerate(info.rows)}
        top = sorted([*top, *inner], key=lambda row: order[row.name])
    return [Stage(row.name, row.type, row.output_shape, row.params, row.mult_adds) for row in top]


def depth_of(model: nn.Module) -> int:
    """Layers with weights along the model (convolutions, linear layers, attention): a simple depth."""
    kinds = (nn.Conv2d, nn.Linear, nn.MultiheadAttention)
    return sum(isinstance(m, kinds) for m in model.modules())


def forward_seconds(model: nn.Module, input_size: tuple[int, ...], repeat: int = 3) -> float:
    """The median wall time of a forward pass on zeros of ``input_size``, after one warm-up (eval, no grad)."""
    batch = torch.zeros(input_size)
    times = []
    with evaluating(model), torch.no_grad():
        model(batch)
        for _ in range(repeat):
            start = time.perf_counter()
            model(batch)
            times.append(time.perf_counter() - start)
    return float(np.median(times))


def size_mb(model: nn.Module) -> float:
    """Parameters and buffers in MB (as a float32 checkpoint weighs)."""
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors) / 2**20
