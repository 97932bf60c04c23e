"""Swin Transformer V1 and V2 (Liu et al., 2021 and 2022): self-attention inside local windows that shift
between consecutive blocks, in four stages that halve the resolution and double the width.

Feature maps run channels-last, ``[N, H, W, C]``, from the patch embedding to the final norm.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from functools import partial
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..ops.misc import MLP, Permute, StochasticDepth
from ..transforms.functional import InterpolationMode
from ._api import Weights, WeightsEnum, build_model, register_model
from ._meta import RECIPE_V1, imagenet_weights

__all__ = [
    "SwinTransformer",
    "Swin_B_Weights",
    "Swin_S_Weights",
    "Swin_T_Weights",
    "Swin_V2_B_Weights",
    "Swin_V2_S_Weights",
    "Swin_V2_T_Weights",
    "swin_b",
    "swin_s",
    "swin_t",
    "swin_v2_b",
    "swin_v2_s",
    "swin_v2_t",
]


def _merge_2x2_neighbours(x: Tensor) -> Tensor:
    """Stack the features of each 2x2 neighbourhood, zero-padding odd sizes at the bottom and right.

    The four positions are concatenated in the order (row, column) = (0, 0), (1, 0), (0, 1), (1, 1), the
    order the published weights were trained with.

    Args:
        x (Tensor[..., H, W, C]): a channels-last feature map.

    Returns:
        Tensor[..., ceil(H / 2), ceil(W / 2), 4 * C]: the merged map.
    """
    height, width = x.shape[-3], x.shape[-2]
    x = F.pad(x, (0, 0, 0, width % 2, 0, height % 2))
    corners = [x[..., row::2, col::2, :] for col in (0, 1) for row in (0, 1)]
    return torch.cat(corners, -1)


def _relative_position_bias(table: Tensor, index: Tensor, window_size: list[int]) -> Tensor:
    """Look up the bias of every (query, key) pair of a window from a per-offset table.

    Args:
        table (Tensor[(2 * Wh - 1) * (2 * Ww - 1), heads]): one bias per relative offset and head.
        index (Tensor[(Wh * Ww) ** 2]): the table row of each (query, key) pair, query-major.
        window_size (list[int]): the window's (Wh, Ww).

    Returns:
        Tensor[1, heads, Wh * Ww, Wh * Ww]: the bias, ready to add to attention logits.
    """
    tokens = window_size[0] * window_size[1]
    bias = table[index].view(tokens, tokens, -1)
    return bias.permute(2, 0, 1).contiguous().unsqueeze(0)


# Symbolic tracing (torch.fx, e.g. for feature extraction) keeps these as leaf calls instead of tracing into
# code that reads concrete sizes.
torch.fx.wrap("_merge_2x2_neighbours")
torch.fx.wrap("_relative_position_bias")


def _relative_position_index(window_size: list[int]) -> Tensor:
    """The bias-table row of every (query, key) pair of a window, tokens in row-major order.

    The row encodes the offset (dy, dx) = query - key, shifted to start at 0, as ``dy * (2 * Ww - 1) + dx``.

    Args:
        window_size (list[int]): the window's (Wh, Ww).

    Returns:
        Tensor[(Wh * Ww) ** 2] (int64): the flattened query-by-key index.
    """
    win_h, win_w = window_size
    rows = torch.arange(win_h).repeat_interleave(win_w)
    cols = torch.arange(win_w).repeat(win_h)
    offset_rows = rows[:, None] - rows[None, :] + (win_h - 1)
    offset_cols = cols[:, None] - cols[None, :] + (win_w - 1)
    return (offset_rows * (2 * win_w - 1) + offset_cols).flatten()


def _log_spaced_offsets(size: int) -> Tensor:
    """Relative offsets -(size - 1)..(size - 1) of one window axis, scaled to [-8, 8] and log-compressed as in
    Swin V2, so a bias network trained on one window size extrapolates to larger ones."""
    offsets = torch.arange(-(size - 1), size, dtype=torch.float32) / (size - 1) * 8
    return torch.sign(offsets) * torch.log2(torch.abs(offsets) + 1.0) / 3.0


def _partition_windows(x: Tensor, window_size: list[int]) -> Tensor:
    """Cut ``x`` (Tensor[N, H, W, C], H and W multiples of the window) into Tensor[N * windows, Wh * Ww, C]."""
    batch, height, width, channels = x.shape
    win_h, win_w = window_size
    x = x.view(batch, height // win_h, win_h, width // win_w, win_w, channels)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(batch * (height // win_h) * (width // win_w), win_h * win_w, channels)


def _merge_windows(windows: Tensor, window_size: list[int], batch: int, height: int, width: int) -> Tensor:
    """Undo :func:`_partition_windows`: Tensor[N * windows, Wh * Ww, C] back to Tensor[N, H, W, C]."""
    win_h, win_w = window_size
    channels = windows.shape[-1]
    x = windows.view(batch, height // win_h, width // win_w, win_h, win_w, channels)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(batch, height, width, channels)


def _shift_bands(window: int, shift: int) -> tuple[slice, slice, slice]:
    """The three bands of one axis of a cyclically shifted map whose tokens came from different places."""
    return slice(0, -window), slice(-window, -shift), slice(-shift, None)


def _shifted_window_mask(
    like: Tensor, padded_size: tuple[int, int], window_size: list[int], shift_size: list[int]
) -> Tensor:
    """Attention mask keeping each token of a shifted window to the tokens of its own region.

    After the cyclic shift, windows on the bottom and right edges hold tokens from opposite sides of the map;
    pairs from different regions get -100 (softmax weight ~0), pairs from the same region 0.

    Args:
        like (Tensor): gives the mask's dtype and device.
        padded_size (tuple[int, int]): the (H, W) of the padded map.
        window_size (list[int]): the window's (Wh, Ww).
        shift_size (list[int]): the cyclic shift along H and W.

    Returns:
        Tensor[windows, Wh * Ww, Wh * Ww]: the additive mask.
    """
    height, width = padded_size
    win_h, win_w = window_size
    regions = like.new_zeros((height, width))
    bands = itertools.product(_shift_bands(win_h, shift_size[0]), _shift_bands(win_w, shift_size[1]))
    for label, (rows, cols) in enumerate(bands):
        regions[rows, cols] = label
    regions = regions.view(height // win_h, win_h, width // win_w, win_w)
    regions = regions.permute(0, 2, 1, 3).reshape((height // win_h) * (width // win_w), win_h * win_w)
    differs = regions.unsqueeze(1) - regions.unsqueeze(2)
    return differs.masked_fill(differs != 0, -100.0).masked_fill(differs == 0, 0.0)


def shifted_window_attention(
    input: Tensor,
    qkv_weight: Tensor,
    proj_weight: Tensor,
    relative_position_bias: Tensor,
    window_size: list[int],
    num_heads: int,
    shift_size: list[int],
    attention_dropout: float = 0.0,
    dropout: float = 0.0,
    qkv_bias: Tensor | None = None,
    proj_bias: Tensor | None = None,
    logit_scale: Tensor | None = None,
    training: bool = True,
) -> Tensor:
    """Multi-head self-attention inside (optionally cyclically shifted) windows, with a relative position bias.

    The map is zero-padded to whole windows, rolled up and left by ``shift_size``, attended window by window
    (tokens from different regions of a shifted window are masked apart), rolled back and cropped. Along an
    axis whose window covers the whole padded map, nothing is shifted.

    Args:
        input (Tensor[N, H, W, C]): a channels-last feature map.
        qkv_weight (Tensor[3 * C, C]): weight of the joint query/key/value projection.
        proj_weight (Tensor[C, C]): weight of the output projection.
        relative_position_bias (Tensor[1, heads, Wh * Ww, Wh * Ww]): added to the attention logits.
        window_size (list[int]): the window's (Wh, Ww).
        num_heads (int): attention heads; must divide C.
        shift_size (list[int]): the cyclic shift along H and W; 0 for plain windows.
        attention_dropout (float): dropout probability on the attention weights.
        dropout (float): dropout probability on the output.
        qkv_bias (Tensor[3 * C], optional): bias of the query/key/value projection.
        proj_bias (Tensor[C], optional): bias of the output projection.
        logit_scale (Tensor[heads, 1, 1], optional): log temperature of Swin V2's cosine attention; given, the
            logits are scaled cosine similarities (capped at 100) and the key bias is ignored. None for V1's
            scaled dot products.
        training (bool): whether dropout is active.

    Returns:
        Tensor[N, H, W, C]: the attended map.
    """
    batch, height, width, channels = input.shape
    pad_right = (window_size[1] - width % window_size[1]) % window_size[1]
    pad_bottom = (window_size[0] - height % window_size[0]) % window_size[0]
    x = F.pad(input, (0, 0, 0, pad_right, 0, pad_bottom))
    padded_h, padded_w = x.shape[1], x.shape[2]
    shift = [0 if window_size[d] >= (padded_h, padded_w)[d] else shift_size[d] for d in (0, 1)]
    shifted = sum(shift) > 0
    if shifted:
        x = torch.roll(x, shifts=(-shift[0], -shift[1]), dims=(1, 2))
    windows = _partition_windows(x, window_size)
    num_windows = (padded_h // window_size[0]) * (padded_w // window_size[1])
    tokens = windows.size(1)

    if logit_scale is not None and qkv_bias is not None:
        third = qkv_bias.numel() // 3
        qkv_bias = qkv_bias.clone()
        qkv_bias[third : 2 * third].zero_()
    qkv = F.linear(windows, qkv_weight, qkv_bias)
    qkv = qkv.reshape(windows.size(0), tokens, 3, num_heads, channels // num_heads).permute(2, 0, 3, 1, 4)
    query, key, value = qkv[0], qkv[1], qkv[2]
    if logit_scale is not None:
        attn = F.normalize(query, dim=-1) @ F.normalize(key, dim=-1).transpose(-2, -1)
        attn = attn * torch.clamp(logit_scale, max=math.log(100.0)).exp()
    else:
        query = query * (channels // num_heads) ** -0.5
        attn = query.matmul(key.transpose(-2, -1))
    attn = attn + relative_position_bias
    if shifted:
        mask = _shifted_window_mask(windows, (padded_h, padded_w), window_size, shift)
        attn = attn.view(windows.size(0) // num_windows, num_windows, num_heads, tokens, tokens)
        attn = (attn + mask.unsqueeze(1).unsqueeze(0)).view(-1, num_heads, tokens, tokens)
    attn = F.dropout(F.softmax(attn, dim=-1), p=attention_dropout, training=training)

    out = attn.matmul(value).transpose(1, 2).reshape(windows.size(0), tokens, channels)
    out = F.dropout(F.linear(out, proj_weight, proj_bias), p=dropout, training=training)
    out = _merge_windows(out, window_size, batch, padded_h, padded_w)
    if shifted:
        out = torch.roll(out, shifts=(shift[0], shift[1]), dims=(1, 2))
    return out[:, :height, :width, :].contiguous()


torch.fx.wrap("shifted_window_attention")


class _PatchMergingLayers(nn.Module):
    """The layers both patch mergings share: ``reduction`` projects 4C to 2C channels, ``norm`` normalises
    ``norm_factor * C`` channels (before the projection in V1, after it in V2)."""

    norm_factor: int

    def __init__(self, dim: int, norm_layer: Callable[..., nn.Module] = nn.LayerNorm) -> None:
        super().__init__()
        self.dim = dim
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = norm_layer(self.norm_factor * dim)


class PatchMerging(_PatchMergingLayers):
    """Swin V1's downsampling: concatenate each 2x2 neighbourhood, normalise, project 4C to 2C channels.

    Args:
        dim (int): input channels C.
        norm_layer (Callable[..., nn.Module]): normalisation over the 4C concatenated channels.
    """

    norm_factor = 4

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[..., H, W, C]) to Tensor[..., ceil(H / 2), ceil(W / 2), 2 * C]."""
        return self.reduction(self.norm(_merge_2x2_neighbours(x)))


