"""Tests of the model tools: summary, edits with generated code, feature maps and the architecture diagram."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import torch
from torch import Tensor, nn

import visionkit.models as M
from visionkit.models import (
    Edit,
    add_dropout_before_head,
    apply_code,
    architecture_dot,
    change_input_channels,
    cifar_stem,
    feature_maps,
    head_name,
    layer_names,
    replace_head,
    set_trainable,
    summary,
    swap_activation,
)

pytestmark = pytest.mark.usefixtures("one_thread")  # models are slow to share two cores

# Totals printed by torchinfo 1.8.0 (torchinfo.summary(model, (1, 3, 224, 224)).total_mult_adds).
TORCHINFO_MULT_ADDS = {"resnet18": 1_814_083_944, "mobilenet_v3_small": 56_527_424}


def build(name: str) -> nn.Module:
    torch.manual_seed(0)
    return M.get_model(name).eval()


@pytest.fixture(scope="module")
def models() -> dict[str, nn.Module]:
    """Randomly initialised models standing in for pretrained ones; tests must not change them."""
    return {name: build(name) for name in ("resnet18", "mobilenet_v3_small", "vgg11")}


Snapshot = tuple[str, dict[str, float], list[tuple[str, bool]], list[bool]]


def snapshot(model: nn.Module) -> Snapshot:
    """What a tool must not change: architecture, tensor values (summed: the models are large), flags, modes."""
    sums = {k: v.sum(dtype=torch.float64).item() for k, v in model.state_dict().items()}
    flags = [(n, p.requires_grad) for n, p in model.named_parameters()]
    return repr(model), sums, flags, [m.training for m in model.modules()]


def assert_same_model(a: nn.Module, b: nn.Module) -> None:
    """Same architecture, same tensors (names, shapes, values) and same trainable flags."""
    assert repr(a) == repr(b)
    state_a, state_b = a.state_dict(), b.state_dict()
    assert list(state_a) == list(state_b)
    for key, tensor in state_a.items():
        assert torch.equal(tensor, state_b[key]), key
    assert [(n, p.requires_grad) for n, p in a.named_parameters()] == [
        (n, p.requires_grad) for n, p in b.named_parameters()
    ]


def no_hooks(model: nn.Module) -> bool:
    return all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


class SmallNet(nn.Module):
    """conv 3->8 (3x3) + BN + ReLU, global pooling and a Linear 8->4 applied twice (shared weights)."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(8, 8)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.head(self.pool(self.features(x)).flatten(1)))


