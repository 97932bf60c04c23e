"""Tests of visionkit.models: torchvision parity of every architecture, initialisation, arguments and registry."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch import nn

import visionkit.models as M
from tests.golden.check_parity import deterministic_
from visionkit.models import _api
from visionkit.models.mobilenetv2 import InvertedResidual as InvertedResidualV2
from visionkit.models.mobilenetv3 import InvertedResidualConfig
from visionkit.models.resnet import BasicBlock, Bottleneck
from visionkit.models.vgg import make_layers

pytestmark = pytest.mark.usefixtures("one_thread")  # models are slow to share two cores

GOLDEN = torch.load(Path(__file__).parent / "golden" / "models.pt", weights_only=True)

ALL_MODELS = [  # torchvision 0.29.1's classification builders, list_models(module=torchvision.models)
    "alexnet",
    "convnext_base",
    "convnext_large",
    "convnext_small",
    "convnext_tiny",
    "densenet121",
    "densenet161",
    "densenet169",
    "densenet201",
    "efficientnet_b0",
    "efficientnet_b1",
    "efficientnet_b2",
    "efficientnet_b3",
    "efficientnet_b4",
    "efficientnet_b5",
    "efficientnet_b6",
    "efficientnet_b7",
    "efficientnet_v2_l",
    "efficientnet_v2_m",
    "efficientnet_v2_s",
    "googlenet",
    "inception_v3",
    "maxvit_t",
    "mnasnet0_5",
    "mnasnet0_75",
    "mnasnet1_0",
    "mnasnet1_3",
    "mobilenet_v2",
    "mobilenet_v3_large",
    "mobilenet_v3_small",
    "regnet_x_16gf",
    "regnet_x_1_6gf",
    "regnet_x_32gf",
    "regnet_x_3_2gf",
    "regnet_x_400mf",
    "regnet_x_800mf",
    "regnet_x_8gf",
    "regnet_y_128gf",
    "regnet_y_16gf",
    "regnet_y_1_6gf",
    "regnet_y_32gf",
    "regnet_y_3_2gf",
    "regnet_y_400mf",
    "regnet_y_800mf",
    "regnet_y_8gf",
    "resnet101",
    "resnet152",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnext101_32x8d",
    "resnext101_64x4d",
    "resnext50_32x4d",
    "shufflenet_v2_x0_5",
    "shufflenet_v2_x1_0",
    "shufflenet_v2_x1_5",
    "shufflenet_v2_x2_0",
    "squeezenet1_0",
    "squeezenet1_1",
    "swin_b",
    "swin_s",
    "swin_t",
    "swin_v2_b",
    "swin_v2_s",
    "swin_v2_t",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
    "vit_b_16",
    "vit_b_32",
    "vit_h_14",
    "vit_l_16",
    "vit_l_32",
    "wide_resnet101_2",
    "wide_resnet50_2",
]


def num_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


class TestEveryRegisteredModel:
    @pytest.mark.parametrize("name", M.list_models())
    def test_builds_and_classifies_a_small_batch(self, name: str) -> None:
        """At the smallest input its weights accept (at least 64 x 64); models above 100 M parameters are built
        on the meta device, where only shapes are computed."""
        weights = list(M.get_model_weights(name))
        facts = weights[0].meta if weights else {"min_size": (1, 1), "num_params": 0}
        device = "meta" if facts["num_params"] > 100_000_000 else "cpu"
        with torch.device(device):
            model = M.get_model(name, num_classes=7).eval()
            fixed = getattr(model, "image_size", None)  # a ViT takes one size only (its weights may fix another)
            height, width = (fixed, fixed) if fixed else (max(64, side) for side in facts["min_size"])
            with torch.no_grad():
                logits = model(torch.rand(1, 3, height, width))
        assert logits.shape == (1, 7)
        assert device == "meta" or torch.isfinite(logits).all()


class TestTorchvisionParity:
    @pytest.mark.parametrize("name", sorted(GOLDEN["cases"]))
    def test_golden_case(self, name: str) -> None:
        expected = GOLDEN["cases"][name]
        model = getattr(M, name)()
        assert [(k, tuple(v.shape)) for k, v in model.state_dict().items()] == [tuple(k) for k in expected["keys"]]
        assert num_params(model) == expected["num_params"]
        assert repr(model) == expected["repr"]
        assert num_params(getattr(M, name)(num_classes=10)) == expected["num_params_10_classes"]
        if "logits" in expected:
            deterministic_(model).eval()
            with torch.no_grad():
                logits = model(GOLDEN["input"])
            torch.testing.assert_close(logits, expected["logits"], atol=1e-4, rtol=1e-4)

    def test_replacing_the_head_prints_like_torchvision(self) -> None:
        model = M.resnet18()
        model.fc = nn.Linear(model.fc.in_features, 10)
        assert repr(model) == GOLDEN["resnet18_fc10_repr"]


class TestInitialisation:
    def test_same_seed_gives_the_same_model(self) -> None:
        torch.manual_seed(3)
        first = M.mobilenet_v3_small().state_dict()
        torch.manual_seed(3)
        second = M.mobilenet_v3_small().state_dict()
        assert all(torch.equal(first[k], second[k]) for k in first)

    def test_resnet_convolutions_are_kaiming_normal_fan_out(self) -> None:
        conv = M.resnet18().layer3[0].conv1  # 128 -> 256 channels, 3x3: fan_out = 256 * 9
        assert conv.weight.mean().abs() < 0.002
        assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / (256 * 9)), rel=0.02)

    def test_resnet_norms_start_as_identity(self) -> None:
        model = M.resnet50()
        for norm in (model.bn1, model.layer2[1].bn3, model.layer4[0].downsample[1]):
            assert torch.equal(norm.weight, torch.ones_like(norm.weight))
            assert torch.equal(norm.bias, torch.zeros_like(norm.bias))

    def test_resnet_head_keeps_pytorch_default_linear_init(self) -> None:
        fc = M.resnet18().fc  # uniform in +-1/sqrt(512)
        bound = 1 / math.sqrt(512)
        assert fc.weight.abs().max() <= bound
        assert fc.weight.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.02)
        assert fc.bias.abs().max() > 0

    @pytest.mark.parametrize(("builder", "last_norm"), [(M.resnet18, lambda b: b.bn2), (M.resnet50, lambda b: b.bn3)])
    def test_zero_init_residual_zeroes_the_last_norm_of_every_block(self, builder, last_norm) -> None:
        model = builder(zero_init_residual=True)
        blocks = [m for m in model.modules() if isinstance(m, (BasicBlock, Bottleneck))]
        assert all(torch.count_nonzero(last_norm(b).weight) == 0 for b in blocks)
        assert torch.count_nonzero(blocks[0].bn1.weight) == blocks[0].bn1.weight.numel()

    @pytest.mark.parametrize("builder", [M.mobilenet_v2, M.mobilenet_v3_large])
    def test_mobilenet_linears_are_small_normals_and_conv_biases_zero(self, builder) -> None:
        model = builder()
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        assert all(m.weight.std().item() == pytest.approx(0.01, rel=0.05) for m in linears)
        assert all(torch.count_nonzero(m.bias) == 0 for m in linears)
        conv_biases = [m.bias for m in model.modules() if isinstance(m, nn.Conv2d) and m.bias is not None]
        assert all(torch.count_nonzero(b) == 0 for b in conv_biases)

    def test_vgg_init_weights_false_keeps_pytorch_defaults(self) -> None:
        initialised, default = M.vgg11(num_classes=10), M.vgg11(num_classes=10, init_weights=False)
        assert initialised.classifier[6].weight.std().item() == pytest.approx(0.01, rel=0.05)
        assert torch.count_nonzero(initialised.features[0].bias) == 0
        assert default.classifier[6].weight.std().item() == pytest.approx(1 / math.sqrt(3 * 4096), rel=0.05)
        assert torch.count_nonzero(default.features[0].bias) > 0


class TestResNetArguments:
    def test_groups_and_width_per_group_shape_the_bottleneck(self) -> None:
        block = M.ResNet(Bottleneck, [1, 1, 1, 1], groups=4, width_per_group=16).layer1[0]
        assert block.conv2.groups == 4
        assert block.conv2.out_channels == 64  # int(64 * 16 / 64) * 4

    def test_dilation_keeps_the_resolution_of_the_last_stages(self) -> None:
        model = M.resnet50(replace_stride_with_dilation=[False, True, True]).eval()
        trunk = nn.Sequential(*list(model.children())[:-2])
        with torch.no_grad():
            features = trunk(torch.rand(1, 3, 64, 64))
        assert features.shape == (1, 2048, 8, 8)
        assert model.layer4[1].conv2.dilation == (4, 4)

    def test_norm_layer_replaces_batch_norm_everywhere(self) -> None:
        model = M.resnet18(norm_layer=lambda channels: nn.GroupNorm(8, channels))
        assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
        assert isinstance(model.layer1[0].bn1, nn.GroupNorm)

    def test_wide_resnet_doubles_the_bottleneck_width(self) -> None:
        assert M.wide_resnet50_2().layer1[0].conv2.out_channels == 2 * M.resnet50().layer1[0].conv2.out_channels


class TestMobileNetArguments:
    def test_v2_width_mult_scales_and_rounds_channels(self) -> None:
        model = M.mobilenet_v2(width_mult=0.5)
        assert model.features[0][0].out_channels == 16
        assert model.features[1].out_channels == 8
        assert model.classifier[1].in_features == 1280  # the last layer is never narrowed

    def test_v2_dropout_and_custom_setting(self) -> None:
        model = M.mobilenet_v2(dropout=0.3, inverted_residual_setting=[[1, 16, 1, 1], [6, 24, 2, 2]])
        assert model.classifier[0].p == 0.3
        assert len(model.features) == 5  # stem, three blocks, last convolution

    def test_v3_width_mult_reduced_tail_and_dilated(self) -> None:
        model = M.mobilenet_v3_large(width_mult=0.5, reduced_tail=True, dilated=True)
        assert model.classifier[0].out_features == 320  # make_divisible(1280 // 2 * 0.5, 8)
        last_block = model.features[-2].block
        assert last_block[1][0].dilation == (2, 2)
        assert last_block[-1][0].out_channels == 40  # make_divisible(160 // 2 * 0.5, 8)

    def test_v3_dropout(self) -> None:
        assert M.mobilenet_v3_small(dropout=0.5).classifier[2].p == 0.5

    def test_v3_norm_defaults_to_small_momentum(self) -> None:
        norm = M.mobilenet_v3_small().features[0][1]
        assert (norm.eps, norm.momentum) == (0.001, 0.01)


class TestVGGArguments:
    def test_dropout_and_num_classes(self) -> None:
        model = M.vgg11_bn(dropout=0.1, num_classes=5)
        assert [m.p for m in model.classifier if isinstance(m, nn.Dropout)] == [0.1, 0.1]
        assert model.classifier[-1].out_features == 5

    def test_make_layers_counts(self) -> None:
        layers = make_layers([8, "M", 16], batch_norm=True)
        names = ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Conv2d", "BatchNorm2d", "ReLU"]
        assert [type(m).__name__ for m in layers] == names


class TestValidation:
    def test_replace_stride_with_dilation_needs_three_entries(self) -> None:
        with pytest.raises(ValueError, match=r"replace_stride_with_dilation.*3-element.*\[True, False\]"):
            M.resnet50(replace_stride_with_dilation=[True, False])

    def test_resnet_needs_four_stages(self) -> None:
        with pytest.raises(ValueError, match=r"`layers`.*4 stages.*\[2, 2\]"):
            M.ResNet(BasicBlock, [2, 2])

    def test_basic_block_refuses_groups(self) -> None:
        with pytest.raises(ValueError, match="BasicBlock only supports groups=1 and base_width=64, got 2 and 64"):
            M.resnet18(groups=2)

    def test_basic_block_refuses_dilation(self) -> None:
        with pytest.raises(NotImplementedError, match="dilation > 1, got 2"):
            M.resnet18(replace_stride_with_dilation=[False, False, True])

    def test_resnext_fixes_its_cardinality(self) -> None:
        with pytest.raises(ValueError, match="`groups` should be 32 in resnext50_32x4d, got 16"):
            M.resnext50_32x4d(groups=16)

    def test_wide_resnet_fixes_its_width(self) -> None:
        with pytest.raises(ValueError, match="`width_per_group` should be 128 in wide_resnet50_2, got 64"):
            M.wide_resnet50_2(width_per_group=64)

    def test_mobilenet_v2_stride(self) -> None:
        with pytest.raises(ValueError, match="`stride` should be 1 or 2, got 3"):
            InvertedResidualV2(16, 16, 3, 6)

    @pytest.mark.parametrize("setting", [[], [[1, 16, 1]]])
    def test_mobilenet_v2_setting(self, setting: list) -> None:
        with pytest.raises(ValueError, match=r"inverted_residual_setting.*\[t, c, n, s\].*got"):
            M.MobileNetV2(inverted_residual_setting=setting)

    def test_mobilenet_v3_empty_setting(self) -> None:
        with pytest.raises(ValueError, match="`inverted_residual_setting` should not be empty"):
            M.MobileNetV3([], 1024)

    def test_mobilenet_v3_setting_type(self) -> None:
        with pytest.raises(TypeError, match=r"list of InvertedResidualConfig, got \[\[16, 3\]\]"):
            M.MobileNetV3([[16, 3]], 1024)

    def test_mobilenet_v3_activation_name(self) -> None:
        with pytest.raises(ValueError, match=r"`activation` should be one of \['RE', 'HS'\], got 'GELU'"):
            InvertedResidualConfig(16, 3, 16, 16, False, "GELU", 1, 1, 1.0)

    def test_mobilenet_v3_stride(self) -> None:
        with pytest.raises(ValueError, match=r"`cnf\.stride` should be 1 or 2, got 4"):
            M.MobileNetV3([InvertedResidualConfig(16, 3, 16, 16, False, "RE", 4, 1, 1.0)], 1024)

    def test_vgg_config_entries(self) -> None:
        with pytest.raises(ValueError, match="`cfg` entries should be channel counts or 'M', got 'X'"):
            make_layers([64, "X"])

    def test_builders_are_keyword_only(self) -> None:
        with pytest.raises(TypeError):
            M.resnet18(None)  # type: ignore[misc]


class TestRegistry:
    def test_lists_every_builder_sorted(self) -> None:
        assert M.list_models() == ALL_MODELS

    def test_filters_by_module(self) -> None:
        assert M.list_models(module=M.mobilenetv3) == ["mobilenet_v3_large", "mobilenet_v3_small"]
        assert M.list_models(module=M) == ALL_MODELS

    def test_include_and_exclude_patterns(self) -> None:
        assert M.list_models(include="resnet*", exclude=["*101", "*152"]) == ["resnet18", "resnet34", "resnet50"]
        assert M.list_models(include=["vgg11*", "mobilenet_v2"]) == ["mobilenet_v2", "vgg11", "vgg11_bn"]

    def test_pattern_type(self) -> None:
        with pytest.raises(TypeError, match=r"`include` should be a pattern string or an iterable of them, got \[1\]"):
            M.list_models(include=[1])

    def test_module_type(self) -> None:
        with pytest.raises(TypeError, match="`module` should be a module, got str"):
            M.list_models(module="visionkit.models")

    def test_get_model_passes_the_config(self) -> None:
        model = M.get_model("ResNet18", num_classes=3)
        assert isinstance(model, M.ResNet)
        assert model.fc.out_features == 3

    def test_get_model_builder(self) -> None:
        assert M.get_model_builder("vgg16") is M.vgg16

    def test_unknown_model(self) -> None:
        with pytest.raises(
            ValueError, match=r"`name` should be a registered model \(see list_models\(\)\), got 'lenet5'"
        ):
            M.get_model("lenet5")

    @pytest.mark.parametrize("lookup", [M.get_model, M.get_model_builder, M.get_weight])
    def test_names_must_be_strings(self, lookup) -> None:
        with pytest.raises(TypeError, match="`name` should be a str, got int"):
            lookup(18)

    def test_get_model_weights_by_name_or_builder(self) -> None:
        assert M.get_model_weights("resnet50") is M.ResNet50_Weights
        assert M.get_model_weights(M.mobilenet_v3_small) is M.MobileNet_V3_Small_Weights

    def test_every_model_has_a_weights_enum(self) -> None:
        enums = {name: M.get_model_weights(name) for name in M.list_models()}
        assert all(issubclass(e, M.WeightsEnum) for e in enums.values())
        assert [w.name for w in enums["resnext101_32x8d"]] == ["IMAGENET1K_V1", "IMAGENET1K_V2"]

    def test_get_model_weights_of_an_unknown_builder(self) -> None:
        with pytest.raises(ValueError, match="`name` should be a registered model name or builder"):
            M.get_model_weights(len)

    def test_get_weight(self) -> None:
        assert M.get_weight("ResNet50_Weights.IMAGENET1K_V2") is M.ResNet50_Weights.IMAGENET1K_V2
        assert M.get_weight("VGG16_Weights.DEFAULT") is M.VGG16_Weights.IMAGENET1K_V1

    @pytest.mark.parametrize("name", ["resnet50", "ResNet50_Weights.IMAGENET1K_V9", "Foo_Weights.X"])
    def test_get_weight_unknown(self, name: str) -> None:
        with pytest.raises(ValueError, match=f"`name` should be a weights name like .*, got '{name}'"):
            M.get_weight(name)

    def test_register_a_custom_model(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(_api, "_MODELS", dict(_api._MODELS))

        @M.register_model("tiny_net")
        def tiny(**kwargs: object) -> nn.Module:
            return nn.Linear(2, 2)

        assert "tiny_net" in M.list_models()
        assert isinstance(M.get_model("tiny_net"), nn.Linear)
        with pytest.raises(ValueError, match="was registered without a weights enum"):
            M.get_model_weights("tiny_net")

    def test_names_are_registered_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(_api, "_MODELS", dict(_api._MODELS))
        with pytest.raises(ValueError, match="a model named 'resnet18' is already registered"):
            M.register_model()(M.resnet18)
