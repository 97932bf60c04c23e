"""The Augmentation page under AppTest: presets, adding and editing steps, inline errors, rerolls, share links,
JSON and code export, presentation mode, uploads, and the Datasets grid seen through the pipeline."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from visionkit.transforms import catalog
from vkapp import augment_lab

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/augment.py").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("VISIONKIT_DATA_DIR", str(tmp_path / "data"))
    torch.set_num_threads(1)
    return open_page()


def steps(at: AppTest) -> list[str]:
    return [entry["valid"].name for entry in at.session_state["ag_pipeline"]]


def preview_urls(at: AppTest) -> list[str]:
    """The preview grid's images (the ones with a caption of sampled parameters come first on the page)."""
    return [url for image in at.image for url in image.value][:12]


def test_default_is_the_imagenet_training_preset_with_12_previews(app: AppTest) -> None:
    assert steps(app) == ["RandomResizedCrop", "RandomHorizontalFlip", "ToImage", "ToDtype", "Normalize"]
    assert app.session_state["ag_api"] == "v2"  # new pipelines are v2's
    assert any(c.value.startswith("torch.float32 (3, 224, 224)") for c in app.code)
    assert len(preview_urls(app)) == 12


def test_add_a_transform_from_the_catalog(app: AppTest) -> None:
    app.text_input(key="ag_search").input("blur").run()
    app.selectbox(key="ag_pick").set_value("GaussianBlur").run()
    app.button(key="ag_add").click().run()
    assert steps(app)[-1] == "GaussianBlur"


def test_cifar10_preset_loads_exactly(app: AppTest) -> None:
    app.selectbox(key="ag_preset").set_value("CIFAR-10 classic").run()
    app.button(key="ag_load_preset").click().run()
    assert steps(app) == ["RandomCrop", "Resize", "RandomHorizontalFlip", "ToImage", "ToDtype", "Normalize"]
    assert any(c.value.startswith("torch.float32 (3, 32, 32)") for c in app.code)


def uid_of(at: AppTest, name: str) -> int:
    return next(e["uid"] for e in at.session_state["ag_pipeline"] if e["step"].name == name)


def exported_code(at: AppTest) -> str:
    return next(c.value for c in at.code if "pipeline = T.Compose" in c.value or "pipeline = v2.Compose" in c.value)


def test_reorder_and_remove_steps_and_the_code_follows(app: AppTest) -> None:
    flip = uid_of(app, "RandomHorizontalFlip")
    app.button(key=f"ag_{flip}_up").click().run()
    assert steps(app) == ["RandomHorizontalFlip", "RandomResizedCrop", "ToImage", "ToDtype", "Normalize"]
    app.button(key=f"ag_{flip}_up").click().run()  # already first: nothing moves
    assert steps(app)[0] == "RandomHorizontalFlip"
    app.button(key=f"ag_{flip}_down").click().run()
    app.button(key=f"ag_{uid_of(app, 'RandomResizedCrop')}_rm").click().run()
    assert steps(app) == ["RandomHorizontalFlip", "ToImage", "ToDtype", "Normalize"]
    code = exported_code(app)
    assert "RandomResizedCrop" not in code and code.index("RandomHorizontalFlip") < code.index("ToImage")
    assert not app.exception


def test_a_disabled_step_leaves_the_previews_and_a_probability_wraps_it(app: AppTest) -> None:
    crop = uid_of(app, "RandomResizedCrop")
    app.checkbox(key=f"ag_{crop}_enabled").uncheck().run()
    assert not any(c.value.startswith("torch.float32 (3, 224, 224)") for c in app.code)  # the photo's own size now
    crop_lines = [line.strip() for line in exported_code(app).splitlines() if "RandomResizedCrop" in line]
    assert crop_lines and all(line.startswith("# disabled:") for line in crop_lines)  # kept, commented out
    app.checkbox(key=f"ag_{crop}_enabled").check().run()
    app.slider(key=f"ag_{crop}_p").set_value(0.5).run()
    assert "v2.RandomApply([v2.RandomResizedCrop(" in exported_code(app) and "p=0.5)" in exported_code(app)