class TestSummary:
    def test_totals_are_the_parameter_counts(self, models: dict[str, nn.Module]) -> None:
        model = models["resnet18"]
        result = summary(model)
        assert result.total_params == sum(p.numel() for p in model.parameters()) == 11_689_512
        assert result.trainable_params == result.total_params
        assert result.rows[0].params == result.total_params
        assert result.input_size == (1, 3, 224, 224)
        assert result.output_shape == (1, 1000)

    def test_output_shapes_of_known_layers(self, models: dict[str, nn.Module]) -> None:
        rows = {row.name: row for row in summary(models["resnet18"]).rows}
        assert rows["conv1"].output_shape == (1, 64, 112, 112)
        assert rows["maxpool"].output_shape == (1, 64, 56, 56)
        assert rows["layer4"].output_shape == (1, 512, 7, 7)
        assert rows["fc"].output_shape == (1, 1000)
        assert (rows["layer1.0.conv1"].type, rows["layer1.0.conv1"].depth, rows["layer1.0.conv1"].is_leaf) == (
            "Conv2d",
            3,
            True,
        )
        assert (rows[""].type, rows[""].depth, rows[""].is_leaf) == ("ResNet", 0, False)

    def test_rows_are_in_pre_order(self, models: dict[str, nn.Module]) -> None:
        names = [row.name for row in summary(models["resnet18"], (1, 3, 32, 32)).rows]
        assert names[:7] == ["", "conv1", "bn1", "relu", "maxpool", "layer1", "layer1.0"]
        assert names == [name for name, _ in models["resnet18"].named_modules()]

    @pytest.mark.parametrize("name", sorted(TORCHINFO_MULT_ADDS))
    def test_mult_adds_agree_with_torchinfo(self, models: dict[str, nn.Module], name: str) -> None:
        assert summary(models[name]).total_mult_adds == TORCHINFO_MULT_ADDS[name]

    def test_mult_adds_of_a_small_net_by_hand(self) -> None:
        rows = {row.name: row for row in summary(SmallNet(), (2, 3, 10, 10)).rows}
        conv = (8 * 3 * 3 * 3 + 8) * 2 * 10 * 10  # each weight once per output position, for both images
        batch_norm = (8 + 8) * 2
        head = (8 * 8 + 8) * 2 * 2  # called twice
        assert rows["features.0"].mult_adds == conv == 44_800
        assert rows["features.1"].mult_adds == batch_norm
        assert rows["features.2"].mult_adds == 0
        assert rows["features"].mult_adds == conv + batch_norm
        assert rows["head"].mult_adds == head
        assert rows[""].mult_adds == conv + batch_norm + head
        assert rows["head"].output_shape == (2, 8)

    def test_param_share(self, models: dict[str, nn.Module]) -> None:
        rows = {row.name: row for row in summary(models["resnet18"], (1, 3, 32, 32)).rows}
        assert rows["fc"].param_share == pytest.approx(513_000 / 11_689_512)
        assert rows[""].param_share == 1.0
        assert rows["relu"].param_share == 0.0

    def test_trainable_column_shows_partial(self) -> None:
        model = build("resnet18")
        model.layer4.requires_grad_(False)
        model.layer3[1].conv1.requires_grad_(False)
        result = summary(model, (1, 3, 32, 32))
        trainable = {row.name: row.trainable for row in result.rows}
        assert trainable[""] == "Partial"
        assert trainable["layer3"] == "Partial"
        assert trainable["layer3.1"] == "Partial"
        assert trainable["layer3.0"] == "True"
        assert trainable["layer4"] == "False"
        assert trainable["relu"] == "--"
        assert result.trainable_params == 11_689_512 - 8_393_728 - 256 * 256 * 9

    def test_identical_siblings_are_folded(self) -> None:
        result = summary(build("resnet50"), (1, 3, 64, 64))
        repeats = {row.name: row.repeat_of for row in result.rows if row.name.count(".") == 1}
        assert [repeats[f"layer3.{i}"] for i in range(6)] == [None, None, *["layer3.1"] * 4]
        layer3 = next(child for child in result.tree()[0]["children"] if child["name"] == "layer3")
        assert [(c["name"], c["repeats"]) for c in layer3["children"]] == [("layer3.0", 1), ("layer3.1", 5)]
        assert layer3["children"][1]["params"] == 1_117_184  # one block's, not five
        unfolded = next(c for c in result.tree(collapse_repeats=False)[0]["children"] if c["name"] == "layer3")
        assert [c["repeats"] for c in unfolded["children"]] == [1] * 6

    def test_siblings_with_other_trainability_are_not_folded(self) -> None:
        model = build("resnet50")
        model.layer3[3].requires_grad_(False)
        repeats = {row.name: row.repeat_of for row in summary(model, (1, 3, 64, 64)).rows}
        assert [repeats[f"layer3.{i}"] for i in range(6)] == [None, None, "layer3.1", None, None, "layer3.4"]

    def test_tree_fields_and_depth(self, models: dict[str, nn.Module]) -> None:
        (root,) = summary(models["resnet18"], (1, 3, 32, 32)).tree(max_depth=1)
        assert set(root) == {
            "name",
            "type",
            "output_shape",
            "params",
            "trainable",
            "mult_adds",
            "share",
            "repeats",
            "children",
        }
        assert [c["name"] for c in root["children"]][:5] == ["conv1", "bn1", "relu", "maxpool", "layer1"]
        assert all(child["children"] == [] for child in root["children"])

    def test_max_depth_limits_rows_not_totals(self, models: dict[str, nn.Module]) -> None:
        result = summary(models["resnet18"], (1, 3, 32, 32), max_depth=1)
        assert max(row.depth for row in result.rows) == 1
        assert len(result.rows) == 11
        assert result.total_params == 11_689_512
        assert result.rows[0].mult_adds == summary(models["resnet18"], (1, 3, 32, 32)).total_mult_adds

    def test_text_table(self, models: dict[str, nn.Module]) -> None:
        result = summary(models["resnet18"], (1, 3, 32, 32))
        text = result.to_text(max_depth=1)
        assert "Total params: 11,689,512" in text
        assert "Non-trainable params: 0" in text
        assert "layer4 (Sequential)" in text
        assert "[1, 512, 1, 1]" in text
        assert "BasicBlock" not in text
        assert "BasicBlock" in str(result)

    def test_model_is_left_as_it_was(self) -> None:
        model = build("resnet18").train()
        model.layer1.eval()
        before = snapshot(model)
        summary(model, (2, 3, 32, 32))  # in train mode the batch norms would update their statistics
        assert snapshot(model) == before
        assert model.training and model.layer2.training and not model.layer1[0].bn1.training
        assert no_hooks(model)

    def test_hooks_and_modes_are_restored_when_the_forward_fails(self) -> None:
        model = build("resnet18").train()
        with pytest.raises(RuntimeError):
            summary(model, (1, 1, 32, 32))
        assert no_hooks(model)
        assert all(m.training for m in model.modules())

    @pytest.mark.parametrize("size", [(1, 0, 32, 32), (), (1, 3, 32.0, 32), "1x3x32x32"])
    def test_bad_input_size(self, size: object) -> None:
        with pytest.raises(ValueError, match=r"`input_size` should be a sequence of positive ints.*got"):
            summary(SmallNet(), size)  # type: ignore[arg-type]

    def test_bad_max_depth(self) -> None:
        with pytest.raises(ValueError, match=r"`max_depth` should be None or an int >= 0, got -1"):
            summary(SmallNet(), (1, 3, 8, 8), max_depth=-1)
        with pytest.raises(ValueError, match=r"`max_depth` should be None or an int >= 0, got 1.5"):
            summary(SmallNet(), (1, 3, 8, 8)).tree(max_depth=1.5)  # type: ignore[arg-type]

    def test_not_a_model(self) -> None:
        with pytest.raises(TypeError, match=r"`model` should be an nn.Module, got str"):
            summary("resnet18")  # type: ignore[arg-type]


