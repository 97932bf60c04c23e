"""RoI Align (He et al., 2017) and RoI Pool (Girshick, 2015) in plain torch.

RoI Align averages bilinear samples taken on a regular grid in each output bin. Both the bilinear weights of a
sample and whether it lies on the feature map factor into a row part and a column part, so for one RoI the output
is ``Wy @ F @ Wx^T``: ``Wy`` (bins x rows) and ``Wx`` (bins x columns) add up the weights of every sample of a
bin, and ``F`` is the RoI's window of the feature map. Two small matrix products per RoI replace a gather per
sample, and no sample grid is materialised, whatever the sampling ratio. The feature map is made channels-last
once per image so that each window is a plain strided matrix for the first product.

The geometry (box scaling, bin sizes, sample positions, RoI Pool's rounding) follows the compiled kernels operation
for operation, in the same float precision, so that samples land on the same side of every boundary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from ._checks import check_real

BoxesArg = Tensor | Sequence[Tensor]

# An image is copied to channels-last when its RoI windows add up to this many times its area; below that, the
# copy costs more than it saves.
_CHANNELS_LAST_COVERAGE = 1.0
# -FLT_MAX, where RoI Pool's running maximum starts.
_FLT_LOWEST = -3.4028234663852886e38


def roi_align(
    input: Tensor,
    boxes: BoxesArg,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
) -> Tensor:
    """RoI Align (Mask R-CNN): average of bilinear samples on a regular grid in each bin of each box.

    Args:
        input (Tensor[N, C, H, W]): feature maps of a batch of N images.
        boxes (Tensor[K, 5] or list[Tensor[L, 4]]): boxes in (x1, y1, x2, y2) format in image coordinates,
            either with the batch index of their image as a first column, or as one tensor per image.
        output_size (int or tuple[int, int]): (height, width) of the output in bins.
        spatial_scale (float): factor from image to feature-map coordinates, e.g. 1/16 for a stride of 16.
        sampling_ratio (int): samples per bin along each axis; 0 or less adapts it to the box size,
            ``ceil(box size / output size)``.
        aligned (bool): shift the boxes by half a pixel so that sample positions align with pixel centres
            (as in Detectron2); False keeps the original behaviour.

    Returns:
        Tensor[K, C, output_size[0], output_size[1]]: the pooled features, in the dtype of ``input``.

    Note:
        A NaN or infinity in ``input`` makes every bin of a box whose window holds it NaN or infinite, where
        torchvision's kernel confines it to the bins that sample it (the matrix products multiply it by zero).
    """
    rois = _as_rois(input, boxes)
    out_h, out_w = _pair(output_size)
    if rois.shape[0] == 0:
        return input.new_zeros(0, input.shape[1], out_h, out_w)
    images = _image_indices(rois, input.shape[0])
    rows, cols = _align_weights(rois, (out_h, out_w), input, spatial_scale, sampling_ratio, aligned)
    return _contract_windows(input, images, rows, cols)


def roi_pool(input: Tensor, boxes: BoxesArg, output_size: int | tuple[int, int], spatial_scale: float = 1.0) -> Tensor:
    """RoI Pool (Fast R-CNN): maximum over each bin of each box, snapped to whole feature-map pixels.

    Args:
        input (Tensor[N, C, H, W]): feature maps of a batch of N images.
        boxes (Tensor[K, 5] or list[Tensor[L, 4]]): boxes in (x1, y1, x2, y2) format in image coordinates,
            either with the batch index of their image as a first column, or as one tensor per image.
        output_size (int or tuple[int, int]): (height, width) of the output in bins.
        spatial_scale (float): factor from image to feature-map coordinates, e.g. 1/16 for a stride of 16.

    Returns:
        Tensor[K, C, output_size[0], output_size[1]]: the pooled features; bins that fall outside the map are 0.
    """
    rois = _as_rois(input, boxes)
    out_h, out_w = _pair(output_size)
    if rois.shape[0] == 0:
        return input.new_zeros(0, input.shape[1], out_h, out_w)
    images = _image_indices(rois, input.shape[0])
    corners = _round_half_away_from_zero(rois[:, 1:].double() * spatial_scale).long()
    rows = _bin_edges(corners[:, 1], corners[:, 3], out_h, input.shape[2], input.dtype)
    cols = _bin_edges(corners[:, 0], corners[:, 2], out_w, input.shape[3], input.dtype)
    pooled = [
        _max_over_bins(input[n], row_bins, col_bins) for n, row_bins, col_bins in zip(images, rows, cols, strict=True)
    ]
    return torch.stack(pooled)


class RoIAlign(nn.Module):
    """Module form of :func:`roi_align`; the arguments are those of the function."""

    def __init__(
        self, output_size: int | tuple[int, int], spatial_scale: float, sampling_ratio: int, aligned: bool = False
    ) -> None:
        super().__init__()
        _pair(output_size)
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input: Tensor, rois: BoxesArg) -> Tensor:
        return roi_align(input, rois, self.output_size, self.spatial_scale, self.sampling_ratio, self.aligned)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(output_size={self.output_size}, spatial_scale={self.spatial_scale}, "
            f"sampling_ratio={self.sampling_ratio}, aligned={self.aligned})"
        )


class RoIPool(nn.Module):
    """Module form of :func:`roi_pool`; the arguments are those of the function."""

    def __init__(self, output_size: int | tuple[int, int], spatial_scale: float) -> None:
        super().__init__()
        _pair(output_size)
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input: Tensor, rois: BoxesArg) -> Tensor:
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(output_size={self.output_size}, spatial_scale={self.spatial_scale})"


def _as_rois(input: Tensor, boxes: BoxesArg) -> Tensor:
    """Check ``input`` and return ``boxes`` as Tensor[K, 5] rows of (batch index, x1, y1, x2, y2)."""
    check_real(input, "input")
    if not input.is_floating_point():
        raise TypeError(f"`input` should be a floating-point tensor, got dtype {input.dtype}")
    if input.dim() != 4:
        raise ValueError(f"`input` should have shape (N, C, H, W), got {tuple(input.shape)}")
    if isinstance(boxes, Tensor):
        check_real(boxes, "boxes")
        if boxes.dim() != 2 or boxes.shape[1] != 5:
            raise ValueError(
                "`boxes` should be a Tensor[K, 5] of (batch index, x1, y1, x2, y2) rows or a list of Tensor[L, 4], "
                f"got a tensor of shape {tuple(boxes.shape)}"
            )
        return boxes
    if not isinstance(boxes, Sequence):
        raise TypeError(f"`boxes` should be a Tensor[K, 5] or a list of Tensor[L, 4], got {type(boxes).__name__}")
    for i, per_image in enumerate(boxes):
        check_real(per_image, f"boxes[{i}]")
        if per_image.dim() != 2 or per_image.shape[1] != 4:
            raise ValueError(f"`boxes[{i}]` should have shape (L, 4), got {tuple(per_image.shape)}")
    if not boxes:
        return input.new_zeros(0, 5)
    return torch.cat([torch.cat([torch.full_like(b[:, :1], i), b], dim=1) for i, b in enumerate(boxes)])


def _image_indices(rois: Tensor, num_images: int) -> list[int]:
    """The image of each RoI; the index is truncated to an integer, as in the compiled kernels."""
    images = rois[:, 0].long()
    outside = (images < 0) | (images >= num_images)
    if outside.any():
        row = int(torch.where(outside)[0][0])
        raise ValueError(
            f"`boxes` row {row} refers to image {rois[row, 0].item()}, but `input` holds {num_images} image(s)"
        )
    return images.tolist()


def _pair(output_size: int | tuple[int, int]) -> tuple[int, int]:
    """``output_size`` as (height, width), both positive."""
    size = (output_size, output_size) if isinstance(output_size, int) else output_size
    if not isinstance(size, Sequence) or not all(isinstance(s, int) for s in size):
        raise TypeError(f"`output_size` should be an int or a pair of ints, got {output_size!r}")
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"`output_size` should be a positive int or a pair of positive ints, got {output_size!r}")
    return size[0], size[1]


def _align_weights(
    rois: Tensor, output_size: tuple[int, int], input: Tensor, spatial_scale: float, sampling_ratio: int, aligned: bool
) -> tuple[tuple[Tensor, Tensor, Tensor], tuple[Tensor, Tensor, Tensor]]:
    """RoI Align's row and column weights (see :func:`_axis_weights`), the rows divided by the samples per bin.

    The boxes are scaled in float64 and rounded once to the dtype of ``input``, where the rest is computed, as in
    the compiled kernel.
    """
    out_h, out_w = output_size
    dtype = input.dtype
    corners = rois[:, 1:].double() * spatial_scale - (0.5 if aligned else 0.0)
    start = corners[:, :2].to(dtype)
    size = corners[:, 2:].to(dtype) - start
    if not aligned:
        size = size.clamp(min=1)
    if sampling_ratio > 0:
        grid = torch.full_like(size, sampling_ratio, dtype=torch.int64)
    else:
        grid = torch.ceil(size / torch.tensor([out_w, out_h], dtype=dtype, device=size.device)).long()
    weights_y, top, height = _axis_weights(start[:, 1], size[:, 1], out_h, grid[:, 1], input.shape[2])
    weights_x, left, width = _axis_weights(start[:, 0], size[:, 0], out_w, grid[:, 0], input.shape[3])
    samples = (grid[:, 0] * grid[:, 1]).clamp(min=1).to(dtype)
    return (weights_y / samples[:, None, None], top, height), (weights_x, left, width)


def _axis_weights(start: Tensor, size: Tensor, bins: int, grid: Tensor, length: int) -> tuple[Tensor, Tensor, Tensor]:
    """Bilinear weights along one axis, summed over the samples of each bin.

    Args:
        start (Tensor[K]): first coordinate of each RoI on the feature map.
        size (Tensor[K]): extent of each RoI.
        bins (int): output bins along the axis.
        grid (Tensor[K]): samples per bin of each RoI (0 for none).
        length (int): size of the feature map along the axis.

    Returns:
        tuple[Tensor[K, bins, length], Tensor[K], Tensor[K]]: the weights, and the first pixel and number of
        pixels of the window that holds every non-zero weight.
    """
    dtype = start.dtype
    bin_size = (size / bins)[:, None, None]
    step = torch.arange(max(int(grid.max()), 1), dtype=dtype, device=start.device)
    index = torch.arange(bins, dtype=dtype, device=start.device)[:, None]
    per_bin = grid.clamp(min=1).to(dtype)[:, None, None]
    position = start[:, None, None] + index * bin_size + (step + 0.5) * bin_size / per_bin  # (K, bins, samples)
    valid = (position >= -1) & (position <= length) & (step < grid[:, None, None])
    # On the map, a sample interpolates between its two neighbouring pixels; from -1 to 0 and from the last pixel to
    # the edge it takes the border pixel.
    position = position.clamp(min=0, max=length - 1)
    low = position.floor()
    fraction = position - low
    low = low.long()
    high = (low + 1).clamp(max=length - 1)
    weights = torch.zeros(start.shape[0], bins, length, dtype=dtype, device=start.device)
    weights.scatter_add_(2, low, (1 - fraction) * valid)
    weights.scatter_add_(2, high, fraction * valid)
    first = torch.where(valid, low, length).amin(dim=(1, 2))
    last = torch.where(valid, high, -1).amax(dim=(1, 2))
    return weights, first, (last - first + 1).clamp(min=0)


def _contract_windows(
    input: Tensor, images: list[int], rows: tuple[Tensor, Tensor, Tensor], cols: tuple[Tensor, Tensor, Tensor]
) -> Tensor:
    """``Wy @ window @ Wx^T`` for each RoI; ``rows`` and ``cols`` are the results of :func:`_axis_weights`."""
    weights_y, top, height = rows
    weights_x, left, width = cols
    channels, out_h, out_w = input.shape[1], weights_y.shape[1], weights_x.shape[1]
    maps = _channels_last_maps(input, images, height * width)
    out = input.new_empty(len(images), channels, out_h, out_w)
    windows = zip(images, top.tolist(), height.tolist(), left.tolist(), width.tolist(), strict=True)
    for k, (n, y0, h, x0, w) in enumerate(windows):
        if h == 0 or w == 0:
            out[k] = 0
        elif n in maps:
            window = maps[n][y0 : y0 + h, x0 : x0 + w].flatten(1)  # (h, w * C), a strided view
            pooled_rows = (weights_y[k, :, y0 : y0 + h] @ window).view(out_h, w, channels)
            pooled = torch.matmul(weights_x[k, :, x0 : x0 + w], pooled_rows)  # (out_h, out_w, C)
            out[k] = pooled.view(-1, channels).t().view(channels, out_h, out_w)
        else:
            window = input[n, :, y0 : y0 + h, x0 : x0 + w]  # (C, h, w)
            out[k] = weights_y[k, :, y0 : y0 + h] @ window @ weights_x[k, :, x0 : x0 + w].T
    return out


def _channels_last_maps(input: Tensor, images: list[int], window_areas: Tensor) -> dict[int, Tensor]:
    """Channels-last copies (Tensor[H, W, C]) of the images whose RoI windows cover their map more than
    ``_CHANNELS_LAST_COVERAGE`` times over: for them the faster products repay the copy."""
    area = input.shape[2] * input.shape[3]
    covered = torch.zeros(input.shape[0], dtype=torch.float64).index_add_(
        0, torch.tensor(images), window_areas.double()
    )
    return {n: _channels_last(input[n]) for n in torch.where(covered >= _CHANNELS_LAST_COVERAGE * area)[0].tolist()}


def _channels_last(image: Tensor) -> Tensor:
    """``image`` (Tensor[C, H, W]) as a contiguous Tensor[H, W, C]."""
    channels, height, width = image.shape
    hwc = image.permute(1, 2, 0)
    if hwc.is_contiguous():
        return hwc
    # torch transposes a 2-D matrix far faster than it copies the equivalent 3-D permutation.
    return image.reshape(channels, height * width).t().contiguous().view(height, width, channels)


def _round_half_away_from_zero(x: Tensor) -> Tensor:
    """C's ``round``: like ``torch.round`` but halves go away from zero instead of to even."""
    whole = torch.trunc(x)
    return whole + torch.sign(x) * ((x - whole).abs() >= 0.5)


