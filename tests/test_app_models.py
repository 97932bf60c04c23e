"""The Models page under AppTest: print(model), edits with undo, generated code, validation, weights, checkpoints."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from visionkit import models

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("VISIONKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    torch.set_num_threads(1)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/models.py").run()
    assert not at.exception, at.exception
    return at


def open_tab(at: AppTest, name: str) -> AppTest:
    at.session_state["md_tab"] = name
    at.run()
    assert not at.exception, at.exception
    return at


def test_structure_matches_print_model_and_counts_parameters(app: AppTest) -> None:
    printed = [c.value for c in app.code]
    assert repr(models.resnet18()) in printed
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Parameters"] == f"{sum(p.numel() for p in models.resnet18().parameters()):,}"
    assert metrics["Output"] == "(1, 1000)"


def tree_layers(at: AppTest) -> list[str]:
    """Layer names in the tree table, without indentation and the "×2" of folded repeats."""
    return [name.strip().split(" ×")[0] for name in at.dataframe[0].value["layer"]]


def test_tree_depth_and_expanding_one_block(app: AppTest) -> None:
    assert "layer1.0" in tree_layers(app) and "layer1.0.conv1" not in tree_layers(app)
    app.multiselect(key="md_open").select("layer1.0").run()
    assert "layer1.0.conv1" in tree_layers(app) and "layer2.0.conv1" not in tree_layers(app)


class TestEdits:
    def test_replace_head_then_validate_shows_3_by_10(self, app: AppTest) -> None:
        open_tab(app, "Edit")
        app.number_input(key="md_classes").set_value(10).run()
        app.button(key="md_do_head").click().run()
        assert not app.exception
        app.button(key="md_validate").click().run()
        assert any("torch.Size([3, 10])" in s.value for s in app.success)

    def test_generated_code_rebuilds_the_edited_model(self, app: AppTest) -> None:
        open_tab(app, "Edit")
        app.button(key="md_do_head").click().run()
        app.selectbox(key="md_prefix").set_value("layer1").run()
        app.button(key="md_do_freeze").click().run()
        script = next(c.value for c in app.code if c.value.startswith("import torch"))
        namespace: dict[str, object] = {}
        exec(script, namespace)
        rebuilt = namespace["model"]
        assert rebuilt.fc.out_features == 10
        assert not any(p.requires_grad for p in rebuilt.layer1.parameters())
        assert all(p.requires_grad for p in rebuilt.layer2.parameters())
        assert "+  (fc): Linear(in_features=512, out_features=10, bias=True)" in [c.value for c in app.code][-1]

    def test_undo_and_reset(self, app: AppTest) -> None:
        open_tab(app, "Edit")
        app.button(key="md_do_head").click().run()
        app.button(key="md_do_stem").click().run()
        assert len(app.session_state["md_edits"]) == 2
        app.button(key="md_undo").click().run()
        assert [name for name, _ in app.session_state["md_edits"]] == ["replace_head"]
        app.button(key="md_reset").click().run()
        assert app.session_state["md_edits"] == []

    def test_a_bad_edit_shows_a_message_and_keeps_the_edits(self, app: AppTest) -> None:
        app.selectbox(key="md_arch").set_value("mobilenet_v3_small").run()
        open_tab(app, "Edit")
        app.button(key="md_do_head").click().run()
        app.button(key="md_do_stem").click().run()
        assert not app.exception
        assert app.error, "cifar_stem on a MobileNet should be refused with a message"
        assert [name for name, _ in app.session_state["md_edits"]] == ["replace_head"]


class TestWeights:
    def test_offline_official_weights_give_a_clear_error_and_leave_no_file(self, app: AppTest, tmp_path: Path) -> None:
        app.segmented_control(key="md_source").set_value("Official").run()
        app.button(key="md_download").click().run()
        assert not app.exception
        assert any("could not be downloaded" in e.value for e in app.error)
        assert [p for p in (tmp_path / "torch").rglob("*") if p.is_file()] == []

    def test_checkpoint_with_a_new_head_reports_the_mismatch(self, app: AppTest) -> None:
        trained = models.resnet18(num_classes=10)
        buffer = io.BytesIO()
        torch.save({"epoch": 3, "state_dict": trained.state_dict()}, buffer)
        app.segmented_control(key="md_source").set_value("Checkpoint").run()
        app.file_uploader(key="md_ckpt").upload("run3.pth", buffer.getvalue()).run()
        assert not app.exception
        assert any("fc.weight" in w.value for w in app.warning)

    def test_checkpoint_that_would_run_code_is_refused(self, app: AppTest, tmp_path: Path) -> None:
        marker = tmp_path / "pwned"

        class Evil:
            def __reduce__(self) -> tuple[object, tuple[str]]:
                return (os.system, (f"touch {marker}",))

        app.segmented_control(key="md_source").set_value("Checkpoint").run()
        app.file_uploader(key="md_ckpt").upload("evil.pth", pickle.dumps({"state_dict": Evil()})).run()
        assert not app.exception
        assert app.error
        assert not marker.exists()


def test_feature_maps_and_diagram_tabs_render(app: AppTest) -> None:
    open_tab(app, "Feature maps")
    assert app.image, "the activation maps should be shown"
    open_tab(app, "Diagram")
    assert app.get("graphviz_chart")


def test_cached_official_weights_give_top5_with_category_names(app: AppTest, tmp_path: Path) -> None:
    """A checkpoint already in torch's hub cache (as a torchvision download leaves it) is used without a download."""
    weights = models.ResNet18_Weights.IMAGENET1K_V1
    cached = tmp_path / "torch" / "hub" / "checkpoints" / weights.url.rsplit("/", 1)[-1]
    cached.parent.mkdir(parents=True)
    torch.save(models.resnet18().state_dict(), cached)
    app.segmented_control(key="md_source").set_value("Official").run()
    assert not app.exception and not app.error
    open_tab(app, "Feature maps")
    table = app.dataframe[0].value
    assert len(table) == 5
    assert set(table["class"]) <= set(weights.meta["categories"])