EDITS: dict[str, Callable[[nn.Module], Edit]] = {
    "replace_head": lambda model: replace_head(model, 10),
    "freeze_all": lambda model: set_trainable(model, "", False),
    "freeze_features": lambda model: set_trainable(model, next(n for n, _ in model.named_children()), False),
    "one_channel": lambda model: change_input_channels(model, 1),
    "four_channels": lambda model: change_input_channels(model, 4),
    "dropout": lambda model: add_dropout_before_head(model, 0.25),
    "swap_activation": lambda model: swap_activation(model, "ReLU", "SiLU"),
}
EDIT_CASES = [(model, edit) for model in ("resnet18", "mobilenet_v3_small", "vgg11") for edit in EDITS]
EDIT_CASES.append(("resnet18", "cifar_stem"))
EDITS["cifar_stem"] = cifar_stem


class TestEditCode:
    @pytest.mark.parametrize(("model_name", "edit_name"), EDIT_CASES)
    def test_code_replays_the_edit_and_keeps_the_other_tensors(
        self, models: dict[str, nn.Module], model_name: str, edit_name: str
    ) -> None:
        model = models[model_name]
        before = snapshot(model)
        torch.manual_seed(1)
        edit = EDITS[edit_name](model)
        torch.manual_seed(1)
        replayed = apply_code(model, edit.code)
        assert_same_model(edit.model, replayed)
        assert edit.model is not model
        assert snapshot(model) == before
        original, edited = model.state_dict(), edit.model.state_dict()
        kept = [k for k, v in edited.items() if k in original and original[k].shape == v.shape]
        assert len(kept) >= len(original) - 4  # all but a replaced layer's tensors, or renamed ones
        for key in kept:
            assert torch.equal(edited[key], original[key]), key

    def test_chain_of_edits_replays(self, models: dict[str, nn.Module]) -> None:
        steps: list[Callable[[nn.Module], Edit]] = [
            lambda m: replace_head(m, 10),
            lambda m: set_trainable(m, "", False),
            lambda m: set_trainable(m, "fc", True),
            cifar_stem,
            lambda m: change_input_channels(m, 1),
            lambda m: add_dropout_before_head(m, 0.5),
            lambda m: replace_head(m, 7),
            lambda m: swap_activation(m, "ReLU", "GELU"),
        ]
        model = models["resnet18"]
        torch.manual_seed(2)
        edits = []
        for step in steps:
            edits.append(step(edits[-1].model if edits else model))
        torch.manual_seed(2)
        replayed = apply_code(model, "".join(edit.code for edit in edits))
        assert_same_model(edits[-1].model, replayed)
        assert replayed.fc[1].out_features == 7
        trainable = [n for n, p in replayed.named_parameters() if p.requires_grad]
        assert trainable == ["conv1.weight", "fc.1.weight", "fc.1.bias"]  # new layers start trainable