def _bin_edges(first: Tensor, last: Tensor, bins: int, length: int, dtype: torch.dtype) -> list[list[list[int]]]:
    """Start and end (exclusive) of each RoI Pool bin along one axis, clipped to [0, length].

    Args:
        first (Tensor[K]): first pixel of each RoI (int64).
        last (Tensor[K]): last pixel of each RoI, inclusive (int64).
        bins (int): output bins along the axis.
        length (int): size of the feature map along the axis.
        dtype (torch.dtype): float type the bin sizes are computed in, that of the input as in the kernel.

    Returns:
        list[list[list[int]]]: for each RoI, [starts, ends] of its bins.
    """
    bin_size = (last - first + 1).clamp(min=1).to(dtype)[:, None] / bins
    index = torch.arange(bins + 1, dtype=dtype, device=first.device)
    starts = torch.floor(index[:-1] * bin_size).long() + first[:, None]
    ends = torch.ceil(index[1:] * bin_size).long() + first[:, None]
    return torch.stack((starts.clamp(0, length), ends.clamp(0, length)), dim=1).tolist()


def _max_over_bins(image: Tensor, row_bins: list[list[int]], col_bins: list[list[int]]) -> Tensor:
    """Maximum of ``image`` (Tensor[C, H, W]) over each (row bin, column bin) pair; 0 for an empty bin.

    As in the compiled kernel, NaN never wins and a non-empty bin is at least ``-FLT_MAX``.

    Returns:
        Tensor[C, len(row bins), len(col bins)]
    """
    (row_starts, row_ends), (col_starts, col_ends) = row_bins, col_bins
    top = min(row_starts)
    band = image[:, top : max(top, *row_ends)]  # the rows that some bin covers
    band = band.nan_to_num(nan=-math.inf, posinf=math.inf, neginf=-math.inf)
    column_max = torch.stack(
        [_max_or_zero(band, s, e, dim=2) for s, e in zip(col_starts, col_ends, strict=True)], dim=2
    )
    pooled = torch.stack(
        [_max_or_zero(column_max, s - top, e - top, dim=1) for s, e in zip(row_starts, row_ends, strict=True)], dim=1
    )
    # In float16, -FLT_MAX itself rounds to -inf, where the maximum already stops.
    return pooled.clamp(min=_FLT_LOWEST) if torch.finfo(pooled.dtype).min <= _FLT_LOWEST else pooled


def _max_or_zero(x: Tensor, start: int, end: int, dim: int) -> Tensor:
    """Maximum of ``x`` over ``start:end`` along ``dim``, or zeros when the range is empty."""
    if end <= start:
        return x.new_zeros(x.shape[:dim] + x.shape[dim + 1 :])
    return x.narrow(dim, start, end - start).amax(dim=dim)
