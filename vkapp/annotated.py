"""Annotated inputs for the Augmentation page: an image with its objects (boxes, labels, instance masks, keypoints),
as the v2 previews run them, ``pipeline(img, target)``, and as the previews draw them.

The embedded photos' objects come from ``assets/annotations/photos_coco.json`` (COCO format, hand-made for this
project), the shapes' from :meth:`visionkit.datasets.Shapes.annotations`. Everything is scaled to the copy of the
image that the previews use (:func:`vkapp.augment_lab.preview_input`).

Masks are kept as one map of instance ids (0 background, ``i + 1`` object ``i``), the PNG an exported script reads
beside the image, and both the previews and the script make one binary mask per object of it
(:meth:`visionkit.transforms.catalog.ScriptAnnotations.target`), so they run the pipeline on the same target.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw

from visionkit.transforms import catalog
from visionkit.utils import draw_bounding_boxes, draw_keypoints, draw_segmentation_masks

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
PHOTO_ANNOTATIONS = ASSETS_DIR / "annotations" / "photos_coco.json"
#: What a sample can hold besides its image, in the order the page offers them.
KINDS = ("boxes", "masks", "keypoints")
#: The file an exported script reads the instance masks from, beside the script.
MASK_FILE = "preview-masks.png"
#: Object colours, one per class (in the order of the class ids): distinct on photos and on each other.
PALETTE = (
    "#ffcc00", "#00e5ff", "#ff4081", "#76ff03", "#ff9100", "#d500f9", "#1de9b6", "#ff1744", "#2979ff", "#c6ff00",
    "#f50057", "#00b0ff", "#ffea00", "#651fff", "#00e676", "#ff3d00",
)  # fmt: skip
MASK_ALPHA = 0.45


@dataclass(frozen=True)
class Annotations:
    """The objects of one image, in its pixels.

    Attributes:
        boxes: ``(x1, y1, x2, y2)`` per object.
        labels: the class id of each object.
        class_names: ``(id, name)`` of every class of the source (not only those in the image), in id order.
        instance_ids: the instance-id map as PNG bytes (``None``: no masks), of the image's size.
        keypoints: per person, its ``(x, y)`` points (``None``: no keypoints); points that were not labelled are
            at their recorded place and left out by ``visibility``.
        visibility: per person, whether each point was labelled.
        skeleton: pairs of point indices (from 0) that the drawing connects.
    """

    boxes: tuple[tuple[float, float, float, float], ...]
    labels: tuple[int, ...]
    class_names: tuple[tuple[int, str], ...]
    instance_ids: bytes | None = None
    keypoints: tuple[tuple[tuple[float, float], ...], ...] | None = None
    visibility: tuple[tuple[bool, ...], ...] | None = None
    skeleton: tuple[tuple[int, int], ...] = ()

    @property
    def kinds(self) -> tuple[str, ...]:
        """Which of :data:`KINDS` this image has."""
        has = {"boxes": bool(self.boxes), "masks": self.instance_ids is not None, "keypoints": bool(self.keypoints)}
        return tuple(kind for kind in KINDS if has[kind])

    @property
    def names(self) -> dict[int, str]:
        return dict(self.class_names)

    def key(self) -> str:
        """A content key, for caches."""
        return hashlib.blake2b(repr(self).encode(), digest_size=12).hexdigest()

    def ids(self) -> torch.Tensor:
        """The instance-id map (Tensor[H, W] int64)."""
        assert self.instance_ids is not None
        return torch.from_numpy(np.asarray(Image.open(io.BytesIO(self.instance_ids))).astype(np.int64))

    def script(self, kinds: Sequence[str]) -> catalog.ScriptAnnotations:
        """The objects as an exported script builds them, with the ``kinds`` chosen (boxes and labels always)."""
        return catalog.ScriptAnnotations(
            self.boxes,
            self.labels,
            mask_path=MASK_FILE if "masks" in kinds and self.instance_ids is not None else None,
            keypoints=self.keypoints if "keypoints" in kinds and self.keypoints else None,
        )

    def target(self, image: Image.Image, kinds: Sequence[str]) -> dict[str, Any]:
        """The target the previews run the pipeline on: exactly what the exported script builds."""
        objects = self.script(kinds)
        ids = self.ids() if objects.mask_path is not None else None
        return objects.target((image.height, image.width), ids)


def class_color(label: int, names: dict[int, str]) -> str:
    """The colour of a class: the palette in the order of the source's class ids."""
    order = sorted(names)
    return PALETTE[(order.index(label) if label in names else label) % len(PALETTE)]


