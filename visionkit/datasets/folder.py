"""Datasets from a folder tree with one subfolder per class (``root/<class>/**/<file>``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from PIL import Image

from .vision import VisionDataset

__all__ = [
    "IMG_EXTENSIONS",
    "DatasetFolder",
    "ImageFolder",
    "default_loader",
    "find_classes",
    "has_file_allowed_extension",
    "is_image_file",
    "make_dataset",
    "pil_loader",
]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")

Extensions = str | Iterable[str]


def has_file_allowed_extension(filename: str, extensions: Extensions) -> bool:
    """Whether ``filename`` ends with one of ``extensions``, ignoring case (``extensions`` are given lowercase)."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename: str) -> bool:
    """Whether ``filename`` has one of :data:`IMG_EXTENSIONS`, ignoring case."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def check_pixels(image: Image.Image, max_pixels: int | None) -> None:
    """Refuse an opened (not yet decoded) image that declares more than ``max_pixels`` pixels.

    Pillow only refuses images above twice its ``MAX_IMAGE_PIXELS`` (about 179 megapixels) and merely warns above
    it: a 12000 x 12000 file decodes to 1.5 GB first. A bound of one's own stops it while only the header is read.

    Raises:
        ValueError: naming the size, the number of pixels and the bound.
    """
    if max_pixels is not None and image.width * image.height > max_pixels:
        raise ValueError(
            f"the image declares {image.width} x {image.height} pixels ({image.width * image.height / 1e6:.1f} "
            f"megapixels), above the {max_pixels / 1e6:g} megapixels images are limited to here"
        )


def pil_loader(path: str | os.PathLike[str], *, max_pixels: int | None = None) -> Image.Image:
    """Open an image file as an RGB PIL image (the file is closed before returning).

    Args:
        path: the file.
        max_pixels: refuse (``ValueError``) images declaring more pixels, before decoding them; None: no bound.
    """
    with open(path, "rb") as file:
        image = Image.open(file)
        check_pixels(image, max_pixels)
        return image.convert("RGB")


def default_loader(path: str | os.PathLike[str]) -> Image.Image:
    """The loader of :class:`ImageFolder`: :func:`pil_loader`."""
    return pil_loader(path)


def find_classes(directory: str | os.PathLike[str]) -> tuple[list[str], dict[str, int]]:
    """Return the sorted names of the subfolders of ``directory`` and their indices.

    Raises:
        FileNotFoundError: if ``directory`` does not exist or has no subfolder.
    """
    with os.scandir(directory) as entries:
        classes = sorted(entry.name for entry in entries if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {os.fspath(directory)}.")
    return classes, {name: index for index, name in enumerate(classes)}


def _file_filter(extensions: Extensions | None, is_valid_file: Callable[[str], bool] | None) -> Callable[[str], bool]:
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if is_valid_file is not None:
        return is_valid_file
    return lambda path: has_file_allowed_extension(path, extensions)


def _class_files(folder: str, is_valid_file: Callable[[str], bool]) -> list[str]:
    """Valid files under ``folder``, recursively, following links: folders in sorted order, sorted names within."""
    files = []
    for parent, _, names in sorted(os.walk(folder, followlinks=True)):
        files += [path for path in (os.path.join(parent, name) for name in sorted(names)) if is_valid_file(path)]
    return files


def _check_not_empty(empty_classes: Collection[str], extensions: Extensions | None) -> None:
    if not empty_classes:
        return
    message = f"Found no valid file for the classes {', '.join(sorted(empty_classes))}. "
    if extensions is not None:
        shown = extensions if isinstance(extensions, str) else ", ".join(extensions)
        message += f"Supported extensions are: {shown}"
    raise FileNotFoundError(message)


def make_dataset(
    directory: str | os.PathLike[str],
    class_to_idx: Mapping[str, int] | None = None,
    extensions: Extensions | None = None,
    is_valid_file: Callable[[str], bool] | None = None,
    allow_empty: bool = False,
) -> list[tuple[str, int]]:
    """List the ``(path, class index)`` samples of a class-per-subfolder tree.

    Classes are visited in sorted order; within a class, folders are walked in sorted order (following links) and
    files sorted by name.

    Args:
        directory (str or PathLike): the root of the tree.
        class_to_idx (Mapping[str, int], optional): the classes to collect; all subfolders when None.
        extensions (str or Iterable[str], optional): file endings to keep (lowercase). Exactly one of
            ``extensions`` and ``is_valid_file`` must be given.
        is_valid_file (callable, optional): takes a file path and says whether to keep it.
        allow_empty (bool): allow classes without any valid file.

    Returns:
        list[tuple[str, int]]: the samples.

    Raises:
        ValueError: if both or neither of ``extensions`` and ``is_valid_file`` are given.
        FileNotFoundError: if a class has no valid file and ``allow_empty`` is False.
    """
    directory = os.path.expanduser(directory)
    if extensions is not None and not isinstance(extensions, str):
        extensions = tuple(extensions)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    keep = _file_filter(extensions, is_valid_file)
    samples: list[tuple[str, int]] = []
    empty_classes = []
    for class_name in sorted(class_to_idx):
        files = _class_files(os.path.join(directory, class_name), keep)
        samples += [(path, class_to_idx[class_name]) for path in files]
        if not files:
            empty_classes.append(class_name)
    if not allow_empty:
        _check_not_empty(empty_classes, extensions)
    return samples


class DatasetFolder(VisionDataset):
    """A dataset of files arranged one subfolder per class: ``root/<class>/**/<file>``.

    Args:
        root (str or Path): the root of the tree.
        loader (callable): takes a file path and returns the sample.
        extensions (str or tuple[str, ...], optional): file endings to keep (lowercase). Exactly one of
            ``extensions`` and ``is_valid_file`` must be given.
        transform (callable, optional): applied to the loaded sample.
        target_transform (callable, optional): applied to the class index.
        is_valid_file (callable, optional): takes a file path and says whether to keep it.
        allow_empty (bool): allow classes without any valid file.

    Attributes:
        classes (list[str]): the sorted class names.
        class_to_idx (dict[str, int]): class name to index.
        samples (list[tuple[str, int]]): ``(path, class index)`` pairs.
        targets (list[int]): the class index of each sample.

    Raises:
        ValueError: if both or neither of ``extensions`` and ``is_valid_file`` are given.
        FileNotFoundError: if ``root`` has no subfolder, or a class has no valid file and ``allow_empty`` is False.
    """

    def __init__(
        self,
        root: str | Path,
        loader: Callable[[str], Any],
        extensions: Extensions | None = None,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.classes, self.class_to_idx = self.find_classes(self.root)
        self.samples = self.make_dataset(self.root, self.class_to_idx, extensions, is_valid_file, allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.targets = [target for _, target in self.samples]

    @staticmethod
    def make_dataset(
        directory: str | os.PathLike[str],
        class_to_idx: Mapping[str, int],
        extensions: Extensions | None = None,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> list[tuple[str, int]]:
        """:func:`make_dataset` with a required ``class_to_idx``; override it to change how samples are found.

        Raises:
            ValueError: if ``class_to_idx`` is None, or both or neither of ``extensions`` and ``is_valid_file``
                are given.
        """
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory: str | os.PathLike[str]) -> tuple[list[str], dict[str, int]]:
        """:func:`find_classes`; override it to change how classes are found."""
        return find_classes(directory)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return ``(sample, target)``: the loaded file and its class index, both transformed if set."""
        path, target = self.samples[index]
        return self._apply_transforms(self.loader(path), target)

    def __len__(self) -> int:
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """A :class:`DatasetFolder` of images (:data:`IMG_EXTENSIONS` unless ``is_valid_file`` is given), as RGB PIL images.

    Args:
        root (str or Path): the root of the tree.
        transform (callable, optional): applied to the PIL image.
        target_transform (callable, optional): applied to the class index.
        loader (callable): takes a file path and returns the image; :func:`default_loader` by default.
        is_valid_file (callable, optional): takes a file path and says whether to keep it (replaces the extension
            check).
        allow_empty (bool): allow classes without any valid file.

    Attributes:
        imgs (list[tuple[str, int]]): the same list as ``samples``.
    """

    def __init__(
        self,
        root: str | Path,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        loader: Callable[[str], Any] = default_loader,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__(
            root,
            loader,
            IMG_EXTENSIONS if is_valid_file is None else None,
            transform=transform,
            target_transform=target_transform,
            is_valid_file=is_valid_file,
            allow_empty=allow_empty,
        )
        self.imgs = self.samples
