"""Why a classifier predicts what it does (beyond torchvision): Grad-CAM and Grad-CAM++ on a chosen layer,
occlusion sensitivity, and attention rollout for vision transformers. Each returns a heatmap per image at the
input's size, in [0, 1], that pages draw over the image.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._summary import check_model, evaluating, submodule

__all__ = ["attention_rollout", "grad_cam", "grad_cam_plus_plus", "occlusion_sensitivity"]


def grad_cam(model: nn.Module, batch: Tensor, layer: str, target: int | Sequence[int] | None = None) -> Tensor:
    """Grad-CAM (Selvaraju et al., 2017): the layer's activation maps weighted by the average gradient of the
    class score over each map, summed and rectified.

    Args:
        model (nn.Module): a classifier returning logits ``[N, classes]``; run in eval mode, modes restored after.
        batch (Tensor[N, 3, H, W]): the preprocessed images.
        layer (str): the dotted name of a layer with spatial output: ``[N, C, h, w]`` feature maps, or
            ``[N, L, D]`` tokens of a vision transformer (a class token first when ``L`` is one more than a square;
            it is left out), or Swin's ``[N, h, w, C]`` stage outputs (channels last when the last dimension is not
            a spatial one).
        target (int or sequence of int, optional): the class explained for every image, or one per image; the
            predicted class when None.

    Returns:
        Tensor[N, H, W]: the heatmaps, each scaled to [0, 1] (all zeros where no location raises the score).

    Raises:
        TypeError: if ``model`` is not an nn.Module or ``batch`` is not a 4-D float tensor.
        ValueError: if ``layer`` names no submodule or its output has no spatial layout, or a target class is out
            of range.
    """
    return _cam(model, batch, layer, target, plus_plus=False)


def grad_cam_plus_plus(
    model: nn.Module, batch: Tensor, layer: str, target: int | Sequence[int] | None = None
) -> Tensor:
    """Grad-CAM++ (Chattopadhay et al., 2018): like :func:`grad_cam`, but each map's weight sums the positive
    gradients weighted by second- and third-order terms, which credits several instances of a class instead of
    the most salient one. Arguments, returns and errors are :func:`grad_cam`'s."""
    return _cam(model, batch, layer, target, plus_plus=True)


def occlusion_sensitivity(
    model: nn.Module,
    batch: Tensor,
    target: int | Sequence[int] | None = None,
    window: int = 32,
    stride: int = 16,
    fill: float = 0.0,
    chunk: int = 32,
) -> Tensor:
    """Occlusion sensitivity (Zeiler & Fergus, 2014): how much the class probability drops when a square of the
    image is covered, for a square slid over the whole image.

    Args:
        model (nn.Module): a classifier returning logits.
        batch (Tensor[N, 3, H, W]): the preprocessed images.
        target (int or sequence of int, optional): as in :func:`grad_cam`.
        window (int): side of the covering square, in pixels.
        stride (int): step between squares, in pixels.
        fill (float): the value the square is filled with (0 is the dataset mean after ``Normalize``).
        chunk (int): how many occluded copies run through the model at once.

    Returns:
        Tensor[N, H, W]: the probability drops, upsampled and scaled to [0, 1] (negative drops count as 0).

    Raises:
        TypeError: as :func:`grad_cam`.
        ValueError: if ``window`` or ``stride`` is not a positive int at most the image's side, or a target class
            is out of range.
    """
    check_model(model)
    _check_batch(batch)
    height, width = batch.shape[-2:]
    for name, value in (("window", window), ("stride", stride), ("chunk", chunk)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"`{name}` should be a positive int, got {value!r}")
    if window > min(height, width):
        raise ValueError(f"`window` should be at most the image's side {min(height, width)}, got {window}")
    tops = list(range(0, height - window + 1, stride))
    lefts = list(range(0, width - window + 1, stride))
    maps = []
    with evaluating(model), torch.no_grad():
        logits = model(batch)
        classes = _targets(logits, target)
        for image, label, base in zip(batch, classes, logits.softmax(1), strict=True):
            spots = [(top, left) for top in tops for left in lefts]
            drops = []
            for start in range(0, len(spots), chunk):
                copies = image.expand(len(spots[start : start + chunk]), -1, -1, -1).clone()
                for copy, (top, left) in zip(copies, spots[start : start + chunk], strict=True):
                    copy[:, top : top + window, left : left + window] = fill
                drops.append(base[label] - model(copies).softmax(1)[:, label])
            grid = torch.cat(drops).reshape(len(tops), len(lefts)).clamp_min(0)
            maps.append(grid)
    heat = F.interpolate(torch.stack(maps)[:, None], size=(height, width), mode="bilinear", align_corners=False)
    return _unit_range(heat[:, 0])