class TestEditEffects:
    @pytest.mark.parametrize(
        ("name", "head"),
        [("resnet18", "fc"), ("mobilenet_v3_small", "classifier.3"), ("vgg11", "classifier.6")],
    )
    def test_head_name(self, models: dict[str, nn.Module], name: str, head: str) -> None:
        assert head_name(models[name]) == head

    def test_head_name_of_mobilenet_v2(self) -> None:
        assert head_name(M.mobilenet_v2()) == "classifier.1"

    def test_replace_head(self, models: dict[str, nn.Module]) -> None:
        edit = replace_head(models["mobilenet_v3_small"], 10)
        assert edit.code == "model.classifier[3] = nn.Linear(model.classifier[3].in_features, 10)\n"
        assert edit.description == "Replace classifier.3 (1024 -> 1000) with Linear(1024, 10)"
        assert edit.model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
        assert replace_head(build("resnet50"), 3).description == "Replace fc (2048 -> 1000) with Linear(2048, 3)"

    def test_freeze_a_subtree_then_unfreeze_everything(self, models: dict[str, nn.Module]) -> None:
        frozen = set_trainable(models["resnet18"], "layer4", False)
        assert frozen.code == "model.layer4.requires_grad_(False)\n"
        assert frozen.description == "Freeze layer4 (8,393,728 parameters)"
        assert {n for n, p in frozen.model.named_parameters() if not p.requires_grad} == {
            n for n, _ in models["resnet18"].named_parameters() if n.startswith("layer4.")
        }
        assert summary(frozen.model, (1, 3, 32, 32)).rows[0].trainable == "Partial"
        thawed = set_trainable(frozen.model, "", True)
        assert thawed.description == "Unfreeze the whole model (11,689,512 parameters)"
        assert all(p.requires_grad for p in thawed.model.parameters())

    def test_freeze_inside_a_sequential(self, models: dict[str, nn.Module]) -> None:
        edit = set_trainable(models["resnet18"], "layer1.0.conv1", False)
        assert edit.code == "model.layer1[0].conv1.requires_grad_(False)\n"
        assert not edit.model.layer1[0].conv1.weight.requires_grad

    def test_cifar_stem(self, models: dict[str, nn.Module]) -> None:
        edit = cifar_stem(models["resnet18"])
        conv = edit.model.conv1
        assert (conv.kernel_size, conv.stride, conv.padding, conv.bias) == ((3, 3), (1, 1), (1, 1), None)
        assert isinstance(edit.model.maxpool, nn.Identity)
        rows = {row.name: row for row in summary(edit.model, (1, 3, 32, 32)).rows}
        assert rows["layer1"].output_shape == (1, 64, 32, 32)
        assert rows["layer4"].output_shape == (1, 512, 4, 4)

    @pytest.mark.parametrize("model_name", ["resnet18", "mobilenet_v3_small"])
    @pytest.mark.parametrize("channels", [1, 2, 4])
    def test_changed_input_channels_see_gray_images_as_before(
        self, models: dict[str, nn.Module], model_name: str, channels: int
    ) -> None:
        model = models[model_name]
        edited = change_input_channels(model, channels).model.eval()
        gray = torch.rand(2, 1, 32, 32, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            expected = model(gray.expand(2, 3, 32, 32))
            actual = edited(gray.expand(2, channels, 32, 32))
        torch.testing.assert_close(actual, expected, atol=1e-4, rtol=1e-4)

    def test_one_channel_filter_is_the_sum_of_the_rgb_filters(self, models: dict[str, nn.Module]) -> None:
        model = models["mobilenet_v3_small"]
        conv = change_input_channels(model, 1).model.features[0][0]
        old = model.features[0][0]
        assert conv.in_channels == 1
        torch.testing.assert_close(conv.weight, old.weight.sum(dim=1, keepdim=True))

    def test_four_channel_filters_are_the_scaled_mean(self, models: dict[str, nn.Module]) -> None:
        edit = change_input_channels(models["resnet18"], 4)
        mean = models["resnet18"].conv1.weight.mean(dim=1)
        assert edit.model.conv1.weight.shape == (64, 4, 7, 7)
        for channel in range(4):
            torch.testing.assert_close(edit.model.conv1.weight[:, channel], mean * 3 / 4)
        assert edit.description == (
            "Make conv1 take 4 input channels instead of 3, its filters set from the mean over the old channels"
        )

    def test_dropout_before_head(self, models: dict[str, nn.Module]) -> None:
        model = models["vgg11"]
        edit = add_dropout_before_head(model, 0.25)
        head = edit.model.classifier[6]
        assert isinstance(head, nn.Sequential) and isinstance(head[0], nn.Dropout) and head[0].p == 0.25
        assert torch.equal(head[1].weight, model.classifier[6].weight)
        assert edit.code == "model.classifier[6] = nn.Sequential(nn.Dropout(p=0.25), model.classifier[6])\n"
        assert head_name(edit.model) == "classifier.6.1"
        x = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            torch.testing.assert_close(edit.model.eval()(x), model(x))

    def test_swap_activation(self, models: dict[str, nn.Module]) -> None:
        model = models["mobilenet_v3_small"]
        relus = sum(type(m) is nn.ReLU for m in model.modules())
        edit = swap_activation(model, "ReLU", "GELU")
        assert edit.description == f"Replace {relus} ReLU modules with GELU"
        assert sum(type(m) is nn.GELU for m in edit.model.modules()) == relus
        assert not any(type(m) is nn.ReLU for m in edit.model.modules())
        assert sum(type(m) is nn.Hardswish for m in edit.model.modules()) == sum(
            type(m) is nn.Hardswish for m in model.modules()
        )

    def test_apply_code_runs_on_a_copy_and_may_rebind_model(self, models: dict[str, nn.Module]) -> None:
        model = models["resnet18"]
        wrapped = apply_code(model, "model.fc = nn.Identity()\nmodel = nn.Sequential(model, nn.Flatten())")
        assert isinstance(wrapped, nn.Sequential) and isinstance(wrapped[0].fc, nn.Identity)
        assert isinstance(model.fc, nn.Linear)


class TestEditErrors:
    @pytest.mark.parametrize(
        ("edit", "argument"), [(replace_head, "num_classes"), (change_input_channels, "in_channels")]
    )
    @pytest.mark.parametrize("count", [0, -3])
    def test_counts_below_one(
        self, models: dict[str, nn.Module], edit: Callable[[nn.Module, int], Edit], argument: str, count: int
    ) -> None:
        with pytest.raises(ValueError, match=rf"`{argument}` should be >= 1, got {count}"):
            edit(models["resnet18"], count)

    @pytest.mark.parametrize(
        ("edit", "argument"), [(replace_head, "num_classes"), (change_input_channels, "in_channels")]
    )
    def test_counts_that_are_not_ints(
        self, models: dict[str, nn.Module], edit: Callable[[nn.Module, int], Edit], argument: str
    ) -> None:
        with pytest.raises(TypeError, match=rf"`{argument}` should be an int, got str"):
            edit(models["resnet18"], "10")  # type: ignore[arg-type]

    def test_unknown_prefix_lists_top_level_modules(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(
            ValueError,
            match=r"`prefix` names no submodule 'layer9'; top-level modules are conv1, bn1, relu, maxpool, layer1,",
        ):
            set_trainable(models["resnet18"], "layer9", False)

    def test_unknown_nested_prefix_lists_the_siblings(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(ValueError, match=r"no submodule 'layer1.7.conv1'; submodules of 'layer1' are 0, 1$"):
            set_trainable(models["resnet18"], "layer1.7.conv1", False)

    def test_prefix_and_trainable_types(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(TypeError, match=r"`prefix` should be a str, got int"):
            set_trainable(models["resnet18"], 4, False)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"`trainable` should be a bool, got str"):
            set_trainable(models["resnet18"], "fc", "no")  # type: ignore[arg-type]

    def test_cifar_stem_needs_a_resnet(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(ValueError, match=r"`model` should be a ResNet-like .* got MobileNetV3"):
            cifar_stem(models["mobilenet_v3_small"])

    def test_in_channels_unchanged(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(ValueError, match=r"`in_channels` should differ from the 3 that conv1 takes, got 3"):
            change_input_channels(models["resnet18"], 3)

    def test_in_channels_without_a_convolution(self) -> None:
        with pytest.raises(ValueError, match=r"`model` should start with an ungrouped nn.Conv2d, got a Linear"):
            change_input_channels(nn.Linear(3, 2), 1)

    @pytest.mark.parametrize("p", [1.0, -0.1, 1.5, float("nan")])
    def test_dropout_p(self, models: dict[str, nn.Module], p: float) -> None:
        with pytest.raises(ValueError, match=r"`p` should be a float in \[0, 1\), got"):
            add_dropout_before_head(models["resnet18"], p)

    def test_dropout_p_type(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(TypeError, match=r"`p` should be a float, got str"):
            add_dropout_before_head(models["resnet18"], "0.5")  # type: ignore[arg-type]

    def test_no_head(self) -> None:
        with pytest.raises(ValueError, match=r"`model` should end in an nn.Linear head, got a Sequential"):
            replace_head(nn.Sequential(nn.Conv2d(3, 4, 1)), 10)

    @pytest.mark.parametrize(("old", "new", "argument"), [("Swish", "GELU", "old"), ("ReLU", "Tanh", "new")])
    def test_unknown_activation(self, models: dict[str, nn.Module], old: str, new: str, argument: str) -> None:
        with pytest.raises(ValueError, match=rf"`{argument}` should be one of ReLU, ReLU6, GELU, .*, got '"):
            swap_activation(models["resnet18"], old, new)

    def test_same_activation(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(ValueError, match=r"`new` should differ from `old`, got 'ReLU' for both"):
            swap_activation(models["resnet18"], "ReLU", "ReLU")

    def test_activation_the_model_does_not_use(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(ValueError, match=r"`old` should name an activation the model uses, got 'Hardswish'"):
            swap_activation(models["resnet18"], "Hardswish", "ReLU")

    def test_apply_code_types(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(TypeError, match=r"`code` should be a str, got bytes"):
            apply_code(models["resnet18"], b"model.eval()")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"`code` should leave an nn.Module in `model`, it left a int"):
            apply_code(models["resnet18"], "model = 3")
        with pytest.raises(TypeError, match=r"`model` should be an nn.Module, got dict"):
            head_name({})  # type: ignore[arg-type]


class TestFeatureMaps:
    def test_shape_of_a_stage(self, models: dict[str, nn.Module]) -> None:
        batch = torch.rand(2, 3, 64, 64)
        assert feature_maps(models["resnet18"], "layer1", batch).shape == (2, 64, 16, 16)
        assert feature_maps(models["mobilenet_v3_small"], "features.3", batch).shape == (2, 24, 8, 8)

    def test_output_is_taken_before_later_in_place_layers(self, models: dict[str, nn.Module]) -> None:
        model = models["resnet18"]
        batch = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            expected = model.bn1(model.conv1(batch))  # the next layer, an in-place ReLU, would zero negatives
        torch.testing.assert_close(feature_maps(model, "bn1", batch), expected)
        assert (feature_maps(model, "bn1", batch) < 0).any()

    def test_runs_in_eval_mode_and_restores_the_model(self) -> None:
        model = build("resnet18").train()
        before = snapshot(model)
        batch = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
        maps = feature_maps(model, "layer2.0", batch)
        assert snapshot(model) == before
        assert all(m.training for m in model.modules())
        assert no_hooks(model)
        assert not maps.requires_grad
        with torch.no_grad():
            expected = model.eval().layer2[0](model.layer1(model.maxpool(model.relu(model.bn1(model.conv1(batch))))))
        torch.testing.assert_close(maps, expected)

    def test_unknown_layer(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(ValueError, match=r"`layer` names no submodule 'layer1.5'; submodules of 'layer1' are"):
            feature_maps(models["resnet18"], "layer1.5", torch.zeros(1, 3, 32, 32))

    def test_layer_the_forward_does_not_run(self) -> None:
        model = SmallNet()
        model.unused = nn.Conv2d(8, 8, 1)
        with pytest.raises(ValueError, match=r"`layer` should be run by the model's forward .*, got 'unused'"):
            feature_maps(model, "unused", torch.zeros(1, 3, 8, 8))
        assert no_hooks(model)

    def test_batch_type(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(TypeError, match=r"`batch` should be a Tensor, got list"):
            feature_maps(models["resnet18"], "conv1", [[0.0]])  # type: ignore[arg-type]


class TestLayerNames:
    def test_resnet(self, models: dict[str, nn.Module]) -> None:
        names = layer_names(models["resnet18"])
        assert names[:5] == ["conv1", "maxpool", "layer1", "layer1.0", "layer1.0.conv1"]
        assert {"layer4", "layer4.1", "layer2.0.downsample"} <= set(names)
        assert not {"", "fc", "avgpool", "bn1", "relu"} & set(names)

    def test_flat_outputs_are_left_out(self, models: dict[str, nn.Module]) -> None:
        names = layer_names(models["vgg11"])
        assert names[:3] == ["features", "features.0", "features.2"]
        assert not any(name.startswith("classifier") for name in names)

    def test_kind(self, models: dict[str, nn.Module]) -> None:
        assert layer_names(models["resnet18"], nn.MaxPool2d) == ["maxpool"]
        assert layer_names(models["resnet18"], (nn.MaxPool2d, nn.AdaptiveAvgPool2d)) == ["maxpool", "avgpool"]
        with pytest.raises(TypeError, match=r"`kind` should be a module type or a tuple of them, got 'Conv2d'"):
            layer_names(models["resnet18"], "Conv2d")  # type: ignore[arg-type]


def parse_dot(dot: str) -> tuple[dict[str, str], list[tuple[str, str, bool]]]:
    """The labels of the nodes and the (source, target, dashed) edges of DOT source made by architecture_dot."""
    nodes = re.finditer(r'^\s*(n\d+) \[label="((?:[^"\\]|\\.)*)"', dot, re.M)
    labels = {m[1]: m[2].replace("\\n", "\n") for m in nodes}
    edges = [(m[1], m[2], "dashed" in m[3]) for m in re.finditer(r"^\s*(n\d+) -> (n\d+)(.*);$", dot, re.M)]
    return labels, edges


def node(labels: dict[str, str], first_line: str) -> str:
    return next(n for n, label in labels.items() if label.split("\n")[0] == first_line)


class TestArchitectureDot:
    def test_resnet_blocks_have_skip_edges_around_their_convolutions(self, models: dict[str, nn.Module]) -> None:
        dot = architecture_dot(models["resnet18"], input_size=(1, 3, 64, 64))
        labels, edges = parse_dot(dot)
        convs, block_input = node(labels, "layer1.0"), node(labels, "maxpool")
        assert labels[convs] == "layer1.0\nconv1 → bn1 → relu → conv2 → bn2\n1×64×16×16"
        (total,) = [target for source, target, _ in edges if source == convs]
        assert labels[total] == "+"
        assert (block_input, convs, False) in edges
        assert (block_input, total, True) in edges  # the identity path bypasses the convolutions
        downsample, main = node(labels, "layer2.0.downsample"), node(labels, "layer2.0")
        assert labels[downsample] == "layer2.0.downsample\nConv2d → BatchNorm2d\n1×128×8×8"
        (total,) = [target for source, target, _ in edges if source == main]
        assert (downsample, total, True) in edges and (main, total, False) in edges
        assert sum(dashed for *_, dashed in edges) == 8
        assert 'subgraph "cluster_layer1.0" {' in dot and 'label="layer1.0 (BasicBlock)"' in dot

    def test_vgg_is_a_chain(self, models: dict[str, nn.Module]) -> None:
        labels, edges = parse_dot(architecture_dot(models["vgg11"], input_size=(1, 3, 32, 32)))
        assert len(edges) == len(labels) - 1
        assert len({source for source, _, _ in edges}) == len({target for _, target, _ in edges}) == len(edges)
        assert not any(dashed for *_, dashed in edges)
        order = [node(labels, "input")]
        targets = {source: target for source, target, _ in edges}
        while order[-1] in targets:
            order.append(targets[order[-1]])
        assert [labels[n].split("\n")[0] for n in order[:3]] == ["input", "features.0", "features.1"]
        assert labels[order[-1]] == "output\n1×1000"
        assert labels[node(labels, "features.0")] == "features.0\nConv2d\n1×64×32×32"

    def test_shallower_grouping(self, models: dict[str, nn.Module]) -> None:
        dot = architecture_dot(models["resnet18"], max_depth=1, input_size=(1, 3, 32, 32))
        _, edges = parse_dot(dot)
        assert '"cluster_layer1"' in dot and '"cluster_layer1.0"' not in dot
        assert sum(dashed for *_, dashed in edges) == 8

    def test_default_input_follows_the_input_channels(self, models: dict[str, nn.Module]) -> None:
        gray = change_input_channels(models["resnet18"], 1).model
        labels, _ = parse_dot(architecture_dot(gray))
        assert labels[node(labels, "input")] == "input\n1×1×224×224"
        assert labels[node(labels, "layer4.1.relu")] == "layer4.1.relu\nReLU\n1×512×7×7"

    def test_leaves_the_model_as_it_was(self) -> None:
        model = build("mobilenet_v3_small").train()
        before = snapshot(model)
        architecture_dot(model, input_size=(2, 3, 32, 32))
        assert snapshot(model) == before
        assert all(m.training for m in model.modules())

    @pytest.mark.parametrize("name", M.list_models())
    def test_every_registered_model_is_traced(self, name: str) -> None:
        with torch.device("meta"):  # no memory and no arithmetic: only shapes
            model = M.get_model(name)
        # a ViT takes its image_size only (224 without weights), Inception at least 75 pixels
        side = getattr(model, "image_size", None) or max(64, *next(iter(M.get_model_weights(name))).meta["min_size"])
        labels, edges = parse_dot(architecture_dot(model, input_size=(1, 3, side, side)))
        assert labels[node(labels, "output")] == "output\n1×1000"
        has_skips = any(dashed for *_, dashed in edges)
        assert has_skips == (not name.startswith(("vgg", "alexnet")))  # the two plain chains

    def test_untraceable_model_falls_back_to_a_chain(self) -> None:
        class Gated(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.stem = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
                self.head = nn.Linear(4, 2)

            def forward(self, x: Tensor) -> Tensor:
                x = self.stem(x)
                if x.mean() > 0:  # depends on the data: torch.fx cannot trace it
                    x = -x
                return self.head(x.mean(dim=(2, 3)))

        labels, edges = parse_dot(architecture_dot(Gated(), max_depth=2, input_size=(1, 3, 8, 8)))
        assert [label.split("\n")[0] for label in labels.values()] == ["input", "stem.0", "stem.1", "head", "output"]
        assert labels[node(labels, "stem.0")] == "stem.0\nConv2d\n1×4×6×6"
        assert edges == [("n0", "n1", False), ("n1", "n2", False), ("n2", "n3", False), ("n3", "n4", False)]

    def test_errors(self, models: dict[str, nn.Module]) -> None:
        with pytest.raises(ValueError, match=r"`max_depth` should be an int >= 0, got -1"):
            architecture_dot(models["resnet18"], -1)
        with pytest.raises(ValueError, match=r"`input_size` should be a sequence of positive ints.*got \(1, 3\.0\)"):
            architecture_dot(models["resnet18"], input_size=(1, 3.0))  # type: ignore[arg-type]
