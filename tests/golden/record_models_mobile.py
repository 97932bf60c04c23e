"""Record torchvision's ShuffleNet V2, MNASNet and EfficientNet (V1 and V2) for tests/test_models_mobile.py.

    /opt/tvenv/bin/python tests/golden/record_models_mobile.py

Writes ``models_mobile.pt`` with:

- ``structure``: for every builder of the three families that models_zoo.pt does not cover, and a few calls
  with extra arguments: state_dict keys and shapes, parameter counts (also with 10 classes) and repr, all built
  on the meta device;
- ``logits``: for the builders that run in well under a second, the logits of ``deterministic_`` weights on
  ``input``;
- ``mnasnet_v1``: loading a version-1 MNASNet checkpoint (fixed-width stem) into ``mnasnet0_5``: the
  checkpoint's keys, shapes and dtypes (its values are ``deterministic_``'s), the warning's category, the
  model's repr and version afterwards and its logits;
- ``errors``: the exception type of each call torchvision refuses;
- ``init``: for a few builders called after ``torch.manual_seed(0)``, the first 8 values and the mean of every
  float tensor of the state_dict (the same init functions on the same tensors in the same order draw the same
  numbers).
"""

from __future__ import annotations

import sys
import warnings
from functools import partial
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import torchvision  # noqa: E402
import torchvision.models as M  # noqa: E402
from torch import nn  # noqa: E402
from torchvision.models import mnasnet as MN  # noqa: E402

from tests.golden import model_cases  # noqa: E402
from tests.golden.check_parity import deterministic_  # noqa: E402

# (builder, kwargs as code) recorded on the meta device; the other builders are cases of models_zoo.pt.
STRUCTURE = [
    ("shufflenet_v2_x1_5", "{}"),
    ("shufflenet_v2_x2_0", "{}"),
    ("mnasnet0_75", "{}"),
    ("mnasnet1_3", "{}"),
    ("mnasnet0_5", "{'dropout': 0.5}"),
    ("efficientnet_b1", "{}"),
    ("efficientnet_b2", "{}"),
    ("efficientnet_b4", "{}"),
    ("efficientnet_b5", "{}"),
    ("efficientnet_b6", "{}"),
    ("efficientnet_b7", "{}"),
    ("efficientnet_v2_m", "{}"),
    ("efficientnet_v2_l", "{}"),
    ("efficientnet_b0", "{'stochastic_depth_prob': 0.5, 'dropout': 0.1}"),
    ("efficientnet_b0", "{'norm_layer': partial(nn.BatchNorm2d, eps=0.01)}"),
]
LOGITS = [
    "shufflenet_v2_x1_5",
    "shufflenet_v2_x2_0",
    "mnasnet0_75",
    "mnasnet1_3",
    "efficientnet_b1",
    "efficientnet_b2",
    "efficientnet_b3",
    "efficientnet_b4",
]

# Calls torchvision refuses; M is the models package, with its shufflenetv2, mnasnet and efficientnet modules.
ERRORS = [
    "M.shufflenet_v2_x0_5(weights=M.MNASNet0_5_Weights.DEFAULT)",
    "M.shufflenet_v2_x2_0(weights='DEFAULT', num_classes=10)",
    "M.shufflenet_v2_x1_5(stages_repeats=[1, 1, 1])",
    "M.ShuffleNetV2([4, 8], [24, 48, 96, 192, 1024])",
    "M.ShuffleNetV2([4, 8, 4], [24, 48, 96, 192])",
    "M.shufflenetv2.InvertedResidual(24, 48, 4)",
    "M.shufflenetv2.InvertedResidual(24, 64, 1)",
    "M.mnasnet0_5(weights=M.MNASNet1_0_Weights.DEFAULT)",
    "M.mnasnet1_3(weights='DEFAULT', num_classes=10)",
    "M.mnasnet0_75(alpha=1.0)",
    "M.MNASNet(0.0)",
    "M.mnasnet._InvertedResidual(16, 16, 7, 1, 3)",
    "M.mnasnet._InvertedResidual(16, 16, 3, 3, 3)",
    "M.mnasnet._stack(16, 24, 3, 2, 3, 0, 0.1)",
    "M.efficientnet_b0(weights=M.EfficientNet_B1_Weights.DEFAULT)",
    "M.efficientnet_v2_s(weights='DEFAULT', num_classes=10)",
    "M.efficientnet_b0(width_mult=2.0)",
    "M.efficientnet_b0(last_channel=640)",
    "M.efficientnet_b5(norm_layer=nn.BatchNorm2d)",
    "M.efficientnet_v2_m(norm_layer=nn.BatchNorm2d)",
    "M.efficientnet_v2_l(inverted_residual_setting=[])",
    "M.EfficientNet([], 0.2)",
    "M.EfficientNet([[1, 3, 1, 32, 16, 1]], 0.2)",
    "M.efficientnet.MBConv(M.efficientnet.MBConvConfig(1, 3, 3, 16, 16, 1), 0.0, nn.BatchNorm2d)",
    "M.efficientnet.FusedMBConv(M.efficientnet.FusedMBConvConfig(4, 3, 0, 16, 16, 1), 0.0, nn.BatchNorm2d)",
    "M.mnasnet0_5().load_state_dict({})",
]
# Builders whose seeded initialisation is recorded.
INIT = ["shufflenet_v2_x0_5", "mnasnet0_5", "efficientnet_b0", "efficientnet_v2_s"]


