"""RegNet and ConvNeXt against torchvision (``golden/models_regnet_convnext.pt``, for the builders that
``models_zoo.pt`` leaves out): state_dict keys and shapes, parameter counts, ``repr``, logits of deterministic
weights, RegNet stage settings, the exceptions builders raise, and the seeded initialisation."""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import pytest
import torch
from torch import nn

import visionkit.models as M
from tests.golden.check_parity import deterministic_
from tests.golden.model_cases import num_params
from visionkit.models.convnext import CNBlock, CNBlockConfig, LayerNorm2d
from visionkit.models.regnet import BlockParams

pytestmark = pytest.mark.usefixtures("one_thread")

GOLDEN = torch.load(Path(__file__).parent / "golden" / "models_regnet_convnext.pt", weights_only=True)
CASES = GOLDEN["cases"]


def build(name: str, on_meta: bool, **kwargs: object) -> nn.Module:
    """Large models are built on the meta device: shapes and reprs without memory or initialisation time."""
    if not on_meta:
        return getattr(M, name)(**kwargs)
    with torch.device("meta"):
        return getattr(M, name)(**kwargs)


def call_of(key: str) -> tuple[str, dict]:
    case = CASES[key]
    if "kwargs_source" not in case:
        return key, {}
    return case["name"], eval(case["kwargs_source"], {"nn": nn, "partial": partial})


def assert_logits(model: nn.Module, expected: torch.Tensor) -> None:
    deterministic_(model).eval()
    with torch.no_grad():
        logits = model(GOLDEN["input"])
    torch.testing.assert_close(logits, expected, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("key", sorted(CASES))
def test_matches_torchvision(key: str) -> None:
    expected = CASES[key]
    name, kwargs = call_of(key)
    on_meta = "logits" not in expected
    model = build(name, on_meta, **kwargs)
    assert [(k, list(v.shape)) for k, v in model.state_dict().items()] == [(k, s) for k, s in expected["keys"]]
    assert num_params(model) == expected["num_params"]
    assert repr(model) == expected["repr"]
    assert num_params(build(name, True, **{**kwargs, "num_classes": 10})) == expected["num_params_10_classes"]
    if not on_meta:
        assert_logits(model, expected["logits"])


@pytest.mark.parametrize("source", sorted(GOLDEN["block_params"]))
def test_block_params_match_torchvision(source: str) -> None:
    params = eval(source, {"BlockParams": BlockParams})
    expected = GOLDEN["block_params"][source]
    assert {k: getattr(params, k) for k in expected} == expected


@pytest.mark.parametrize("source", sorted(GOLDEN["errors"]))
def test_raises_what_torchvision_raises(source: str) -> None:
    expected = GOLDEN["errors"][source]
    if expected is None:
        eval(source, {"M": M})
        return
    with pytest.raises(Exception) as info:
        eval(source, {"M": M})
    assert type(info.value).__name__ == expected


@pytest.mark.parametrize("name", sorted(GOLDEN["init"]))
def test_seeded_initialisation_draws_what_torchvision_draws(name: str) -> None:
    torch.manual_seed(GOLDEN["init_seed"])
    state = getattr(M, name)().state_dict()
    expected = GOLDEN["init"][name]
    assert [k for k, v in state.items() if v.is_floating_point()] == list(expected)
    for key, facts in expected.items():
        tensor = state[key]
        torch.testing.assert_close(tensor.flatten()[: len(facts["head"])], facts["head"], msg=key)
        assert math.isclose(tensor.double().mean().item(), facts["mean"], rel_tol=1e-6, abs_tol=1e-9), key
        std = tensor.double().std().item()
        assert math.isclose(std, facts["std"], rel_tol=1e-6, abs_tol=1e-9) or math.isnan(facts["std"]), key


class TestRegNet:
    def test_builds_on_the_meta_device(self) -> None:
        # torchvision's BlockParams fails there; ours computes the widths on the CPU.
        with torch.device("meta"):
            model = M.regnet_y_128gf()
        assert num_params(model) == M.RegNet_Y_128GF_Weights.DEFAULT.meta["num_params"]

    def test_squeeze_excitation_only_in_regnet_y(self) -> None:
        with torch.device("meta"):
            x, y = M.regnet_x_400mf(), M.regnet_y_400mf()
        assert not any(k.endswith(".se.fc1.weight") for k in x.state_dict())
        assert any(k.endswith(".se.fc1.weight") for k in y.state_dict())

    def test_se_convolution_biases_keep_pytorch_default_init(self) -> None:
        model = M.regnet_y_400mf()
        assert model.fc.bias.abs().max() == 0
        assert all(m.fc1.bias.abs().max() > 0 for m in model.modules() if hasattr(m, "fc1"))


class TestConvNeXt:
    def test_layer_norm_2d_normalises_the_channels(self) -> None:
        x = torch.randn(2, 5, 3, 4)
        expected = nn.functional.layer_norm(x.movedim(1, -1), (5,)).movedim(-1, 1)
        torch.testing.assert_close(LayerNorm2d(5)(x), expected)

    def test_block_starts_close_to_the_identity(self) -> None:
        block = CNBlock(8, layer_scale=1e-6, stochastic_depth_prob=0.0).eval()
        x = torch.randn(1, 8, 6, 6)
        torch.testing.assert_close(block(x), x, atol=1e-4, rtol=0)

    def test_block_config_repr(self) -> None:
        assert repr(CNBlockConfig(96, None, 3)) == "CNBlockConfig(input_channels=96, out_channels=None, num_layers=3)"

    def test_stochastic_depth_grows_to_the_given_probability(self) -> None:
        with torch.device("meta"):
            model = M.convnext_tiny(stochastic_depth_prob=0.2)
        probs = [m.stochastic_depth.p for m in model.modules() if isinstance(m, CNBlock)]
        assert probs[0] == 0.0 and math.isclose(probs[-1], 0.2) and probs == sorted(probs)
