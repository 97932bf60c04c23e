"""The Boxes & IoU page under AppTest: the pair metrics, the IoU matrix, the NMS replay and the RoIAlign view."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from visionkit import ops

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("VISIONKIT_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/boxes.py").run()
    assert not at.exception, at.exception
    return at


def open_tab(at: AppTest, name: str) -> AppTest:
    at.session_state["bx_tab"] = name
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_pair_of_default_boxes_shows_the_iou_family(app: AppTest) -> None:
    # A = (90, 70, 260, 220), B = (170, 120, 330, 260): intersection 90 x 100, areas 170 x 150 and 160 x 140
    expected_iou = 9000 / (25500 + 22400 - 9000)
    shown = metrics(app)
    assert float(shown["IoU"]) == pytest.approx(expected_iou, abs=1e-4)
    assert float(shown["GIoU"]) < float(shown["IoU"])
    assert {"DIoU", "CIoU"} <= set(shown)


def test_drawing_on_an_image_of_the_current_dataset(app: AppTest) -> None:
    app.segmented_control(key="bx_bg").set_value("Dataset image").run()
    assert not app.exception
    app.number_input(key="bx_ds_index").set_value(5).run()
    assert not app.exception and app.metric


def test_clearing_asks_for_two_boxes(app: AppTest) -> None:
    app.button(key="bx_pair_clear").click().run()
    assert not app.exception
    assert any("Draw two boxes" in i.value for i in app.info)


def test_iou_matrix_of_the_sets(app: AppTest) -> None:
    open_tab(app, "Sets: IoU matrix")
    assert app.get("plotly_chart")


def test_nms_replay_on_generated_detections_keeps_what_batched_nms_keeps(app: AppTest) -> None:
    app.segmented_control(key="bx_bg").set_value("Shapes dataset").run()
    open_tab(app, "NMS")
    app.button(key="bx_nms_generate").click().run()
    assert not app.exception
    boxes = app.session_state["bx_nms"]
    assert boxes, "detections should be generated around the objects"
    tensor = torch.tensor([[b["x1"], b["y1"], b["x2"], b["y2"]] for b in boxes])
    scores = torch.tensor([b["score"] for b in boxes])
    labels = [b["label"] for b in boxes]
    classes = torch.tensor([sorted(set(labels)).index(x) for x in labels])
    keep = scores >= 0.05
    expected = torch.nonzero(keep).flatten()[ops.batched_nms(tensor[keep], scores[keep], classes[keep], 0.5)]
    assert metrics(app)["Kept"] == f"{len(expected)} of {len(boxes)}"


def test_roi_align_view_shows_the_output_of_the_box(app: AppTest) -> None:
    open_tab(app, "RoIAlign")
    assert any("roi_align output (3, 2, 2)" in c for image in app.image for c in image.captions)
    app.number_input(key="bx_roi_h").set_value(4).run()
    assert any("roi_align output (3, 4, 2)" in c for image in app.image for c in image.captions)
