"""The model building blocks of visionkit.ops (Conv2dNormActivation, SqueezeExcitation, MLP, Permute,
FrozenBatchNorm2d, StochasticDepth) against torchvision 0.29.1's, recorded by tests/golden/record_ops_misc.py: the
same repr, state_dict keys and outputs (stochastic depth: the same random draws)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from tests.golden.record_ops_misc import run
from visionkit import ops

GOLDEN = torch.load(Path(__file__).parent / "golden" / "ops_misc.pt", weights_only=True)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["code"])
def test_matches_torchvision(case: dict) -> None:
    got = run(case["code"], tuple(case["input"].shape), ops)
    assert got["repr"] == case["repr"]
    assert got["keys"] == case["keys"]
    torch.testing.assert_close(got["input"], case["input"], rtol=0, atol=0)
    torch.testing.assert_close(got["output"], case["output"], rtol=1e-6, atol=1e-6)


def test_stochastic_depth_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        ops.stochastic_depth(torch.ones(2), 1.5, "row")
    with pytest.raises(ValueError, match="'batch' or 'row'"):
        ops.stochastic_depth(torch.ones(2), 0.5, "column")


def test_frozen_batch_norm_ignores_num_batches_tracked_of_a_batch_norm_checkpoint() -> None:
    trained = nn.BatchNorm2d(3)
    trained.running_mean.fill_(0.5)
    frozen = ops.FrozenBatchNorm2d(3)
    frozen.load_state_dict(trained.state_dict())
    assert torch.equal(frozen.running_mean, trained.running_mean) and "num_batches_tracked" not in frozen.state_dict()
    assert not list(frozen.parameters())
