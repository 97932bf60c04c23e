"""Load a local checkpoint into a model safely, reporting what did not fit."""

from __future__ import annotations

import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO

import torch
from torch import Tensor, nn

__all__ = ["LoadReport", "load_checkpoint"]

_WRAPPER_KEYS = ("state_dict", "model")
_DATA_PARALLEL_PREFIX = "module."


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_checkpoint` found when matching a checkpoint against a model.

    Attributes:
        missing_keys (list[str]): model entries the checkpoint does not have; they keep their values.
        unexpected_keys (list[str]): checkpoint entries the model does not have; they were ignored.
        shape_mismatches (list[tuple[str, tuple[int, ...], tuple[int, ...]]]): (name, model shape, checkpoint
            shape) of entries present in both with different shapes; they were not loaded.
        loaded_keys (list[str]): the entries copied into the model.
    """

    missing_keys: list[str] = field(default_factory=list)
    unexpected_keys: list[str] = field(default_factory=list)
    shape_mismatches: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)
    loaded_keys: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every model entry was loaded and nothing was left over."""
        return not (self.missing_keys or self.unexpected_keys or self.shape_mismatches)

    def describe(self) -> str:
        """The problems, one kind per line, or "all keys matched"."""
        lines = []
        if self.missing_keys:
            lines.append(f"missing keys: {', '.join(self.missing_keys)}")
        if self.unexpected_keys:
            lines.append(f"unexpected keys: {', '.join(self.unexpected_keys)}")
        if self.shape_mismatches:
            shapes = ", ".join(f"{k} (model {list(m)}, checkpoint {list(c)})" for k, m, c in self.shape_mismatches)
            lines.append(f"shape mismatches: {shapes}")
        return "\n".join(lines) or "all keys matched"


def read_checkpoint(path_or_file: str | os.PathLike[str] | IO[bytes]) -> dict[str, Tensor]:
    """The state_dict of a ``.pth`` checkpoint, read without running any code stored in it.

    As :func:`load_checkpoint` reads it: ``torch.load(..., weights_only=True)``, a plain state_dict or the one under
    ``"state_dict"`` or ``"model"``, a ``module.`` prefix on every key removed. Use it to check an untrusted file
    before keeping it.

    Args:
        path_or_file (str | os.PathLike | IO[bytes]): the checkpoint file or an open binary file (its ``name``, if
            any, appears in messages).

    Returns:
        dict[str, Tensor]: parameter and buffer names to tensors.

    Raises:
        ValueError: if the file would run code when unpickled, is not a readable checkpoint, or holds no state_dict.
    """
    return _strip_data_parallel(_find_state_dict(_safe_load(path_or_file), path_or_file))


def load_checkpoint(
    model: nn.Module, path_or_file: str | os.PathLike[str] | IO[bytes], *, strict: bool = True
) -> LoadReport:
    """Load a ``.pth`` checkpoint into ``model`` without running any code stored in it.

    The file is read with ``torch.load(..., weights_only=True)``, which only rebuilds tensors and plain
    containers. It may hold a plain state_dict or a training checkpoint dict whose ``"state_dict"`` or
    ``"model"`` entry is one; a ``module.`` prefix on every key (``nn.DataParallel``) is removed.

    Args:
        model (nn.Module): the model to load into, in place.
        path_or_file (str | os.PathLike | IO[bytes]): the checkpoint file or an open binary file.
        strict (bool): raise unless the checkpoint matches the model exactly; otherwise load the entries that
            fit and report the rest.

    Returns:
        LoadReport: missing, unexpected and mismatched entries, and what was loaded.

    Raises:
        ValueError: if the file would run code when unpickled, is not a readable checkpoint, holds no
            state_dict, or (with ``strict``) does not match the model.
    """
    state_dict = read_checkpoint(path_or_file)
    report = _compare(model.state_dict(), state_dict)
    if strict and not report.ok:
        raise ValueError(f"checkpoint {_describe_source(path_or_file)} does not match the model:\n{report.describe()}")
    model.load_state_dict({k: state_dict[k] for k in report.loaded_keys}, strict=False)
    return report


def _describe_source(path_or_file: str | os.PathLike[str] | IO[bytes]) -> str:
    if isinstance(path_or_file, (str, os.PathLike)):
        return repr(os.fspath(path_or_file))
    return repr(getattr(path_or_file, "name", "<file object>"))


def _safe_load(path_or_file: str | os.PathLike[str] | IO[bytes]) -> object:
    source = _describe_source(path_or_file)
    try:
        return torch.load(path_or_file, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ValueError(
            f"refused to load checkpoint {source}: torch.load(weights_only=True) rejected it. Either it is not a "
            "PyTorch checkpoint, or it holds objects other than tensors and plain containers, and unpickling those "
            "could run arbitrary code. Re-save only the model's state_dict (torch.save(model.state_dict(), path)) "
            f"from a source you trust. Details: {_unpickler_reason(exc)}"
        ) from exc
    except FileNotFoundError:
        raise
    except (RuntimeError, EOFError, KeyError, OSError, ValueError, IndexError, TypeError) as exc:
        # Truncated or foreign files fail deep inside torch.load with errors that mean nothing to a user
        # ("KeyError: 101", an empty "EOFError"): say what is wrong instead.
        what = (
            "the file is empty"
            if _is_empty(path_or_file)
            else (
                "it is not a PyTorch checkpoint (neither the zip file torch.save writes nor its older pickle format), "
                "or it was truncated or corrupted on the way"
            )
        )
        raise ValueError(f"could not read checkpoint {source}: {what}.") from exc


def _is_empty(path_or_file: str | os.PathLike[str] | IO[bytes]) -> bool:
    try:
        if isinstance(path_or_file, (str, os.PathLike)):
            return os.path.getsize(path_or_file) == 0
        position = path_or_file.tell()
        size = path_or_file.seek(0, os.SEEK_END)
        path_or_file.seek(position)
        return size == 0
    except (OSError, AttributeError, ValueError):
        return False


def _unpickler_reason(error: pickle.UnpicklingError) -> str:
    """What torch's weights-only unpickler objected to (e.g. ``Trying to load unsupported GLOBAL posix.system``),
    without its boilerplate, which advises retrying with ``weights_only=False``: that would run the code."""
    boilerplate = ("Weights only load failed", "Check the documentation", "Please file an issue")
    paragraphs = [p.strip() for p in str(error).split("\n\n") if p.strip()]
    kept = [p for p in paragraphs if not p.startswith(boilerplate)]
    return " ".join(kept) or (paragraphs[0] if paragraphs else type(error).__name__)


def _find_state_dict(obj: object, path_or_file: str | os.PathLike[str] | IO[bytes]) -> Mapping[str, Tensor]:
    if isinstance(obj, Mapping):
        nested = next((obj[k] for k in _WRAPPER_KEYS if isinstance(obj.get(k), Mapping)), obj)
        if nested and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in nested.items()):
            return nested
    raise ValueError(
        f"checkpoint {_describe_source(path_or_file)} should hold a state_dict (names to tensors), directly or under "
        f"{' or '.join(repr(k) for k in _WRAPPER_KEYS)}, got {type(obj).__name__}"
    )


def _strip_data_parallel(state_dict: Mapping[str, Tensor]) -> dict[str, Tensor]:
    if all(k.startswith(_DATA_PARALLEL_PREFIX) for k in state_dict):
        return {k.removeprefix(_DATA_PARALLEL_PREFIX): v for k, v in state_dict.items()}
    return dict(state_dict)


def _compare(expected: Mapping[str, Tensor], given: Mapping[str, Tensor]) -> LoadReport:
    # Old checkpoints (torchvision's own 2017 files among them) lack BatchNorm's num_batches_tracked
    # counter; torch keeps the model's value, so its absence is not worth reporting.
    missing = [k for k in expected if k not in given and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in given if k not in expected]
    common = [k for k in expected if k in given]
    mismatches = [
        (k, tuple(expected[k].shape), tuple(given[k].shape)) for k in common if expected[k].shape != given[k].shape
    ]
    mismatched = {k for k, _, _ in mismatches}
    loaded = [k for k in common if k not in mismatched]
    return LoadReport(missing, unexpected, mismatches, loaded)
