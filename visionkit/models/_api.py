"""The model registry and the pretrained-weights machinery shared by every architecture.

Builders are registered with :func:`register_model`, which also makes them accept weights by name and the
deprecated ``pretrained`` flag. Each published set of weights is an entry of a :class:`WeightsEnum` that
carries its download URL, the preprocessing it expects and facts about it (``meta``).
"""

from __future__ import annotations

import fnmatch
import functools
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from types import ModuleType
from typing import Any, TypeVar

from torch import Tensor, nn
from torch.hub import load_state_dict_from_url

__all__ = [
    "UnknownWeightsError",
    "Weights",
    "WeightsEnum",
    "build_model",
    "fix_param",
    "get_model",
    "get_model_builder",
    "get_model_weights",
    "get_weight",
    "list_models",
    "register_model",
]

Builder = TypeVar("Builder", bound=Callable[..., nn.Module])
ModelT = TypeVar("ModelT", bound=nn.Module)


@dataclass
class Weights:
    """One published set of weights.

    Attributes:
        url (str): where the state_dict is downloaded from; the file name ends with the first hex digits of
            its SHA-256, which the download checks.
        transforms (Callable[..., nn.Module]): builds the preprocessing the weights expect:
            ``preprocess = weights.transforms(); batch = preprocess(img)``.
        meta (dict[str, Any]): facts: ``categories`` (class names, or None), ``num_params``, ``min_size``
            (smallest (H, W) input), ``recipe`` (how they were trained), ``_metrics``, ``_ops`` (GFLOPs),
            ``_file_size`` (MB) and ``_docs``.
    """

    url: str
    transforms: Callable[..., nn.Module]
    meta: dict[str, Any]


