"""Tests of visionkit.models weights: the catalogue, preprocessing, downloads (local server) and local checkpoints."""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import warnings
from pathlib import Path

import pytest
import torch
from PIL import Image
from torch import Tensor, nn

import visionkit.models as M
from tests.http_server import LocalHTTPServer

pytestmark = pytest.mark.usefixtures("one_thread")  # models are slow to share two cores

META = json.loads((Path(__file__).parent / "golden" / "meta.json").read_text())
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point torch.hub at an empty TORCH_HOME; returns the folder downloaded checkpoints land in."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub" / "checkpoints"


def randomized(model: nn.Module, seed: int) -> nn.Module:
    """Fill every float tensor of ``model`` with seeded noise, so two models differ everywhere."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(torch.rand(tensor.shape, generator=gen) + 0.5)
    return model


def serialized(obj: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def publish(server: LocalHTTPServer, stem: str, data: bytes, hashed: bytes | None = None) -> tuple[str, str]:
    """Serve ``data`` under an official-style name ``<stem>-<sha256 prefix of hashed or data>.pth``."""
    name = f"{stem}-{hashlib.sha256(data if hashed is None else hashed).hexdigest()[:8]}.pth"
    server.add(f"/models/{name}", data)
    return server.url(f"/models/{name}"), name


def serve_in_place_of(
    weights: M.WeightsEnum, model: nn.Module, server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Tensor], str]:
    """Publish ``model``'s state_dict on ``server`` and point ``weights`` at it; returns the state and file name."""
    state = model.state_dict()
    url, name = publish(server, weights.url.rsplit("/", 1)[1].split("-")[0], serialized(state))
    monkeypatch.setattr(weights.value, "url", url)
    return state, name


def same_state(model: nn.Module, state_dict: dict[str, Tensor]) -> bool:
    own = model.state_dict()
    return own.keys() == state_dict.keys() and all(torch.equal(own[k], state_dict[k]) for k in own)


class TestCatalogue:
    def test_exactly_the_weights_of_meta_json_exist(self) -> None:
        published = {repr(w) for name in M.list_models() for w in M.get_model_weights(name)}
        assert published == set(META["weights"])

    @pytest.mark.parametrize("name", sorted(META["weights"]))
    def test_entry_matches_meta_json(self, name: str) -> None:
        facts, weights = META["weights"][name], M.get_weight(name)
        assert weights in M.get_model_weights(facts["model"])
        assert weights.url == facts["url"]
        assert weights.meta["num_params"] == facts["num_params"]
        assert weights.meta["min_size"] == tuple(facts["min_size"])
        assert (type(weights).DEFAULT is weights) == facts["default"]
        for metric, value in facts["metrics"]["ImageNet-1K"].items():
            got = weights.meta["_metrics"]["ImageNet-1K"][metric]
            assert got == value or (math.isnan(got) and math.isnan(value))
        preprocess = weights.transforms()
        assert (preprocess.resize_size, preprocess.crop_size) == (facts["resize_size"], facts["crop_size"])
        assert (preprocess.mean, preprocess.std) == (facts["mean"], facts["std"])
        assert str(preprocess.interpolation) == facts["interpolation"]

    def test_classifier_weights_carry_the_imagenet_categories(self) -> None:
        assert M.ResNet18_Weights.DEFAULT.meta["categories"] == META["imagenet_categories"]
        assert M.VGG16_Weights.IMAGENET1K_FEATURES.meta["categories"] is None

    def test_default_is_an_alias_with_a_readable_name(self) -> None:
        assert M.ResNet50_Weights.DEFAULT is M.ResNet50_Weights.IMAGENET1K_V2
        assert repr(M.ResNet50_Weights.DEFAULT) == str(M.ResNet50_Weights.DEFAULT) == "ResNet50_Weights.IMAGENET1K_V2"
        assert list(M.ResNet50_Weights) == [M.ResNet50_Weights.IMAGENET1K_V1, M.ResNet50_Weights.IMAGENET1K_V2]

    def test_every_architecture_has_published_weights(self) -> None:
        assert not [name for name in M.list_models() if not list(M.get_model_weights(name))]


