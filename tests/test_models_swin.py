"""Swin Transformer V1 and V2 against torchvision's, recorded in ``golden/models_swin.pt``: structure of the
builders models_zoo.pt leaves out (on the meta device), logits of every builder on an input that needs padding,
seeded initial weights, and the calls torchvision refuses."""

from __future__ import annotations

import builtins
import math
from pathlib import Path

import pytest
import torch

import visionkit.models as M
from tests.golden import model_cases
from tests.golden.model_cases import num_params
from visionkit.models import swin_transformer as S

pytestmark = pytest.mark.usefixtures("one_thread")

GOLDEN = torch.load(Path(__file__).parent / "golden" / "models_swin.pt", weights_only=True)


def case_id(case: dict) -> str:
    args = ", ".join(f"{k}={v}" for k, v in case["kwargs"].items())
    return f"{case['builder']}({args})"


@pytest.mark.parametrize("case", GOLDEN["structure"], ids=case_id)
def test_structure_matches_torchvision(case: dict) -> None:
    for field, value in model_cases.structure(M, case["builder"], case["kwargs"]).items():
        assert value == case[field], field
    with torch.device("meta"):
        assert getattr(M, case["builder"])(num_classes=10, **case["kwargs"]).num_classes == 10


@pytest.mark.parametrize("name", sorted(GOLDEN["logits"]))
def test_logits_match_torchvision(name: str) -> None:
    logits = model_cases.logits(M, name, GOLDEN["input"])
    torch.testing.assert_close(logits, GOLDEN["logits"][name], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("name", sorted(GOLDEN["seeded"]))
def test_seeded_initial_weights_match_torchvision(name: str) -> None:
    torch.manual_seed(0)
    state = getattr(M, name)().state_dict()
    expected = GOLDEN["seeded"][name]
    assert list(state) == list(expected)
    for key, values in expected.items():
        torch.testing.assert_close(state[key].flatten()[:8], values, atol=1e-6, rtol=1e-5, msg=key)


@pytest.mark.parametrize("code", sorted(GOLDEN["errors"]))
def test_refuses_what_torchvision_refuses(code: str) -> None:
    with pytest.raises(getattr(builtins, GOLDEN["errors"][code])), torch.device("meta"):
        eval(code, {"M": M, "S": S})


class TestBuilders:
    def test_conflicting_num_classes_names_the_weights(self) -> None:
        with pytest.raises(
            ValueError, match=r"`num_classes` should be 1000 .*Swin_V2_T_Weights\.IMAGENET1K_V1, got 10"
        ):
            M.swin_v2_t(weights="DEFAULT", num_classes=10)

    def test_wrong_weights_enum_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="`weights` should be a Swin_T_Weights, its name or None"):
            M.swin_t(weights=M.Swin_S_Weights.IMAGENET1K_V1)

    def test_window_and_shift_need_two_entries(self) -> None:
        with pytest.raises(ValueError, match=r"`window_size` and `shift_size` should have 2 entries.*\[7, 7, 7\]"):
            S.ShiftedWindowAttention(96, [7, 7, 7], [0, 0], 3)

    @pytest.mark.parametrize("name", ["swin_t", "swin_s", "swin_b", "swin_v2_t", "swin_v2_s", "swin_v2_b"])
    def test_registered_with_weights_that_fit(self, name: str) -> None:
        assert name in M.list_models(module=S)
        with torch.device("meta"):
            model = M.get_model(name, weights=None, progress=False)
        assert M.get_model_weights(name).DEFAULT.meta["num_params"] == num_params(model)


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    torch.manual_seed(1)
    return M.swin_v2_t()


class TestInitialisation:
    def test_linear_layers_are_truncated_normal_with_zero_bias(self, model: torch.nn.Module) -> None:
        head = model.head
        assert head.weight.std().item() == pytest.approx(0.02, rel=0.05)
        assert head.weight.abs().max().item() <= 2.0
        assert not head.bias.any()

    def test_v2_key_bias_starts_at_zero_and_temperature_at_one_tenth(self, model: torch.nn.Module) -> None:
        attn = model.features[1][0].attn
        third = attn.qkv.bias.numel() // 3
        assert not attn.qkv.bias[third : 2 * third].any()
        torch.testing.assert_close(attn.logit_scale.exp(), torch.full((3, 1, 1), 10.0))

    def test_v1_bias_table_is_small_normal(self) -> None:
        torch.manual_seed(2)
        attn = S.ShiftedWindowAttention(64, [7, 7], [3, 3], 32)
        assert attn.relative_position_bias_table.shape == (13 * 13, 32)
        assert attn.relative_position_bias_table.std().item() == pytest.approx(0.02, rel=0.1)


class TestWindowAttention:
    def test_v2_ignores_the_key_bias(self) -> None:
        torch.manual_seed(3)
        attn = S.ShiftedWindowAttentionV2(32, [4, 4], [2, 2], 4).eval()
        x = torch.randn(2, 9, 11, 32)
        before = attn(x)
        with torch.no_grad():
            attn.qkv.bias[32:64] = 5.0
        torch.testing.assert_close(attn(x), before)

    def test_relative_position_index_covers_every_offset_once_per_pair(self) -> None:
        attn = S.ShiftedWindowAttention(8, [3, 5], [0, 0], 2)
        index = attn.relative_position_index.view(15, 15)
        assert index.dtype == torch.long
        assert set(index.flatten().tolist()) == set(range(5 * 9))
        assert (index.diagonal() == (3 - 1) * 9 + (5 - 1)).all()  # zero offset

    def test_shift_is_dropped_when_the_window_covers_the_map(self) -> None:
        torch.manual_seed(4)
        attn = S.ShiftedWindowAttention(16, [7, 7], [3, 3], 2).eval()
        x = torch.randn(1, 5, 6, 16)
        plain = S.ShiftedWindowAttention(16, [7, 7], [0, 0], 2).eval()
        plain.load_state_dict(attn.state_dict())
        torch.testing.assert_close(attn(x), plain(x))

    def test_patch_merging_pads_odd_maps(self) -> None:
        for layer in (S.PatchMerging(8), S.PatchMergingV2(8)):
            assert layer(torch.randn(2, 5, 7, 8)).shape == (2, 3, 4, 16)

    def test_blocks_keep_the_shape(self) -> None:
        for block in (S.SwinTransformerBlock, S.SwinTransformerBlockV2):
            layer = block(16, 2, [4, 4], [2, 2]).eval()
            assert layer(torch.randn(1, 6, 10, 16)).shape == (1, 6, 10, 16)

    def test_log_spaced_coordinates_span_plus_minus_one(self) -> None:
        coords = S.ShiftedWindowAttentionV2(8, [8, 8], [0, 0], 2).relative_coords_table
        assert coords.shape == (1, 15, 15, 2)
        assert coords.abs().max().item() == pytest.approx(math.log2(9.0) / 3.0)