class UnknownWeightsError(KeyError, ValueError):
    """A weights name that the enum does not have: a ``KeyError``, as torchvision raises from the enum's lookup,
    and a ``ValueError``, as the bad argument value it is; the message is shown as it is, without quotes."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class WeightsEnum(Enum):
    """Base class of the per-architecture weight enums such as ``ResNet50_Weights``.

    Each member's value is a :class:`Weights`; ``DEFAULT`` is an alias of the best entry.
    """

    @classmethod
    def verify(cls, obj: WeightsEnum | str | None) -> WeightsEnum | None:
        """Turn ``obj`` into a member of this enum.

        Args:
            obj (WeightsEnum | str | None): a member, its name ("IMAGENET1K_V1", "DEFAULT") or its full name
                ("ResNet18_Weights.IMAGENET1K_V1"), or None.

        Returns:
            WeightsEnum | None: the member, or None when ``obj`` is None.

        Raises:
            UnknownWeightsError: if ``obj`` names no member of this enum (a KeyError, as in torchvision, and a
                ValueError).
            TypeError: if ``obj`` is a member of another enum or not a weights value at all.
        """
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            member = cls.__members__.get(obj.removeprefix(f"{cls.__name__}."))
            if member is None:
                raise UnknownWeightsError(f"`weights` should be one of {list(cls.__members__)} or None, got {obj!r}")
            return member
        raise TypeError(f"`weights` should be a {cls.__name__}, its name or None, got {obj!r}")

    @property
    def url(self) -> str:
        """Where the state_dict is downloaded from."""
        return self.value.url

    @property
    def transforms(self) -> Callable[..., nn.Module]:
        """Builds the preprocessing these weights expect: ``weights.transforms()(img)``."""
        return self.value.transforms

    @property
    def meta(self) -> dict[str, Any]:
        """Facts about these weights: categories, num_params, min_size, recipe, _metrics..."""
        return self.value.meta

    def get_state_dict(self, progress: bool = True, check_hash: bool = True) -> dict[str, Tensor]:
        """Download the state_dict into torch.hub's cache (once) and load it with ``weights_only=True``.

        Args:
            progress (bool): show a progress bar on stderr while downloading.
            check_hash (bool): refuse a file whose SHA-256 does not start with the digits in its name.

        Returns:
            dict[str, Tensor]: the state_dict, on the CPU.
        """
        return load_state_dict_from_url(
            self.url, map_location="cpu", progress=progress, check_hash=check_hash, weights_only=True
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


_MODELS: dict[str, Callable[..., nn.Module]] = {}
_MODEL_WEIGHTS: dict[str, type[WeightsEnum]] = {}


def register_model(
    name: str | None = None, *, weights: type[WeightsEnum] | None = None
) -> Callable[[Builder], Builder]:
    """Register a model builder under ``name`` (its function name by default).

    With ``weights``, the registered builder is wrapped so that it accepts ``weights`` as a member, its
    name or None, and the deprecated ``pretrained=True/False``; the builder itself then receives a member
    of ``weights`` or None.

    Args:
        name (str, optional): the registry name; the builder's ``__name__`` when None.
        weights (type[WeightsEnum], optional): the enum of the weights the builder can load.

    Returns:
        Callable: a decorator that registers the builder and returns what was registered.
    """

    def decorator(builder: Builder) -> Builder:
        key = builder.__name__ if name is None else name
        if key in _MODELS:
            raise ValueError(f"`name` should be new, a model named {key!r} is already registered")
        registered = builder if weights is None else _resolving_weights(builder, weights)
        _MODELS[key] = registered
        if weights is not None:
            _MODEL_WEIGHTS[key] = weights
        return registered

    return decorator


def _resolving_weights(builder: Builder, enum: type[WeightsEnum]) -> Builder:
    """Wrap ``builder`` so it turns names, booleans and ``pretrained`` into a member of ``enum``."""

    @functools.wraps(builder)
    def wrapper(*, weights: WeightsEnum | str | bool | None = None, progress: bool = True, **kwargs: Any) -> nn.Module:
        if "pretrained" in kwargs:
            weights = _take_pretrained(kwargs, weights)
        if isinstance(weights, bool):
            weights = _legacy_weights(enum, weights, builder.__name__)
        return builder(weights=enum.verify(weights), progress=progress, **kwargs)

    return wrapper  # type: ignore[return-value]


def _take_pretrained(kwargs: dict[str, Any], weights: object) -> bool:
    pretrained = kwargs.pop("pretrained")
    if weights is not None:
        raise TypeError(f"pass `weights` or the deprecated `pretrained`, not both; got pretrained={pretrained!r}")
    if not isinstance(pretrained, bool):
        raise TypeError(f"`pretrained` should be a bool, got {pretrained!r}")
    warnings.warn(
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
        "please use 'weights' instead.",
        UserWarning,
        stacklevel=3,
    )
    return pretrained


def _legacy_weights(enum: type[WeightsEnum], pretrained: bool, builder_name: str) -> WeightsEnum | None:
    """What ``pretrained=True`` always meant: the architecture's IMAGENET1K_V1 weights (not DEFAULT). Where
    there are none (regnet_y_128gf and vit_h_14 only have SWAG weights), it is refused, as in torchvision."""
    first = enum.__members__.get("IMAGENET1K_V1")
    if pretrained and first is None:
        raise ValueError(f"No weights available for model {builder_name}: `pretrained=True` loads IMAGENET1K_V1")
    chosen = first if pretrained else None
    advice = (
        f" You can also use `weights={enum.__name__}.DEFAULT` to get the most up-to-date weights." if pretrained else ""
    )
    warnings.warn(
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be removed "
        f"in the future. The current behavior is equivalent to passing `weights={chosen!r}`.{advice}",
        UserWarning,
        stacklevel=3,
    )
    return chosen


def list_models(
    module: ModuleType | None = None,
    include: str | Iterable[str] | None = None,
    exclude: str | Iterable[str] | None = None,
) -> list[str]:
    """List the registered model names, sorted.

    Args:
        module (ModuleType, optional): keep only builders defined in this module or a submodule of it
            (``visionkit.models.resnet``).
        include (str | Iterable[str], optional): keep only names matching one of these ``fnmatch`` patterns.
        exclude (str | Iterable[str], optional): drop names matching one of these ``fnmatch`` patterns.

    Returns:
        list[str]: the matching names.
    """
    names = [k for k, builder in _MODELS.items() if module is None or _defined_in(builder, module)]
    if include is not None:
        patterns = _patterns(include, "include")
        names = [n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)]
    if exclude is not None:
        patterns = _patterns(exclude, "exclude")
        names = [n for n in names if not any(fnmatch.fnmatch(n, p) for p in patterns)]
    return sorted(names)


def _defined_in(builder: Callable[..., nn.Module], module: ModuleType) -> bool:
    if not isinstance(module, ModuleType):
        raise TypeError(f"`module` should be a module, got {type(module).__name__}")
    return builder.__module__ == module.__name__ or builder.__module__.startswith(module.__name__ + ".")


def _patterns(value: str | Iterable[str], name: str) -> list[str]:
    patterns = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(p, str) for p in patterns):
        raise TypeError(f"`{name}` should be a pattern string or an iterable of them, got {value!r}")
    return patterns


def _check_str(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"`{name}` should be a str, got {type(value).__name__}")


def get_model_builder(name: str) -> Callable[..., nn.Module]:
    """The builder registered under ``name`` (case-insensitive), e.g. ``get_model_builder("resnet18")``.

    Raises:
        TypeError: if ``name`` is not a str.
        ValueError: if no model is registered under ``name``.
    """
    _check_str(name, "name")
    builder = _MODELS.get(name.lower())
    if builder is None:
        raise ValueError(f"`name` should be a registered model (see list_models()), got {name!r}")
    return builder


def get_model(name: str, **config: Any) -> nn.Module:
    """Build the model registered under ``name``; ``config`` goes to its builder (weights, num_classes...)."""
    return get_model_builder(name)(**config)


def get_model_weights(name: str | Callable[..., nn.Module]) -> type[WeightsEnum]:
    """The weights enum of a registered model, given its name or its builder.

    An architecture without published weights has an enum with no members.

    Raises:
        ValueError: if ``name`` is not a registered model, or was registered without a weights enum.
    """
    key = name.lower() if isinstance(name, str) else next((k for k, b in _MODELS.items() if b is name), None)
    if key not in _MODELS:
        raise ValueError(f"`name` should be a registered model name or builder (see list_models()), got {name!r}")
    if key not in _MODEL_WEIGHTS:
        raise ValueError(f"model {key!r} was registered without a weights enum")
    return _MODEL_WEIGHTS[key]


def get_weight(name: str) -> WeightsEnum:
    """The weights entry with the given full name, e.g. ``get_weight("ResNet50_Weights.IMAGENET1K_V2")``.

    Raises:
        TypeError: if ``name`` is not a str.
        ValueError: if ``name`` is not "<EnumName>.<ENTRY>" for a registered enum and one of its entries.
    """
    _check_str(name, "name")
    enum_name, _, entry = name.partition(".")
    enum = next((e for e in _MODEL_WEIGHTS.values() if e.__name__ == enum_name), None)
    member = None if enum is None else enum.__members__.get(entry)
    if member is None:
        raise ValueError(f"`name` should be a weights name like 'ResNet50_Weights.IMAGENET1K_V2', got {name!r}")
    return member


def fix_param(kwargs: dict[str, Any], name: str, value: Any, reason: str) -> None:
    """Set ``kwargs[name] = value``, refusing a different value the caller passed.

    Args:
        kwargs (dict[str, Any]): the builder's keyword arguments, updated in place.
        name (str): the argument the builder fixes.
        value (Any): the value it must have.
        reason (str): why, completing "`name` should be value <reason>".

    Raises:
        ValueError: if ``kwargs`` already holds a different value for ``name``.
    """
    if name in kwargs and kwargs[name] != value:
        raise ValueError(f"`{name}` should be {value} {reason}, got {kwargs[name]!r}")
    kwargs[name] = value


def build_model(make: Callable[..., ModelT], weights: WeightsEnum | None, progress: bool, **kwargs: Any) -> ModelT:
    """Build ``make(**kwargs)`` and load ``weights`` into it when given.

    Weights with categories fix ``num_classes`` to their number of categories.

    Args:
        make (Callable[..., nn.Module]): the model constructor.
        weights (WeightsEnum, optional): the weights to load.
        progress (bool): show a progress bar while downloading.
        **kwargs: arguments of ``make``.

    Returns:
        nn.Module: the model.
    """
    if weights is not None and weights.meta["categories"] is not None:
        fix_param(kwargs, "num_classes", len(weights.meta["categories"]), f"to match the categories of {weights!r}")
    model = make(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress))
    return model
