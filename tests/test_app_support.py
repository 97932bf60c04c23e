"""The app's data policy and grid logic (plain Python, no streamlit): data roots, uploads, grid selection."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vkapp import grid, paths, sources


@pytest.fixture
def roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    (data / "cats_dogs" / "cat").mkdir(parents=True)
    (data / "cats_dogs" / "dog").mkdir(parents=True)
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(data))
    monkeypatch.delenv(paths.DATA_ROOTS_ENV, raising=False)
    return data


def png_bytes(color: tuple[int, int, int], size: tuple[int, int] = (12, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class TestResolveAllowed:
    def test_relative_path_inside_the_root(self, roots: Path) -> None:
        assert paths.resolve_allowed("cats_dogs") == roots / "cats_dogs"

    def test_dot_dot_escape_is_refused(self, roots: Path) -> None:
        with pytest.raises(paths.PathNotAllowedError, match="outside the allowed data roots"):
            paths.resolve_allowed("cats_dogs/../..")

    def test_absolute_path_outside_is_refused(self, roots: Path) -> None:
        with pytest.raises(paths.PathNotAllowedError, match="outside"):
            paths.resolve_allowed("/etc")

    def test_symlink_pointing_outside_is_refused(self, roots: Path, tmp_path: Path) -> None:
        secret = tmp_path / "secret"
        secret.mkdir()
        (roots / "innocent").symlink_to(secret)
        with pytest.raises(paths.PathNotAllowedError, match="outside"):
            paths.resolve_allowed("innocent")

    def test_missing_folder_and_empty_input(self, roots: Path) -> None:
        with pytest.raises(paths.PathNotAllowedError, match="not an existing folder"):
            paths.resolve_allowed("nope")
        with pytest.raises(paths.PathNotAllowedError, match="Enter a folder path"):
            paths.resolve_allowed("  ")

    def test_configured_roots_replace_the_data_folder(self, roots: Path, tmp_path: Path, monkeypatch) -> None:
        other = tmp_path / "shared-sets"
        other.mkdir()
        monkeypatch.setenv(paths.DATA_ROOTS_ENV, str(other))
        assert paths.resolve_allowed(str(other)) == other
        with pytest.raises(paths.PathNotAllowedError):
            paths.resolve_allowed(str(roots / "cats_dogs"))

    def test_candidate_folders_lists_image_folder_roots(self, roots: Path) -> None:
        assert roots / "cats_dogs" in paths.candidate_folders()


class TestUploads:
    def test_good_zip_opens_as_an_image_folder(self, roots: Path) -> None:
        data = zip_bytes({"pets/cat/a.png": png_bytes((255, 0, 0)), "pets/dog/b.png": png_bytes((0, 0, 255))})
        name = sources.save_upload("my pets.zip", data)
        dataset = sources.open_dataset("upload", path=name)
        assert dataset.classes == ["cat", "dog"]
        assert len(dataset) == 2

    def test_same_upload_twice_reuses_the_extracted_folder(self, roots: Path) -> None:
        data = zip_bytes({"cat/a.png": png_bytes((1, 2, 3))})
        assert sources.save_upload("a.zip", data) == sources.save_upload("a.zip", data)

    @pytest.mark.parametrize(
        ("members", "message"),
        [
            ({"../evil/a.png": b"x"}, "refused"),
            ({"/abs/a.png": b"x"}, "refused"),
            ({"just-a-file.png": b"x"}, "no images inside class folders"),
        ],
    )
    def test_refused_zips_leave_nothing_behind(self, roots: Path, members: dict[str, bytes], message: str) -> None:
        with pytest.raises(sources.SourceError, match=message):
            sources.save_upload("bad.zip", zip_bytes(members))
        assert list(paths.uploads_dir().iterdir()) == []
        assert not (roots.parent / "evil").exists()

    def test_symlink_member_is_refused(self, roots: Path) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            link = zipfile.ZipInfo("cat/link.png")
            link.external_attr = 0o120777 << 16  # a symlink entry, as `zip --symlinks` writes it
            archive.writestr(link, "/etc/passwd")
        with pytest.raises(sources.SourceError, match="refused"):
            sources.save_upload("links.zip", buffer.getvalue())
        assert list(paths.uploads_dir().iterdir()) == []

    def test_not_a_zip(self, roots: Path) -> None:
        with pytest.raises(sources.SourceError, match="not a zip archive"):
            sources.save_upload("photo.zip", png_bytes((0, 0, 0)))

    def test_oversized_upload_is_refused_before_writing(self, roots: Path, monkeypatch) -> None:
        monkeypatch.setattr(sources, "MAX_UPLOAD_BYTES", 100)
        with pytest.raises(sources.SourceError, match="limited to"):
            sources.save_upload("big.zip", b"0" * 101)
        assert list(paths.uploads_dir().iterdir()) == []

    def test_upload_name_cannot_escape_the_uploads_folder(self, roots: Path) -> None:
        with pytest.raises(sources.SourceError, match="no longer on the server"):
            sources.open_dataset("upload", path="../cats_dogs")


class TestGridIndices:
    targets = np.array([0, 1, 2] * 20)

    def test_random_is_seeded_and_reshuffles(self) -> None:
        first = grid.grid_indices(self.targets, mode="Random", rows=3, cols=5, seed=7)
        assert first == grid.grid_indices(self.targets, mode="Random", rows=3, cols=5, seed=7)
        assert first != grid.grid_indices(self.targets, mode="Random", rows=3, cols=5, seed=7, shuffle=1)
        flat = [i for row in first for i in row]
        assert len(flat) == len(set(flat)) == 15

    def test_sequential_pages(self) -> None:
        page = grid.grid_indices(self.targets, mode="Sequential", rows=2, cols=4, page=1)
        assert page == [[8, 9, 10, 11], [12, 13, 14, 15]]
        assert grid.page_count(len(self.targets), 2, 4) == 8

    def test_per_class_gives_one_row_per_class(self) -> None:
        rows = grid.grid_indices(self.targets, mode="Per class", rows=1, cols=4, classes=[2, 0])
        assert [sorted({int(self.targets[i]) for i in row}) for row in rows] == [[0], [2]]
        assert all(len(row) == 4 for row in rows)

    def test_class_filter(self) -> None:
        rows = grid.grid_indices(self.targets, mode="Random", rows=2, cols=5, classes=[1])
        assert {int(self.targets[i]) for row in rows for i in row} == {1}

    def test_bad_mode(self) -> None:
        with pytest.raises(ValueError, match="mode should be one of"):
            grid.grid_indices(self.targets, mode="Diagonal", rows=1, cols=1)

    def test_enlarge_keeps_pixels_crisp(self) -> None:
        tiny = Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8))
        big = grid.enlarge(tiny, 96)
        assert big.size == (96, 96)
        assert np.array_equal(np.asarray(big)[::12, ::12], np.asarray(tiny))

    def test_grid_png_is_a_png_with_every_cell(self) -> None:
        cells = [[grid.GridCell(0, "a", Image.new("RGB", (8, 8), "red")), grid.GridCell(1, "b", error="broken")]]
        png = grid.grid_png(cells, title="t")
        assert Image.open(io.BytesIO(png)).format == "PNG"
