"""The sample data shipped in assets/: licensed file by file, small, and readable by visionkit's own readers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from visionkit.datasets.folder import ImageFolder
from visionkit.datasets.health import health_report
from visionkit.datasets.mnist import MNIST

ASSETS = Path(__file__).resolve().parent.parent / "assets"
NOT_ASSETS = {"LICENSES.md", "make_assets.py"}
PHOTO_CLASSES = ["animal", "food", "medical", "people", "space", "texture"]
ACCEPTED_LICENSES = ("CC0", "Public domain", "CC BY 4.0")
MAX_TOTAL_BYTES = 5 * 1024 * 1024


def asset_files() -> set[str]:
    return {path.relative_to(ASSETS).as_posix() for path in ASSETS.rglob("*") if path.is_file()} - NOT_ASSETS


def license_rows() -> dict[str, list[str]]:
    """The rows of the LICENSES.md table, keyed by path: ``[source, author, license]``."""
    rows = {}
    for line in (ASSETS / "LICENSES.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            path, *cells = (cell.strip() for cell in line.strip("|").split(" | "))
            rows[path.strip("`")] = cells
    return rows


class TestLicenses:
    def test_every_asset_has_a_row(self) -> None:
        assert asset_files() <= set(license_rows())

    def test_every_row_is_an_existing_file(self) -> None:
        assert set(license_rows()) <= asset_files()

    def test_rows_name_source_author_and_accepted_license(self) -> None:
        for path, (source, author, license_) in license_rows().items():
            # third-party files name where they came from; the project's own work says so and who made it
            own_work = source.startswith("hand-made for this project") and author == "the visionkit project"
            assert "http" in source or own_work, path
            assert author, path
            assert license_.startswith(ACCEPTED_LICENSES), path

    def test_bsd_notice_of_the_digits_is_reproduced(self) -> None:
        text = (ASSETS / "LICENSES.md").read_text(encoding="utf-8")
        assert "Copyright (c)" in text and "The scikit-learn developers" in text
        assert "Redistributions in binary form must reproduce the above copyright notice" in text
        assert "archive.ics.uci.edu" in text

    def test_total_size_is_small(self) -> None:
        assert sum(path.stat().st_size for path in ASSETS.rglob("*") if path.is_file()) < MAX_TOTAL_BYTES


class TestPhotos:
    def test_load_as_image_folder(self) -> None:
        dataset = ImageFolder(ASSETS / "photos")
        assert dataset.classes == PHOTO_CLASSES
        assert len(dataset) == 10
        for index in range(len(dataset)):
            image, label = dataset[index]
            assert image.mode == "RGB"
            assert max(image.size) <= 512
            assert 0 <= label < len(PHOTO_CLASSES)

    def test_grayscale_photos_stay_grayscale(self) -> None:
        for name in ("people/camera.png", "texture/brick.png"):
            with Image.open(ASSETS / "photos" / name) as image:
                assert image.mode == "L", name

    def test_health_report_sees_mixed_modes_and_sizes(self) -> None:
        report = health_report(ImageFolder(ASSETS / "photos"))
        assert report.unreadable == []
        assert set(report.modes) == {"L", "RGB"}
        assert len(report.sizes) > 3
        assert report.channels == 3


class TestDigits:
    @pytest.mark.parametrize(("train", "count"), [(True, 1500), (False, 297)])
    def test_read_by_mnist(self, train: bool, count: int) -> None:
        dataset = MNIST(ASSETS / "digits", train=train)
        assert len(dataset) == count
        assert tuple(dataset.data.shape) == (count, 8, 8)
        assert set(dataset.targets.tolist()) == set(range(10))
        data = np.asarray(dataset.data)
        assert (data.min(), data.max()) == (0, 255)
        image, label = dataset[0]
        assert image.mode == "L" and image.size == (8, 8)
        assert 0 <= label <= 9

    @pytest.mark.parametrize(
        ("name", "header"),
        [
            ("train-images-idx3-ubyte", (0x803, 1500, 8, 8)),
            ("train-labels-idx1-ubyte", (0x801, 1500)),
            ("t10k-images-idx3-ubyte", (0x803, 297, 8, 8)),
            ("t10k-labels-idx1-ubyte", (0x801, 297)),
        ],
    )
    def test_uncompressed_idx_files(self, name: str, header: tuple[int, ...]) -> None:
        data = (ASSETS / "digits" / "MNIST" / "raw" / name).read_bytes()
        assert tuple(np.frombuffer(data, dtype=">u4", count=len(header))) == header
        assert len(data) == 4 * len(header) + int(np.prod(header[1:]))

    def test_values_are_scaled_sixteenths(self) -> None:
        # 8x8 digits count on-pixels in 4x4 blocks (0..16), scaled to 0..255 with rounding.
        allowed = {round(level * 255 / 16) for level in range(17)}
        data = np.asarray(MNIST(ASSETS / "digits", train=True).data)
        assert set(np.unique(data).tolist()) <= allowed