def structure(name: str, kwargs_code: str) -> dict:
    kwargs = eval(kwargs_code, {"nn": nn, "partial": partial})
    return {"builder": name, "kwargs": kwargs_code, **model_cases.structure(M, name, kwargs)}


def mnasnet_v1(x: torch.Tensor) -> dict:
    """A version-1 checkpoint of mnasnet0_5, made as torchvision makes one when it loads such a checkpoint."""
    old = M.mnasnet0_5()
    stem = [
        nn.Conv2d(3, 32, 3, padding=1, stride=2, bias=False),
        nn.BatchNorm2d(32, momentum=MN._BN_MOMENTUM),
        nn.ReLU(inplace=True),
        nn.Conv2d(32, 32, 3, padding=1, stride=1, groups=32, bias=False),
        nn.BatchNorm2d(32, momentum=MN._BN_MOMENTUM),
        nn.ReLU(inplace=True),
        nn.Conv2d(32, 16, 1, padding=0, stride=1, bias=False),
        nn.BatchNorm2d(16, momentum=MN._BN_MOMENTUM),
        MN._stack(16, 16, 3, 2, 3, 3, MN._BN_MOMENTUM),
    ]
    for index, layer in enumerate(stem):
        old.layers[index] = layer
    old._version = 1
    checkpoint = deterministic_(old).state_dict()
    assert checkpoint._metadata[""]["version"] == 1
    model = M.mnasnet0_5()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.load_state_dict(checkpoint)
    model.eval()
    with torch.no_grad():
        out = model(x)
    return {
        "keys": [[k, list(v.shape), str(v.dtype)] for k, v in checkpoint.items()],
        "warnings": [w.category.__name__ for w in caught],
        "repr": repr(model),
        "version": model.state_dict()._metadata[""]["version"],
        "logits": out,
    }


def initialised(name: str) -> dict[str, torch.Tensor]:
    """The first 8 values and the mean of every float tensor of the model built after ``manual_seed(0)``."""
    torch.manual_seed(0)
    state = getattr(M, name)().state_dict()
    return {k: torch.cat([v.flatten()[:8], v.mean().reshape(1)]) for k, v in state.items() if v.is_floating_point()}


def raised(code: str) -> str:
    try:
        with torch.device("meta"):
            eval(code, {"M": M, "nn": nn})
    except Exception as exc:
        return type(exc).__name__
    raise AssertionError(f"torchvision accepted {code}")


def main() -> None:
    torch.set_num_threads(1)
    x = torch.randn(1, 3, 64, 72, generator=torch.Generator().manual_seed(0))
    golden = {
        "torchvision": torchvision.__version__,
        "input": x,
        "structure": [structure(name, code) for name, code in STRUCTURE],
        "logits": {name: model_cases.logits(M, name, x) for name in LOGITS},
        "mnasnet_v1": mnasnet_v1(x),
        "errors": {code: raised(code) for code in ERRORS},
        "init": {name: initialised(name) for name in INIT},
    }
    out = Path(__file__).with_name("models_mobile.pt")
    torch.save(golden, out)
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
