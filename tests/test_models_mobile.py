"""ShuffleNet V2, MNASNet and EfficientNet (V1 and V2) against torchvision, recorded in ``models_mobile.pt`` by
``tests/golden/record_models_mobile.py``: the structure of every builder models_zoo.pt does not cover, logits
of deterministic weights, MNASNet's version-1 checkpoints, seeded initialisation and refused calls."""

from __future__ import annotations

import builtins
import warnings
from collections import OrderedDict
from functools import partial
from pathlib import Path

import pytest
import torch
from torch import nn

import visionkit.models as M
from tests.golden import model_cases
from tests.golden.check_parity import deterministic_
from visionkit.ops.misc import StochasticDepth

pytestmark = pytest.mark.usefixtures("one_thread")

GOLDEN = torch.load(Path(__file__).parent / "golden" / "models_mobile.pt", weights_only=True)


@pytest.mark.parametrize("case", GOLDEN["structure"], ids=lambda c: f"{c['builder']}{c['kwargs']}")
def test_structure_matches_torchvision(case: dict) -> None:
    kwargs = eval(case["kwargs"], {"nn": nn, "partial": partial})
    for field, value in model_cases.structure(M, case["builder"], kwargs).items():
        assert value == case[field], field


@pytest.mark.parametrize("name", sorted(GOLDEN["logits"]))
def test_logits_match_torchvision(name: str) -> None:
    logits = model_cases.logits(M, name, GOLDEN["input"])
    torch.testing.assert_close(logits, GOLDEN["logits"][name], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("name", sorted(GOLDEN["init"]))
def test_seeded_initialisation_draws_what_torchvision_draws(name: str) -> None:
    torch.manual_seed(0)
    state = getattr(M, name)().state_dict()
    got = {k: torch.cat([v.flatten()[:8], v.mean().reshape(1)]) for k, v in state.items() if v.is_floating_point()}
    expected = GOLDEN["init"][name]
    assert list(got) == list(expected)
    for key, values in expected.items():
        torch.testing.assert_close(got[key], values, atol=1e-6, rtol=1e-5, msg=key)


@pytest.mark.parametrize("code", sorted(GOLDEN["errors"]))
def test_refuses_what_torchvision_refuses(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # nothing may download before the error
    with pytest.raises(getattr(builtins, GOLDEN["errors"][code])) as info, torch.device("meta"):
        eval(code, {"M": M, "nn": nn})
    assert type(info.value).__name__ == GOLDEN["errors"][code]  # the type itself, not a subclass
    assert not any(tmp_path.iterdir())


class TestMNASNetCheckpointVersions:
    @staticmethod
    def version_1_checkpoint() -> dict[str, torch.Tensor]:
        """The recorded version-1 checkpoint: the keys, shapes and dtypes, filled as ``deterministic_`` fills."""
        recorded = GOLDEN["mnasnet_v1"]["keys"]
        state = {
            k: torch.zeros(shape, dtype=getattr(torch, dtype.removeprefix("torch."))) for k, shape, dtype in recorded
        }
        deterministic_(_StateHolder(state))
        checkpoint = OrderedDict(state)
        checkpoint._metadata = {"": {"version": 1}}  # type: ignore[attr-defined]
        return checkpoint

    def test_version_1_checkpoint_of_a_scaled_model_loads_with_the_old_stem(self) -> None:
        expected = GOLDEN["mnasnet_v1"]
        model = M.mnasnet0_5()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.load_state_dict(self.version_1_checkpoint())
        assert [w.category.__name__ for w in caught] == expected["warnings"]
        assert "previous version" in str(caught[0].message)
        assert repr(model) == expected["repr"]
        assert model.state_dict()._metadata[""]["version"] == expected["version"] == 1
        with torch.no_grad():
            logits = model.eval()(GOLDEN["input"])
        torch.testing.assert_close(logits, expected["logits"], atol=1e-4, rtol=1e-4)

    def test_current_checkpoints_load_silently(self) -> None:
        source = deterministic_(M.mnasnet0_75())
        model = M.mnasnet0_75()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.load_state_dict(source.state_dict())
        assert model.state_dict()._metadata[""]["version"] == 2
        loaded, saved = model.state_dict(), source.state_dict()
        assert all(torch.equal(loaded[k], saved[k]) for k in saved)

    def test_version_1_changes_nothing_at_alpha_1(self) -> None:
        checkpoint = M.mnasnet1_0().state_dict()
        checkpoint._metadata[""]["version"] = 1
        model = M.mnasnet1_0()
        before = repr(model)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.load_state_dict(checkpoint)
        assert repr(model) == before

    def test_a_checkpoint_without_a_version_is_refused(self) -> None:
        with pytest.raises(ValueError, match="version should be 1 or 2, got None"):
            M.mnasnet1_0().load_state_dict(dict(M.mnasnet1_0().state_dict()))


class _StateHolder(nn.Module):
    """Exposes a plain dict through ``state_dict()``, so ``deterministic_`` can fill it in place."""

    def __init__(self, state: dict[str, torch.Tensor]) -> None:
        super().__init__()
        self._state = state

    def state_dict(self, *args: object, **kwargs: object) -> dict[str, torch.Tensor]:  # type: ignore[override]
        return self._state


class TestEfficientNetConfigs:
    def test_width_and_depth_multipliers_scale_and_round(self) -> None:
        cnf = M.efficientnet.MBConvConfig(6, 5, 2, 40, 80, 3, width_mult=1.1, depth_mult=1.2)
        assert (cnf.input_channels, cnf.out_channels, cnf.num_layers) == (48, 88, 4)
        assert cnf.block is M.efficientnet.MBConv

    def test_fused_config_keeps_its_numbers(self) -> None:
        cnf = M.efficientnet.FusedMBConvConfig(4, 3, 2, 24, 48, 4)
        assert (cnf.input_channels, cnf.out_channels, cnf.num_layers) == (24, 48, 4)
        assert cnf.block is M.efficientnet.FusedMBConv

    def test_stochastic_depth_grows_linearly_and_is_the_identity_in_eval(self) -> None:
        model = M.efficientnet_b0(stochastic_depth_prob=0.4)
        probs = [m.p for m in model.modules() if isinstance(m, StochasticDepth)]
        assert probs[0] == 0.0 and probs == sorted(probs) and probs[-1] == pytest.approx(0.4 * 15 / 16)
        block = model.features[2][1].eval()
        x = torch.rand(4, 24, 8, 8)
        with torch.no_grad():
            torch.testing.assert_close(block(x), block.block(x) + x)