# ---------------------------------------------------------------------------------------------------------- sources
@functools.lru_cache(maxsize=1)
def _photo_document() -> dict[str, Any]:
    return json.loads(PHOTO_ANNOTATIONS.read_text(encoding="utf-8"))


def photo_annotations(file_name: str, size: tuple[int, int]) -> Annotations | None:
    """The objects of an embedded photo (its path under ``assets/photos``, e.g. ``animal/chelsea.jpg``), scaled to
    an image of ``size`` (width, height); ``None`` for a photo with none."""
    document = _photo_document()
    found = [image for image in document["images"] if image["file_name"] == file_name]
    if not found:
        return None
    record = found[0]
    objects = [a for a in document["annotations"] if a["image_id"] == record["id"]]
    if not objects:
        return None
    sx, sy = size[0] / record["width"], size[1] / record["height"]
    boxes = tuple(
        (x * sx, y * sy, (x + w) * sx, (y + h) * sy) for x, y, w, h in (a["bbox"] for a in objects)
    )  # fmt: skip
    ids = Image.new("L", size, 0)
    draw = ImageDraw.Draw(ids)
    for number, obj in enumerate(objects, start=1):
        for polygon in obj["segmentation"]:
            draw.polygon([(v * (sx if i % 2 == 0 else sy)) for i, v in enumerate(polygon)], fill=number)
    categories = {c["id"]: c for c in document["categories"]}
    people = [a for a in objects if a.get("num_keypoints")]
    keypoints = visibility = None
    skeleton: tuple[tuple[int, int], ...] = ()
    if people:
        raw = [np.asarray(a["keypoints"], dtype=np.float64).reshape(-1, 3) for a in people]
        keypoints = tuple(tuple((float(x * sx), float(y * sy)) for x, y, _ in points) for points in raw)
        visibility = tuple(tuple(bool(v > 0) for _, _, v in points) for points in raw)
        skeleton = tuple((a - 1, b - 1) for a, b in categories[people[0]["category_id"]].get("skeleton", []))
    return Annotations(
        boxes,
        tuple(a["category_id"] for a in objects),
        tuple((c["id"], c["name"]) for c in sorted(categories.values(), key=lambda c: c["id"])),
        instance_ids=png_bytes(ids),
        keypoints=keypoints,
        visibility=visibility,
        skeleton=skeleton,
    )


def dataset_annotations(dataset: Any, index: int, size: tuple[int, int]) -> Annotations | None:
    """The objects of item ``index`` of a dataset that has them (:class:`visionkit.datasets.Shapes`, or the embedded
    photos), scaled to an image of ``size`` (width, height); ``None`` for one without."""
    if hasattr(dataset, "annotations") and hasattr(dataset, "classes"):
        found = dataset.annotations(index)
        # the masks have the image's size: no need to render the image again for it
        height, width = found["masks"].shape[-2:] if "masks" in found else dataset[index][0].size[::-1]
        scale = torch.tensor([size[0] / width, size[1] / height] * 2)
        boxes = tuple(tuple(float(v) for v in box) for box in (found["boxes"] * scale).tolist())
        ids = None
        if "masks" in found:
            numbered = (found["masks"].to(torch.uint8) * torch.arange(1, len(boxes) + 1)[:, None, None]).amax(0)
            picture = Image.fromarray(numbered.to(torch.uint8).numpy(), mode="L")
            ids = png_bytes(picture.resize(size, Image.Resampling.NEAREST))
        names = tuple(enumerate(dataset.classes))
        return Annotations(boxes, tuple(int(v) for v in found["labels"]), names, instance_ids=ids)
    root = getattr(dataset, "root", None)
    samples = getattr(dataset, "samples", None)
    if root is not None and samples is not None and Path(root).resolve() == (ASSETS_DIR / "photos").resolve():
        path = Path(samples[index][0]).resolve().relative_to(Path(root).resolve())
        return photo_annotations(path.as_posix(), size)
    return None