def test_bad_parameter_shows_inline_error_and_keeps_previews(app: AppTest) -> None:
    app.selectbox(key="ag_preset").set_value("CIFAR-10 classic").run()
    app.button(key="ag_load_preset").click().run()
    before = preview_urls(app)
    uid = app.session_state["ag_pipeline"][0]["uid"]
    app.text_input(key=f"ag_{uid}_param_size").input("-5, 28").run()
    assert not app.exception
    assert any("`size`" in e.value for e in app.error)
    assert preview_urls(app) == before
    assert app.session_state["ag_pipeline"][0]["valid"].params["size"] == [28, 28]


def test_reroll_changes_previews_and_the_seed_reproduces_them(app: AppTest) -> None:
    before = preview_urls(app)
    app.button(key="ag_reroll").click().run()
    assert preview_urls(app) != before
    assert preview_urls(open_page()) == before


def test_share_link_restores_pipeline_and_previews(app: AppTest) -> None:
    app.text_input(key="ag_search").input("grayscale").run()
    app.selectbox(key="ag_pick").set_value("RandomGrayscale").run()
    app.button(key="ag_add").click().run()
    query = {k: v for k, v in app.query_params.items()}
    assert "p" in query
    opened = open_page({k: v if isinstance(v, str) else v[0] for k, v in query.items()})
    assert steps(opened) == steps(app)
    assert preview_urls(opened) == preview_urls(app)


def test_the_seed_in_the_address_sets_the_draws_and_follows_the_pages(app: AppTest) -> None:
    opened = open_page({"seed": "5"})  # opened on the Datasets page, then the Augmentation page
    assert opened.query_params["seed"] in ("5", ["5"])
    shown = [c for image in opened.image for c in image.captions][:12]
    assert shown[0].startswith(f"seed {augment_lab.sample_seed(5, 0, 0)} · ")
    assert preview_urls(opened) != preview_urls(app)  # app: the same page at seed 0


