"""v2 transforms along the time axis of videos (``[..., T, C, H, W]``)."""

from __future__ import annotations

from typing import Any

import torch

from . import functional as F
from ._transform import Transform

__all__ = ["UniformTemporalSubsample"]


class UniformTemporalSubsample(Transform):
    """Keep ``num_samples`` frames evenly spread from the first to the last (repeating frames when there are
    fewer).

    Args:
        num_samples: the number of frames kept.
    """

    _transformed_types = (torch.Tensor,)

    def __init__(self, num_samples: int) -> None:
        super().__init__()
        self.num_samples = num_samples

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.uniform_temporal_subsample, inpt, self.num_samples)
