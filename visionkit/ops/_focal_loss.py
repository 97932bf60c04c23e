"""Sigmoid focal loss (Lin et al., 2017), the classification loss of RetinaNet."""

from __future__ import annotations

from torch import Tensor
from torch.nn import functional as F

from ._checks import check_real, check_reduction


def sigmoid_focal_loss(
    inputs: Tensor, targets: Tensor, alpha: float = 0.25, gamma: float = 2, reduction: str = "none"
) -> Tensor:
    """Binary cross-entropy scaled down on well-classified examples, so that the many easy negatives of dense
    detection do not drown out the hard ones.

    Args:
        inputs (Tensor): logits, of any shape.
        targets (Tensor): same shape as ``inputs``; 1 for the positive class, 0 for the negative one.
        alpha (float): weight of the positives in [0, 1] (negatives get ``1 - alpha``); a negative value turns
            the weighting off.
        gamma (float): exponent of the modulating factor ``(1 - p_t)``; 0 gives plain cross-entropy.
        reduction (str): ``"none"`` (one loss per element), ``"mean"`` or ``"sum"``.

    Returns:
        Tensor: the losses, reduced as asked.
    """
    check_real(inputs, "inputs")
    check_real(targets, "targets")
    check_reduction(reduction)
    p = inputs.sigmoid()
    cross_entropy = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = cross_entropy * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
