"""Load CIFAR batch files without letting a pickle run code.

A pickle can call any importable function while it loads, so a tampered download could run ``os.system``. The
official CIFAR-10/100 batches (Python 2 pickles) and numpy arrays re-pickled by Python 3 only ever need numpy's array
reconstruction helpers and ``_codecs.encode``; :func:`load_pickle` allows exactly those and refuses anything else
before it is called.
"""

from __future__ import annotations

import _codecs
import math
import os
import pickle
from typing import Any

import numpy as np

__all__ = ["UnsafePickleError", "load_pickle"]


class UnsafePickleError(pickle.UnpicklingError, ValueError):
    """Raised when a pickle file asks for a global that a dataset batch never contains, or is not a valid pickle.

    It is also a ValueError, so callers that treat unreadable files as bad values catch it too.
    """


def _allowed_globals() -> dict[tuple[str, str], Any]:
    """Map each global a CIFAR batch may name to the real object.

    The numpy helpers are taken from numpy's own pickling of an array rather than imported by name: that works on
    numpy 1.x (``numpy.core``) and 2.x (``numpy._core``) alike, and never imports ``numpy.core``, which warns on 2.x.
    """
    sample = np.zeros(1, dtype=np.uint8)
    reconstruct = sample.__reduce__()[0]
    frombuffer = sample.__reduce_ex__(5)[0]
    return {
        ("numpy.core.multiarray", "_reconstruct"): reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): reconstruct,
        ("numpy.core.numeric", "_frombuffer"): frombuffer,
        ("numpy._core.numeric", "_frombuffer"): frombuffer,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): _codecs.encode,
    }


_ALLOWED_GLOBALS = _allowed_globals()

# What a malformed pickle makes the unpickler raise, besides UnpicklingError itself.
_MALFORMED_PICKLE_ERRORS = (
    pickle.UnpicklingError,
    EOFError,
    ValueError,
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
    OverflowError,
    MemoryError,
)


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler whose ``find_class`` only hands out :data:`_ALLOWED_GLOBALS`, with the array constructors bound
    by the file's size: every array's bytes are in the file, so arrays adding up to more than the file are refused
    before they are allocated (a 173-byte pickle could otherwise declare a 2 GB array)."""

    #: Bytes arrays may take beyond the file's own size (headers and empty arrays need none; this is slack).
    SLACK_BYTES = 4096

    def __init__(self, file: Any, path: str, size: int) -> None:
        super().__init__(file, encoding="latin1")
        self.path = path
        self.budget = size + self.SLACK_BYTES
        reconstruct = _ALLOWED_GLOBALS[("numpy.core.multiarray", "_reconstruct")]

        def bounded_reconstruct(subtype: Any, shape: Any, dtype: Any) -> Any:
            self._spend(shape, dtype)
            return reconstruct(np.ndarray if subtype is bounded_ndarray else subtype, shape, dtype)

        def bounded_ndarray(shape: Any, dtype: Any = float, *args: Any, **kwargs: Any) -> Any:
            self._spend(shape, dtype)
            return np.ndarray(shape, dtype, *args, **kwargs)

        self.bounded = {"_reconstruct": bounded_reconstruct, "ndarray": bounded_ndarray}

    def _spend(self, shape: Any, dtype: Any) -> None:
        dims = [int(d) for d in (shape if isinstance(shape, (tuple, list)) else (shape,))]
        nbytes = math.prod(max(d, 0) for d in dims) * np.dtype(dtype).itemsize
        if nbytes > self.budget:
            raise UnsafePickleError(
                f"refused to load '{self.path}': it declares an array of {nbytes:,} bytes, more than the file "
                "itself holds; the file may be corrupted or malicious"
            )
        self.budget -= nbytes

    def find_class(self, module: str, name: str) -> Any:
        try:
            found = _ALLOWED_GLOBALS[(module, name)]
            return self.bounded.get(name, found)
        except KeyError:
            raise UnsafePickleError(
                f"refused to load '{self.path}': it asks for {module}.{name}, which a CIFAR batch never contains; "
                "the file may be corrupted or malicious"
            ) from None


def load_pickle(path: str | os.PathLike[str]) -> Any:
    """Unpickle a CIFAR-10/100 batch file, refusing any global other than numpy's array reconstruction.

    Args:
        path (str or PathLike): the pickle file; Python 2 pickles are read with ``encoding="latin1"``.

    Returns:
        Any: the unpickled object (for a CIFAR batch, a dict with ``'data'`` as a uint8 ndarray of shape [N, 3072]).

    Raises:
        UnsafePickleError: if the file names a global outside the allowed set (nothing is called), or is truncated
            or otherwise not a valid pickle.
        OSError: if the file cannot be read.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        try:
            return _RestrictedUnpickler(f, path, os.fstat(f.fileno()).st_size).load()
        except UnsafePickleError:
            raise
        except _MALFORMED_PICKLE_ERRORS as exc:
            raise UnsafePickleError(
                f"could not load '{path}': it is not a valid pickle file ({type(exc).__name__}: {exc}); "
                "it may be truncated or corrupted, so delete it and download it again"
            ) from exc
