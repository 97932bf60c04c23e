"""The base of every tv_tensor: a ``torch.Tensor`` subclass that says what its data is, and carries metadata.

Torch operations on a tv_tensor return plain tensors (what an op means for a box or a mask is the transforms'
business, not torch's), except ``clone``, ``to``, ``detach``, ``requires_grad_`` and ``pin_memory``, which keep the
type and metadata; :func:`set_return_type` ("TVTensor") makes every op keep them. That is torchvision's contract.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import torch
from torch._C import DisableTorchFunctionSubclass
from torch.utils._pytree import tree_flatten

__all__ = ["TVTensor", "set_return_type", "wrap"]

T = TypeVar("T", bound="TVTensor")

# Ops whose output always keeps the subclass of their first argument.
_KEEP_TYPE = frozenset(
    {torch.Tensor.clone, torch.Tensor.to, torch.Tensor.detach, torch.Tensor.requires_grad_, torch.Tensor.pin_memory}
)
_RETURN_TYPES = {"tensor": False, "tvtensor": True}


class _ReturnType:
    """Whether torch ops on tv_tensors return tv_tensors; the object :func:`set_return_type` gives back restores the
    previous setting when used as a context manager."""

    keep_subclass = False

    def __init__(self, previous: bool) -> None:
        self.previous = previous

    def __enter__(self) -> _ReturnType:
        return self

    def __exit__(self, *exc_info: object) -> None:
        _ReturnType.keep_subclass = self.previous


def set_return_type(return_type: str) -> _ReturnType:
    """Set what torch operations on tv_tensors return: ``"Tensor"`` (plain tensors, the default) or ``"TVTensor"``.

    Works as a global switch, or as a context manager that restores the previous setting on exit. It does not change
    what transforms return: they always give back the type they were given.

    Raises:
        ValueError: for any other value (the comparison ignores case).
    """
    previous = _ReturnType.keep_subclass
    try:
        _ReturnType.keep_subclass = _RETURN_TYPES[return_type.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"return_type must be 'TVTensor' or 'Tensor', got {return_type}") from None
    return _ReturnType(previous)


class TVTensor(torch.Tensor):
    """Base class of the tv_tensors. Subclass it for a new kind of data; name its metadata in ``_metadata``."""

    #: Names of the attributes that describe the data (``format``, ``canvas_size``...), copied by :meth:`wrap`.
    _metadata: ClassVar[tuple[str, ...]] = ()

    @staticmethod
    def _to_tensor(
        data: Any,
        dtype: torch.dtype | None = None,
        device: torch.device | str | int | None = None,
        requires_grad: bool | None = None,
    ) -> torch.Tensor:
        if requires_grad is None:
            requires_grad = data.requires_grad if isinstance(data, torch.Tensor) else False
        return torch.as_tensor(data, dtype=dtype, device=device).requires_grad_(requires_grad)

    @classmethod
    def _wrap(cls: type[T], tensor: torch.Tensor, *, check_dims: bool = True, **metadata: Any) -> T:
        """``tensor`` as this class with ``metadata`` set: subclasses with metadata check and normalize it here."""
        wrapped = tensor.as_subclass(cls)
        for name, value in metadata.items():
            setattr(wrapped, name, value)
        return wrapped

    @classmethod
    def wrap(cls: type[T], tensor: torch.Tensor, like: TVTensor, **kwargs: Any) -> T:
        """``tensor`` as this class with ``like``'s metadata, each field overridable by a keyword."""
        metadata = {name: kwargs.get(name, getattr(like, name)) for name in cls._metadata}
        return cls._wrap(tensor, **metadata)

    @classmethod
    def _wrap_output(cls, output: Any, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None) -> Any:
        """An op's output (a tensor, or a tuple or list of them) as this class, with the metadata of the first
        argument of this class."""
        metadata: dict[str, Any] = {}
        if cls._metadata:
            flat, _ = tree_flatten((*args, *(kwargs or {}).values()))
            source = next(x for x in flat if isinstance(x, cls))
            metadata = {name: getattr(source, name) for name in cls._metadata}
        if isinstance(output, torch.Tensor) and not isinstance(output, cls):
            return cls._wrap(output, check_dims=False, **metadata)
        if isinstance(output, (tuple, list)):
            return type(output)(cls._wrap_output(part, args, kwargs) for part in output)
        return output

    @classmethod
    def __torch_function__(
        cls,
        func: Callable[..., Any],
        types: tuple[type, ...],
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
    ) -> Any:
        if not all(issubclass(cls, t) for t in types):
            return NotImplemented
        with DisableTorchFunctionSubclass():
            output = func(*args, **(kwargs or {}))
        # The first-argument check: ``plain.to(image)`` also calls Image's __torch_function__, and must stay plain.
        if _ReturnType.keep_subclass or (func in _KEEP_TYPE and isinstance(args[0], cls)):
            return cls._wrap_output(output, args, kwargs)
        if isinstance(output, cls):  # in-place ops return their (tv_tensor) input despite the disabled subclass
            return output.as_subclass(torch.Tensor)
        return output

    # The commonest attributes without a trip through __torch_function__.
    @property
    def shape(self) -> torch.Size:  # type: ignore[override]
        with DisableTorchFunctionSubclass():
            return super().shape

    @property
    def ndim(self) -> int:  # type: ignore[override]
        with DisableTorchFunctionSubclass():
            return super().ndim

    @property
    def device(self) -> torch.device:  # type: ignore[override]
        with DisableTorchFunctionSubclass():
            return super().device

    @property
    def dtype(self) -> torch.dtype:  # type: ignore[override]
        with DisableTorchFunctionSubclass():
            return super().dtype

    def __deepcopy__(self: T, memo: dict[int, Any]) -> T:
        # Detached, as deepcopy of a plain tensor is; clone keeps the type and the (immutable) metadata.
        return self.detach().clone().requires_grad_(self.requires_grad)

    def __repr__(self, *, tensor_contents: Any = None) -> str:  # type: ignore[override]
        extra = ", ".join(f"{name}={getattr(self, name)}" for name in self._metadata)
        return f"{super().__repr__()[:-1]}, {extra})"


def wrap(wrappee: torch.Tensor, *, like: TVTensor, **kwargs: Any) -> TVTensor:
    """``wrappee`` as a tv_tensor of ``like``'s class, with ``like``'s metadata unless ``kwargs`` override it.

    Args:
        wrappee (Tensor): the data.
        like (TVTensor): the tv_tensor whose type and metadata to take.
    """
    method = getattr(type(like), "wrap", None)
    return method(wrappee, like, **kwargs) if method is not None else wrappee.as_subclass(type(like))