class TestExplainCompareSpeed:
    def test_grad_cam_heatmap_for_the_chosen_class_and_layer(self, app: AppTest) -> None:
        open_tab(app, "Explain")
        captions = [c for image in app.image for c in image.captions]
        assert any(c.startswith("Grad-CAM for") and c.endswith("at layer4") for c in captions)
        layers = app.selectbox(key="md_x_layer").options
        assert "layer1" in layers and "fc" not in layers and "avgpool" not in layers
        app.selectbox(key="md_x_method").set_value("Occlusion").run()
        assert any(c.startswith("Occlusion for") for image in app.image for c in image.captions)
        assert "Attention rollout" not in app.selectbox(key="md_x_method").options  # a CNN has no attention

    def test_compare_lists_both_models_with_their_parameters(self, app: AppTest) -> None:
        open_tab(app, "Compare")
        app.selectbox(key="md_cmp_arch").set_value("mobilenet_v3_small").run()
        table = app.dataframe[0].value
        assert list(table["model"]) == ["resnet18", "mobilenet_v3_small"]
        assert list(table["parameters"]) == [
            f"{sum(p.numel() for p in getattr(models, name)().parameters()):,}" for name in table["model"]
        ]

    def test_speed_measures_a_batch(self, app: AppTest) -> None:
        open_tab(app, "Speed")
        app.number_input(key="md_speed_batch").set_value(2).run()
        app.button(key="md_speed_run").click().run()
        labels = [m.label for m in app.metric]
        assert "Batch of 2 at 224×224" in labels and "Per image" in labels


def test_a_very_large_model_is_built_only_when_asked(app: AppTest) -> None:
    app.selectbox(key="md_arch").set_value("vit_h_14").run()
    assert not app.exception
    assert any("633 M parameters: about 2.4 GB" in i.value for i in app.info)
    assert not app.code  # nothing was built: no print(model)
    assert app.button(key="md_large_build").label == "Build vit_h_14"
