"""Record torchvision 0.29.1's model building blocks (torchvision.ops.misc and stochastic_depth) for
tests/test_ops_misc.py: each case's code is evaluated with ``ops`` bound to the library, after
``torch.manual_seed(0)``; the repr, state_dict keys and the output on the case's input are kept.

    /opt/tvenv/bin/python tests/golden/record_ops_misc.py
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import torch
from torch import nn

CASES = [
    ("ops.Conv2dNormActivation(3, 8)", (2, 3, 9, 9)),
    ("ops.Conv2dNormActivation(3, 8, kernel_size=(3, 5), stride=2, dilation=(1, 2))", (2, 3, 11, 13)),
    ("ops.Conv2dNormActivation(4, 8, 1, groups=2, norm_layer=None, activation_layer=nn.SiLU)", (1, 4, 5, 5)),
    ("ops.Conv2dNormActivation(3, 6, 3, padding='same', activation_layer=nn.Hardswish, inplace=None)", (1, 3, 7, 6)),
    ("ops.Conv2dNormActivation(3, 6, 5, bias=True, norm_layer=lambda c: nn.GroupNorm(2, c))", (1, 3, 8, 8)),
    ("ops.SqueezeExcitation(8, 2)", (2, 8, 5, 5)),
    ("ops.SqueezeExcitation(8, 4, activation=nn.SiLU, scale_activation=nn.Hardsigmoid)", (2, 8, 3, 4)),
    ("ops.MLP(6, [12, 4])", (3, 6)),
    ("ops.MLP(6, [12, 10, 4], norm_layer=nn.LayerNorm, activation_layer=nn.GELU, dropout=0.1, bias=False)", (3, 6)),
    ("ops.MLP(6, [5], inplace=False).train()", (4, 6)),
    ("ops.Permute([0, 2, 3, 1])", (2, 3, 4, 5)),
    ("ops.FrozenBatchNorm2d(3)", (2, 3, 4, 4)),
    ("ops.FrozenBatchNorm2d(5, eps=1e-3)", (1, 5, 2, 2)),
    ("ops.StochasticDepth(0.3, 'row').train()", (8, 3, 2, 2)),
    ("ops.StochasticDepth(0.5, 'batch').train()", (4, 3)),
    ("ops.StochasticDepth(0.5, 'row').eval()", (4, 3)),
    ("ops.StochasticDepth(1.0, 'row').train()", (4, 3)),
]


def run(code: str, shape: tuple[int, ...], ops: ModuleType) -> dict:
    """Build the case's module with ``ops`` (torchvision's or visionkit's), fill its tensors, run it."""
    torch.manual_seed(0)
    module = eval(code, {"ops": ops, "nn": nn})
    with torch.no_grad():
        for name, tensor in sorted(module.state_dict().items()):
            if tensor.is_floating_point() and "running_var" in name:
                tensor.copy_(torch.rand(tensor.shape) + 0.5)
            elif tensor.is_floating_point():
                tensor.copy_(torch.randn(tensor.shape))
    torch.manual_seed(1)
    x = torch.randn(shape)
    with torch.no_grad():
        y = module(x)
    return {"code": code, "input": x, "output": y, "repr": repr(module), "keys": list(module.state_dict())}


if __name__ == "__main__":
    import torchvision

    cases = [run(code, shape, torchvision.ops) for code, shape in CASES]
    torch.save({"torchvision": torchvision.__version__, "cases": cases}, Path(__file__).with_name("ops_misc.pt"))
    print(f"{len(cases)} cases")
