"""Detection and segmentation sets on the Datasets page: VOC, COCO and YOLO folders, uploads and the embedded
sample, indexed once (their annotation files only, no image decoded), drawn as grid tiles, filtered by class and by
finding, and reported on in the background.

A set is opened with the library's readers (:class:`~visionkit.datasets.VOCDetection`,
:class:`~visionkit.datasets.CocoDetection`, :class:`~visionkit.datasets.YOLODetection`); a file they cannot read
becomes a problem naming it, and the rest of the set opens.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw

from visionkit import datasets, tv_tensors
from visionkit.datasets import AnnotationReport, annotation_report
from visionkit.datasets._coco_masks import segmentation_to_mask
from visionkit.datasets._v2_wrapper import VOC_DETECTION_CATEGORIES
from visionkit.utils import draw_bounding_boxes, draw_segmentation_masks

from . import annotated, sources
from .grid import GridCell
from .paths import candidate_folders, resolve_allowed
from .sources import SourceError, max_image_pixels

SAMPLE_ROOT = annotated.ASSETS_DIR / "photos"
KINDS = {"coco": "COCO", "voc": "VOC", "yolo": "YOLO"}
#: Longest side of a grid tile and of the opened image, in pixels.
TILE_SIDE = 320
TILE_BACKGROUND = (240, 242, 246)
DETAIL_SIDE = 960
#: Annotation files larger than this are not offered: parsed, JSON takes about ten times its size in memory
#: (COCO's train2017 instances file, 448 MB, fits).
MAX_ANNOTATION_BYTES = 512 * 1024 * 1024
#: What the grid can be filtered by: kinds of the annotation report, and what the index itself knows.
FILTERS = {
    "all": "All images",
    "empty": "Images without objects",
    "outside_image": "Boxes outside the image",
    "degenerate_box": "Degenerate boxes (x2 ≤ x1 or y2 ≤ y1)",
    "nan_box": "Boxes with NaN or infinite coordinates",
    "tiny_box": "Tiny boxes",
    "near_duplicate": "Near-duplicate boxes (same class, IoU ≥ 0.9)",
    "unknown_label": "Labels outside the category list",
    "mask_box_mismatch": "Masks that do not match their box",
    "crowd": "Images with crowd regions",
    "unreadable": "Files that cannot be read",
}
#: Filters the index answers without a report.
INDEX_FILTERS = ("all", "empty", "crowd", "unreadable")


@dataclass(frozen=True)
class Layout:
    """Where a detection set lies: its format, the root its reader takes, and its subsets (COCO: annotation files
    relative to the folder, VOC: ``"2012 train"``, YOLO: splits)."""

    kind: str
    folder: Path
    root: Path
    subsets: tuple[str, ...]
    too_large: tuple[str, ...] = ()  # COCO files above MAX_ANNOTATION_BYTES, not offered


@dataclass
class ImageRecord:
    """One image of a set as its annotation file gives it.

    Attributes:
        name: the image's file name, as the annotation report names it.
        path: where the image is.
        size: (width, height) from the annotation file, None where it does not say.
        boxes: [N, 4] XYXY pixels (float64), as written: NaN, reversed and outside boxes are kept.
        labels: the class id of each object.
        crowd: whether each object is a crowd region.
        ids: each object's annotation id (COCO) or its place in the file (VOC object, YOLO line).
        segmentations: COCO segmentations (polygons or RLE) per object, None where an object has none.
        scores: each object's ``score`` where the file gives one (detections written as COCO results).
        problem: why the image or its annotations cannot be read (it then has no objects), naming the file.
        image_ok: False when the image itself is missing, outside the set or unreadable (its tile is the problem).
    """

    name: str
    path: str
    size: tuple[int, int] | None
    boxes: np.ndarray
    labels: list[int]
    crowd: list[bool]
    ids: list[Any]
    segmentations: list[Any] | None = None
    problem: str | None = None
    scores: list[float | None] | None = None  # COCO results files carry a confidence per object
    image_ok: bool = True


@dataclass
class DetectionSet:
    """An opened detection set: the library's dataset, the class names, one record per image, the files that could
    not be read, and a per-image mask reader where the set has masks."""

    kind: str
    title: str
    dataset: Any
    classes: dict[int, str]
    records: list[ImageRecord]
    problems: list[str] = field(default_factory=list)
    instance_maps: list[str | None] | None = None  # VOC: SegmentationObject PNG per image, where there is one

    def __len__(self) -> int:
        return len(self.records)

    # The set is never changed once opened, so what is derived from its records is computed once.
    @functools.cached_property
    def has_masks(self) -> bool:
        if self.instance_maps is not None:
            return any(self.instance_maps)
        return any(any(s is not None for s in r.segmentations or ()) for r in self.records)

    @functools.cached_property
    def num_objects(self) -> int:
        return sum(len(r.labels) for r in self.records)

    @functools.cached_property
    def used_labels(self) -> frozenset[int]:
        """The classes that at least one object has."""
        return frozenset(label for r in self.records for label in r.labels)

    @functools.cached_property
    def index_of(self) -> dict[str, int]:
        """The first image of each name (report findings name images by file)."""
        found: dict[str, int] = {}
        for index, record in enumerate(self.records):
            found.setdefault(record.name, index)
        return found

    def class_name(self, label: int) -> str:
        return self.classes.get(label, str(label))


# -------------------------------------------------------------------------------------------------------- layouts
def find_layout(folder: Path) -> Layout:
    """Recognise a detection set in ``folder``: ``data.yaml`` (YOLO), a ``VOCdevkit/VOC20xx`` tree (VOC) or COCO
    annotation files (``annotations/*.json`` or ``*.json``).

    Raises:
        SourceError: if none is found; the message says what each format needs.
    """
    if (folder / "data.yaml").is_file():
        images = folder / "images"
        splits = tuple(sorted(p.name for p in images.iterdir() if p.is_dir())) if images.is_dir() else ()
        if not splits:
            raise SourceError(f"'{folder.name}' has data.yaml but no images/<split>/ folder (e.g. images/train/).")
        return Layout("yolo", folder, folder, splits)
    voc = _voc_layout(folder)
    if voc is not None:
        return voc
    files = sorted(p for p in [*folder.glob("annotations/*.json"), *folder.glob("*.json")] if p.is_file())
    small = tuple(p.relative_to(folder).as_posix() for p in files if p.stat().st_size <= MAX_ANNOTATION_BYTES)
    large = tuple(p.relative_to(folder).as_posix() for p in files if p.stat().st_size > MAX_ANNOTATION_BYTES)
    if small:
        return Layout("coco", folder, folder, small, large)
    if large:
        raise SourceError(
            f"The annotation files of '{folder.name}' ({', '.join(large)}) are larger than the "
            f"{MAX_ANNOTATION_BYTES // 2**20} MB this server opens."
        )
    raise SourceError(
        f"No detection set found in '{folder.name}': a VOC set has VOCdevkit/VOC20xx/ (Annotations, JPEGImages, "
        "ImageSets/Main), a COCO set annotations/*.json beside its image folder, a YOLO set data.yaml with images/ "
        "and labels/."
    )


def _voc_layout(folder: Path) -> Layout | None:
    """A VOC tree at ``folder``, in ``folder/VOCdevkit``, or ``folder`` itself being VOCdevkit or VOC20xx."""
    for root in (folder, folder.parent, folder.parent.parent):
        devkit = root / "VOCdevkit"
        if not devkit.is_dir() or not (folder == root or folder.is_relative_to(devkit)):
            continue
        subsets = [
            f"{year.name[3:]} {split.stem}"
            for year in sorted(devkit.glob("VOC20[01][0-9]"))
            for split in sorted((year / "ImageSets" / "Main").glob("*.txt"))
            if split.stem in ("train", "val", "trainval", "test") and (year / "Annotations").is_dir()
        ]
        if subsets:
            return Layout("voc", folder, root, tuple(subsets))
    return None


def coco_image_root(folder: Path, annotation_file: str) -> Path:
    """The image folder of a COCO annotation file: ``val2017/`` for ``instances_val2017.json``, else ``images/``
    (or ``images/val2017/``), else the folder itself."""
    split = Path(annotation_file).stem.rsplit("_", 1)[-1]
    for candidate in (folder / split, folder / "images" / split, folder / "images"):
        if candidate.is_dir():
            return candidate
    return folder


def layout_in(folder: Path) -> Layout:
    """:func:`find_layout` in ``folder``, or in its only subfolder (a zipped folder nests everything in one)."""
    try:
        return find_layout(folder)
    except SourceError:
        inner = _visible(folder)
        if len(inner) == 1 and inner[0].is_dir():
            with contextlib.suppress(SourceError):
                return find_layout(inner[0])
        raise


def candidate_sets(max_depth: int = 3) -> list[Path]:
    """Folders under the data roots that hold a detection set, for the folder picker."""
    found = []
    for folder in candidate_folders(max_depth=max_depth):
        with contextlib.suppress(SourceError, OSError):
            find_layout(folder)
            found.append(folder)
    return found


def _visible(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX"))]


def source_layout(key: str, path: str | None) -> Layout | None:
    """The layout of a detection source (None for the embedded sample, which has one subset).

    Raises:
        SourceError, PathNotAllowedError: the folder is outside the data roots, or holds no detection set.
    """
    if key == "detection_sample":
        return None
    if key == "detection_folder":
        return layout_in(resolve_allowed(path or ""))
    if key == "detection_upload":
        return layout_in(sources.upload_folder(path))
    raise SourceError(f"{key!r} is not a detection source")


def open_source(key: str, path: str | None, subset: str | None) -> DetectionSet:
    """Open a detection source: the embedded sample, a server folder or an upload (its first subset by default)."""
    layout = source_layout(key, path)
    if layout is None:
        return open_sample()
    return open_set(layout, subset if subset is not None else layout.subsets[0])


def check_upload_names(names: list[str], filename: str) -> None:
    """Refuse, from the zip's directory alone, a zip without a detection set's annotation file."""
    visible = [n for n in names if not any(part.startswith((".", "__MACOSX")) for part in n.split("/"))]
    if not any(n.endswith(("data.yaml", ".json")) or ("Annotations/" in n and n.endswith(".xml")) for n in visible):
        raise SourceError(
            f"'{filename}' holds no data.yaml (YOLO), Annotations/*.xml (VOC) or .json annotation file (COCO), so it "
            "was not extracted."
        )


def check_upload_folder(root: Path) -> None:
    """Accept an extracted upload that holds a detection set. A VOC20xx folder zipped without its VOCdevkit
    parent is put into one, where the VOC reader looks for it."""
    top = _visible(root)
    base = top[0] if len(top) == 1 and top[0].is_dir() and not top[0].name.startswith("VOC20") else root
    years = [p for p in _visible(base) if p.is_dir() and p.name.startswith("VOC20") and (p / "Annotations").is_dir()]
    if years and not (base / "VOCdevkit").exists():
        (base / "VOCdevkit").mkdir()
        for year in years:
            year.rename(base / "VOCdevkit" / year.name)
    layout_in(root)


def save_upload(filename: str, data: bytes) -> str:
    """Check, extract and keep an uploaded zip of a detection set (the refusals of :func:`sources.save_upload`)."""
    return sources.save_upload(filename, data, check_upload_names, check_upload_folder)


# ----------------------------------------------------------------------------------------------------------- sets
def open_set(layout: Layout, subset: str) -> DetectionSet:
    """Open one subset of a layout. Files that cannot be read become problems; the rest of the set opens.

    Raises:
        SourceError: if the subset is not one of the layout's, or its annotation file (COCO) or split list (VOC)
            cannot be read at all.
    """
    if subset not in layout.subsets:
        raise SourceError(f"{subset!r} is not a subset of '{layout.folder.name}'; choose one of {list(layout.subsets)}")
    if layout.kind == "coco":
        return open_coco(coco_image_root(layout.folder, subset), layout.folder / subset, f"COCO · {subset}")
    if layout.kind == "voc":
        year, image_set = subset.split(" ")
        return _open_voc(layout.root, year, image_set)
    return _open_yolo(layout.root, subset)


def open_sample() -> DetectionSet:
    """The embedded sample: the bundled photos with their hand-made COCO boxes, polygons and keypoints."""
    return open_coco(SAMPLE_ROOT, annotated.PHOTO_ANNOTATIONS, "Embedded sample photos (COCO)")


def open_coco(image_root: Path, annotation_file: Path, title: str) -> DetectionSet:
    try:
        dataset = datasets.CocoDetection(str(image_root), str(annotation_file))
    except (ValueError, OSError, UnicodeDecodeError, RecursionError) as exc:
        raise SourceError(_without_folders(f"{annotation_file.name} cannot be opened: {exc}", annotation_file)) from exc
    coco = dataset.coco
    classes = {cat_id: str(cat.get("name", cat_id)) for cat_id, cat in coco.cats.items()}
    records, problems = [], []
    for image_id in dataset.ids:
        info = coco.imgs[image_id]
        objects = coco.imgToAnns.get(image_id, [])
        path = os.path.join(dataset.root, str(info["file_name"]))
        problem = None
        try:
            boxes = np.asarray([obj.get("bbox", [math.nan] * 4) for obj in objects], dtype=np.float64).reshape(-1, 4)
            labels = [int(obj.get("category_id", -1)) for obj in objects]
        except (TypeError, ValueError) as exc:
            boxes, labels, objects = np.zeros((0, 4)), [], []
            problem = f"{annotation_file.name}: the annotations of {info['file_name']} are malformed ({exc})"
        boxes[:, 2:] += boxes[:, :2]
        image_ok = _inside(path, image_root) and os.path.isfile(path)
        if problem is None and not _inside(path, image_root):
            problem = f"{annotation_file.name}: {info['file_name']} points outside the image folder; it is not read"
        elif problem is None and not image_ok:
            problem = f"{annotation_file.name}: image {info['file_name']} (id {image_id}) is missing"
        if problem:
            problems.append(problem)
        width, height = info.get("width"), info.get("height")
        records.append(
            ImageRecord(
                name=str(info["file_name"]),
                path=path,
                size=(int(width), int(height)) if isinstance(width, int) and isinstance(height, int) else None,
                boxes=boxes,
                labels=labels,
                crowd=[bool(obj.get("iscrowd", 0)) for obj in objects],
                ids=[obj.get("id") for obj in objects],
                segmentations=[obj.get("segmentation") or None for obj in objects],
                problem=problem,
                scores=[_score(obj.get("score")) for obj in objects],
                image_ok=image_ok,
            )
        )
    return DetectionSet("coco", title, dataset, classes, records, problems)


def _score(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _open_voc(root: Path, year: str, image_set: str) -> DetectionSet:
    try:
        dataset = datasets.VOCDetection(str(root), year=year, image_set=image_set)
    except (RuntimeError, ValueError, OSError) as exc:
        raise SourceError(f"VOC{year} {image_set} cannot be opened: {_without_folders(str(exc), root)}") from exc
    classes = dict(enumerate(VOC_DETECTION_CATEGORIES))
    by_name = {name: label for label, name in classes.items()}
    records, problems, maps = [], [], []
    for index, image_path in enumerate(dataset.images):
        xml_name = Path(dataset.annotations[index]).name
        boxes, labels, ids, size, problem = [], [], [], None, None
        try:
            if not _inside(dataset.annotations[index], root):
                raise ValueError(f"{xml_name} lies outside the set; it is not read")
            found = dataset.annotation(index)["annotation"]
            if "size" in found:
                size = (int(found["size"]["width"]), int(found["size"]["height"]))
            for place, obj in enumerate(found.get("object", [])):
                box = obj["bndbox"]
                boxes.append([_number(box[k]) for k in ("xmin", "ymin", "xmax", "ymax")])
                name = str(obj.get("name", "?"))
                labels.append(by_name.setdefault(name, max(by_name.values()) + 1))
                ids.append(place)
        except FileNotFoundError:
            problem = f"Annotations/{xml_name} is missing"
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            message = _without_folders(str(exc), root)
            problem = message if xml_name in message else f"Annotations/{xml_name}: {message}"
        image_ok = _inside(image_path, root) and os.path.isfile(image_path)
        if problem:
            boxes, labels, ids = [], [], []
            problems.append(problem)
        elif not _inside(image_path, root):
            problem = f"ImageSets/Main/{image_set}.txt names {Path(image_path).name}, outside the set; it is not read"
            problems.append(problem)
        elif not os.path.isfile(image_path):
            problem = f"JPEGImages/{Path(image_path).name} is missing"
            problems.append(problem)
        records.append(
            ImageRecord(
                name=Path(image_path).name,
                path=image_path,
                size=size,
                boxes=np.asarray(boxes, dtype=np.float64).reshape(-1, 4),
                labels=labels,
                crowd=[False] * len(labels),
                ids=ids,
                problem=problem,
                image_ok=image_ok,
            )
        )
        objects = Path(image_path).parent.parent / "SegmentationObject" / f"{Path(image_path).stem}.png"
        maps.append(str(objects) if objects.is_file() and _inside(str(objects), root) else None)
    classes = {label: name for name, label in by_name.items()}
    return DetectionSet("voc", f"VOC{year} · {image_set}", dataset, classes, records, problems, maps)


def _number(text: Any) -> float:
    """A VOC coordinate: a number as written (``"48"``, ``"48.5"``), NaN for anything else (the report says so)."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def _open_yolo(root: Path, split: str) -> DetectionSet:
    try:
        dataset = datasets.YOLODetection(str(root), split=split)
    except (ValueError, OSError) as exc:
        raise SourceError(f"The YOLO set cannot be opened: {_without_folders(str(exc), root)}") from exc
    classes = dict(enumerate(dataset.classes))
    records, problems = [], []
    for index, image_path in enumerate(dataset.images):
        try:
            rows, labels, issues = dataset.label_rows(index)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            rows, labels, issues = [], [], [f"labels/{split}/{Path(image_path).stem}.txt: {exc}"]
        size, problem, image_ok = None, "; ".join(issues) or None, True
        if problem is None:
            try:
                with Image.open(image_path) as opened:  # the header only: the size turns YOLO's fractions to pixels
                    size = opened.size
            except (OSError, ValueError) as exc:
                problem = f"images/{split}/{Path(image_path).name} cannot be read: {exc}"
                image_ok = False
        if problem:
            problems.append(problem)
            rows, labels = [], []
        width, height = size or (1, 1)
        cx, cy, w, h = np.asarray(rows, dtype=np.float64).reshape(-1, 4).T
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1) * [width, height, width, height]
        records.append(
            ImageRecord(
                name=Path(image_path).name,
                path=image_path,
                size=size,
                boxes=boxes.reshape(-1, 4),
                labels=list(labels),
                crowd=[False] * len(labels),
                ids=list(range(len(labels))),
                problem=problem,
                image_ok=image_ok,
            )
        )
    return DetectionSet("yolo", f"YOLO · {split}", dataset, classes, records, problems)


def _inside(path: str, root: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(root).resolve())


def _without_folders(message: str, near: Path) -> str:
    """A library message without the server's folders: paths are shown relative to the dataset."""
    for folder in sorted({str(near.resolve()), str(near)} | {str(p) for p in near.parents}, key=len, reverse=True):
        if len(folder) > 1:
            message = message.replace(folder + os.sep, "").replace(folder, "")
    return message


# ----------------------------------------------------------------------------------------------------------- report
class _RecordItems:
    """The readable records as ``(image, target)`` items for :func:`annotation_report` (no image is decoded: the
    boxes carry their canvas)."""

    def __init__(self, found: DetectionSet) -> None:
        self._records = [r for r in found.records if r.problem is None]
        self.images = [r.path for r in self._records]
        self.classes = [found.classes.get(label, str(label)) for label in range(max(found.classes, default=-1) + 1)]

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> tuple[None, dict[str, Any]]:
        record = self._records[index]
        width, height = record.size or (0, 0)
        boxes = tv_tensors.BoundingBoxes(torch.from_numpy(record.boxes), format="XYXY", canvas_size=(height, width))
        labels = torch.tensor(record.labels, dtype=torch.int64)
        return None, {"boxes": boxes, "labels": labels, "iscrowd": torch.tensor(record.crowd)}


def build_report(found: DetectionSet, progress: Any = None) -> AnnotationReport:
    """The annotation report: COCO sets from their index (with the mask checks), others from the records."""
    if found.kind == "coco":
        return annotation_report(found.dataset, progress=progress)
    return annotation_report(_RecordItems(found), progress=progress)


@dataclass
class ReportJob:
    """A report running in a background thread: pages poll it, and a second request joins the running one."""

    done: int = 0
    total: int = 0
    report: AnnotationReport | None = None
    error: str | None = None
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.report is None and self.error is None


_JOBS: dict[Any, ReportJob] = {}
_JOBS_LOCK = threading.Lock()


def report_job(key: Any, found: DetectionSet) -> ReportJob:
    """The report of ``found`` (keyed by ``key``): started on the first call, the same job on every later one."""
    with _JOBS_LOCK:
        job = _JOBS.get(key)
        if job is not None:
            return job
        job = _JOBS[key] = ReportJob(total=len(found))

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    def run() -> None:
        try:
            job.report = build_report(found, progress)
        except (ValueError, TypeError, RuntimeError, OSError, MemoryError) as exc:
            job.error = str(exc)

    job.thread = threading.Thread(target=run, name="visionkit-annotation-report", daemon=True)
    job.thread.start()
    return job


def existing_report_job(key: Any) -> ReportJob | None:
    """The report job of ``key`` if one was started (running or done), without starting one."""
    with _JOBS_LOCK:
        return _JOBS.get(key)


def forget_report(key: Any) -> None:
    with _JOBS_LOCK:
        _JOBS.pop(key, None)


# ----------------------------------------------------------------------------------------------------------- filters
def matching(
    found: DetectionSet, classes: list[int] | None, finding: str, report: AnnotationReport | None
) -> list[int]:
    """The images that have an object of one of ``classes`` (None: any image) and the ``finding`` (a key of
    :data:`FILTERS`; report kinds need the report)."""
    records = found.records
    picked = range(len(records))
    if classes:
        wanted = set(classes)
        picked = [i for i in picked if wanted.intersection(records[i].labels)]
    if finding == "all":
        return list(picked)
    if finding == "empty":
        return [i for i in picked if not records[i].labels and records[i].problem is None]
    if finding == "crowd":
        return [i for i in picked if any(records[i].crowd)]
    if finding == "unreadable":
        return [i for i in picked if records[i].problem is not None]
    if report is None:
        raise ValueError(f"the filter {FILTERS[finding]!r} needs the annotation report")
    named = found.index_of
    flagged = {named[f.image] for f in report.findings if f.kind == finding and f.image in named}
    return [i for i in picked if i in flagged]


def findings_of(found: DetectionSet, index: int, report: AnnotationReport | None) -> dict[Any, list[str]]:
    """The report's findings of one image, per annotation (id or place)."""
    if report is None:
        return {}
    name = found.records[index].name
    if found.index_of.get(name) != index:
        return {}
    notes: dict[Any, list[str]] = {}
    for finding in report.findings:
        if finding.image == name:
            notes.setdefault(finding.annotation, []).append(finding.detail)
    return notes


# ----------------------------------------------------------------------------------------------------------- drawing
def load_image(
    found: DetectionSet, index: int, fit: tuple[int, int], enlarge: float = 4.0
) -> tuple[Image.Image, float]:
    """Image ``index`` scaled to fit ``fit`` (width, height), small images enlarged at most ``enlarge`` times, and
    the scale from its stored pixels.

    Raises:
        ValueError: if it declares more pixels than the server allows, or its annotations say it cannot be read.
        OSError: if the file cannot be read.
    """
    record = found.records[index]
    if not record.image_ok:
        raise ValueError(record.problem)
    with Image.open(record.path) as opened:
        width, height = opened.size
        if width * height > max_image_pixels():
            raise ValueError(f"{record.name} is {width}×{height}, above this server's limit of pixels per image")
        scale = min(fit[0] / width, fit[1] / height, enlarge)
        target = (max(1, round(width * scale)), max(1, round(height * scale)))
        opened.draft("RGB", target)  # JPEGs decode at a fraction of their size: the grid needs no more
        image = opened.convert("RGB")
    if image.size != target:
        image = image.resize(target, Image.Resampling.BILINEAR)
    return image, scale


def object_masks(found: DetectionSet, index: int, size: tuple[int, int], scale: float) -> list[np.ndarray | None]:
    """Each object's mask at ``size`` (width, height), None for an object without one."""
    record = found.records[index]
    if found.instance_maps is not None:
        path = found.instance_maps[index]
        if path is None:
            return [None] * len(record.labels)
        with Image.open(path) as stored:
            ids = np.asarray(stored.resize(size, Image.Resampling.NEAREST))
        return [ids == number for number in range(1, len(record.labels) + 1)]
    masks: list[np.ndarray | None] = []
    width, height = record.size or (round(size[0] / scale), round(size[1] / scale))
    for segmentation in record.segmentations or [None] * len(record.labels):
        if segmentation is None:
            masks.append(None)
        elif isinstance(segmentation, list):  # polygons: drawn at the tile's size, no full-size raster
            canvas = Image.new("L", size, 0)
            pen = ImageDraw.Draw(canvas)
            for polygon in segmentation:
                points = np.asarray(polygon, dtype=np.float64).reshape(-1, 2) * scale
                if len(points) >= 3 and np.isfinite(points).all():
                    pen.polygon([tuple(p) for p in points.tolist()], fill=1)
            masks.append(np.asarray(canvas, dtype=bool))
        else:
            try:
                full = segmentation_to_mask(segmentation, height, width)
            except (ValueError, TypeError, KeyError):
                masks.append(None)
                continue
            picture = Image.fromarray(full.astype(np.uint8) * 255).resize(size, Image.Resampling.NEAREST)
            masks.append(np.asarray(picture) > 0)
    return masks


def drawn(found: DetectionSet, index: int, fit: tuple[int, int], show_masks: bool = True) -> Image.Image:
    """Image ``index`` with its objects: translucent masks, crowd regions hatched, boxes labelled in their class
    colour. Boxes are drawn as written, reversed corners put in order, so a degenerate box is still seen."""
    image, scale = load_image(found, index, fit)
    record = found.records[index]
    pixels = torch.from_numpy(np.array(image)).permute(2, 0, 1).contiguous()
    colors = [annotated.class_color(label, found.classes) for label in record.labels]
    if show_masks and record.labels:
        masks = object_masks(found, index, image.size, scale)
        yy, xx = np.mgrid[: image.height, : image.width]
        stripes = ((xx + yy) // 6) % 2 == 0
        shown = [(m & stripes if crowd else m) for m, crowd in zip(masks, record.crowd, strict=True) if m is not None]
        tints = [c for m, c in zip(masks, colors, strict=True) if m is not None]
        if shown:
            stack = torch.from_numpy(np.stack(shown))
            pixels = draw_segmentation_masks(pixels, stack, alpha=annotated.MASK_ALPHA, colors=tints)
    finite = np.isfinite(record.boxes).all(axis=1)
    if finite.any():
        boxes = record.boxes[finite] * scale
        ordered = np.concatenate([np.minimum(boxes[:, :2], boxes[:, 2:]), np.maximum(boxes[:, :2], boxes[:, 2:])], 1)
        scores = record.scores or [None] * len(record.labels)
        labels = [
            box_label(found.class_name(label), crowd, score)
            for label, crowd, score, keep in zip(record.labels, record.crowd, scores, finite, strict=True)
            if keep
        ]
        pixels = draw_bounding_boxes(
            pixels,
            torch.from_numpy(ordered).float(),
            labels=labels,
            colors=[c for c, keep in zip(colors, finite, strict=True) if keep],
            width=max(1, round(max(image.size) / 220)),
            fill_labels=True,
            label_colors="black",
        )
    return Image.fromarray(pixels.permute(1, 2, 0).numpy())


def box_label(name: str, crowd: bool, score: float | None) -> str:
    """A box's label: its class, ``(crowd)`` for a crowd region, and its score where it has one."""
    text = f"{name} (crowd)" if crowd else name
    return text if score is None else f"{text} {score:.2f}"


def tile(found: DetectionSet, index: int, show_masks: bool = True, side: int = TILE_SIDE) -> GridCell:
    """Image ``index`` drawn with its objects: for the grid (``side`` :data:`TILE_SIDE`) letterboxed into a 4:3
    tile, so that rows line up; larger sides (the opened image) as they are."""
    record = found.records[index]
    count = len(record.labels)
    short = Path(record.name).name  # the folder is in the opened image's title
    caption = f"{short} · {count} object{'s' if count != 1 else ''}"
    if not record.image_ok:
        return GridCell(index, record.name, error=record.problem)
    fit = (side, side * 3 // 4) if side <= TILE_SIDE else (side, side)
    try:
        image = drawn(found, index, fit, show_masks)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        return GridCell(index, record.name, error=_without_folders(str(exc), Path(record.path).parent))
    if side <= TILE_SIDE:
        framed = Image.new("RGB", fit, TILE_BACKGROUND)
        framed.paste(image, ((fit[0] - image.width) // 2, (fit[1] - image.height) // 2))
        image = framed
    if record.problem:
        caption = f"{short} · annotations unreadable"
    return GridCell(index, caption, image=image)


def grid_tiles(found: DetectionSet, indices: list[int], show_masks: bool = True) -> list[GridCell]:
    """The grid's tiles, in order (the benchmark's call, and the page's through its cache)."""
    return [tile(found, i, show_masks) for i in indices]


def object_rows(found: DetectionSet, index: int, report: AnnotationReport | None) -> list[dict[str, Any]]:
    """The annotation list of one image: one row per object, with the report's findings about it."""
    record = found.records[index]
    notes = findings_of(found, index, report)
    rows = []
    for place, (box, label, crowd, ann_id) in enumerate(
        zip(record.boxes.tolist(), record.labels, record.crowd, record.ids, strict=True)
    ):
        x1, y1, x2, y2 = box
        rows.append(
            {
                "#": place,
                "id": str(ann_id),
                "class": found.class_name(label),
                "x1": round(x1, 1),
                "y1": round(y1, 1),
                "x2": round(x2, 1),
                "y2": round(y2, 1),
                "width": round(x2 - x1, 1),
                "height": round(y2 - y1, 1),
                "crowd": crowd,
                "score": None if record.scores is None else record.scores[place],
                "findings": "; ".join(notes.get(ann_id, [])),
            }
        )
    return rows


def preview_annotations(found: DetectionSet, index: int, image: Image.Image) -> annotated.Annotations | None:
    """Image ``index``'s objects scaled to ``image`` (its copy for the Augmentation page's previews), for the v2
    previews: finite boxes with their corners in order, and instance masks where the set has them."""
    record = found.records[index]
    size = record.size
    if size is None:
        with Image.open(record.path) as stored:
            size = stored.size
    width, height = size
    sx, sy = image.width / width, image.height / height
    keep = [i for i, box in enumerate(record.boxes) if np.isfinite(box).all()]
    if not keep:
        return None
    boxes = tuple(
        (min(b[0], b[2]) * sx, min(b[1], b[3]) * sy, max(b[0], b[2]) * sx, max(b[1], b[3]) * sy)
        for b in (record.boxes[i].tolist() for i in keep)
    )
    masks = object_masks(found, index, image.size, image.width / width)
    ids = None
    if len(keep) < 256 and all(masks[i] is not None for i in keep):
        numbered = np.zeros((image.height, image.width), dtype=np.uint8)
        for number, i in enumerate(keep, start=1):
            numbered[masks[i]] = number
        ids = annotated.png_bytes(Image.fromarray(numbered, mode="L"))
    names = tuple(sorted(found.classes.items()))
    return annotated.Annotations(boxes, tuple(record.labels[i] for i in keep), names, instance_ids=ids)
