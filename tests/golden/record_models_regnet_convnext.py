#!/usr/bin/env python3
"""Record what torchvision's RegNet and ConvNeXt builders give, for the builders models_zoo.pt leaves out.

    /opt/tvenv/bin/python tests/golden/record_models_regnet_convnext.py

Writes models_regnet_convnext.pt next to this file:
- ``cases``: per builder (and per builder call with arguments, keyed by the call), the state_dict keys and
  shapes, the parameter count (also with 10 classes), ``repr`` and, for the cheap ones, the logits of
  ``deterministic_`` weights on ``input``;
- ``block_params``: RegNet stage settings computed by ``BlockParams.from_init_params`` for a few designs;
- ``errors``: builder calls and the exception type torchvision raises for them (None: no error);
- ``init``: for a seeded build of two small models, each tensor's first values, mean and standard deviation.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
import torchvision
import torchvision.models as M
from check_parity import deterministic_
from torch import nn

OUT = Path(__file__).resolve().parent / "models_regnet_convnext.pt"

# Builders of the two families that models_zoo.pt does not record.
BUILDERS = [
    "regnet_y_800mf",
    "regnet_y_3_2gf",
    "regnet_y_8gf",
    "regnet_y_16gf",
    "regnet_y_32gf",
    "regnet_y_128gf",
    "regnet_x_800mf",
    "regnet_x_1_6gf",
    "regnet_x_3_2gf",
    "regnet_x_8gf",
    "regnet_x_16gf",
    "regnet_x_32gf",
    "convnext_base",
    "convnext_large",
]
# Builders whose deterministic-weight logits are recorded (built on the CPU in the test, so kept small).
WITH_LOGITS = {"regnet_y_800mf", "regnet_y_3_2gf", "regnet_x_800mf", "regnet_x_1_6gf", "regnet_x_3_2gf"}

# Builder calls with arguments: name -> keyword arguments as source text (evaluated with nn and partial).
VARIANTS = {
    "regnet_y_400mf": "dict(stem_width=16, activation=nn.SiLU, num_classes=5)",
    "regnet_x_400mf": "dict(norm_layer=partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01))",
    "convnext_tiny": "dict(stochastic_depth_prob=0.3, layer_scale=0.5, num_classes=3)",
}

BLOCK_PARAMS = [
    "BlockParams.from_init_params(depth=16, w_0=48, w_a=27.89, w_m=2.09, group_width=8, se_ratio=0.25)",
    "BlockParams.from_init_params(depth=12, w_0=32, w_a=20.0, w_m=2.5, group_width=16, bottleneck_multiplier=0.5)",
    "BlockParams.from_init_params(depth=6, w_0=64, w_a=0.0, w_m=2.0, group_width=24)",
    "BlockParams.from_init_params(depth=30, w_0=24, w_a=36.0, w_m=2.2, group_width=40, bottleneck_multiplier=2.0)",
]

ERRORS = [
    "M.regnet_y_400mf(weights=M.ConvNeXt_Tiny_Weights.DEFAULT)",
    "M.regnet_x_400mf(weights='DEFAULT', num_classes=10)",
    "M.regnet_y_128gf(weights='IMAGENET1K_SWAG_LINEAR_V1', num_classes=10)",
    "M.regnet_y_400mf(depth=5)",
    "M.regnet_x_400mf(se_ratio=0.25)",
    "M.regnet_x_400mf(bottleneck_multiplier=2.0)",
    "M.regnet_x_400mf(unknown=1)",
    "M.convnext_tiny(weights=M.RegNet_X_400MF_Weights.DEFAULT)",
    "M.convnext_tiny(weights='DEFAULT', num_classes=10)",
    "M.convnext_tiny(unknown=1)",
    "M.convnext.ConvNeXt([])",
    "M.convnext.ConvNeXt(None)",
    "M.convnext.ConvNeXt([M.convnext.CNBlockConfig(8, None, 2), (8, None, 2)])",
    "M.convnext.ConvNeXt([M.convnext.CNBlockConfig(8, None, 1)], stochastic_depth_prob=0.1)",
    "M.regnet.BlockParams.from_init_params(depth=10, w_0=20, w_a=1.0, w_m=2.0, group_width=8)",
    "M.regnet.BlockParams.from_init_params(depth=10, w_0=24, w_a=-1.0, w_m=2.0, group_width=8)",
    "M.regnet.BlockParams.from_init_params(depth=10, w_0=24, w_a=1.0, w_m=1.0, group_width=8)",
]

INIT_SEED = 0
INIT_MODELS = ["regnet_y_400mf", "convnext_tiny"]
INIT_HEAD = 8  # first values of each tensor kept


def num_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def build(name: str, **kwargs):
    """torchvision's RegNets cannot be built on the meta device (BlockParams needs real tensors)."""
    if name.startswith("regnet"):
        return getattr(M, name)(**kwargs)
    with torch.device("meta"):
        return getattr(M, name)(**kwargs)


def record(model: nn.Module, model_10: nn.Module) -> dict:
    return {
        "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "num_params": num_params(model),
        "repr": repr(model),
        "num_params_10_classes": num_params(model_10),
    }


def logits(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    deterministic_(model).eval()
    with torch.no_grad():
        start = time.perf_counter()
        y = model(x)
        print(f"    forward {time.perf_counter() - start:.2f}s")
    return y


def main() -> None:
    torch.set_num_threads(1)
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(14))
    cases = {}
    for name in BUILDERS:
        print(name)
        if name in WITH_LOGITS:
            model = getattr(M, name)()
            cases[name] = record(model, build(name, num_classes=10))
            cases[name]["logits"] = logits(model, x)
        else:
            cases[name] = record(build(name), build(name, num_classes=10))
    namespace = {"nn": nn, "partial": __import__("functools").partial}
    for name, source in VARIANTS.items():
        kwargs = eval(source, namespace)
        model = getattr(M, name)(**kwargs)
        case = record(model, getattr(M, name)(**{**kwargs, "num_classes": 10}))
        case["logits"] = logits(model, x)
        cases[f"{name}(**{source})"] = {**case, "name": name, "kwargs_source": source}

    block_params = {}
    for source in BLOCK_PARAMS:
        params = eval(source, {"BlockParams": M.regnet.BlockParams})
        block_params[source] = {k: getattr(params, k) for k in ("depths", "widths", "group_widths", "strides")}
        block_params[source]["bottleneck_multipliers"] = params.bottleneck_multipliers
        block_params[source]["se_ratio"] = params.se_ratio

    errors = {}
    for source in ERRORS:
        try:
            eval(source, {"M": M})
            errors[source] = None
        except Exception as exc:  # the type is what is recorded
            errors[source] = type(exc).__name__
        print(f"{source}: {errors[source]}")

    init = {}
    for name in INIT_MODELS:
        torch.manual_seed(INIT_SEED)
        model = getattr(M, name)()
        init[name] = {
            k: {
                "head": v.flatten()[:INIT_HEAD].clone(),
                "mean": v.double().mean().item(),
                "std": v.double().std().item(),
            }
            for k, v in model.state_dict().items()
            if v.is_floating_point()
        }

    torch.save(
        {
            "torchvision": torchvision.__version__,
            "input": x,
            "cases": cases,
            "block_params": block_params,
            "errors": errors,
            "init_seed": INIT_SEED,
            "init": init,
        },
        OUT,
    )
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
