"""AlexNet, SqueezeNet, GoogLeNet, Inception v3 and DenseNet against torchvision (``golden/models_classic.pt``),
beyond the cases of ``models_zoo.pt``: auxiliary heads and their outputs, other arguments, initialisation,
builder errors, and how pretrained weights are loaded (legacy DenseNet keys, GoogLeNet/Inception heads)."""

from __future__ import annotations

import re
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor, nn

import visionkit.models as M
from tests.golden.check_parity import deterministic_
from tests.golden.model_cases import num_params
from tests.golden.record_models_classic import init_stats
from visionkit.models.densenet import DenseNet, _DenseLayer, undot_legacy_keys

pytestmark = pytest.mark.usefixtures("one_thread")

GOLDEN = torch.load(Path(__file__).parent / "golden" / "models_classic.pt", weights_only=True)
OUTPUT_TYPES = {"googlenet": M.GoogLeNetOutputs, "inception_v3": M.InceptionOutputs}


def build(builder: str, **kwargs: Any) -> nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return getattr(M, builder)(**kwargs)


def run(model: nn.Module, input_name: str) -> Tensor | tuple:
    with torch.no_grad():
        return model(GOLDEN["inputs"][input_name].float())


@pytest.mark.parametrize("name", sorted(GOLDEN["cases"]))
def test_matches_torchvision(name: str) -> None:
    expected = GOLDEN["cases"][name]
    kwargs = eval(expected["kwargs"])
    computes = "logits" in expected or "train_outputs" in expected
    with torch.device("cpu" if computes else "meta"):  # shapes, counts and repr need no memory
        model = build(expected["builder"], **kwargs)
        ten = build(expected["builder"], **{**kwargs, "num_classes": 10})
    assert [[k, list(v.shape)] for k, v in model.state_dict().items()] == expected["keys"]
    assert num_params(model) == expected["num_params"]
    assert num_params(ten) == expected["num_params_10_classes"]
    assert repr(model) == expected["repr"]
    deterministic_(model)
    if "logits" in expected:
        torch.testing.assert_close(run(model.eval(), expected["eval_input"]), expected["logits"], atol=1e-4, rtol=1e-4)
    if "train_outputs" in expected:
        outputs, want = run(model.train(), expected["train_input"]), expected["train_outputs"]
        if isinstance(want, tuple):
            assert type(outputs) is OUTPUT_TYPES[expected["builder"]]
            assert len(outputs) == len(want)
        torch.testing.assert_close(tuple(outputs) if isinstance(want, tuple) else outputs, want, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("builder", sorted(GOLDEN["init"]))
def test_seeded_initialisation_draws_what_torchvision_draws(builder: str) -> None:
    torch.manual_seed(0)
    found, expected = init_stats(build(builder)), GOLDEN["init"][builder]
    assert found["keys"] == expected["keys"]
    torch.testing.assert_close(found["stats"], expected["stats"], atol=1e-9, rtol=1e-7, equal_nan=True)


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch"


@pytest.mark.parametrize("code", sorted(GOLDEN["errors"]))
def test_refuses_what_torchvision_refuses_before_downloading(code: str, hub_cache: Path) -> None:
    with pytest.raises(Exception) as raised, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eval(code, {"M": M, "torch": torch})
    assert type(raised.value).__name__ == GOLDEN["errors"][code]
    assert not hub_cache.exists()


class TestWarnings:
    @pytest.mark.parametrize(
        ("builder", "name"), [("googlenet", "GoogleNet"), ("inception_v3", "inception_v3")], ids=["googlenet", "v3"]
    )
    def test_default_init_warns_that_it_may_change(self, builder: str, name: str) -> None:
        with pytest.warns(FutureWarning, match=f"The default weight initialization of {name} will be changed"):
            getattr(M, builder)(aux_logits=False)

    @pytest.mark.parametrize("builder", ["googlenet", "inception_v3"])
    def test_explicit_init_is_silent(self, builder: str) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            getattr(M, builder)(init_weights=False, aux_logits=False)


def serve(monkeypatch: pytest.MonkeyPatch, enum: type[M.WeightsEnum], state: dict[str, Tensor]) -> None:
    """Make every member of ``enum`` hand out ``state`` instead of downloading."""
    monkeypatch.setattr(enum, "get_state_dict", lambda self, progress=True, check_hash=True: state)


def randomized_state(model: nn.Module, seed: int) -> dict[str, Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return OrderedDict(
        (k, torch.rand(v.shape, generator=gen) if v.is_floating_point() else v.clone())
        for k, v in model.state_dict().items()
    )


def same_state(model: nn.Module, state: dict[str, Tensor]) -> bool:
    own = model.state_dict()
    return own.keys() == state.keys() and all(torch.equal(own[k], state[k]) for k in own)


class TestPretrainedDenseNet:
    def test_official_dotted_keys_are_renamed_on_load(self, monkeypatch: pytest.MonkeyPatch) -> None:
        state = randomized_state(M.densenet121(), seed=1)
        # the published files predate num_batches_tracked and name the dense layers' modules "norm.1", "conv.2"...
        dotted = OrderedDict(
            (re.sub(r"(denselayer\d+\.(?:norm|conv))([12])\.", r"\1.\2.", k), v)
            for k, v in state.items()
            if not k.endswith("num_batches_tracked")
        )
        assert "features.denseblock1.denselayer1.norm.1.running_var" in dotted
        serve(monkeypatch, M.DenseNet121_Weights, dotted)
        model = M.densenet121(weights="DEFAULT")
        assert same_state(model, state)

    def test_current_keys_are_kept(self) -> None:
        state = DenseNet(8, (2, 2, 2, 2), 16).state_dict()
        renamed = undot_legacy_keys(state)
        assert list(renamed) == list(state)
        assert all(renamed[k] is state[k] for k in state)

    def test_only_dense_layer_keys_are_renamed(self) -> None:
        keys = ["features.norm.1.weight", "features.denseblock2.denselayer11.conv.2.weight", "classifier.bias"]
        renamed = undot_legacy_keys(OrderedDict((k, torch.zeros(1)) for k in keys))
        assert list(renamed) == ["features.norm.1.weight", "features.denseblock2.denselayer11.conv2.weight", keys[2]]


class TestPretrainedInceptionFamily:
    @pytest.fixture
    def googlenet_state(self, monkeypatch: pytest.MonkeyPatch) -> dict[str, Tensor]:
        state = randomized_state(M.googlenet(init_weights=False), seed=2)
        serve(monkeypatch, M.GoogLeNet_Weights, state)
        return state

    def test_googlenet_drops_the_untrained_heads_and_renormalises(self, googlenet_state: dict[str, Tensor]) -> None:
        model = M.googlenet(weights="DEFAULT")
        assert (model.aux_logits, model.aux1, model.aux2, model.transform_input) == (False, None, None, True)
        assert same_state(model, {k: v for k, v in googlenet_state.items() if not k.startswith("aux")})
        assert isinstance(model.train()(torch.rand(2, 3, 64, 64)), Tensor)

    def test_googlenet_keeps_the_heads_on_request_with_a_warning(self, googlenet_state: dict[str, Tensor]) -> None:
        with pytest.warns(UserWarning, match="auxiliary heads in the pretrained googlenet model are NOT pretrained"):
            model = M.googlenet(weights="DEFAULT", aux_logits=True, transform_input=False)
        assert same_state(model, googlenet_state)
        assert not model.transform_input
        assert type(model.train()(torch.rand(2, 3, 64, 64))) is M.GoogLeNetOutputs

    def test_inception_v3_keeps_its_head_and_renormalises(self, monkeypatch: pytest.MonkeyPatch) -> None:
        state = M.inception_v3(init_weights=False).state_dict()
        serve(monkeypatch, M.Inception_V3_Weights, state)
        model = M.inception_v3(weights="DEFAULT")
        assert same_state(model, state)
        assert model.aux_logits and model.AuxLogits is not None and model.transform_input


class TestInputTransform:
    def test_maps_imagenet_normalisation_to_minus_one_one(self) -> None:
        model = M.googlenet(init_weights=False, aux_logits=False, transform_input=True)
        seen = []
        model.conv1.register_forward_pre_hook(lambda module, args: seen.append(args[0]))
        pixels = torch.rand(1, 3, 16, 16)
        mean, std = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1), torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
        model.eval()((pixels - mean) / std)
        torch.testing.assert_close(seen[0], (pixels - 0.5) / 0.5)


class TestMemoryEfficientDenseNet:
    def test_recomputes_the_bottleneck_and_gives_the_same_gradients(self, monkeypatch: pytest.MonkeyPatch) -> None:
        calls = []
        bottleneck = _DenseLayer.bn_function

        def counted(self: _DenseLayer, inputs: list[Tensor]) -> Tensor:
            calls.append(self)
            return bottleneck(self, inputs)

        monkeypatch.setattr(_DenseLayer, "bn_function", counted)
        results = []
        for efficient in (False, True):
            calls.clear()
            torch.manual_seed(0)
            model = DenseNet(8, (2, 2, 2, 2), 16, num_classes=5, memory_efficient=efficient).train()
            x = torch.rand(2, 3, 32, 32, requires_grad=True)
            model(x).sum().backward()
            results.append((len(calls), x.grad, model.features.conv0.weight.grad))
        (plain_calls, *plain), (efficient_calls, *efficient) = results
        assert (plain_calls, efficient_calls) == (8, 16)  # once per layer, plus once more in the backward pass
        for a, b in zip(plain, efficient, strict=True):
            torch.testing.assert_close(a, b)

    def test_without_gradients_it_runs_the_plain_path(self, monkeypatch: pytest.MonkeyPatch) -> None:
        model = DenseNet(8, (2, 2, 2, 2), 16, memory_efficient=True).eval()
        monkeypatch.setattr(_DenseLayer, "call_checkpoint_bottleneck", lambda self, inputs: pytest.fail("checkpointed"))
        with torch.no_grad():
            model(torch.rand(1, 3, 32, 32))