class PatchMergingV2(_PatchMergingLayers):
    """Swin V2's downsampling: concatenate each 2x2 neighbourhood, project 4C to 2C channels, then normalise.

    Args:
        dim (int): input channels C.
        norm_layer (Callable[..., nn.Module]): normalisation over the 2C projected channels.
    """

    norm_factor = 2

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[..., H, W, C]) to Tensor[..., ceil(H / 2), ceil(W / 2), 2 * C]."""
        return self.norm(self.reduction(_merge_2x2_neighbours(x)))


class ShiftedWindowAttention(nn.Module):
    """Swin V1's window attention with a learned table of relative position biases
    (see :func:`shifted_window_attention`).

    Args:
        dim (int): channels C of the input.
        window_size (list[int]): the window's (Wh, Ww).
        shift_size (list[int]): the cyclic shift along H and W; 0 for plain windows.
        num_heads (int): attention heads; must divide ``dim``.
        qkv_bias (bool): whether the query/key/value projection has a bias.
        proj_bias (bool): whether the output projection has a bias.
        attention_dropout (float): dropout probability on the attention weights.
        dropout (float): dropout probability on the output.

    Raises:
        ValueError: if ``window_size`` or ``shift_size`` does not have 2 entries.
    """

    def __init__(
        self,
        dim: int,
        window_size: list[int],
        shift_size: list[int],
        num_heads: int,
        qkv_bias: bool = True,
        proj_bias: bool = True,
        attention_dropout: float = 0.0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if len(window_size) != 2 or len(shift_size) != 2:
            raise ValueError(
                f"`window_size` and `shift_size` should have 2 entries (H, W), got {window_size!r} and {shift_size!r}"
            )
        self.window_size = window_size
        self.shift_size = shift_size
        self.num_heads = num_heads
        self.attention_dropout = attention_dropout
        self.dropout = dropout
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim, bias=proj_bias)
        self.define_relative_position_bias_table()
        self.define_relative_position_index()

    def define_relative_position_bias_table(self) -> None:
        """Create the learned bias table, one row per relative offset in a window and one column per head."""
        offsets = (2 * self.window_size[0] - 1) * (2 * self.window_size[1] - 1)
        self.relative_position_bias_table = nn.Parameter(torch.zeros(offsets, self.num_heads))
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)

    def define_relative_position_index(self) -> None:
        """Register the buffer mapping each (query, key) pair of a window to its bias-table row."""
        self.register_buffer("relative_position_index", _relative_position_index(self.window_size))

    def get_relative_position_bias(self) -> Tensor:
        """The bias added to the attention logits, Tensor[1, heads, Wh * Ww, Wh * Ww]."""
        return _relative_position_bias(
            self.relative_position_bias_table,
            self.relative_position_index,  # type: ignore[arg-type]
            self.window_size,
        )

    def _attend(self, x: Tensor, logit_scale: Tensor | None) -> Tensor:
        return shifted_window_attention(
            x,
            self.qkv.weight,
            self.proj.weight,
            self.get_relative_position_bias(),
            self.window_size,
            self.num_heads,
            shift_size=self.shift_size,
            attention_dropout=self.attention_dropout,
            dropout=self.dropout,
            qkv_bias=self.qkv.bias,
            proj_bias=self.proj.bias,
            logit_scale=logit_scale,
            training=self.training,
        )

    def forward(self, x: Tensor) -> Tensor:
        """Attend within windows of ``x`` (Tensor[N, H, W, C]); returns the same shape."""
        return self._attend(x, None)


class ShiftedWindowAttentionV2(ShiftedWindowAttention):
    """Swin V2's window attention: scaled cosine attention with a learned per-head temperature, and biases
    produced by a small network from log-spaced relative coordinates (see :func:`shifted_window_attention`).

    The key part of the query/key/value bias is kept at zero. Arguments as in :class:`ShiftedWindowAttention`.
    """

    def __init__(
        self,
        dim: int,
        window_size: list[int],
        shift_size: list[int],
        num_heads: int,
        qkv_bias: bool = True,
        proj_bias: bool = True,
        attention_dropout: float = 0.0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(
            dim,
            window_size,
            shift_size,
            num_heads,
            qkv_bias=qkv_bias,
            proj_bias=proj_bias,
            attention_dropout=attention_dropout,
            dropout=dropout,
        )
        # Temperatures start at 1/10 (log 10), the paper's initialisation.
        self.logit_scale = nn.Parameter(torch.log(torch.full((num_heads, 1, 1), 10.0)))
        self.cpb_mlp = nn.Sequential(
            nn.Linear(2, 512, bias=True), nn.ReLU(inplace=True), nn.Linear(512, num_heads, bias=False)
        )
        if qkv_bias:
            third = self.qkv.bias.numel() // 3
            self.qkv.bias[third : 2 * third].data.zero_()

    def define_relative_position_bias_table(self) -> None:
        """Register the buffer of log-spaced relative coordinates, Tensor[1, 2 * Wh - 1, 2 * Ww - 1, 2]."""
        rows, cols = (_log_spaced_offsets(size) for size in self.window_size)
        coords = torch.stack(torch.meshgrid(rows, cols, indexing="ij"), dim=-1).unsqueeze(0)
        self.register_buffer("relative_coords_table", coords)

    def get_relative_position_bias(self) -> Tensor:
        """The bias added to the attention logits, Tensor[1, heads, Wh * Ww, Wh * Ww], in (0, 16)."""
        table = self.cpb_mlp(self.relative_coords_table).view(-1, self.num_heads)
        bias = _relative_position_bias(table, self.relative_position_index, self.window_size)  # type: ignore[arg-type]
        return 16 * torch.sigmoid(bias)

    def forward(self, x: Tensor) -> Tensor:
        """Attend within windows of ``x`` (Tensor[N, H, W, C]); returns the same shape."""
        return self._attend(x, self.logit_scale)


class SwinTransformerBlock(nn.Module):
    """Swin V1's block: pre-norm window attention and pre-norm MLP, each with a residual connection.

    Args:
        dim (int): channels of the input.
        num_heads (int): attention heads.
        window_size (list[int]): the window's (Wh, Ww).
        shift_size (list[int]): the cyclic shift along H and W; 0 for plain windows.
        mlp_ratio (float): hidden width of the MLP relative to ``dim``.
        dropout (float): dropout probability after the attention and in the MLP.
        attention_dropout (float): dropout probability on the attention weights.
        stochastic_depth_prob (float): probability of dropping each residual branch while training.
        norm_layer (Callable[..., nn.Module]): normalisation layer.
        attn_layer (Callable[..., nn.Module]): the window attention module.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        window_size: list[int],
        shift_size: list[int],
        mlp_ratio: float = 4.0,
        dropout: float = 0.0,
        attention_dropout: float = 0.0,
        stochastic_depth_prob: float = 0.0,
        norm_layer: Callable[..., nn.Module] = nn.LayerNorm,
        attn_layer: Callable[..., nn.Module] = ShiftedWindowAttention,
    ) -> None:
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = attn_layer(
            dim, window_size, shift_size, num_heads, attention_dropout=attention_dropout, dropout=dropout
        )
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.norm2 = norm_layer(dim)
        self.mlp = MLP(dim, [int(dim * mlp_ratio), dim], activation_layer=nn.GELU, inplace=None, dropout=dropout)
        for module in self.mlp.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.normal_(module.bias, std=1e-6)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x`` (Tensor[N, H, W, C]); returns the same shape."""
        x = x + self.stochastic_depth(self.attn(self.norm1(x)))
        return x + self.stochastic_depth(self.mlp(self.norm2(x)))


class SwinTransformerBlockV2(SwinTransformerBlock):
    """Swin V2's block: the norms move after the attention and the MLP (residual post-norm), which keeps
    activations of deep models in range. Arguments as in :class:`SwinTransformerBlock`."""

    def __init__(
        self,
        dim: int,
        num_heads: int,
        window_size: list[int],
        shift_size: list[int],
        mlp_ratio: float = 4.0,
        dropout: float = 0.0,
        attention_dropout: float = 0.0,
        stochastic_depth_prob: float = 0.0,
        norm_layer: Callable[..., nn.Module] = nn.LayerNorm,
        attn_layer: Callable[..., nn.Module] = ShiftedWindowAttentionV2,
    ) -> None:
        super().__init__(
            dim,
            num_heads,
            window_size,
            shift_size,
            mlp_ratio=mlp_ratio,
            dropout=dropout,
            attention_dropout=attention_dropout,
            stochastic_depth_prob=stochastic_depth_prob,
            norm_layer=norm_layer,
            attn_layer=attn_layer,
        )

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x`` (Tensor[N, H, W, C]); returns the same shape."""
        x = x + self.stochastic_depth(self.norm1(self.attn(x)))
        return x + self.stochastic_depth(self.norm2(self.mlp(x)))


