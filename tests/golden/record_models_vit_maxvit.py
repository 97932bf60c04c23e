"""Record what torchvision's Vision Transformer and MaxViT modules give, for tests/test_models_vit_maxvit.py.

Run with a venv that has torchvision 0.29.1: ``python tests/golden/record_models_vit_maxvit.py`` writes
``tests/golden/models_vit_maxvit.pt``:

- ``cases``: for each :data:`MODELS` entry (code building a model; ``M`` is ``torchvision.models``, ``V`` its
  ``vision_transformer`` module, ``X`` its ``maxvit`` module), the state_dict keys and shapes, the parameter
  count, ``repr``, the parameter count with ``num_classes=10`` and, for the small ones, the logits of
  :func:`deterministic_` weights on a seeded input. Large models are built on the meta device.
- ``interpolate``: for each :data:`INTERPOLATIONS` entry, the arguments and the state_dict
  ``interpolate_embeddings`` returns for a seeded (1, 17, 8) position embedding (4 x 4 patches + class token).
- ``errors``: for each :data:`ERRORS` entry, the exception type torchvision raises.

The builders that are cases of ``models_zoo.pt`` (vit_b_16, vit_b_32, maxvit_t at their defaults) are not repeated.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import partial
from pathlib import Path
from typing import Any

import torch
import torchvision
import torchvision.models as M
import torchvision.models.maxvit as X
import torchvision.models.vision_transformer as V
from check_parity import deterministic_
from torch import nn

OUT = Path(__file__).with_name("models_vit_maxvit.pt")

# name -> (code building the model, on the meta device, input shape for logits or None)
MODELS: dict[str, tuple[str, bool, tuple[int, ...] | None]] = {
    "vit_l_16": ("M.vit_l_16()", True, None),
    "vit_l_32": ("M.vit_l_32()", True, None),
    "vit_h_14": ("M.vit_h_14()", True, None),
    "vit_b_16_384": ("M.vit_b_16(image_size=384)", True, None),
    "vit_h_14_518": ("M.vit_h_14(image_size=518)", True, None),
    "vit_small_representation": (
        "V.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=24,"
        " representation_size=12, num_classes=5)",
        False,
        (2, 3, 32, 32),
    ),
    "vit_small_conv_stem": (
        "V.VisionTransformer(image_size=32, patch_size=4, num_layers=2, num_heads=4, hidden_dim=16, mlp_dim=32,"
        " num_classes=6, conv_stem_configs=[V.ConvStemConfig(8, 3, 2), V.ConvStemConfig(12, 3, 2,"
        " norm_layer=partial(nn.GroupNorm, 4), activation_layer=nn.SiLU)])",
        False,
        (2, 3, 32, 32),
    ),
    "vit_small_dropout_norm": (
        "V.VisionTransformer(image_size=24, patch_size=6, num_layers=3, num_heads=2, hidden_dim=8, mlp_dim=16,"
        " dropout=0.1, attention_dropout=0.2, norm_layer=nn.LayerNorm, num_classes=3)",
        False,
        (1, 3, 24, 24),
    ),
    "maxvit_t_448": ("M.maxvit_t(input_size=(448, 448))", True, None),
    "maxvit_small": (
        "X.MaxVit(input_size=(64, 64), stem_channels=8, partition_size=2, block_channels=[8, 16, 16],"
        " block_layers=[1, 2, 1], head_dim=4, stochastic_depth_prob=0.3, num_classes=7)",
        False,
        (2, 3, 64, 64),
    ),
    "maxvit_small_options": (
        "X.MaxVit(input_size=(64, 64), stem_channels=6, partition_size=4, block_channels=[12, 24],"
        " block_layers=[2, 1], head_dim=6, stochastic_depth_prob=0.1, norm_layer=nn.BatchNorm2d,"
        " activation_layer=nn.SiLU, squeeze_ratio=0.5, expansion_ratio=2, mlp_ratio=3, mlp_dropout=0.1,"
        " attention_dropout=0.1, num_classes=4)",
        False,
        (1, 3, 64, 64),
    ),
}

# name -> keyword arguments of interpolate_embeddings besides model_state
INTERPOLATIONS: dict[str, dict[str, Any]] = {
    "bicubic_up": {"image_size": 32, "patch_size": 4},
    "bilinear_down": {"image_size": 12, "patch_size": 4, "interpolation_mode": "bilinear"},
    "reset_heads": {"image_size": 24, "patch_size": 4, "reset_heads": True},
    "same_grid_keeps_heads": {"image_size": 16, "patch_size": 4, "reset_heads": True},
}

# name -> code that raises in torchvision (nothing is downloaded: every check happens before)
ERRORS: dict[str, str] = {
    "weights_of_another_enum": "M.vit_b_32(weights=M.ViT_B_16_Weights.DEFAULT)",
    "num_classes_conflict": "M.vit_b_16(weights='DEFAULT', num_classes=10)",
    "image_size_conflict": "M.vit_b_16(weights='IMAGENET1K_SWAG_E2E_V1', image_size=224)",
    "image_size_not_multiple_of_patch": "M.vit_b_32(image_size=100)",
    "wrong_input_size": "V.VisionTransformer(32, 8, 1, 2, 8, 16)(torch.zeros(1, 3, 40, 40))",
    "encoder_block_needs_3d": "V.EncoderBlock(2, 8, 16, 0.0, 0.0)(torch.zeros(2, 8))",
    "encoder_needs_3d": "V.Encoder(5, 1, 2, 8, 16, 0.0, 0.0)(torch.zeros(5, 8))",
    "maxvit_num_classes_conflict": "M.maxvit_t(weights='DEFAULT', num_classes=10)",
    "maxvit_input_size_conflict": "M.maxvit_t(weights='DEFAULT', input_size=(448, 448))",
    "maxvit_input_size_not_divisible": "M.maxvit_t(input_size=(100, 100))",
    "maxvit_heads_not_divisible": "X.RelativePositionalMultiHeadAttention(10, 4, 49)",
    "maxvit_partition_type": (
        "X.PartitionAttentionLayer(8, 4, 2, 'diagonal', (4, 4), 4, nn.GELU, nn.LayerNorm, 0.0, 0.0, 0.0)"
    ),
    "maxvit_block_p_stochastic_length": (
        "X.MaxVitBlock(8, 8, 0.25, 4, nn.BatchNorm2d, nn.GELU, 4, 4, 0.0, 0.0, 2, (8, 8), 2, [0.0])"
    ),
    "maxvit_grid_not_divisible": (
        "X.PartitionAttentionLayer(8, 4, 3, 'window', (8, 8), 4, nn.GELU, nn.LayerNorm, 0.0, 0.0, 0.0)"
        "(torch.zeros(1, 8, 8, 8))"
    ),
    "interpolate_batch_of_embeddings": (
        "V.interpolate_embeddings(32, 4, OrderedDict([('encoder.pos_embedding', torch.zeros(2, 17, 8))]))"
    ),
    "interpolate_not_a_square": (
        "V.interpolate_embeddings(32, 4, OrderedDict([('encoder.pos_embedding', torch.zeros(1, 16, 8))]))"
    ),
}


def namespace() -> dict[str, Any]:
    return {"M": M, "V": V, "X": X, "nn": nn, "torch": torch, "OrderedDict": OrderedDict, "partial": partial}


def num_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def with_ten_classes(code: str) -> str:
    """The same call with ``num_classes=10`` (replacing a given one)."""
    if "num_classes=" in code:
        return re.sub(r"num_classes=\d+", "num_classes=10", code)
    return code[:-1] + ("num_classes=10)" if code.endswith("()") else ", num_classes=10)")


def record_model(code: str, on_meta: bool, input_shape: tuple[int, ...] | None) -> dict[str, Any]:
    torch.manual_seed(0)
    with torch.device("meta" if on_meta else "cpu"):
        model = eval(code, namespace())
        ten = eval(with_ten_classes(code), namespace())
    case: dict[str, Any] = {
        "code": code,
        "meta": on_meta,
        "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "num_params": num_params(model),
        "repr": repr(model),
        "num_params_10_classes": num_params(ten),
    }
    if input_shape is not None:
        deterministic_(model).eval()
        x = torch.randn(input_shape, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            case["input"] = x
            case["logits"] = model(x)
    return case


def record_interpolation(kwargs: dict[str, Any]) -> dict[str, Any]:
    gen = torch.Generator().manual_seed(2)
    state = OrderedDict(
        [
            ("class_token", torch.randn(1, 1, 8, generator=gen)),
            ("encoder.pos_embedding", torch.randn(1, 17, 8, generator=gen)),
            ("heads.head.weight", torch.randn(3, 8, generator=gen)),
            ("heads.head.bias", torch.randn(3, generator=gen)),
        ]
    )
    given = OrderedDict((k, v.clone()) for k, v in state.items())
    out = V.interpolate_embeddings(model_state=given, **kwargs)
    return {"kwargs": kwargs, "state": dict(state), "keys": list(out), "result": dict(out)}


def record_error(code: str) -> str:
    try:
        eval(code, namespace())
    except Exception as exc:  # the type is what is recorded
        return type(exc).__name__
    raise AssertionError(f"{code} did not raise")


def main() -> None:
    golden = {
        "torchvision": torchvision.__version__,
        "cases": {name: record_model(*spec) for name, spec in MODELS.items()},
        "interpolate": {name: record_interpolation(kwargs) for name, kwargs in INTERPOLATIONS.items()},
        "errors": {name: {"code": code, "type": record_error(code)} for name, code in ERRORS.items()},
    }
    torch.save(golden, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
