"""Record what torchvision's classic classifiers do beyond models_zoo.pt, for tests/test_models_classic.py.

Run with a venv that has torchvision 0.29.1: ``python tests/golden/record_models_classic.py`` writes
``tests/golden/models_classic.pt``. models_zoo.pt already holds every builder of these families once (GoogLeNet
without its auxiliary heads, Inception v3 without logits, DenseNet-161/169/201 without logits); this file adds

- ``cases``: builder name, keyword arguments (as code), state_dict keys and shapes, parameter counts (also with
  10 classes), ``repr`` and, where recorded, the eval-mode logits of ``deterministic_`` weights and the
  train-mode outputs (GoogLeNetOutputs / InceptionOutputs as plain tuples) on the named input;
- ``init``: for each builder's default configuration built right after ``torch.manual_seed(0)``, the mean and
  standard deviation of every float tensor of its state_dict (the layers are created and initialised in
  torchvision's order, so the same seed gives the same draws);
- ``errors``: builder calls torchvision refuses before downloading anything, with the exception's type name;
- ``inputs``: the inputs, stored in half precision (the test widens them to float32 exactly as done here).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.golden.check_parity import deterministic_

OUT = Path(__file__).with_name("models_classic.pt")


def _torchvision_models() -> Any:
    """torchvision.models, imported only when recording (the tests import :func:`init_stats` from here)."""
    import torchvision.models

    return torchvision.models


def _input(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed)).half()


INPUTS = {
    "small": _input((2, 3, 64, 64), 0),
    "inception_min": _input((2, 3, 75, 75), 1),
    "inception": _input((2, 3, 299, 299), 2),
}

# (case name, builder, kwargs as code, input for eval logits or None, input for train outputs or None)
CASES = [
    ("googlenet_aux", "googlenet", "dict(dropout=0.0, dropout_aux=0.0)", "small", "small"),
    (
        "googlenet_transform_input",
        "googlenet",
        "dict(init_weights=False, aux_logits=False, transform_input=True)",
        "small",
        None,
    ),
    ("googlenet_no_aux_train", "googlenet", "dict(init_weights=False, aux_logits=False, dropout=0.0)", None, "small"),
    ("inception_v3_aux", "inception_v3", "dict(init_weights=False, dropout=0.0)", "inception_min", "inception"),
    (
        "inception_v3_no_aux",
        "inception_v3",
        "dict(init_weights=False, aux_logits=False, transform_input=True, dropout=0.0)",
        "inception_min",
        "inception_min",
    ),
    ("inception_v3_default_init", "inception_v3", "dict()", None, None),
    ("densenet121_10_classes", "densenet121", "dict(num_classes=10, drop_rate=0.2)", "small", None),
    ("densenet161", "densenet161", "dict()", "small", None),
    ("densenet169", "densenet169", "dict()", "small", None),
    ("densenet201", "densenet201", "dict()", "small", None),
    ("densenet_custom", "densenet121", "dict(bn_size=2)", "small", None),
    ("squeezenet1_0_10_classes", "squeezenet1_0", "dict(num_classes=10)", "small", None),
    ("squeezenet1_1_10_classes", "squeezenet1_1", "dict(num_classes=10)", "small", None),
    ("alexnet_10_classes", "alexnet", "dict(num_classes=10, dropout=0.1)", "small", None),
]

# Calls that must fail before any download; evaluated with the models module as ``M``.
ERRORS = [
    "M.alexnet(weights='DEFAULT', num_classes=10)",
    "M.alexnet(weights=M.SqueezeNet1_0_Weights.DEFAULT)",
    "M.squeezenet1_0(weights=M.SqueezeNet1_1_Weights.DEFAULT)",
    "M.squeezenet1_1(weights='DEFAULT', num_classes=10)",
    "M.SqueezeNet(version='1_2')",
    "M.googlenet(weights='DEFAULT', aux_logits=False)",
    "M.googlenet(weights='DEFAULT', init_weights=True)",
    "M.googlenet(weights='DEFAULT', num_classes=10)",
    "M.googlenet(weights=M.Inception_V3_Weights.DEFAULT)",
    "M.GoogLeNet(init_weights=False, blocks=[torch.nn.Identity] * 2)",
    "M.inception_v3(weights='DEFAULT', aux_logits=False)",
    "M.inception_v3(weights='DEFAULT', init_weights=True)",
    "M.inception_v3(weights='DEFAULT', num_classes=10)",
    "M.Inception3(init_weights=False, inception_blocks=[torch.nn.Identity] * 6)",
    "M.densenet121(weights='DEFAULT', num_classes=10)",
    "M.densenet161(weights=M.DenseNet121_Weights.DEFAULT)",
    "M.densenet201(pretrained=True, weights='DEFAULT')",
    "M.densenet121(growth_rate=12)",
]


def _outputs(model: torch.nn.Module, x: torch.Tensor) -> Any:
    with torch.no_grad():
        y = model(x.float())
    return tuple(y) if isinstance(y, tuple) else y


def record_case(builder: str, kwargs_code: str, eval_input: str | None, train_input: str | None) -> dict[str, Any]:
    kwargs = eval(kwargs_code)
    build = getattr(_torchvision_models(), builder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = build(**kwargs)
        ten = build(**{**kwargs, "num_classes": 10})
    case: dict[str, Any] = {
        "builder": builder,
        "kwargs": kwargs_code,
        "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "num_params": sum(p.numel() for p in model.parameters()),
        "num_params_10_classes": sum(p.numel() for p in ten.parameters()),
        "repr": repr(model),
    }
    deterministic_(model)
    if eval_input is not None:
        case["eval_input"], case["logits"] = eval_input, _outputs(model.eval(), INPUTS[eval_input])
    if train_input is not None:
        case["train_input"], case["train_outputs"] = train_input, _outputs(model.train(), INPUTS[train_input])
    return case


INIT_BUILDERS = ["alexnet", "squeezenet1_0", "squeezenet1_1", "googlenet", "inception_v3", "densenet121"]


def init_stats(model: torch.nn.Module) -> dict[str, Any]:
    """Names and (mean, std) in float64 of the float tensors of ``model``'s state_dict; shared with the test."""
    floats = {k: v.double() for k, v in model.state_dict().items() if v.is_floating_point()}
    return {"keys": list(floats), "stats": torch.stack([torch.stack([v.mean(), v.std()]) for v in floats.values()])}


def record_init(builder: str) -> dict[str, Any]:
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return init_stats(getattr(_torchvision_models(), builder)())


def record_error(code: str) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eval(code, {"M": _torchvision_models(), "torch": torch})
    except Exception as exc:  # the type is what gets recorded
        return type(exc).__name__
    raise AssertionError(f"torchvision accepted {code}")


def main() -> None:
    import torchvision

    torch.set_num_threads(1)
    golden = {
        "torchvision": torchvision.__version__,
        "inputs": INPUTS,
        "cases": {name: record_case(*spec) for name, *spec in CASES},
        "init": {builder: record_init(builder) for builder in INIT_BUILDERS},
        "errors": {code: record_error(code) for code in ERRORS},
    }
    torch.save(golden, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB): {len(golden['cases'])} cases, {len(ERRORS)} errors")


if __name__ == "__main__":
    main()
