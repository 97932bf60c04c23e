"""v2 operations along the time axis of videos (``[..., T, C, H, W]``)."""

from __future__ import annotations

import torch

from .... import tv_tensors
from ._utils import _get_kernel, _register_kernel_internal

__all__ = ["uniform_temporal_subsample", "uniform_temporal_subsample_video"]


def uniform_temporal_subsample(inpt: torch.Tensor, num_samples: int) -> torch.Tensor:
    """Keep ``num_samples`` frames evenly spread from the first to the last."""
    return _get_kernel(uniform_temporal_subsample, type(inpt))(inpt, num_samples=num_samples)


@_register_kernel_internal(uniform_temporal_subsample, torch.Tensor)
@_register_kernel_internal(uniform_temporal_subsample, tv_tensors.Video)
def uniform_temporal_subsample_video(video: torch.Tensor, num_samples: int) -> torch.Tensor:
    last = video.shape[-4] - 1
    indices = torch.linspace(0, last, num_samples, device=video.device).long()
    return torch.index_select(video, -4, indices)