def attention_rollout(model: nn.Module, batch: Tensor, discard_ratio: float = 0.0) -> Tensor:
    """Attention rollout (Abnar & Zuidema, 2020) for a vision transformer with a class token: each block's
    attention (averaged over heads, the residual added as the identity, rows renormalised) multiplied through the
    blocks; the class token's row over the patch tokens is the heatmap.

    Args:
        model (nn.Module): a ViT whose blocks use ``nn.MultiheadAttention`` on ``[N, 1 + h * w, D]`` tokens
            (torchvision's ``VisionTransformer``).
        batch (Tensor[N, 3, H, W]): the preprocessed images.
        discard_ratio (float): the share in [0, 1) of the weakest attention weights of each block set to zero
            before the rollout (sharper maps for larger values).

    Returns:
        Tensor[N, H, W]: the heatmaps, scaled from their minimum (0) to their maximum (1).

    Raises:
        TypeError: as :func:`grad_cam`.
        ValueError: if the model has no ``nn.MultiheadAttention`` or its tokens are not a class token and a square
            grid, or ``discard_ratio`` is outside [0, 1).
    """
    check_model(model)
    _check_batch(batch)
    if not 0 <= discard_ratio < 1:
        raise ValueError(f"`discard_ratio` should be in [0, 1), got {discard_ratio}")
    blocks = [m for m in model.modules() if isinstance(m, nn.MultiheadAttention)]
    if not blocks:
        raise ValueError(f"`model` should use nn.MultiheadAttention, got a {type(model).__name__} without it")
    weights: list[Tensor] = []

    def capture(module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        query = args[0] if args else kwargs["query"]
        with torch.no_grad():
            _, attention = nn.MultiheadAttention.forward(
                module, query, query, query, need_weights=True, average_attn_weights=True
            )
        weights.append(attention)

    hooks = [block.register_forward_pre_hook(capture, with_kwargs=True) for block in blocks]
    try:
        with evaluating(model), torch.no_grad():
            model(batch)
    finally:
        for hook in hooks:
            hook.remove()
    tokens = weights[0].shape[-1]
    side = round((tokens - 1) ** 0.5)
    if side * side != tokens - 1:
        raise ValueError(f"the attention covers {tokens} tokens: expected a class token and a square grid of patches")
    eye = torch.eye(tokens)
    rollout = eye.expand(batch.shape[0], -1, -1)
    for attention in weights:
        if discard_ratio > 0:
            flat = attention.flatten(1)
            cut = flat.quantile(discard_ratio, dim=1, keepdim=True)
            attention = torch.where(flat < cut, 0.0, flat).reshape(attention.shape)
        attention = attention + eye
        attention = attention / attention.sum(-1, keepdim=True)
        rollout = attention @ rollout
    grid = rollout[:, 0, 1:].reshape(-1, 1, side, side)
    heat = F.interpolate(grid, size=tuple(batch.shape[-2:]), mode="bilinear", align_corners=False)[:, 0]
    # The residual identity gives every patch a large common share: min-max scaling shows what differs.
    low = heat.flatten(1).amin(1)[:, None, None]
    return _unit_range(heat - low)


# ----------------------------------------------------------------------------------------------------------------
def _cam(model: nn.Module, batch: Tensor, layer: str, target: Any, plus_plus: bool) -> Tensor:
    check_model(model)
    _check_batch(batch)
    module = submodule(model, layer, "layer")
    with evaluating(model), _captured(module) as seen, torch.enable_grad():
        logits = model(batch.detach().requires_grad_(True))  # gradients flow even through frozen layers
        if "output" not in seen:
            raise ValueError(f"`layer` {layer!r} did not run in the forward pass")
        classes = _targets(logits, target)
        score = logits.gather(1, torch.as_tensor(classes)[:, None]).sum()
        (gradient,) = torch.autograd.grad(score, seen["output"])
    activations = _spatial(seen["output"].detach(), layer)
    gradient = _spatial(gradient, layer)
    if plus_plus:
        squared, cubed = gradient.pow(2), gradient.pow(3)
        totals = activations.sum(dim=(2, 3), keepdim=True)
        denominator = 2 * squared + totals * cubed
        alpha = squared / torch.where(denominator != 0, denominator, torch.ones_like(denominator))
        alpha = torch.where(gradient != 0, alpha, torch.zeros_like(alpha))
        weights = (alpha * gradient.clamp_min(0)).sum(dim=(2, 3), keepdim=True)
    else:
        weights = gradient.mean(dim=(2, 3), keepdim=True)
    cam = (weights * activations).sum(1, keepdim=True).clamp_min(0)
    heat = F.interpolate(cam, size=tuple(batch.shape[-2:]), mode="bilinear", align_corners=False)
    return _unit_range(heat[:, 0])


@contextmanager
def _captured(module: nn.Module) -> Iterator[dict[str, Tensor]]:
    """The output of ``module`` in the next forward pass, kept in the autograd graph."""
    seen: dict[str, Tensor] = {}

    def keep(_module: nn.Module, _inputs: object, output: object) -> None:
        tensor = output[0] if isinstance(output, (tuple, list)) else output
        if isinstance(tensor, Tensor):
            seen["output"] = tensor

    hook = module.register_forward_hook(keep)
    try:
        yield seen
    finally:
        hook.remove()


def _spatial(tensor: Tensor, layer: str) -> Tensor:
    """A layer's output as ``[N, C, h, w]``: feature maps as they are, ViT tokens (class token dropped) and Swin's
    channels-last maps rearranged."""
    if tensor.ndim == 3:
        tokens = tensor.shape[1]
        side = round(tokens**0.5)
        if side * side != tokens:
            side = round((tokens - 1) ** 0.5)
            if side * side != tokens - 1:
                raise ValueError(f"`layer` {layer!r} gives {tokens} tokens, not a square grid (with a class token)")
            tensor = tensor[:, 1:]
        return tensor.transpose(1, 2).reshape(tensor.shape[0], -1, side, side)
    if tensor.ndim == 4:
        if tensor.shape[1] == tensor.shape[2] and tensor.shape[3] != tensor.shape[2]:  # Swin: [N, h, w, C]
            return tensor.permute(0, 3, 1, 2)
        return tensor
    raise ValueError(f"`layer` {layer!r} gives a {tensor.ndim}-D output {tuple(tensor.shape)}: no spatial layout")


def _targets(logits: Tensor, target: int | Sequence[int] | None) -> list[int]:
    count, classes = logits.shape
    if target is None:
        return logits.argmax(1).tolist()
    chosen = [target] * count if isinstance(target, int) else list(target)
    if len(chosen) != count or not all(isinstance(c, int) and not isinstance(c, bool) for c in chosen):
        raise ValueError(f"`target` should be an int or one int per image ({count}), got {target!r}")
    if any(not 0 <= c < classes for c in chosen):
        raise ValueError(f"`target` should be classes in [0, {classes - 1}], got {target!r}")
    return chosen


def _check_batch(batch: object) -> None:
    if not isinstance(batch, Tensor) or batch.ndim != 4 or not batch.is_floating_point():
        shape = tuple(batch.shape) if isinstance(batch, Tensor) else type(batch).__name__
        raise TypeError(f"`batch` should be a float Tensor[N, C, H, W], got {shape}")


def _unit_range(maps: Tensor) -> Tensor:
    """Each map scaled to [0, 1] by its maximum (a map without positive values stays all zeros)."""
    peak = maps.flatten(1).amax(1).clamp_min(torch.finfo(maps.dtype).tiny)
    return (maps.clamp_min(0) / peak[:, None, None]).detach()
