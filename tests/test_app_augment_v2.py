"""The Augmentation page's v2 half under AppTest: the API choice, v2 presets on photos with their objects, steps
that cannot take them, pasted code, the mixed batch, exports and links that carry the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from visionkit.transforms import catalog
from vkapp import augment_lab

from .test_app_augment import app, open_page, steps

__all__ = ["app"]  # the page, opened afresh for each test (a fixture)


def captions(at: AppTest) -> list[str]:
    return [caption for image in at.image for caption in image.captions]


def code(at: AppTest) -> str:
    return next(c.value for c in at.code if "pipeline = " in c.value)


def load_preset(at: AppTest, name: str) -> None:
    at.selectbox(key="ag_preset").set_value(name).run()
    at.button(key="ag_load_preset").click().run()


def pick_photo(at: AppTest, name: str) -> None:
    box = at.selectbox(key="ag_photo")
    box.set_value(next(i for i, label in enumerate(box.options) if name in label)).run()


def test_the_api_switch_rewrites_the_conversions_both_ways(app: AppTest) -> None:
    app.segmented_control(key="ag_api_pick").set_value("v1").run()
    assert app.session_state["ag_api"] == "v1"
    assert steps(app) == [s.name for s in catalog.PRESETS["ImageNet training"]]
    assert "from visionkit import transforms as T" in code(app)
    app.segmented_control(key="ag_api_pick").set_value("v2").run()
    assert steps(app) == [s.name for s in catalog.PRESETS_V2["ImageNet training"]]
    assert "from visionkit.transforms import v2" in code(app)


def test_a_detection_pipeline_stays_v2_with_a_message(app: AppTest) -> None:
    load_preset(app, "Detection (SSD)")
    app.segmented_control(key="ag_api_pick").set_value("v1").run()
    assert any("stays in v2" in e.value and "RandomIoUCrop (step 3)" in e.value for e in app.error)
    assert app.session_state["ag_api"] == "v2" and steps(app)[2] == "RandomIoUCrop"


def test_the_ssd_preset_runs_on_a_photo_with_its_boxes_and_masks_and_exports_a_detection_script(
    app: AppTest,
) -> None:
    load_preset(app, "Detection (SSD)")
    pick_photo(app, "coffee")
    app.pills(key="ag_objects_v2_boxes-masks").set_value(["boxes", "masks"]).run()
    assert not app.error and not app.exception
    assert sum(c.startswith("seed ") for c in captions(app)) == 12
    script = code(app)
    assert "tv_tensors.BoundingBoxes(boxes" in script and 'target["masks"]' in script
    assert "out_img, out_target = pipeline(img, target)" in script
    assert "fill={tv_tensors.Mask: 0" in script  # the reference's per-type fill: masks with 0
    labels = [b.label for b in app.get("download_button")]
    assert "Download preview-masks.png" in labels


def test_an_auto_augment_policy_on_boxes_is_flagged_and_runs_on_the_image_alone(app: AppTest) -> None:
    load_preset(app, "TrivialAugmentWide")
    flagged = [e for e in app.expander if any("bounding boxes" in x.value for x in e.error)]
    assert [e.label for e in flagged] == ["1. TrivialAugmentWide ⚠"]
    assert not any(c.startswith("seed ") for c in captions(app))  # nothing ran
    app.pills(key="ag_objects_v2_boxes-masks").set_value([]).run()
    assert not [e for e in app.error if "bounding boxes" in e.value]
    assert sum(c.startswith("seed ") for c in captions(app)) == 12


def test_pasted_torchvision_code_becomes_the_pipeline(app: AppTest) -> None:
    pasted = """
import torch
from torchvision.transforms import v2

