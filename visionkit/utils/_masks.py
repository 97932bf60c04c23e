"""Blending segmentation masks over an image."""

from __future__ import annotations

import warnings
from numbers import Real

import torch

from ._color import Colors, colors_as_tensor, parse_colors
from ._image import check_image

__all__ = ["draw_segmentation_masks"]


def draw_segmentation_masks(
    image: torch.Tensor,
    masks: torch.Tensor,
    alpha: float = 0.8,
    colors: Colors = None,
) -> torch.Tensor:
    """Blend coloured segmentation masks over an RGB image.

    Each pixel covered by exactly one mask takes that mask's colour, a pixel covered by several masks is painted
    black (as torchvision 0.29 does), and the result is ``image * (1 - alpha) + painted * alpha``, truncated for uint8.

    Args:
        image (Tensor[3, H, W]): uint8 in [0, 255] or float in [0, 1].
        masks (Tensor[N, H, W] or Tensor[H, W]): bool masks.
        alpha (float): opacity of the masks in [0, 1]: 0 leaves the image as it is, 1 paints the masks opaque.
        colors (color or list of colors, optional): one colour for all masks or a list with one per mask, as PIL
            colour strings ("red", "#FF00FF") or RGB tuples. By default each mask gets a colour from a fixed palette.

    Returns:
        Tensor[3, H, W]: a new image with the image's dtype.

    Raises:
        TypeError: ``image`` or ``masks`` is not a tensor, or ``alpha`` is not a number.
        ValueError: wrong image dtype or shape, masks not bool or not (N, H, W) / (H, W) of the image's size,
            ``alpha`` outside [0, 1], or fewer colours than masks.
    """
    check_image(image, channels=(3,))
    masks = _checked_masks(masks, image)
    if not isinstance(alpha, Real):
        raise TypeError(f"`alpha` should be a float, got {alpha!r}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"`alpha` should be a float in [0, 1], got {alpha}")
    if masks.shape[0] == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn", stacklevel=2)
        return image
    # torchvision's default palette is made of integer tensors, so for float images it is divided by 255 in the
    # default float dtype, while named and tuple colours are divided as Python floats; match both to the bit.
    scale_dtype = torch.get_default_dtype() if colors is None else torch.float64
    palette = colors_as_tensor(parse_colors(colors, masks.shape[0]), image.dtype, scale_dtype).to(image.device)
    painted = image.detach().clone()
    for mask, color in zip(masks, palette, strict=True):
        painted[:, mask] = color[:, None]
    painted[:, masks.sum(dim=0) > 1] = 0
    return (image * (1 - alpha) + painted * alpha).to(image.dtype)


def _checked_masks(masks: object, image: torch.Tensor) -> torch.Tensor:
    """``masks`` as a checked ``(N, H, W)`` bool tensor of the image's size."""
    if not isinstance(masks, torch.Tensor):
        raise TypeError(f"`masks` should be a Tensor, got {type(masks).__name__}")
    if masks.dtype != torch.bool:
        raise ValueError(f"`masks` should have dtype torch.bool, got {masks.dtype}")
    if masks.ndim not in (2, 3):
        raise ValueError(f"`masks` should have shape (N, H, W) or (H, W), got {tuple(masks.shape)}")
    if masks.shape[-2:] != image.shape[-2:]:
        raise ValueError(
            f"`masks` should have the image's height and width {tuple(image.shape[-2:])}, got {tuple(masks.shape)}"
        )
    return masks.reshape(-1, *masks.shape[-2:])
