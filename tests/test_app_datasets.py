"""The Datasets page under Streamlit's AppTest: what a user sees for each source, and errors shown as messages."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("VISIONKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("VISIONKIT_DATA_ROOTS", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def select_source(at: AppTest, key: str) -> AppTest:
    at.selectbox(key="ds_source").set_value(key).run()
    assert not at.exception, at.exception
    return at


def captions(at: AppTest) -> list[str]:
    """The captions of the grid's images, in order (the inspector's image has none)."""
    return [caption for image in at.image for caption in image.captions if caption]


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(buffer, format="PNG")
    return buffer.getvalue()


class TestGrid:
    def test_default_source_shows_a_labelled_3_by_5_grid(self, app: AppTest) -> None:
        shown = captions(app)
        assert len(shown) == 15
        assert all(" (#" in c for c in shown)
        assert any("1,500 images · 10 classes" in c.value for c in app.caption)

    def test_reshuffle_changes_the_grid_and_the_seed_reproduces_it(self, app: AppTest) -> None:
        before = captions(app)
        app.button(key="ds_reshuffle").click().run()
        assert captions(app) != before
        again = AppTest.from_file(APP, default_timeout=60)
        again.run()
        assert captions(again) == before

    def test_class_filter_shows_only_that_class(self, app: AppTest) -> None:
        app.multiselect(key="ds_classes").select(3).run()
        assert {c.split(" (#")[0] for c in captions(app)} == {"3 - three"}

    def test_rows_and_columns(self, app: AppTest) -> None:
        app.number_input(key="ds_rows").set_value(2).run()
        app.number_input(key="ds_cols").set_value(4).run()
        assert len(captions(app)) == 8

    def test_per_class_mode_has_a_row_per_class(self, app: AppTest) -> None:
        app.segmented_control(key="ds_mode").set_value("Per class").run()
        assert len(captions(app)) == 10 * 5

    def test_sequential_paging(self, app: AppTest) -> None:
        app.segmented_control(key="ds_mode").set_value("Sequential").run()
        assert captions(app)[0].endswith("(#0)")
        app.number_input(key="ds_page").set_value(2).run()
        assert captions(app)[0].endswith("(#15)")

    def test_photos_source(self, app: AppTest) -> None:
        select_source(app, "photos")
        assert any(c.startswith("animal") for c in captions(app))

    def test_shapes_source(self, app: AppTest) -> None:
        select_source(app, "shapes")
        assert len(captions(app)) == 15

    def test_inspector_shows_index_label_size_and_mode(self, app: AppTest) -> None:
        app.number_input(key="ds_inspect").set_value(7).run()
        shown = next(m.value for m in app.markdown if "**index**" in m.value)
        values = dict(re.findall(r"- \*\*(\w+)\*\*: `([^`]*)`", shown))
        assert values["index"] == "7" and values["size"] == "(8, 8)" and values["mode"] == "L"


class TestHealth:
    def test_class_balance_and_normalize_line(self, app: AppTest) -> None:
        app.session_state["ds_tab"] = "Class balance & health"
        app.run()
        assert not app.exception
        assert any(code.value.startswith("Normalize(mean=(") for code in app.code)
        assert app.metric[0].value == "1,500"


class TestHealthOfAFolderWithProblems:
    """A folder with an exact duplicate (PNG and BMP of the same pixels) and a truncated JPEG."""

    @pytest.fixture
    def problem_folder(self, app: AppTest, tmp_path: Path) -> AppTest:
        root = tmp_path / "data" / "mixed"
        for name in ("cat", "dog"):
            (root / name).mkdir(parents=True)
        pixels = Image.effect_noise((24, 24), 60).convert("RGB")
        pixels.save(root / "cat" / "a.png")
        pixels.save(root / "dog" / "copy.bmp")
        Image.new("RGB", (30, 20), (10, 200, 30)).save(root / "dog" / "green.png")
        jpeg = io.BytesIO()
        Image.effect_noise((64, 64), 80).convert("RGB").save(jpeg, format="JPEG")
        (root / "dog" / "broken.jpg").write_bytes(jpeg.getvalue()[: len(jpeg.getvalue()) // 2])
        select_source(app, "folder")
        app.selectbox(key="ds_folder_choice").set_value(str(root)).run()
        assert not app.exception
        return app

    def test_grid_shows_the_broken_file_as_an_error_cell(self, problem_folder: AppTest) -> None:
        problem_folder.segmented_control(key="ds_mode").set_value("Sequential").run()
        assert any("unreadable" in e.value and "truncated" in e.value for e in problem_folder.error)
        assert len(captions(problem_folder)) == 3

    def test_health_lists_the_duplicate_and_the_unreadable_file(self, problem_folder: AppTest) -> None:
        problem_folder.session_state["ds_tab"] = "Class balance & health"
        problem_folder.run()
        assert not problem_folder.exception
        metrics = {m.label: m.value for m in problem_folder.metric}
        assert metrics["Duplicate groups"] == "1" and metrics["Unreadable files"] == "1"
        table = problem_folder.dataframe[0].value
        assert table["path"].str.endswith("broken.jpg").all()
        assert [c for image in problem_folder.image for c in image.captions] == ["cat (#0)", "dog (#2)"]


class TestSourcesWithoutData:
    def test_missing_dataset_offers_a_download(self, app: AppTest) -> None:
        select_source(app, "CIFAR10")
        assert any("not in" in i.value for i in app.info)
        assert app.button(key="ds_download").label == "Download CIFAR-10"

    def test_offline_download_shows_a_clear_error_and_keeps_nothing(self, app: AppTest, tmp_path: Path) -> None:
        select_source(app, "MNIST")
        app.button(key="ds_download").click().run()
        assert not app.exception
        assert any("did not complete" in e.value for e in app.error)
        assert [p for p in (tmp_path / "data").rglob("*") if p.is_file()] == []

    def test_folder_outside_the_roots_is_refused(self, app: AppTest) -> None:
        select_source(app, "folder")
        app.selectbox(key="ds_folder_choice").select("Other path…").run()
        app.text_input(key="ds_folder_path").input("/etc").run()
        assert not app.exception
        assert any("outside the allowed data roots" in e.value for e in app.error)

    def test_folder_inside_the_roots_opens(self, app: AppTest, tmp_path: Path) -> None:
        for name, color in [("red", (255, 0, 0)), ("blue", (0, 0, 255))]:
            (tmp_path / "data" / "mine" / name).mkdir(parents=True)
            Image.new("RGB", (20, 20), color).save(tmp_path / "data" / "mine" / name / "1.png")
        select_source(app, "folder")
        app.selectbox(key="ds_folder_choice").select(str(tmp_path / "data" / "mine")).run()
        assert sorted(captions(app)) == ["blue (#0)", "red (#1)"]


class TestUpload:
    def test_zip_of_an_image_folder_opens(self, app: AppTest) -> None:
        select_source(app, "upload")
        data = zip_of({"pets/cat/1.png": png((200, 0, 0)), "pets/dog/1.png": png((0, 0, 200))})
        app.file_uploader(key="ds_upload").upload("pets.zip", data, "application/zip").run()
        assert not app.exception and not app.error
        assert sorted(captions(app)) == ["cat (#0)", "dog (#1)"]

    def test_unsafe_zip_is_refused_and_the_previous_upload_stays(self, app: AppTest, tmp_path: Path) -> None:
        select_source(app, "upload")
        uploader = app.file_uploader(key="ds_upload")
        uploader.upload(
            "pets.zip", zip_of({"cat/1.png": png((9, 9, 9)), "dog/1.png": png((1, 1, 1))}), "application/zip"
        )
        app.run()
        app.file_uploader(key="ds_upload").set_value(
            ("evil.zip", zip_of({"../escape.png": png((0, 0, 0))}), "application/zip")
        )
        app.run()
        assert any("refused" in e.value for e in app.error)
        assert sorted(captions(app)) == ["cat (#0)", "dog (#1)"]
        assert not (tmp_path / "data" / "escape.png").exists()

    def test_without_an_upload_the_page_asks_for_one(self, app: AppTest) -> None:
        select_source(app, "upload")
        assert any("Upload a zip" in e.value for e in app.error)