train = v2.Compose([
    v2.RandomResizedCrop(size=(128, 128), antialias=True),
    v2.RandomHorizontalFlip(p=0.3),
    v2.ToDtype(torch.float32, scale=True),
])
"""
    app.text_area(key="ag_paste").input(pasted).run()
    app.button(key="ag_paste_go").click().run()
    assert steps(app) == ["RandomResizedCrop", "RandomHorizontalFlip", "ToDtype"]
    assert app.session_state["ag_pipeline"][1]["valid"].params["p"] == 0.3
    assert any("Imported 3 steps (v2)" in s.value for s in app.success)


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("__import__('os').system('touch /tmp/pwned')", "line 1"),
        ("T.Compose([T.RandomRotation(degrees=9999)])", "degrees"),
        ("T.Compose([T.Resize(224),\n  T.NotATransform()])", "line 2"),
        ("v2.Compose([v2.Resize(224)", "line 1"),
    ],
    ids=["code-that-would-run", "out-of-range", "unknown-name", "malformed"],
)
def test_pasted_code_that_cannot_be_read_changes_nothing(app: AppTest, pasted: str, message: str) -> None:
    before = steps(app)
    app.text_area(key="ag_paste").input(pasted).run()
    app.button(key="ag_paste_go").click().run()
    assert not app.exception
    errors = [e.value for e in app.error if "not imported" in e.value]
    assert errors and message in errors[0]
    assert steps(app) == before
    assert not Path("/tmp/pwned").exists()


def test_the_mixed_batch_shows_a_label_vector_per_image(app: AppTest) -> None:
    app.toggle(key="ag_mix_on").set_value(True).run()
    mixed = [c for c in captions(app) if " + " in c]
    assert len(mixed) >= 5  # a batch of 6 with one image of each class: almost every item mixes two classes
    for caption in mixed:
        weights = [float(part.split()[0]) for part in caption.split(" + ")]
        assert abs(sum(weights) - 1) < 0.02
    app.segmented_control(key="ag_mix").set_value("MixUp").run()
    assert [c for c in captions(app) if " + " in c] != mixed


def test_a_mixed_batch_of_pil_images_says_what_to_add(app: AppTest) -> None:
    app.segmented_control(key="ag_api_pick").set_value("v1").run()
    uid = next(e["uid"] for e in app.session_state["ag_pipeline"] if e["step"].name == "ToTensor")
    app.button(key=f"ag_{uid}_rm").click().run()
    uid = next(e["uid"] for e in app.session_state["ag_pipeline"] if e["step"].name == "Normalize")
    app.button(key=f"ag_{uid}_rm").click().run()
    app.toggle(key="ag_mix_on").set_value(True).run()
    assert any("No mixed batch" in e.value and "ToTensor" in e.value for e in app.error)


def test_share_links_and_json_carry_the_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISIONKIT_DATA_DIR", str(tmp_path / "data"))
    link = catalog.to_query(catalog.PRESETS_V2["Segmentation"], 3, api="v2")
    at = open_page(link)
    assert at.session_state["ag_api"] == "v2" and steps(at) == [s.name for s in catalog.PRESETS_V2["Segmentation"]]
    document = json.loads(augment_lab.pipeline_texts(
        [e["valid"] for e in at.session_state["ag_pipeline"]], 3, "v2").json)  # fmt: skip
    assert document["api"] == "v2"
    v1_link = catalog.to_query(catalog.PRESETS["ImageNet evaluation"], 3)
    assert open_page(v1_link).session_state["ag_api"] == "v1"


def test_a_per_type_fill_is_edited_as_text(app: AppTest) -> None:
    load_preset(app, "Detection (SSD)")
    uid = next(e["uid"] for e in app.session_state["ag_pipeline"] if e["step"].name == "RandomZoomOut")
    field = app.text_input(key=f"ag_{uid}_param_fill")
    assert field.value == "Mask: 0; others: 123, 117, 104"
    field.input("Mask: 0; others: 10, 20, 30").run()
    zoom = next(e for e in app.session_state["ag_pipeline"] if e["uid"] == uid)
    assert zoom["valid"].params["fill"] == {"Mask": 0, "others": [10, 20, 30]}
    app.text_input(key=f"ag_{uid}_param_fill").input("Mask: 0; Cat: 3").run()
    assert any("`fill`" in e.value for e in app.error)


def test_the_shapes_carry_their_boxes_and_masks(app: AppTest) -> None:
    app.segmented_control(key="ag_source").set_value("Shapes").run()
    assert not app.exception
    assert sum(c.startswith("seed ") for c in captions(app)) == 12
    pills = [p for p in app.get("button_group") if p.key and p.key.startswith("ag_objects_v2")]
    assert pills and pills[0].key == "ag_objects_v2_boxes-masks"


def test_v1_moves_the_photos_boxes_alongside_the_image(app: AppTest) -> None:
    app.segmented_control(key="ag_api_pick").set_value("v1").run()
    plain = [c for c in captions(app) if c.startswith("seed ")]
    app.pills(key="ag_objects_v1_boxes").set_value(["boxes"]).run()
    assert not app.error and not app.exception
    assert [c for c in captions(app) if c.startswith("seed ")] == plain  # the same draws, boxes drawn on them
    assert "out = pipeline(img)" in code(app)  # v1 scripts take the image alone
