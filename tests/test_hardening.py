"""Bad input loses nothing: one AppTest session per broken or hostile input, across the whole app (issue #6).

Every test starts from a session in which the user has already done work on three pages: a custom augmentation
pipeline (the CIFAR-10 preset with the flip's ``p`` set to 0.3), a model edit (a 10-class head) and boxes (a pair
moved through the coordinate table, detections generated for NMS). It then performs one bad input on the page where a
user would, and checks that the page names the problem in an error or warning (never a traceback), that the
pipeline, the edits and the boxes are exactly as they were on every page, and that no partial file is left behind.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import os
import pickle
import re
import socket
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.dataset_files import file_md5, write_cifar10, write_mnist
from tests.http_server import LocalHTTPServer
from visionkit import datasets
from vkapp import sources

APP = str(Path(__file__).resolve().parent.parent / "app.py")
MOVED_X1 = 60.0  # box A of the pair, moved left from its default 90 through the coordinate table
FLIP_P = 0.3


# ---- inputs ----------------------------------------------------------------------------------------------------------


class RunsCode:
    """A pickled object whose unpickling would run a shell command (here: create a marker file)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def png(color: tuple[int, int, int], size: tuple[int, int] = (16, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 80).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few bytes whose header declares ``width`` x ``height`` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


BOMB = png_declaring(60_000, 60_000)


def zip_of(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    """A zip of regular ``members`` and of symlink entries ``links`` (name -> target), as ``zip --symlinks`` writes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            entry = zipfile.ZipInfo(name)
            entry.external_attr = 0o120777 << 16
            archive.writestr(entry, target)
    return buffer.getvalue()


def deflated_zip_of(members: dict[str, bytes]) -> bytes:
    """A compressed zip: a few KB that expand to the members' full size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD_ZIP = zip_of({"pets/cat/1.png": png((200, 0, 0)), "pets/dog/1.png": png((0, 0, 200))})


# ---- the session -----------------------------------------------------------------------------------------------------


def visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    return at


def open_tab(at: AppTest, key: str, name: str) -> AppTest:
    at.session_state[key] = name
    at.run()
    return at


def edit_table(
    at: AppTest, key: str, edited: dict[int, dict[str, Any]], added: tuple[dict[str, Any], ...] = ()
) -> None:
    """Type into a coordinate table (a keyed ``st.data_editor``) and rerun, as the browser sends a cell edit."""
    at.session_state[key] = {"edited_rows": edited, "added_rows": list(added), "deleted_rows": []}
    at.run()


def build_pipeline(at: AppTest) -> None:
    visit(at, "augment")
    at.selectbox(key="ag_preset").set_value("CIFAR-10 classic").run()
    at.button(key="ag_load_preset").click().run()
    flip = next(e["uid"] for e in at.session_state["ag_pipeline"] if e["step"].name == "RandomHorizontalFlip")
    at.number_input(key=f"ag_{flip}_param_p").set_value(FLIP_P).run()


def edit_model(at: AppTest) -> None:
    open_tab(visit(at, "models"), "md_tab", "Edit")
    at.number_input(key="md_classes").set_value(10).run()
    at.button(key="md_do_head").click().run()


def draw_boxes(at: AppTest) -> None:
    visit(at, "boxes")
    edit_table(at, "bx_pair_table", {0: {"x1": MOVED_X1}})
    # Detections come from a Shapes image; the pair is drawn on the photo (a smaller image would clamp its boxes).
    open_tab(at, "bx_tab", "NMS")
    at.segmented_control(key="bx_bg").set_value("Shapes dataset").run()
    at.button(key="bx_nms_generate").click().run()
    at.segmented_control(key="bx_bg").set_value("Photo").run()
    open_tab(at, "bx_tab", "Pair: IoU family")


def snapshot(at: AppTest) -> dict[str, Any]:
    """What the user built: the valid pipeline steps, the model edits and both box lists."""
    return copy.deepcopy(
        {
            "pipeline": [repr(entry["valid"]) for entry in at.session_state["ag_pipeline"]],
            "edits": at.session_state["md_edits"],
            "pair": at.session_state["bx_pair"],
            "nms": at.session_state["bx_nms"],
        }
    )


def messages(at: AppTest) -> list[str]:
    return [element.value for element in [*at.error, *at.warning]]


@dataclass
class Session:
    """An app session with the user's work on three pages, taken before the bad input."""

    at: AppTest
    data: Path
    before: dict[str, Any]

    def says(self, pattern: str) -> None:
        """The page shows an error or warning matching ``pattern``, and no exception."""
        assert not self.at.exception, self.at.exception
        assert any(re.search(pattern, text) for text in messages(self.at)), messages(self.at)

    def assert_nothing_lost(self) -> None:
        """On each page that holds the user's work, after a rerun there: no exception, and the work is unchanged."""
        for page in ("augment", "models", "boxes"):
            visit(self.at, page)
            assert not self.at.exception, (page, self.at.exception)
            assert snapshot(self.at) == self.before, page

    def files(self) -> list[Path]:
        return sorted(p for p in self.data.rglob("*") if p.is_file())


@pytest.fixture
def session(data: Path, one_thread: None) -> Session:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    build_pipeline(at)
    edit_model(at)
    draw_boxes(at)
    assert not at.exception, at.exception
    before = snapshot(at)
    assert f"'p': {FLIP_P}" in before["pipeline"][2] and before["edits"] == [["replace_head", {"num_classes": 10}]]
    assert before["pair"][0]["x1"] == MOVED_X1 and before["nms"], before
    return Session(at, data, before)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound but not listening, so connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


# ---- Datasets page ---------------------------------------------------------------------------------------------------


def open_source(at: AppTest, key: str) -> AppTest:
    visit(at, "datasets")
    at.selectbox(key="ds_source").set_value(key).run()
    return at


def grid_captions(at: AppTest) -> list[str]:
    return sorted(caption for image in at.image for caption in image.captions if caption)


class TestBrokenImagesInAServerFolder:
    @pytest.mark.parametrize(
        ("data_bytes", "pattern"),
        [
            (b"GIF89a but nothing else", r"unreadable[\s\S]*not an image file that can be read"),
            (truncated_jpeg(), r"unreadable[\s\S]*truncated"),
            (BOMB, r"unreadable[\s\S]*(pixels|decompression bomb)"),
            (
                png_declaring(12_000, 12_000),
                r"unreadable[\s\S]*12000 x 12000 pixels \(144.0 megapixels\), above the 40",
            ),
        ],
        ids=["corrupt", "truncated", "decompression-bomb", "above-the-pixel-limit"],
    )
    def test_grid_and_health_name_the_broken_file(self, session: Session, data_bytes: bytes, pattern: str) -> None:
        root = session.data / "mixed"
        (root / "cat").mkdir(parents=True)
        (root / "dog").mkdir()
        (root / "cat" / "ok.png").write_bytes(png((250, 120, 0)))
        (root / "dog" / "broken.png").write_bytes(data_bytes)
        at = open_source(session.at, "folder")
        at.selectbox(key="ds_folder_choice").set_value(str(root)).run()
        session.says(pattern)
        assert grid_captions(at) == ["cat (#0)"]
        open_tab(at, "ds_tab", "Class balance & health")
        assert not at.exception, at.exception
        assert {m.label: m.value for m in at.metric}["Unreadable files"] == "1"
        assert at.dataframe[0].value["path"].str.endswith("broken.png").all()
        session.assert_nothing_lost()

    def test_the_pixel_limit_is_configurable_and_checked_before_decoding(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("VISIONKIT_MAX_IMAGE_PIXELS", "5000")
        root = session.data / "sized"
        for name, size in [("small", (50, 50)), ("large", (100, 100))]:
            (root / name).mkdir(parents=True)
            Image.new("RGB", size, (10, 200, 30)).save(root / name / "1.png")
        at = open_source(session.at, "folder")
        at.selectbox(key="ds_folder_choice").set_value(str(root)).run()
        session.says(r"unreadable[\s\S]*100 x 100 pixels \(0.0 megapixels\), above the 0.005 megapixels")
        assert grid_captions(at) == ["small (#1)"]
        open_tab(at, "ds_tab", "Class balance & health")
        assert {m.label: m.value for m in at.metric}["Unreadable files"] == "1"
        session.assert_nothing_lost()


class TestFolderPaths:
    def test_a_path_outside_the_data_roots_is_refused(self, session: Session, tmp_path: Path) -> None:
        outside = tmp_path / "private" / "secret"
        outside.mkdir(parents=True)
        self.type_path(session.at, str(outside.parent))
        session.says(r"outside the allowed data roots")
        session.assert_nothing_lost()

    def test_a_symlink_inside_the_roots_pointing_outside_is_refused(self, session: Session, tmp_path: Path) -> None:
        outside = tmp_path / "private" / "secret"
        outside.mkdir(parents=True)
        (session.data / "shortcut").symlink_to(outside.parent)
        self.type_path(session.at, "shortcut")
        session.says(r"'shortcut' is outside the allowed data roots")
        session.assert_nothing_lost()

    @pytest.mark.parametrize("link", ["class-folder", "file"])
    def test_links_inside_an_allowed_folder_that_lead_outside_are_refused(
        self, session: Session, tmp_path: Path, link: str
    ) -> None:
        private = tmp_path / "private"
        private.mkdir()
        (private / "secret.png").write_bytes(png((255, 0, 255)))
        root = session.data / "pets"
        (root / "cat").mkdir(parents=True)
        (root / "cat" / "1.png").write_bytes(png((200, 0, 0)))
        if link == "class-folder":
            (root / "dog").symlink_to(private)
        else:
            (root / "dog").mkdir()
            (root / "dog" / "1.png").symlink_to(private / "secret.png")
        self.type_path(session.at, "pets")
        session.says(r"'pets' links to files outside the allowed data roots \(1 files, e\.g\. 'dog/")
        assert not any(str(tmp_path) in text for text in messages(session.at)), messages(session.at)
        assert grid_captions(session.at) == []
        session.assert_nothing_lost()

    @pytest.mark.parametrize(
        ("path", "pattern"),
        [
            ("a" * 5000, r"5,000 characters long; at most 1024"),
            ("x" * 300, r"cannot be opened: File name too long"),
            ("cats\x00dogs", r"NUL character"),
        ],
        ids=["5000-characters", "300-character-name", "nul"],
    )
    def test_a_path_the_file_system_refuses_gets_a_message(self, session: Session, path: str, pattern: str) -> None:
        self.type_path(session.at, path)
        session.says(pattern)
        assert not any(str(session.data) in text for text in messages(session.at))
        session.assert_nothing_lost()

    @staticmethod
    def type_path(at: AppTest, path: str) -> None:
        open_source(at, "folder")
        at.selectbox(key="ds_folder_choice").select("Other path…").run()
        at.text_input(key="ds_folder_path").input(path).run()


class TestZipUploads:
    """A good upload first; the bad one is refused, leaves no trace, and the good one stays open."""

    @pytest.mark.parametrize(
        ("archive", "pattern"),
        [
            (zip_of({"cat/1.png": png((1, 2, 3)), "../escape.png": png((0, 0, 0))}), r"was refused"),
            (zip_of({"cat/1.png": png((1, 2, 3)), "/abs-escape/a.png": png((0, 0, 0))}), r"was refused"),
            (zip_of({"cat/1.png": png((1, 2, 3))}, links={"dog/passwd.png": "/etc/passwd"}), r"was refused"),
            (zip_of({"cat/1.png": np.random.default_rng(0).bytes(4096)}), r"uploads are limited to"),
        ],
        ids=["dot-dot-member", "absolute-member", "symlink-member", "oversized"],
    )
    def test_bad_zip_is_refused(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, archive: bytes, pattern: str
    ) -> None:
        monkeypatch.setattr(sources, "MAX_UPLOAD_BYTES", 2048)
        at = open_source(session.at, "upload")
        at.file_uploader(key="ds_upload").upload("pets.zip", GOOD_ZIP, "application/zip").run()
        assert grid_captions(at) == ["cat (#0)", "dog (#1)"]
        kept = session.files()
        at.file_uploader(key="ds_upload").set_value(("evil.zip", archive, "application/zip")).run()
        session.says(pattern)
        assert grid_captions(at) == ["cat (#0)", "dog (#1)"]
        assert session.files() == kept
        assert not [p for p in session.data.parent.rglob("*escape*")]
        session.assert_nothing_lost()

    @pytest.mark.parametrize(
        ("archive", "pattern"),
        [
            (zip_of({f"cat/{i}.png": png((i, 0, 0)) for i in range(15)}), r"holds 15 members, more than the 10"),
            (deflated_zip_of({"cat/1.png": png((1, 2, 3)), "cat/zeros.bmp": bytes(4 * 2**20)}), r"more than max_bytes"),
            (zip_of({"readme.txt": b"hello", "1.png": png((1, 2, 3))}), r"holds no images inside class folders"),
            (
                zip_of({"cat/1.png": png((1, 2, 3)), "dog": b"x", "dog/1.png": png((3, 2, 1))}),
                r"member 'dog' is a file, but member 'dog/1.png' needs a folder",
            ),
        ],
        ids=["too-many-members", "expands-far-beyond-its-size", "no-class-folders", "file-and-folder-of-one-name"],
    )
    def test_an_upload_no_image_dataset_needs_is_refused_before_extraction(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, archive: bytes, pattern: str
    ) -> None:
        monkeypatch.setattr(sources, "MAX_UPLOAD_MEMBERS", 10)
        monkeypatch.setattr(sources, "MIN_EXTRACTED_BYTES", 2**20)
        at = open_source(session.at, "upload")
        at.file_uploader(key="ds_upload").upload("mine.zip", archive, "application/zip").run()
        session.says(r"'mine\.zip' [\s\S]*" + pattern)
        shown = " ".join(messages(at))
        assert ".incoming" not in shown and str(session.data) not in shown and "upload.zip" not in shown, shown
        assert "Errno" not in shown, shown
        assert session.files() == []
        session.assert_nothing_lost()


class TestHostileCifarBatch:
    def test_a_batch_that_would_run_code_is_refused_unrun(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        info = write_cifar10(session.data, n_train=10, n_test=5)
        marker = tmp_path / "pwned"
        hostile = session.data / info["base_folder"] / "data_batch_2"
        hostile.write_bytes(pickle.dumps(RunsCode(marker), protocol=2))
        train_list = [[name, file_md5(session.data / info["base_folder"] / name)] for name, _ in info["train_list"]]
        # The listed md5s match the files on disk, so the restricted unpickler is the line of defence under test.
        monkeypatch.setattr(datasets.CIFAR10, "train_list", train_list)
        monkeypatch.setattr(datasets.CIFAR10, "test_list", info["test_list"])
        monkeypatch.setattr(datasets.CIFAR10, "meta", info["meta"])
        open_source(session.at, "CIFAR10")
        session.says(r"data_batch_2[\s\S]*(refused|malicious)")
        assert not marker.exists()
        assert not [p.name for p in session.files() if p.suffix in (".npy", ".tmp", ".part")], "no decoded arrays"
        session.assert_nothing_lost()


class TestDownloadFailures:
    """An MNIST download from a local server: the page says it did not complete, and keeps no file of it."""

    @pytest.fixture
    def mnist_files(self, tmp_path: Path) -> dict[str, bytes]:
        info = write_mnist(tmp_path / "served", n_train=6, n_test=2, gz=True)
        return {name: (info["raw_folder"] / name).read_bytes() for name, _ in info["files"]}

    def test_md5_mismatch_on_the_last_file(
        self,
        session: Session,
        local_server: LocalHTTPServer,
        mnist_files: dict[str, bytes],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        names = list(mnist_files)
        for name in names[:-1]:
            local_server.add(f"/mnist/{name}", mnist_files[name])
        local_server.add(f"/mnist/{names[-1]}", gzip.compress(b"someone else's file", mtime=0))
        resources = [(name, hashlib.md5(data).hexdigest()) for name, data in mnist_files.items()]
        self.download(session, monkeypatch, local_server.url("/mnist/"), resources)
        session.says(r"did not complete[\s\S]*md5")
        assert local_server.hits(f"/mnist/{names[-1]}") == 1
        assert session.files() == []
        session.assert_nothing_lost()

    def test_network_failure(
        self, session: Session, closed_port: int, mnist_files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        resources = [(name, hashlib.md5(data).hexdigest()) for name, data in mnist_files.items()]
        self.download(session, monkeypatch, f"http://127.0.0.1:{closed_port}/", resources)
        session.says(r"did not complete[\s\S]*(refused|connect)")
        assert session.files() == []
        session.assert_nothing_lost()

    @staticmethod
    def download(
        session: Session, monkeypatch: pytest.MonkeyPatch, mirror: str, resources: list[tuple[str, str]]
    ) -> None:
        monkeypatch.setattr(datasets.MNIST, "mirrors", [mirror])
        monkeypatch.setattr(datasets.MNIST, "resources", resources)
        at = open_source(session.at, "MNIST")
        at.button(key="ds_download").click().run()


# ---- Augmentation page -----------------------------------------------------------------------------------------------


def preview_urls(at: AppTest) -> list[str]:
    return [url for image in at.image for url in image.value][:12]


class TestAugmentationInputs:
    @pytest.mark.parametrize(
        ("upload", "pattern"),
        [
            (b"%PDF-1.4 not an image", r"not an image that can be read: no image format Pillow knows"),
            (truncated_jpeg(), r"not an image that can be read: it is truncated or damaged"),
            (BOMB, r"too many pixels.*limited to 40 megapixels"),
        ],
        ids=["non-image", "truncated", "decompression-bomb"],
    )
    def test_bad_image_upload(self, session: Session, upload: bytes, pattern: str) -> None:
        at = visit(session.at, "augment")
        at.segmented_control(key="ag_source").set_value("Upload").run()
        at.file_uploader(key="ag_up").upload("photo.png", upload, "image/png").run()
        session.says(pattern)
        assert not any("object at 0x" in text for text in messages(at)), messages(at)
        assert len(preview_urls(at)) == 12, "the previews go on with the sample photo"
        session.assert_nothing_lost()

    def test_invalid_transform_parameter(self, session: Session) -> None:
        at = visit(session.at, "augment")
        before = preview_urls(at)
        crop = at.session_state["ag_pipeline"][0]["uid"]
        at.text_input(key=f"ag_{crop}_param_size").input("-5, 28").run()
        session.says(r"`size`[\s\S]*last valid settings")
        assert preview_urls(at) == before
        session.assert_nothing_lost()

    @pytest.mark.parametrize(
        "query",
        [
            {"p": "%%%", "roll": "7"},
            {"p": "A" * 5000, "seed": "1"},
            {"p": "eJzLSM3JyVcozy/KSQEAGgQEXQ", "roll": "-3"},
            {"p": "eJzLSM3JyVcozy/KSQEAGgQEXQ", "roll": "abc"},
        ],
        ids=["malformed", "oversized", "hostile-roll", "roll-not-a-number"],
    )
    def test_bad_share_link_keeps_the_pipeline(self, session: Session, query: dict[str, str]) -> None:
        for key, value in query.items():
            session.at.query_params[key] = value
        visit(session.at, "augment")
        session.says(r"share link could not be opened")
        assert not any("invalid literal" in text for text in messages(session.at)), messages(session.at)
        session.assert_nothing_lost()


# ---- Models page -----------------------------------------------------------------------------------------------------


class TestCheckpointUpload:
    def test_a_checkpoint_that_would_run_code_is_refused_unrun(self, session: Session, tmp_path: Path) -> None:
        marker = tmp_path / "pwned"
        at = visit(session.at, "models")
        at.segmented_control(key="md_source").set_value("Checkpoint").run()
        hostile = pickle.dumps({"state_dict": RunsCode(marker)}, protocol=2)
        at.file_uploader(key="md_ckpt").upload("evil.pth", hostile).run()
        session.says(r"evil\.pth was not loaded, and the model is as it was: refused to load checkpoint .evil\.pth.")
        assert not marker.exists()
        assert session.files() == [], "a refused checkpoint is not kept on the server"
        at.segmented_control(key="md_source").set_value("Random init").run()
        session.assert_nothing_lost()

    @pytest.mark.parametrize(
        ("data", "pattern"),
        [
            (b"", r"the file is empty"),
            (bytes(range(101, 256)) * 8, r"not a PyTorch checkpoint"),
            (b"PK\x03\x04" + b"\x00" * 200, r"not a PyTorch checkpoint .*truncated or corrupted"),
        ],
        ids=["empty", "garbage", "broken-zip"],
    )
    def test_an_unreadable_checkpoint_is_explained_in_words(self, session: Session, data: bytes, pattern: str) -> None:
        at = visit(session.at, "models")
        at.segmented_control(key="md_source").set_value("Checkpoint").run()
        at.file_uploader(key="md_ckpt").upload("weights.pth", data).run()
        session.says(r"weights\.pth was not loaded, and the model is as it was: .*" + pattern)
        shown = " ".join(messages(at))
        assert not re.search(r"(KeyError|EOFError|RuntimeError|UnpicklingError): ?\d*", shown), shown
        at.segmented_control(key="md_source").set_value("Random init").run()
        session.assert_nothing_lost()


# ---- Boxes page ------------------------------------------------------------------------------------------------------


class TestBoxTables:
    @pytest.mark.parametrize(
        ("edit", "pattern"),
        [
            # The editor hands a typed NaN (or an emptied cell) to the page as None: the message should name it.
            ({0: {"x2": float("nan")}}, r"(x2|[Ee]mpty|[Mm]issing|NaN)"),
            ({0: {"y1": float("inf")}}, r"NaN or infinite"),
            ({1: {"x1": 400.0}}, r"x2 < x1"),
        ],
        ids=["nan", "infinite", "inverted"],
    )
    def test_bad_coordinates_are_not_applied(self, session: Session, edit: dict[int, dict], pattern: str) -> None:
        at = visit(session.at, "boxes")
        edit_table(at, "bx_pair_table", edit)
        session.says(rf"Those coordinates were not applied[\s\S]*{pattern}")
        session.assert_nothing_lost()

    def test_nms_far_beyond_sensible_size_is_bounded(self, session: Session) -> None:
        at = open_tab(visit(session.at, "boxes"), "bx_tab", "NMS")
        crowd = [
            {"id": f"p{i}", "x1": i % 300, "y1": 10, "x2": i % 300 + 20, "y2": 40, "score": 0.5} for i in range(2500)
        ]
        edit_table(at, "bx_nms_table", {}, tuple(crowd))
        session.says(r"NMS replays up to 2000 boxes; got \d+")
        assert not at.get("metric"), "no replay is drawn"
        assert at.session_state["bx_nms"][: len(session.before["nms"])] == session.before["nms"]
        # The pasted rows are the user's own input and stay in the table; everything else must be as it was.
        session.before["nms"] = copy.deepcopy(at.session_state["bx_nms"])
        open_tab(at, "bx_tab", "Pair: IoU family")
        session.assert_nothing_lost()
