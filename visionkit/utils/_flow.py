"""Optical flow as a colour picture: hue is the direction of motion, saturation its relative speed."""

from __future__ import annotations

import torch

__all__ = ["flow_to_image"]

# The colour wheel of Baker et al., "A Database and Evaluation Methodology for Optical Flow" (ICCV 2007), as used
# by the Middlebury benchmark: going round it, one channel stays at 255 while another rises from 0 or falls to 0.
# Each segment is (number of hues, channel held at 255, channel that changes, whether it rises).
_RED, _GREEN, _BLUE = 0, 1, 2
_WHEEL_SEGMENTS = (
    (15, _RED, _GREEN, True),  # red to yellow
    (6, _GREEN, _RED, False),  # yellow to green
    (4, _GREEN, _BLUE, True),  # green to cyan
    (11, _BLUE, _GREEN, False),  # cyan to blue
    (13, _BLUE, _RED, True),  # blue to magenta
    (6, _RED, _BLUE, False),  # magenta to red
)


def _color_wheel() -> torch.Tensor:
    """The ``(55, 3)`` float32 colour wheel, with values in [0, 255]."""
    segments = []
    for length, held, changing, rises in _WHEEL_SEGMENTS:
        segment = torch.zeros(length, 3)
        ramp = torch.floor(torch.arange(length) * 255 / length)
        segment[:, held] = 255
        segment[:, changing] = ramp if rises else 255 - ramp
        segments.append(segment)
    return torch.cat(segments)


def _magnitude(flow: torch.Tensor) -> torch.Tensor:
    """The length of each ``(u, v)`` vector of an ``(N, 2, H, W)`` flow, as ``(N, H, W)``."""
    return flow.pow(2).sum(dim=1).sqrt()


@torch.no_grad()
def flow_to_image(flow: torch.Tensor) -> torch.Tensor:
    """Turn an optical flow into an RGB picture, as in the Middlebury benchmark.

    The direction of each flow vector picks a hue from a colour wheel and its length, relative to the longest vector
    in the whole input, how far the colour is from white: no motion is white, the fastest motion fully saturated.

    Args:
        flow (Tensor[N, 2, H, W] or Tensor[2, H, W]): float32 horizontal and vertical displacements, in pixels.

    Returns:
        Tensor[N, 3, H, W] or Tensor[3, H, W]: a uint8 image, batched like ``flow``.

    Raises:
        TypeError: ``flow`` is not a tensor.
        ValueError: ``flow`` is not float32 or not shaped (2, H, W) / (N, 2, H, W).
    """
    if not isinstance(flow, torch.Tensor):
        raise TypeError(f"`flow` should be a Tensor, got {type(flow).__name__}")
    if flow.dtype != torch.float32:
        raise ValueError(f"`flow` should have dtype torch.float32, got {flow.dtype}")
    batch = flow[None] if flow.ndim == 3 else flow
    if batch.ndim != 4 or batch.shape[1] != 2:
        raise ValueError(f"`flow` should have shape (2, H, W) or (N, 2, H, W), got {tuple(flow.shape)}")

    # The epsilon keeps an all-zero flow from dividing by zero.
    longest = _magnitude(batch).max() + torch.finfo(batch.dtype).eps
    image = _unit_flow_to_image(batch / longest)
    return image[0] if flow.ndim == 3 else image


def _unit_flow_to_image(flow: torch.Tensor) -> torch.Tensor:
    """``(N, 2, H, W)`` flow whose vectors are at most 1 long to an ``(N, 3, H, W)`` uint8 image."""
    wheel = _color_wheel().to(flow.device)
    num_hues = wheel.shape[0]
    # The angle of the vector, turned by half a circle, in [-1, 1], and then as a fractional position on the wheel.
    angle = torch.atan2(-flow[:, 1], -flow[:, 0]) / torch.pi
    position = (angle + 1) / 2 * (num_hues - 1)
    lower = torch.floor(position).to(torch.long)
    upper = lower + 1
    upper[upper == num_hues] = 0
    weight = (position - lower)[..., None]
    hue = (1 - weight) * (wheel[lower] / 255.0) + weight * (wheel[upper] / 255.0)
    # Short vectors are drawn close to white.
    color = 1 - _magnitude(flow)[..., None] * (1 - hue)
    return torch.floor(255 * color).to(torch.uint8).permute(0, 3, 1, 2).contiguous()
