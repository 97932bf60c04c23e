"""The kernel registry behind every v2 functional: ``F.resize(x)`` looks up the kernel registered for ``type(x)``
(``resize_image`` for a plain tensor or an ``Image``, ``resize_bounding_boxes`` for boxes, ...) and calls it.

Kernels registered for a tv_tensor class get a plain tensor (no ``__torch_function__`` overhead) and their output is
wrapped back into the input's type and metadata; users register kernels for their own tv_tensor classes with
:func:`register_kernel`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import torch

from .... import tv_tensors

__all__ = ["is_pure_tensor", "register_kernel"]

Kernel = TypeVar("Kernel", bound=Callable[..., Any])

# {functional: {input type: kernel}}
_KERNEL_REGISTRY: dict[Callable[..., Any], dict[type, Callable[..., Any]]] = {}


def is_pure_tensor(inpt: Any) -> bool:
    """Whether ``inpt`` is a tensor that is not a tv_tensor."""
    return isinstance(inpt, torch.Tensor) and not isinstance(inpt, tv_tensors.TVTensor)


def _wrapping(kernel: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(kernel)
    def wrapper(inpt: Any, *args: Any, **kwargs: Any) -> Any:
        return tv_tensors.wrap(kernel(inpt.as_subclass(torch.Tensor), *args, **kwargs), like=inpt)

    return wrapper


def _wrapping_each(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """For kernels that return several images (five_crop, ten_crop): each one wrapped like the input."""

    @functools.wraps(kernel)
    def wrapper(inpt: Any, *args: Any, **kwargs: Any) -> Any:
        output = kernel(inpt, *args, **kwargs)
        return type(output)(tv_tensors.wrap(o, like=inpt) for o in output)

    return wrapper


def _register_kernel_internal(
    functional: Callable[..., Any], input_type: type, *, tv_tensor_wrapper: bool = True, each: bool = False
) -> Callable[[Kernel], Kernel]:
    """Register a kernel of ours; tv_tensor kernels are wrapped (plain tensor in, input's type out) unless
    ``tv_tensor_wrapper`` is False (the kernel handles tv_tensors itself)."""
    registry = _KERNEL_REGISTRY.setdefault(functional, {})
    if input_type in registry:
        raise ValueError(f"Functional {functional} already has a kernel registered for type {input_type}.")

    def decorator(kernel: Kernel) -> Kernel:
        wraps = issubclass(input_type, tv_tensors.TVTensor) and tv_tensor_wrapper
        registry[input_type] = (_wrapping_each if each else _wrapping)(kernel) if wraps else kernel
        return kernel

    return decorator


def _builtin_types() -> set[type]:
    return {obj for obj in vars(tv_tensors).values() if isinstance(obj, type) and issubclass(obj, tv_tensors.TVTensor)}


def _name_to_functional(name: str) -> Callable[..., Any]:
    from .. import functional

    try:
        return getattr(functional, name)
    except AttributeError:
        raise ValueError(
            f"Could not find functional with name '{name}' in visionkit.transforms.v2.functional."
        ) from None


def register_kernel(functional: Callable[..., Any] | str, tv_tensor_cls: type) -> Callable[[Kernel], Kernel]:
    """Decorate a kernel to register it for a functional (or its name) and a custom tv_tensor class.

    Raises:
        ValueError: if ``functional`` is not one of ``visionkit.transforms.v2.functional``, or ``tv_tensor_cls`` is
            not a subclass of ``TVTensor`` or is one of the built-in tv_tensor classes.
    """
    if isinstance(functional, str):
        functional = _name_to_functional(functional)
    elif not (callable(functional) and getattr(functional, "__module__", "").startswith(__package__ or "")):
        raise ValueError(
            "Kernels can only be registered on functionals from the visionkit.transforms.v2.functional namespace, "
            f"but got {functional}."
        )
    if not (isinstance(tv_tensor_cls, type) and issubclass(tv_tensor_cls, tv_tensors.TVTensor)):
        raise ValueError(
            f"Kernels can only be registered for subclasses of visionkit.tv_tensors.TVTensor, but got {tv_tensor_cls}."
        )
    if tv_tensor_cls in _builtin_types():
        raise ValueError(f"Kernels cannot be registered for the builtin tv_tensor classes, but got {tv_tensor_cls}")
    return _register_kernel_internal(functional, tv_tensor_cls, tv_tensor_wrapper=False)


def _passthrough(inpt: Any, *args: Any, **kwargs: Any) -> Any:
    return inpt


def _get_kernel(
    functional: Callable[..., Any], input_type: type, *, allow_passthrough: bool = False
) -> Callable[..., Any]:
    """The kernel for ``input_type`` (searched along its MRO, never past ``TVTensor``: a user's tv_tensor does not
    fall back to the plain-tensor kernel); with ``allow_passthrough``, the identity when there is none.

    Raises:
        TypeError: if no kernel fits and ``allow_passthrough`` is False.
    """
    registry = _KERNEL_REGISTRY.get(functional)
    if not registry:
        raise ValueError(f"No kernel registered for functional {functional.__name__}.")
    for cls in input_type.__mro__:
        if cls in registry:
            return registry[cls]
        if cls is tv_tensors.TVTensor:
            break
    if allow_passthrough:
        return _passthrough
    raise TypeError(
        f"Functional F.{functional.__name__} supports inputs of type {registry.keys()}, but got {input_type} instead."
    )
