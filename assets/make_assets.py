"""Regenerate the sample data embedded in the repository, so the app works offline on a fresh machine.

Writes, under ``assets/``:

* ``photos/<class>/<name>.jpg|png``: an ImageFolder of CC0 / public-domain photographs bundled with scikit-image
  (``skimage.data``), resized so the longest side is at most 512 px. Colour photos are JPEG (quality 90);
  grayscale ones stay in mode 'L' and are PNG. Mixed modes and sizes are intended: the health panel shows them.
* ``digits/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte``: the 1,797 8x8 handwritten digits bundled with
  scikit-learn, values 0..16 scaled to 0..255 with rounding, in uncompressed MNIST IDX format; the first 1,500 are
  the train split and the remaining 297 the test split, so ``MNIST("assets/digits")`` reads them.
* ``LICENSES.md``: source, author and license of every file written here, and of the hand-made annotations
  ``annotations/photos_coco.json`` (boxes, polygons and person keypoints of the photos, COCO format). The
  annotations are not generated: this script only lists them, so keep their pixel coordinates in step with the
  photos (same ``MAX_SIDE`` resize) if the photos ever change.

scikit-image and scikit-learn are needed only to run this script (development requirements); the app and the tests
read the files it writes. Run it from anywhere with the development environment::

    .venv/bin/python assets/make_assets.py

The output is deterministic for given versions of scikit-image, scikit-learn and Pillow.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import skimage
import skimage.data
import sklearn
from PIL import Image
from sklearn.datasets import load_digits

ASSETS = Path(__file__).resolve().parent
MAX_SIDE = 512
JPEG_QUALITY = 90
DIGITS_TRAIN = 1500
DIGITS_MAX_VALUE = 16
SKIMAGE_DATA_DOCS = "https://scikit-image.org/docs/stable/api/skimage.data.html"
DIGITS_UCI_URL = "https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits"


@dataclass(frozen=True)
class Photo:
    """One photo of ``skimage.data``: where it goes and where it comes from."""

    category: str
    name: str
    source: str
    author: str
    license: str


PHOTOS = [
    Photo("animal", "chelsea", SKIMAGE_DATA_DOCS, "Stefan van der Walt", "CC0"),
    Photo("food", "coffee", SKIMAGE_DATA_DOCS, "Rachel Michetti (courtesy of Pikolo Espresso Bar)", "CC0"),
    Photo("people", "astronaut", "https://flic.kr/p/r9qvLn", "NASA", "Public domain"),
    Photo("people", "camera", SKIMAGE_DATA_DOCS, "Lav Varshney", "CC0"),
    Photo(
        "space",
        "rocket",
        "https://www.flickr.com/photos/spacexphotos/16511594820/in/photostream/",
        "SpaceX",
        "Public domain (<http://arstechnica.com/tech-policy/2015/03/elon-musk-puts-spacex-photos-into-the-public-domain/>)",
    ),
    Photo(
        "space",
        "hubble_deep_field",
        "http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/",
        "NASA",
        "Public domain (<http://www.nasa.gov/audience/formedia/features/MP_Photo_Guidelines.html>)",
    ),
    Photo(
        "medical",
        "retina",
        "https://commons.wikimedia.org/wiki/File:Fundus_photograph_of_normal_left_eye.jpg",
        "Mikael Häggström",
        "CC0 1.0 Universal",
    ),
    Photo("texture", "brick", "https://cc0textures.com/view.php?tex=Bricks25", "CC0Textures", "CC0"),
    Photo(
        "texture",
        "grass",
        "https://www.deviantart.com/linolafett/art/Grass-01-434853879",
        "linolafett (DeviantArt)",
        "CC0",
    ),
    Photo("texture", "gravel", "https://cc0textures.com/view.php?tex=Gravel04", "CC0Textures", "CC0"),
]

DIGIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
DIGITS_RAW = Path("digits", "MNIST", "raw")
PHOTO_ANNOTATIONS = Path("annotations", "photos_coco.json")


def write_photo(photo: Photo) -> Path:
    """Resize one photo to at most ``MAX_SIDE`` px on its longest side and save it; return its relative path."""
    image = Image.fromarray(getattr(skimage.data, photo.name)())
    relative = Path("photos", photo.category, f"{photo.name}.{'png' if image.mode == 'L' else 'jpg'}")
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    path = ASSETS / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".jpg":
        image.save(path, quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(path, optimize=True)
    return relative


def digits_uint8() -> tuple[np.ndarray, np.ndarray]:
    """Return scikit-learn's digits as uint8 images ``[1797, 8, 8]`` in 0..255 and uint8 labels ``[1797]``."""
    digits = load_digits()
    images = np.round(digits.images * (255 / DIGITS_MAX_VALUE)).astype(np.uint8)
    return images, digits.target.astype(np.uint8)


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array in IDX format: magic ``0x000008<ndim>``, big-endian dimensions, then the values."""
    header = struct.pack(">I", 0x0800 + array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array).tobytes()


def write_digits() -> list[Path]:
    """Write the four IDX files (first ``DIGITS_TRAIN`` digits train, the rest test); return their paths."""
    images, labels = digits_uint8()
    splits = {"train": slice(0, DIGITS_TRAIN), "test": slice(DIGITS_TRAIN, None)}
    (ASSETS / DIGITS_RAW).mkdir(parents=True, exist_ok=True)
    written = []
    for split, (image_file, label_file) in DIGIT_FILES.items():
        for name, array in ((image_file, images), (label_file, labels)):
            (ASSETS / DIGITS_RAW / name).write_bytes(idx_bytes(array[splits[split]]))
            written.append(DIGITS_RAW / name)
    return written


def scikit_learn_license() -> str:
    """The BSD-3-Clause text of the installed scikit-learn, without the notices of libraries bundled in its wheel."""
    text = importlib.metadata.distribution("scikit-learn").read_text("licenses/COPYING") or ""
    return text.split("\n----", 1)[0].strip()


def licenses_markdown(photo_paths: list[Path], digit_paths: list[Path]) -> str:
    """Build LICENSES.md: one table row per asset file, then the scikit-learn license text."""
    rows = [
        f"| `{path.as_posix()}` | <{photo.source}>, via scikit-image {skimage.__version__} "
        f"(`skimage.data.{photo.name}`) | {photo.author} | {photo.license} |"
        for photo, path in zip(PHOTOS, photo_paths, strict=True)
    ]
    rows += [
        f"| `{path.as_posix()}` | <{DIGITS_UCI_URL}>, via scikit-learn {sklearn.__version__} "
        "(`sklearn.datasets.load_digits`) | E. Alpaydin, C. Kaynak; packaged by the scikit-learn developers "
        "| CC BY 4.0 (UCI data set); BSD-3-Clause (scikit-learn's packaging, see below) |"
        for path in digit_paths
    ]
    rows.append(
        f"| `{PHOTO_ANNOTATIONS.as_posix()}` | hand-made for this project (see below) | the visionkit project "
        "| CC0 1.0 Universal |"
    )
    return "\n".join(
        [
            "# Licenses of the embedded sample data",
            "",
            "Generated by `assets/make_assets.py`; do not edit by hand. Paths are relative to `assets/`.",
            "Photos were resized so the longest side is at most 512 px. Digits are scikit-learn's 8x8 digits scaled",
            "from 0..16 to 0..255 and stored in MNIST IDX format (first 1,500 train, remaining 297 test).",
            "",
            "| path | source | author | license |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
            "## Photo annotations",
            "",
            f"`{PHOTO_ANNOTATIONS.as_posix()}` is the project's own work: the boxes, polygon outlines and person",
            "keypoints of the photos above were traced by hand on the stored (resized) photos, some edges checked",
            "against the pixel values, and verified by overlaying them on each photo. They are dedicated to the",
            "public domain under CC0 1.0 Universal",
            "(<https://creativecommons.org/publicdomain/zero/1.0/>). The photos themselves keep the licenses in the",
            "table; the file's `licenses` list repeats them per image.",
            "",
            "## Handwritten digits",
            "",
            "The digits are the test set of the *Optical Recognition of Handwritten Digits* data set by",
            f"E. Alpaydin and C. Kaynak (1998), UCI Machine Learning Repository, <{DIGITS_UCI_URL}>,",
            "which UCI distributes under the Creative Commons Attribution 4.0 International license (CC BY 4.0;",
            "this file is the attribution), as bundled with scikit-learn, which distributes them under this license:",
            "",
            "```text",
            scikit_learn_license(),
            "```",
            "",
        ]
    )


def main() -> None:
    for folder in ("photos", "digits"):
        shutil.rmtree(ASSETS / folder, ignore_errors=True)
    photo_paths = [write_photo(photo) for photo in PHOTOS]
    digit_paths = write_digits()
    (ASSETS / "LICENSES.md").write_text(licenses_markdown(photo_paths, digit_paths), encoding="utf-8")


if __name__ == "__main__":
    main()