class SwinTransformer(nn.Module):
    """A Swin Transformer classifier: patch embedding, stages of window-attention blocks separated by patch
    merging, a final norm, global average pooling and a linear head.

    Args:
        patch_size (list[int]): (H, W) of the non-overlapping patches embedded by the stem convolution.
        embed_dim (int): channels after the stem; each later stage doubles them.
        depths (list[int]): blocks per stage.
        num_heads (list[int]): attention heads per stage.
        window_size (list[int]): the attention window's (Wh, Ww); every second block shifts it by half.
        mlp_ratio (float): hidden width of the blocks' MLPs relative to their input.
        dropout (float): dropout probability in the blocks.
        attention_dropout (float): dropout probability on the attention weights.
        stochastic_depth_prob (float): drop probability of the last block's branches; it grows linearly from
            0 at the first block.
        num_classes (int): outputs of the head.
        norm_layer (Callable[..., nn.Module], optional): normalisation layer; LayerNorm (eps 1e-5) when None.
        block (Callable[..., nn.Module], optional): the block; :class:`SwinTransformerBlock` when None.
        downsample_layer (Callable[..., nn.Module]): the layer between stages, built as
            ``downsample_layer(dim, norm_layer)``.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        patch_size: list[int],
        embed_dim: int,
        depths: list[int],
        num_heads: list[int],
        window_size: list[int],
        mlp_ratio: float = 4.0,
        dropout: float = 0.0,
        attention_dropout: float = 0.0,
        stochastic_depth_prob: float = 0.1,
        num_classes: int = 1000,
        norm_layer: Callable[..., nn.Module] | None = None,
        block: Callable[..., nn.Module] | None = None,
        downsample_layer: Callable[..., nn.Module] = PatchMerging,
    ) -> None:
        super().__init__()
        self.num_classes = num_classes
        block = SwinTransformerBlock if block is None else block
        norm_layer = partial(nn.LayerNorm, eps=1e-5) if norm_layer is None else norm_layer

        stem = nn.Sequential(
            nn.Conv2d(3, embed_dim, kernel_size=(patch_size[0], patch_size[1]), stride=(patch_size[0], patch_size[1])),
            Permute([0, 2, 3, 1]),
            norm_layer(embed_dim),
        )
        layers: list[nn.Module] = [stem]
        total_blocks = sum(depths)
        block_id = 0
        for stage, depth in enumerate(depths):
            dim = embed_dim * 2**stage
            blocks = []
            for i in range(depth):
                blocks.append(
                    block(
                        dim,
                        num_heads[stage],
                        window_size=window_size,
                        shift_size=[0 if i % 2 == 0 else w // 2 for w in window_size],
                        mlp_ratio=mlp_ratio,
                        dropout=dropout,
                        attention_dropout=attention_dropout,
                        stochastic_depth_prob=stochastic_depth_prob * float(block_id) / (total_blocks - 1),
                        norm_layer=norm_layer,
                    )
                )
                block_id += 1
            layers.append(nn.Sequential(*blocks))
            if stage < len(depths) - 1:
                layers.append(downsample_layer(dim, norm_layer))
        self.features = nn.Sequential(*layers)

        num_features = embed_dim * 2 ** (len(depths) - 1)
        self.norm = norm_layer(num_features)
        self.permute = Permute([0, 3, 1, 2])
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.head = nn.Linear(num_features, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        x = self.norm(self.features(x))
        return self.head(self.flatten(self.avgpool(self.permute(x))))


_V2_LAYERS = {"block": SwinTransformerBlockV2, "downsample_layer": PatchMergingV2}


def _swin_transformer(
    embed_dim: int,
    depths: list[int],
    num_heads: list[int],
    window: int,
    stochastic_depth_prob: float,
    v2: bool,
    weights: WeightsEnum | None,
    progress: bool,
    kwargs: dict[str, Any],
) -> SwinTransformer:
    """A Swin Transformer on 4x4 patches, with V2 blocks and patch merging when ``v2``.

    The architecture's own arguments cannot be overridden: passing one in ``kwargs`` raises a TypeError.
    """
    layers = _V2_LAYERS if v2 else {}

    def make(**rest: Any) -> SwinTransformer:
        return SwinTransformer(
            patch_size=[4, 4],
            embed_dim=embed_dim,
            depths=depths,
            num_heads=num_heads,
            window_size=[window, window],
            stochastic_depth_prob=stochastic_depth_prob,
            **layers,
            **rest,
        )

    return build_model(make, weights, progress, **kwargs)


def _swin_weights(file_name: str, v2: bool, **facts: Any) -> Weights:
    """An entry of the Swin weights: V1 is evaluated on 224x224 crops, V2 on 256x256, both resized bicubically."""
    crop = 256 if v2 else 224
    return imagenet_weights(
        file_name,
        recipe=f"{RECIPE_V1}#swintransformer{'-v2' if v2 else ''}",
        docs="These weights reproduce closely the results of the paper using a similar training recipe.",
        min_size=(crop, crop),
        crop_size=crop,
        interpolation=InterpolationMode.BICUBIC,
        **facts,
    )


class Swin_T_Weights(WeightsEnum):
    """Weights for :func:`swin_t`."""

    IMAGENET1K_V1 = _swin_weights(
        "swin_t-704ceda3.pth",
        False,
        num_params=28288354,
        acc1=81.474,
        acc5=95.776,
        ops=4.491,
        file_size=108.19,
        resize_size=232,
    )
    DEFAULT = IMAGENET1K_V1


class Swin_S_Weights(WeightsEnum):
    """Weights for :func:`swin_s`."""

    IMAGENET1K_V1 = _swin_weights(
        "swin_s-5e29d889.pth",
        False,
        num_params=49606258,
        acc1=83.196,
        acc5=96.360,
        ops=8.741,
        file_size=189.786,
        resize_size=246,
    )
    DEFAULT = IMAGENET1K_V1


class Swin_B_Weights(WeightsEnum):
    """Weights for :func:`swin_b`."""

    IMAGENET1K_V1 = _swin_weights(
        "swin_b-68c6b09e.pth",
        False,
        num_params=87768224,
        acc1=83.582,
        acc5=96.640,
        ops=15.431,
        file_size=335.364,
        resize_size=238,
    )
    DEFAULT = IMAGENET1K_V1


class Swin_V2_T_Weights(WeightsEnum):
    """Weights for :func:`swin_v2_t`."""

    IMAGENET1K_V1 = _swin_weights(
        "swin_v2_t-b137f0e2.pth",
        True,
        num_params=28351570,
        acc1=82.072,
        acc5=96.132,
        ops=5.94,
        file_size=108.626,
        resize_size=260,
    )
    DEFAULT = IMAGENET1K_V1


class Swin_V2_S_Weights(WeightsEnum):
    """Weights for :func:`swin_v2_s`."""

    IMAGENET1K_V1 = _swin_weights(
        "swin_v2_s-637d8ceb.pth",
        True,
        num_params=49737442,
        acc1=83.712,
        acc5=96.816,
        ops=11.546,
        file_size=190.675,
        resize_size=260,
    )
    DEFAULT = IMAGENET1K_V1


class Swin_V2_B_Weights(WeightsEnum):
    """Weights for :func:`swin_v2_b`."""

    IMAGENET1K_V1 = _swin_weights(
        "swin_v2_b-781e5279.pth",
        True,
        num_params=87930848,
        acc1=84.112,
        acc5=96.864,
        ops=20.325,
        file_size=336.372,
        resize_size=272,
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=Swin_T_Weights)
def swin_t(*, weights: Swin_T_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> SwinTransformer:
    """Swin-T (Liu et al., 2021): width 96, 2-2-6-2 blocks, 7x7 windows.

    Args:
        weights (Swin_T_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: further arguments of :class:`SwinTransformer` (num_classes, dropout, norm_layer...).

    Raises:
        ValueError: if ``num_classes`` disagrees with the categories of ``weights``.
    """
    return _swin_transformer(96, [2, 2, 6, 2], [3, 6, 12, 24], 7, 0.2, False, weights, progress, kwargs)


@register_model(weights=Swin_S_Weights)
def swin_s(*, weights: Swin_S_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> SwinTransformer:
    """Swin-S (Liu et al., 2021): width 96, 2-2-18-2 blocks, 7x7 windows. Arguments as in :func:`swin_t`."""
    return _swin_transformer(96, [2, 2, 18, 2], [3, 6, 12, 24], 7, 0.3, False, weights, progress, kwargs)


@register_model(weights=Swin_B_Weights)
def swin_b(*, weights: Swin_B_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> SwinTransformer:
    """Swin-B (Liu et al., 2021): width 128, 2-2-18-2 blocks, 7x7 windows. Arguments as in :func:`swin_t`."""
    return _swin_transformer(128, [2, 2, 18, 2], [4, 8, 16, 32], 7, 0.5, False, weights, progress, kwargs)


@register_model(weights=Swin_V2_T_Weights)
def swin_v2_t(
    *, weights: Swin_V2_T_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> SwinTransformer:
    """Swin V2-T (Liu et al., 2022): width 96, 2-2-6-2 V2 blocks, 8x8 windows. Arguments as in :func:`swin_t`."""
    return _swin_transformer(96, [2, 2, 6, 2], [3, 6, 12, 24], 8, 0.2, True, weights, progress, kwargs)


@register_model(weights=Swin_V2_S_Weights)
def swin_v2_s(
    *, weights: Swin_V2_S_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> SwinTransformer:
    """Swin V2-S (Liu et al., 2022): width 96, 2-2-18-2 V2 blocks, 8x8 windows. Arguments as in :func:`swin_t`."""
    return _swin_transformer(96, [2, 2, 18, 2], [3, 6, 12, 24], 8, 0.3, True, weights, progress, kwargs)


@register_model(weights=Swin_V2_B_Weights)
def swin_v2_b(
    *, weights: Swin_V2_B_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> SwinTransformer:
    """Swin V2-B (Liu et al., 2022): width 128, 2-2-18-2 V2 blocks, 8x8 windows. Arguments as in :func:`swin_t`."""
    return _swin_transformer(128, [2, 2, 18, 2], [4, 8, 16, 32], 8, 0.5, True, weights, progress, kwargs)
