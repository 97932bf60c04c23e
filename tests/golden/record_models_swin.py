"""Record torchvision's Swin Transformers (V1 and V2) for tests/test_models_swin.py into models_swin.pt.

    /opt/tvenv/bin/python tests/golden/record_models_swin.py

For every Swin builder that tests/golden/models_zoo.pt does not cover (and one call with extra arguments):
state_dict keys and shapes, parameter counts (also with 10 classes) and repr, taken on the meta device. For
every builder: logits of ``deterministic_`` weights on a small input whose size is no multiple of the windows,
so padding, shifted-window masks and odd patch merging all run. The first values of swin_t's and swin_v2_t's
seeded initial weights. And the exception types of calls torchvision refuses.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import torchvision  # noqa: E402
import torchvision.models as M  # noqa: E402
from torchvision.models import swin_transformer as S  # noqa: E402

from tests.golden import model_cases  # noqa: E402

# (builder, kwargs) whose structure is recorded; swin_t and swin_v2_t are cases of models_zoo.pt.
STRUCTURE = [
    ("swin_s", {}),
    ("swin_b", {}),
    ("swin_v2_s", {}),
    ("swin_v2_b", {}),
    ("swin_t", {"mlp_ratio": 2.0, "dropout": 0.1, "attention_dropout": 0.2}),
]
LOGITS = ["swin_t", "swin_s", "swin_b", "swin_v2_t", "swin_v2_s", "swin_v2_b"]

# Calls that torchvision refuses, evaluated with M = the models package and S = its swin_transformer module.
ERRORS = [
    "M.swin_t(weights=M.Swin_S_Weights.IMAGENET1K_V1)",
    "M.swin_v2_b(weights=M.Swin_B_Weights.IMAGENET1K_V1)",
    "M.swin_s(weights=M.Swin_S_Weights.IMAGENET1K_V1, num_classes=10)",
    "M.swin_v2_t(weights='DEFAULT', num_classes=10)",
    "M.swin_t(embed_dim=64)",
    "M.swin_b(window_size=[8, 8])",
    "M.swin_s(stochastic_depth_prob=0.1)",
    "M.swin_v2_s(block=S.SwinTransformerBlock)",
    "S.ShiftedWindowAttention(96, [7, 7, 7], [0, 0], 3)",
    "S.ShiftedWindowAttentionV2(96, [8, 8], [4], 3)",
]


def structure(name: str, kwargs: dict) -> dict:
    return {"builder": name, "kwargs": kwargs, **model_cases.structure(M, name, kwargs)}


def seeded(name: str) -> dict[str, torch.Tensor]:
    """A fingerprint of the initial weights drawn after ``torch.manual_seed(0)``: each tensor's first 8 values."""
    torch.manual_seed(0)
    model = getattr(M, name)()
    return {k: v.flatten()[:8].clone() for k, v in model.state_dict().items()}


def raised(code: str) -> str:
    try:
        with torch.device("meta"):
            eval(code, {"M": M, "S": S})
    except Exception as exc:
        return type(exc).__name__
    raise AssertionError(f"torchvision accepted {code}")


def main() -> None:
    torch.set_num_threads(1)
    x = torch.randn(1, 3, 72, 88, generator=torch.Generator().manual_seed(0))
    golden = {
        "torchvision": torchvision.__version__,
        "input": x,
        "structure": [structure(name, kwargs) for name, kwargs in STRUCTURE],
        "logits": {name: model_cases.logits(M, name, x) for name in LOGITS},
        "seeded": {name: seeded(name) for name in ("swin_t", "swin_v2_t")},
        "errors": {code: raised(code) for code in ERRORS},
    }
    out = Path(__file__).with_name("models_swin.pt")
    torch.save(golden, out)
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