def png_bytes(image: Image.Image) -> bytes:
    encoded = io.BytesIO()
    image.save(encoded, format="PNG")
    return encoded.getvalue()


# ---------------------------------------------------------------------------------------------------------- samples
def image_of(output: Any) -> Any:
    """The image of a pipeline's output: the output itself, or the first item of an ``(image, target)`` pair."""
    return output[0] if isinstance(output, (tuple, list)) else output


def target_of(output: Any) -> dict[str, Any] | None:
    """The target of an ``(image, target)`` output (None for an image alone)."""
    return output[1] if isinstance(output, (tuple, list)) and len(output) > 1 else None


def dropped(before: dict[str, Any] | None, after: dict[str, Any] | None, names: dict[int, str]) -> list[str]:
    """The objects a step removed (SanitizeBoundingBoxes), by class name: what is in ``before`` and not in
    ``after``. The step keeps the boxes it keeps as they are, in order, so they are matched in order."""
    if before is None or after is None or "boxes" not in before or "boxes" not in after:
        return []
    kept, gone, at = after["boxes"].as_subclass(torch.Tensor), [], 0
    labels = before["labels"].tolist()
    for index, box in enumerate(before["boxes"].as_subclass(torch.Tensor)):
        if at < len(kept) and torch.equal(kept[at], box):
            at += 1
        else:
            gone.append(names.get(int(labels[index]), str(labels[index])))
    return gone


def draw(
    pixels: np.ndarray,
    target: dict[str, Any] | None,
    annotations: Annotations | None,
    kinds: Sequence[str],
) -> np.ndarray:
    """Draw a target's objects on displayable pixels (HWC uint8 of the same size as the target's canvas): masks
    translucent, boxes with their class names, keypoints joined by the skeleton; each class in its colour.

    Small images are drawn at twice their size (labels stay readable when a preview is shown a few hundred
    pixels wide)."""
    if target is None or annotations is None or not kinds:
        return pixels
    names = annotations.names
    scale = 2 if max(pixels.shape[:2]) < 320 else 1
    image = torch.from_numpy(np.array(pixels))  # a copy: the pixels may be a read-only view of a PIL image
    image = (image[..., None].expand(-1, -1, 3) if image.ndim == 2 else image).permute(2, 0, 1)
    if image.shape[0] == 1:
        image = image.expand(3, -1, -1)
    image = image.repeat_interleave(scale, 1).repeat_interleave(scale, 2).contiguous()
    labels = [int(v) for v in target["labels"].tolist()] if "labels" in target else []
    colors = [class_color(label, names) for label in labels]
    masks = target.get("masks")
    if "masks" in kinds and masks is not None and len(masks) and tuple(masks.shape[-2:]) == tuple(pixels.shape[:2]):
        shown = masks.as_subclass(torch.Tensor).bool().repeat_interleave(scale, 1).repeat_interleave(scale, 2)
        image = draw_segmentation_masks(image, shown, alpha=MASK_ALPHA, colors=colors[: len(shown)])
    boxes = target.get("boxes")
    if "boxes" in kinds and boxes is not None and len(boxes):
        plain = boxes.as_subclass(torch.Tensor).float() * scale
        width = max(1, round(max(image.shape[1:]) / 200))
        texts = [names.get(label, str(label)) for label in labels]
        image = draw_bounding_boxes(image, plain, labels=texts, colors=colors, width=width)
    points = target.get("keypoints")
    if "keypoints" in kinds and points is not None and len(points):
        plain = points.as_subclass(torch.Tensor).float().reshape(-1, points.shape[-2], 2) * scale
        visible = None
        if annotations.visibility is not None and len(annotations.visibility) == len(plain):
            visible = torch.tensor(annotations.visibility, dtype=torch.bool)
        radius = max(2, round(max(image.shape[1:]) / 150))
        image = draw_keypoints(
            image,
            plain,
            connectivity=list(annotations.skeleton) or None,
            colors="#ff1744",
            radius=radius,
            width=max(1, radius // 2),
            visibility=visible,
        )
    return image.permute(1, 2, 0).numpy()
