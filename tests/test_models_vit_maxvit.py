"""Vision Transformer and MaxViT against torchvision (recorded in ``golden/models_vit_maxvit.pt`` by
``golden/record_models_vit_maxvit.py``): the builders and configurations that ``models_zoo.pt`` does not cover,
``interpolate_embeddings``, the errors torchvision raises, and loading weights (legacy MLP names, SWAG sizes)."""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor, nn

import visionkit.models as M
import visionkit.models.maxvit as X
import visionkit.models.vision_transformer as V
from tests.golden.check_parity import deterministic_
from tests.golden.model_cases import num_params

pytestmark = pytest.mark.usefixtures("one_thread")

GOLDEN = torch.load(Path(__file__).parent / "golden" / "models_vit_maxvit.pt", weights_only=True)


def namespace() -> dict[str, Any]:
    return {"M": M, "V": V, "X": X, "nn": nn, "torch": torch, "OrderedDict": OrderedDict, "partial": partial}


def with_ten_classes(code: str) -> str:
    if "num_classes=" in code:
        return re.sub(r"num_classes=\d+", "num_classes=10", code)
    return code[:-1] + ("num_classes=10)" if code.endswith("()") else ", num_classes=10)")


def keys_and_shapes(model: nn.Module) -> list[tuple[str, tuple[int, ...]]]:
    return [(k, tuple(v.shape)) for k, v in model.state_dict().items()]


class TestArchitectures:
    @pytest.mark.parametrize("name", sorted(GOLDEN["cases"]))
    def test_matches_torchvision(self, name: str) -> None:
        expected = GOLDEN["cases"][name]
        with torch.device("meta" if expected["meta"] else "cpu"):
            model = eval(expected["code"], namespace())
            ten = eval(with_ten_classes(expected["code"]), namespace())
        assert keys_and_shapes(model) == [(k, tuple(shape)) for k, shape in expected["keys"]]
        assert num_params(model) == expected["num_params"]
        assert repr(model) == expected["repr"]
        assert num_params(ten) == expected["num_params_10_classes"]
        if "logits" in expected:
            deterministic_(model).eval()
            with torch.no_grad():
                logits = model(expected["input"])
            torch.testing.assert_close(logits, expected["logits"], atol=1e-4, rtol=1e-4)

    def test_every_builder_is_registered_with_its_weights(self) -> None:
        names = M.list_models(module=V) + M.list_models(module=X)
        assert names == ["vit_b_16", "vit_b_32", "vit_h_14", "vit_l_16", "vit_l_32", "maxvit_t"]
        assert M.get_model_weights("vit_h_14") is M.ViT_H_14_Weights
        assert M.get_model_weights("maxvit_t") is M.MaxVit_T_Weights

    def test_vit_keeps_its_configuration(self) -> None:
        with torch.device("meta"):
            model = M.vit_l_32(image_size=288, num_classes=10, dropout=0.1)
        assert (model.image_size, model.patch_size, model.hidden_dim, model.mlp_dim) == (288, 32, 1024, 4096)
        assert (model.seq_length, model.num_classes, model.dropout) == (82, 10, 0.1)

    def test_the_head_starts_at_zero_and_the_encoder_does_not(self) -> None:
        model = V.VisionTransformer(32, 8, 2, 2, 16, 32, num_classes=4)
        assert not model.heads.head.weight.any() and not model.heads.head.bias.any()
        assert model.encoder.pos_embedding.std().item() == pytest.approx(0.02, rel=0.5)
        assert model(torch.randn(3, 3, 32, 32)).shape == (3, 4)


