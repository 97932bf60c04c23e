"""Where the app keeps data, and which server folders a browser user may open.

A classroom server must not expose its file system: folder access is limited to configured data roots, and a path
that resolves outside every root (through ``..`` or a symlink) is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent.parent
ASSETS_DIR = APP_DIR / "assets"

#: Environment variable naming the folder for downloads and uploads (the torchvision ``root`` you already use works).
DATA_DIR_ENV = "VISIONKIT_DATA_DIR"
#: Environment variable listing the folders users may browse, separated by ``os.pathsep``.
DATA_ROOTS_ENV = "VISIONKIT_DATA_ROOTS"


#: The longest folder path a user may type: far above any real dataset path, far below what makes the OS refuse.
MAX_PATH_CHARS = 1024


class PathNotAllowedError(ValueError):
    """A folder path that is missing or lies outside the configured data roots."""


def data_dir() -> Path:
    """The folder for downloaded datasets and extracted uploads (created on demand)."""
    path = Path(os.environ.get(DATA_DIR_ENV) or APP_DIR / "data").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def uploads_dir() -> Path:
    path = data_dir() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_roots() -> list[Path]:
    """The folders a user may open from the browser: ``VISIONKIT_DATA_ROOTS``, else the data folder alone."""
    configured = os.environ.get(DATA_ROOTS_ENV, "")
    roots = [Path(p).expanduser() for p in configured.split(os.pathsep) if p.strip()]
    return [p.resolve() for p in roots] if roots else [data_dir()]


def resolve_allowed(path: str | os.PathLike[str], roots: list[Path] | None = None) -> Path:
    """Resolve ``path`` (absolute, or relative to the first root) and check that it stays inside a data root.

    Symlinks are resolved before the check, so a link pointing outside the roots is refused like ``..`` is.

    Raises:
        PathNotAllowedError: if the path is empty, too long, holds a NUL character, does not exist, is not a folder,
            resolves outside every root, or the file system refuses it (each with a message that says which).
    """
    roots = data_roots() if roots is None else [Path(r).resolve() for r in roots]
    text = os.fspath(path).strip()
    if not text:
        raise PathNotAllowedError("Enter a folder path inside one of the data roots.")
    if len(text) > MAX_PATH_CHARS:
        raise PathNotAllowedError(f"That path is {len(text):,} characters long; at most {MAX_PATH_CHARS} are accepted.")
    if "\x00" in text:
        raise PathNotAllowedError("That path holds a NUL character (\\x00), which no file name can contain.")
    shown = text if len(text) <= 120 else f"{text[:117]}..."
    allowed = ", ".join(str(r) for r in roots)
    try:
        candidate = Path(text).expanduser()
        if not candidate.is_absolute():
            candidate = roots[0] / candidate
        resolved = candidate.resolve()
        inside = any(resolved == root or resolved.is_relative_to(root) for root in roots)
        is_folder = inside and resolved.is_dir()
    except (OSError, RuntimeError, ValueError) as exc:  # a name too long for the OS, a symlink loop, ...
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise PathNotAllowedError(f"'{shown}' cannot be opened: {reason}.") from None
    if not inside:
        raise PathNotAllowedError(f"'{shown}' is outside the allowed data roots ({allowed}); it was not opened.")
    if not is_folder:
        raise PathNotAllowedError(f"'{shown}' is not an existing folder inside the data roots ({allowed}).")
    return resolved


def candidate_folders(roots: list[Path] | None = None, max_depth: int = 2) -> list[Path]:
    """Folders under the roots that look like image-folder datasets (they hold subfolders), for a picker."""
    found: list[Path] = []
    for root in data_roots() if roots is None else roots:
        for dirpath, dirnames, _ in os.walk(root):
            depth = len(Path(dirpath).relative_to(root).parts)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            if depth >= max_depth:
                dirnames.clear()
            if dirnames:
                found.append(Path(dirpath))
    return found