@pytest.mark.parametrize("value", ["-1", "abc", "2147483648", "9" * 400])
def test_a_bad_seed_in_the_address_gets_a_message_and_seed_0(tmp_path: Path, monkeypatch, value: str) -> None:
    monkeypatch.setenv("VISIONKIT_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["seed"] = value
    at.run()
    assert not at.exception
    assert at.number_input(key="seed").value == 0
    assert any("is not a whole number" in w.value for w in at.sidebar.warning)


@pytest.mark.parametrize("value", ["%%%", "AAAA", "eJzLSM3JyVcozy/KSQEAGgQEXQ==", "x" * 5000])
def test_hostile_share_link_gets_a_message_and_the_default_pipeline(tmp_path: Path, monkeypatch, value: str) -> None:
    monkeypatch.setenv("VISIONKIT_DATA_DIR", str(tmp_path / "data"))
    at = open_page({"p": value, "seed": "1"})
    assert any("share link could not be opened" in e.value for e in at.error)
    assert steps(at) == [s.name for s in catalog.PRESETS_V2["ImageNet training"]]


def test_exported_code_rebuilds_the_pipeline_and_names_a_previews_seed(app: AppTest) -> None:
    code = exported_code(app)
    namespace: dict[str, object] = {}
    exec(code.split("\n# The input:")[0], namespace)  # up to where the script opens the downloaded input
    expected = catalog.build_pipeline([entry["valid"] for entry in app.session_state["ag_pipeline"]], api="v2")
    assert repr(namespace["pipeline"]) == repr(expected)
    first = augment_lab.sample_seed(0, 0, 0)
    assert f"torch.manual_seed({first})" in code and "256 x 170 px in RGB mode" in code
    app.button(key="ag_reroll").click().run()
    app.number_input(key="ag_code_preview").set_value(3).run()
    third = augment_lab.sample_seed(0, 1, 2)
    assert f"torch.manual_seed({third})" in exported_code(app)
    captions = [caption for image in app.image for caption in image.captions][:12]
    assert captions[2].startswith(f"seed {third} · ")


def test_a_share_link_that_grows_the_image_past_the_limit_runs_nothing_and_names_the_step(tmp_path: Path) -> None:
    """16 x Pad(512) would make a 16,640-pixel-wide image: refused before any preview runs, the pipeline kept."""
    link = catalog.to_query([catalog.Step("Pad", {"padding": 512})] * 16, 0)
    at = open_page(link)
    message = next(e.value for e in at.error if "cannot run" in e.value)
    assert "step 2 Pad(padding=512) would make an image of up to 2,304 x 2,218 pixels" in message
    assert "Nothing was run" in message
    assert steps(at) == ["Pad"] * 16
    assert preview_urls(at) == []
    assert not at.exception


@pytest.mark.parametrize(
    ("added", "message"),
    [
        (catalog.Step("RandomCrop", {"size": 24, "fill": [1, 2, 3]}), "takes one number as fill, not the list"),
        (catalog.Step("ToPILImage", {"mode": "LA"}), "makes a 'LA' image, which has 2 channels, from a tensor with 3"),
    ],
    ids=["list-fill-on-a-tensor", "LA-from-3-channels"],
)
def test_a_step_that_cannot_run_on_its_input_is_flagged_on_that_step(
    tmp_path: Path, added: catalog.Step, message: str
) -> None:
    pipeline = [catalog.Step("PILToTensor"), added]
    at = open_page(catalog.to_query(pipeline, 0))
    flagged = [e for e in at.expander if any(message in x.value for x in e.error)]
    assert [e.label for e in flagged] == [f"2. {added.name} ⚠"]
    assert any("The pipeline cannot run" in e.value and message in e.value for e in at.error)
    assert steps(at) == ["PILToTensor", added.name]


def test_json_upload_replaces_the_pipeline_and_bad_json_changes_nothing(app: AppTest) -> None:
    good = catalog.to_json(catalog.PRESETS["ImageNet evaluation"])
    app.file_uploader(key="ag_json_up").upload("p.json", good.encode(), "application/json").run()
    assert steps(app) == [s.name for s in catalog.PRESETS["ImageNet evaluation"]]
    app.file_uploader(key="ag_json_up").set_value(("bad.json", b"{not json", "application/json")).run()
    assert any("pipeline is unchanged" in e.value for e in app.error)
    assert steps(app) == [s.name for s in catalog.PRESETS["ImageNet evaluation"]]


def test_presentation_mode_hides_the_editor(app: AppTest) -> None:
    app.toggle(key="ag_present").set_value(True).run()
    assert not app.exception
    assert not [b for b in app.button if b.key == "ag_add"]
    assert len(preview_urls(app)) == 12


def png_with_declared_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge image: a decompression bomb must be refused before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"this is not an image", "not an image"), (png_with_declared_size(60_000, 60_000), "megapixels")],
)
def test_bad_uploads_are_refused_with_a_message(app: AppTest, data: bytes, message: str) -> None:
    before = steps(app)
    app.segmented_control(key="ag_source").set_value("Upload").run()
    app.file_uploader(key="ag_up").upload("x.png", data, "image/png").run()
    assert not app.exception
    assert any(message in e.value for e in app.error)
    assert steps(app) == before


def test_a_good_upload_is_augmented(app: AppTest) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 30, 30)).save(buffer, format="PNG")
    app.segmented_control(key="ag_source").set_value("Upload").run()
    app.file_uploader(key="ag_up").upload("red.png", buffer.getvalue(), "image/png").run()
    assert not app.error and len(preview_urls(app)) == 12


def test_datasets_grid_through_the_pipeline(app: AppTest) -> None:
    app.toggle(key="ag_apply_grid").set_value(True).run()
    app.switch_page("pages/datasets.py").run()
    assert not app.exception
    assert any("what training will see" in i.value for i in app.info)