class TestWeightNames:
    @pytest.mark.parametrize(
        "given", [M.ResNet50_Weights.IMAGENET1K_V1, "IMAGENET1K_V1", "ResNet50_Weights.IMAGENET1K_V1"]
    )
    def test_verify_accepts_members_and_names(self, given: object) -> None:
        assert M.ResNet50_Weights.verify(given) is M.ResNet50_Weights.IMAGENET1K_V1

    def test_verify_keeps_none_and_resolves_default(self) -> None:
        assert M.ResNet50_Weights.verify(None) is None
        assert M.ResNet50_Weights.verify("DEFAULT") is M.ResNet50_Weights.IMAGENET1K_V2

    def test_unknown_name(self) -> None:
        with pytest.raises(
            ValueError, match=r"`weights` should be one of \['IMAGENET1K_V1', 'DEFAULT'\] or None, got 'V9'"
        ):
            M.resnet18(weights="V9")

    def test_weights_of_another_architecture(self) -> None:
        with pytest.raises(TypeError, match="`weights` should be a ResNet18_Weights, its name or None, got ResNet34"):
            M.resnet18(weights=M.ResNet34_Weights.DEFAULT)

    def test_weights_of_the_wrong_type(self) -> None:
        with pytest.raises(TypeError, match="`weights` should be a ResNet18_Weights, its name or None, got 3"):
            M.resnet18(weights=3)

    def test_num_classes_must_match_the_categories_before_anything_downloads(self, hub_cache: Path) -> None:
        with pytest.raises(
            ValueError, match=r"`num_classes` should be 1000 to match .*ResNet18_Weights.IMAGENET1K_V1, got 10"
        ):
            M.resnet18(weights="DEFAULT", num_classes=10)
        assert not hub_cache.exists()

    def test_an_unknown_name_is_a_key_error_as_in_torchvision_and_a_value_error(self) -> None:
        expected = r"`weights` should be one of \['IMAGENET1K_V1', 'IMAGENET1K_V2', 'DEFAULT'\]"
        for error in (KeyError, ValueError):
            with pytest.raises(error, match=expected):
                M.resnet50(weights="IMAGENET1K_V3")

    def test_weights_the_architecture_does_not_have(self) -> None:
        with pytest.raises(ValueError, match=r"`weights` should be one of \[.*IMAGENET1K_SWAG_E2E_V1.*\] or None"):
            M.vit_h_14(weights="IMAGENET1K_V1")

    @pytest.mark.parametrize("name", ["regnet_y_128gf", "vit_h_14"])
    def test_pretrained_without_imagenet1k_v1_weights_is_refused(self, name: str) -> None:
        """``pretrained=True`` meant IMAGENET1K_V1: the SWAG-only models refuse it, as torchvision does, rather
        than start a 2.4 GB download."""
        with pytest.raises(ValueError, match=f"No weights available for model {name}"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            M.get_model(name, pretrained=True)

    def test_pretrained_and_weights_together(self) -> None:
        with pytest.raises(TypeError, match="pass `weights` or the deprecated `pretrained`, not both"):
            M.resnet18(weights="DEFAULT", pretrained=True)

    def test_pretrained_must_be_a_bool(self) -> None:
        with pytest.raises(TypeError, match="`pretrained` should be a bool, got 'yes'"):
            M.resnet18(pretrained="yes")


class TestPreprocessing:
    def test_transforms_build_the_documented_preprocessing(self) -> None:
        preprocess = M.ResNet50_Weights.IMAGENET1K_V2.transforms()
        assert isinstance(preprocess, M.ImageClassification)
        assert repr(preprocess) == (
            "ImageClassification(\n    crop_size=[224]\n    resize_size=[232]\n    mean=[0.485, 0.456, 0.406]\n"
            "    std=[0.229, 0.224, 0.225]\n    interpolation=InterpolationMode.BILINEAR\n)"
        )
        assert "resize_size=[232]" in preprocess.describe()

    def test_uint8_values_are_rescaled_then_normalized(self) -> None:
        image = torch.full((3, 300, 400), 128, dtype=torch.uint8)
        out = M.ResNet18_Weights.DEFAULT.transforms()(image)
        assert out.dtype == torch.float32
        assert out.shape == (3, 224, 224)
        torch.testing.assert_close(out, ((128 / 255 - MEAN) / STD).expand(3, 224, 224))

    def test_shorter_side_is_resized_then_the_centre_is_cropped(self) -> None:
        image = torch.zeros(3, 256, 512)
        image[:, :, 256:] = (
            1.0  # right half white: after 232x464 resize and a 224 centre crop, it is the crop's right half
        )
        out = M.ResNet50_Weights.IMAGENET1K_V2.transforms()(image)
        torch.testing.assert_close(out[:, :, :100], ((0 - MEAN) / STD).expand(3, 224, 100))
        torch.testing.assert_close(out[:, :, -100:], ((1 - MEAN) / STD).expand(3, 224, 100))

    def test_batches_keep_their_leading_dimension(self) -> None:
        out = M.ResNet18_Weights.DEFAULT.transforms()(torch.rand(2, 3, 240, 260))
        assert out.shape == (2, 3, 224, 224)

    def test_pil_images_give_the_tensor_result(self) -> None:
        pixels = torch.randint(0, 256, (3, 120, 90), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
        preprocess = M.ResNet18_Weights.DEFAULT.transforms()
        from_pil = preprocess(Image.fromarray(pixels.permute(1, 2, 0).numpy()))
        from_tensor = preprocess(pixels)
        assert from_pil.shape == (3, 224, 224)
        assert (from_pil - from_tensor).abs().mean() < 0.05  # PIL and torch resize round differently

    def test_crop_larger_than_the_image_pads_with_zeros(self) -> None:
        out = M.ImageClassification(crop_size=300, resize_size=256)(torch.ones(3, 256, 256))
        assert out.shape == (3, 300, 300)
        torch.testing.assert_close(out[:, 0, 0], ((0 - MEAN) / STD).flatten())
        torch.testing.assert_close(out[:, 150, 150], ((1 - MEAN) / STD).flatten())

    def test_vgg_features_weights_expect_0_255_inputs(self) -> None:
        out = M.VGG16_Weights.IMAGENET1K_FEATURES.transforms()(torch.full((3, 224, 224), 0.5))
        expected = (0.5 - torch.tensor([0.48235, 0.45882, 0.40784])) * 255
        torch.testing.assert_close(out[:, 0, 0], expected)

    @pytest.mark.parametrize(("size", "error"), [(0, ValueError), (-3, ValueError), ("224", TypeError)])
    def test_crop_size_validation(self, size: object, error: type[Exception]) -> None:
        with pytest.raises(error, match=f"`crop_size` should be .*, got {size!r}"):
            M.ImageClassification(crop_size=size)

    def test_resize_size_validation(self) -> None:
        with pytest.raises(ValueError, match="`resize_size` should be a positive int, got 0"):
            M.ImageClassification(crop_size=224, resize_size=0)

    def test_interpolation_validation(self) -> None:
        with pytest.raises(TypeError, match="`interpolation` should be an InterpolationMode, got 'bilinear'"):
            M.ImageClassification(crop_size=224, interpolation="bilinear")

    def test_input_type_validation(self) -> None:
        with pytest.raises(TypeError, match="`img` should be a PIL image or a tensor, got list"):
            M.ResNet18_Weights.DEFAULT.transforms()([[0]])


class TestDownload:
    def test_builder_downloads_once_checks_and_loads(
        self, local_server: LocalHTTPServer, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        weights = M.MobileNet_V3_Small_Weights.IMAGENET1K_V1
        source, name = serve_in_place_of(weights, randomized(M.mobilenet_v3_small(), 1), local_server, monkeypatch)
        model = M.mobilenet_v3_small(weights=weights, progress=False)
        assert same_state(model, source)
        assert (hub_cache / name).is_file()
        again = M.get_model("mobilenet_v3_small", weights="MobileNet_V3_Small_Weights.DEFAULT", progress=False)
        assert same_state(again, source)
        assert local_server.hits(f"/models/{name}") == 1

    def test_corrupted_download_is_refused_and_not_cached(
        self, local_server: LocalHTTPServer, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        good = serialized(randomized(M.mobilenet_v3_small(), seed=2).state_dict())
        corrupted = good[:-100] + bytes(100)
        url, name = publish(local_server, "mobilenet_v3_small", corrupted, hashed=good)
        monkeypatch.setattr(M.MobileNet_V3_Small_Weights.IMAGENET1K_V1.value, "url", url)
        with pytest.raises(RuntimeError, match="invalid hash value"):
            M.mobilenet_v3_small(weights="DEFAULT", progress=False)
        assert not (hub_cache / name).exists()
        local_server.add(f"/models/{name}", good)  # the next try downloads again rather than trusting a cache
        M.mobilenet_v3_small(weights="DEFAULT", progress=False)
        assert local_server.hits(f"/models/{name}") == 2

    def test_pretrained_true_warns_and_loads_the_first_published_weights(
        self, local_server: LocalHTTPServer, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        first, default = M.MobileNet_V2_Weights.IMAGENET1K_V1, M.MobileNet_V2_Weights.DEFAULT
        source, _ = serve_in_place_of(first, randomized(M.mobilenet_v2(), 3), local_server, monkeypatch)
        _, default_name = serve_in_place_of(default, M.mobilenet_v2(), local_server, monkeypatch)
        with pytest.warns(UserWarning) as record:
            model = M.mobilenet_v2(pretrained=True, progress=False)
        assert [str(w.message) for w in record] == [
            "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
            "please use 'weights' instead.",
            "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be removed "
            "in the future. The current behavior is equivalent to passing `weights=MobileNet_V2_Weights.IMAGENET1K_V1`."
            " You can also use `weights=MobileNet_V2_Weights.DEFAULT` to get the most up-to-date weights.",
        ]
        assert same_state(model, source)
        assert local_server.hits(f"/models/{default_name}") == 0

    def test_pretrained_false_warns_and_builds_random_weights(self, hub_cache: Path) -> None:
        with pytest.warns(UserWarning) as record:
            model = M.mobilenet_v3_small(pretrained=False)
        messages = [str(w.message) for w in record]
        assert len(messages) == 2
        assert messages[0].startswith("The parameter 'pretrained' is deprecated since 0.13")
        assert messages[1].endswith("The current behavior is equivalent to passing `weights=None`.")
        assert isinstance(model, M.MobileNetV3)
        assert not hub_cache.exists()

    def test_weights_true_is_the_legacy_spelling_of_pretrained(
        self, local_server: LocalHTTPServer, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        weights = M.MobileNet_V3_Small_Weights.IMAGENET1K_V1
        source, _ = serve_in_place_of(weights, randomized(M.mobilenet_v3_small(), 4), local_server, monkeypatch)
        with pytest.warns(UserWarning, match="Arguments other than a weight enum or `None` for 'weights'"):
            model = M.mobilenet_v3_small(weights=True, progress=False)
        assert same_state(model, source)


class Payload:
    """Unpickling this runs a shell command that creates ``marker``: what a hostile checkpoint does."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch '{self.marker}'",)


@pytest.fixture(scope="module")
def source_state() -> dict[str, Tensor]:
    return randomized(M.mobilenet_v3_small(num_classes=10), seed=5).state_dict()


class TestLoadCheckpoint:
    @pytest.mark.parametrize(
        "wrap",
        [
            lambda sd: sd,
            lambda sd: {"state_dict": sd, "epoch": 3, "best_acc": 0.9},
            lambda sd: {"model": sd, "optimizer": {"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]}},
            lambda sd: {f"module.{k}": v for k, v in sd.items()},
            lambda sd: {"state_dict": {f"module.{k}": v for k, v in sd.items()}},
        ],
        ids=["state_dict", "training_checkpoint", "model_key", "data_parallel", "wrapped_data_parallel"],
    )
    def test_loads_the_common_layouts(self, wrap, source_state: dict[str, Tensor], tmp_path: Path) -> None:
        path = tmp_path / "checkpoint.pth"
        torch.save(wrap(source_state), path)
        model = M.mobilenet_v3_small(num_classes=10)
        report = M.load_checkpoint(model, path)
        assert report.ok
        assert same_state(model, source_state)

    def test_reads_an_open_file(self, source_state: dict[str, Tensor]) -> None:
        model = M.mobilenet_v3_small(num_classes=10)
        M.load_checkpoint(model, io.BytesIO(serialized(source_state)))
        assert same_state(model, source_state)

    def test_strict_refuses_a_different_head_by_name(self, tmp_path: Path) -> None:
        path = tmp_path / "imagenet.pth"
        torch.save(M.mobilenet_v3_small().state_dict(), path)
        with pytest.raises(
            ValueError,
            match=r"shape mismatches: classifier\.3\.weight \(model \[10, 1024\], checkpoint \[1000, 1024\]\)",
        ):
            M.load_checkpoint(M.mobilenet_v3_small(num_classes=10), path)

    def test_non_strict_loads_what_fits_and_reports_the_rest(self, source_state: dict[str, Tensor]) -> None:
        partial = {k: v for k, v in source_state.items() if k != "features.0.0.weight"}
        partial["classifier.3.weight"] = torch.zeros(1000, 1024)
        partial["extra.weight"] = torch.zeros(1)
        model = M.mobilenet_v3_small(num_classes=10)
        before = {k: v.clone() for k, v in model.state_dict().items()}
        report = M.load_checkpoint(model, io.BytesIO(serialized(partial)), strict=False)
        assert report.missing_keys == ["features.0.0.weight"]
        assert report.unexpected_keys == ["extra.weight"]
        assert report.shape_mismatches == [("classifier.3.weight", (10, 1024), (1000, 1024))]
        assert not report.ok
        state = model.state_dict()
        assert torch.equal(state["features.0.0.weight"], before["features.0.0.weight"])
        assert torch.equal(state["classifier.3.weight"], before["classifier.3.weight"])
        assert torch.equal(state["features.1.block.0.0.weight"], source_state["features.1.block.0.0.weight"])

    def test_strict_lists_missing_and_unexpected_keys(self, source_state: dict[str, Tensor]) -> None:
        partial = {k: v for k, v in source_state.items() if k != "classifier.0.bias"}
        partial["head.weight"] = torch.zeros(1)
        model = M.mobilenet_v3_small(num_classes=10)
        before = model.state_dict()["features.0.0.weight"].clone()
        with pytest.raises(ValueError, match=r"missing keys: classifier\.0\.bias\nunexpected keys: head\.weight"):
            M.load_checkpoint(model, io.BytesIO(serialized(partial)))
        assert torch.equal(model.state_dict()["features.0.0.weight"], before)  # nothing loaded

    def test_checkpoints_without_batch_norm_counters_load_strictly(self, source_state: dict[str, Tensor]) -> None:
        old_style = {k: v for k, v in source_state.items() if not k.endswith("num_batches_tracked")}
        assert M.load_checkpoint(M.mobilenet_v3_small(num_classes=10), io.BytesIO(serialized(old_style))).ok

    def test_refuses_a_checkpoint_that_would_run_code(self, source_state: dict[str, Tensor], tmp_path: Path) -> None:
        marker, path = tmp_path / "pwned", tmp_path / "hostile.pth"
        torch.save({"state_dict": source_state, "note": Payload(marker)}, path)
        with pytest.raises(ValueError, match=r"refused to load checkpoint .*could run arbitrary code"):
            M.load_checkpoint(M.mobilenet_v3_small(num_classes=10), path)
        assert not marker.exists()
        torch.load(path, weights_only=False)  # the payload is live: an unsafe load does run it
        assert marker.exists()

    def test_truncated_file(self, source_state: dict[str, Tensor], tmp_path: Path) -> None:
        path = tmp_path / "interrupted.pth"
        path.write_bytes(serialized(source_state)[:5000])
        with pytest.raises(ValueError, match=r"could not read checkpoint .*interrupted\.pth"):
            M.load_checkpoint(M.mobilenet_v3_small(num_classes=10), path)

    def test_file_that_is_not_a_checkpoint(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.pth"
        path.write_bytes(bytes(100))
        with pytest.raises(ValueError, match=r"refused to load checkpoint .*notes\.pth.*Either it is not a PyTorch"):
            M.load_checkpoint(M.mobilenet_v3_small(), path)

    def test_file_without_a_state_dict(self, tmp_path: Path) -> None:
        path = tmp_path / "list.pth"
        torch.save([1, 2, 3], path)
        with pytest.raises(ValueError, match=r"should hold a state_dict .* under 'state_dict' or 'model', got list"):
            M.load_checkpoint(M.mobilenet_v3_small(), path)


class TestReadCheckpoint:
    def test_gives_the_state_dict_of_a_wrapped_data_parallel_checkpoint(self, source_state: dict[str, Tensor]) -> None:
        wrapped = {"state_dict": {f"module.{k}": v for k, v in source_state.items()}, "epoch": 7}
        found = M.read_checkpoint(io.BytesIO(serialized(wrapped)))
        assert list(found) == list(source_state)
        assert all(torch.equal(found[k], v) for k, v in source_state.items())

    def test_refuses_code_naming_the_file_and_runs_nothing(
        self, source_state: dict[str, Tensor], tmp_path: Path
    ) -> None:
        marker = tmp_path / "pwned"
        upload = io.BytesIO(serialized({"state_dict": source_state, "note": Payload(marker)}))
        upload.name = "from-the-internet.pth"
        with pytest.raises(ValueError, match=r"refused to load checkpoint 'from-the-internet\.pth'") as refused:
            M.read_checkpoint(upload)
        assert not marker.exists()
        # it names what was refused, and never relays torch's advice to retry with weights_only=False
        assert re.search(r"Details: Trying to load unsupported GLOBAL (posix|nt)\.system", str(refused.value))
        assert "weights_only` set to `False`" not in str(refused.value)