class TestWeightsLoading:
    def test_swag_weights_build_the_model_at_their_resolution(self, monkeypatch: pytest.MonkeyPatch) -> None:
        weights = M.ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1
        with torch.device("meta"):
            expected = M.vit_b_16(image_size=384)
        loaded: list[bool] = []

        def fake_download(self: M.WeightsEnum, progress: bool = True, check_hash: bool = True) -> dict[str, Tensor]:
            loaded.append(progress)
            return {k: torch.zeros_like(v, device="cpu") for k, v in expected.state_dict().items()}

        monkeypatch.setattr(M.ViT_B_16_Weights, "get_state_dict", fake_download)
        model = M.vit_b_16(weights="IMAGENET1K_SWAG_E2E_V1", progress=False)
        assert loaded == [False]
        assert model.image_size == 384
        assert num_params(model) == weights.meta["num_params"]

    def test_legacy_mlp_names_load(self) -> None:
        source = V.VisionTransformer(16, 8, 2, 2, 8, 12, num_classes=3)
        state = source.state_dict()
        # A checkpoint from before torchvision 0.13: linear_1/linear_2 and no version in its metadata.
        legacy = OrderedDict(
            (k.replace("mlp.0.", "mlp.linear_1.").replace("mlp.3.", "mlp.linear_2."), v) for k, v in state.items()
        )
        assert "encoder.layers.encoder_layer_1.mlp.linear_2.bias" in legacy
        model = V.VisionTransformer(16, 8, 2, 2, 8, 12, num_classes=3)
        model.load_state_dict(legacy)
        assert all(torch.equal(model.state_dict()[k], v) for k, v in state.items())

    def test_current_names_are_not_renamed(self) -> None:
        model = V.VisionTransformer(16, 8, 1, 2, 8, 12, num_classes=3)
        state = model.state_dict()
        assert state._metadata["encoder.layers.encoder_layer_0.mlp"]["version"] == 2
        fresh = V.VisionTransformer(16, 8, 1, 2, 8, 12, num_classes=3)
        fresh.load_state_dict(state)
        assert all(torch.equal(fresh.state_dict()[k], v) for k, v in state.items())


class TestInterpolateEmbeddings:
    @pytest.mark.parametrize("name", sorted(GOLDEN["interpolate"]))
    def test_matches_torchvision(self, name: str) -> None:
        case = GOLDEN["interpolate"][name]
        state = OrderedDict((k, v.clone()) for k, v in case["state"].items())
        out = V.interpolate_embeddings(model_state=state, **case["kwargs"])
        assert list(out) == case["keys"]
        for key, value in case["result"].items():
            torch.testing.assert_close(out[key], value, atol=1e-5, rtol=1e-5)

    def test_resized_embeddings_load_into_a_larger_model(self) -> None:
        small = V.VisionTransformer(16, 4, 1, 2, 8, 12, num_classes=3)
        state = V.interpolate_embeddings(32, 4, small.state_dict())
        large = V.VisionTransformer(32, 4, 1, 2, 8, 12, num_classes=3)
        large.load_state_dict(state)
        assert large(torch.randn(1, 3, 32, 32)).shape == (1, 3)


class TestErrors:
    @pytest.mark.parametrize("name", sorted(GOLDEN["errors"]))
    def test_raises_what_torchvision_raises(self, name: str) -> None:
        case = GOLDEN["errors"][name]
        with pytest.raises(Exception) as raised:  # the type is compared with torchvision's below
            eval(case["code"], namespace())
        assert type(raised.value).__name__ == case["type"]

    def test_weights_of_another_architecture(self) -> None:
        with pytest.raises(TypeError, match="`weights` should be a ViT_B_32_Weights, its name or None"):
            M.vit_b_32(weights=M.ViT_B_16_Weights.DEFAULT)

    def test_num_classes_must_match_the_weights(self) -> None:
        with pytest.raises(ValueError, match=r"`num_classes` should be 1000 to match .*MaxVit_T_Weights"):
            M.maxvit_t(weights="DEFAULT", num_classes=10)

    def test_image_size_must_match_the_weights(self) -> None:
        with pytest.raises(ValueError, match=r"`image_size` should be 518 for ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1"):
            M.vit_h_14(weights="DEFAULT", image_size=224)

    def test_input_size_must_match_the_weights(self) -> None:
        with pytest.raises(ValueError, match=r"`input_size` should be \(224, 224\) for MaxVit_T_Weights"):
            M.maxvit_t(weights="DEFAULT", input_size=[224, 224])

    def test_input_size_must_suit_the_partitions(self) -> None:
        with pytest.raises(ValueError, match=r"Input size \(4, 4\) of block 3 is not divisible by partition size 7"):
            M.maxvit_t(input_size=(112, 112))
