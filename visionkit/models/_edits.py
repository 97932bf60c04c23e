"""Common fine-tuning edits of a model, each returned with the Python code that performs it.

Every edit is written once, as the code a user would type (``model.fc = nn.Linear(model.fc.in_features, 10)``),
and performed by running that code on a copy of the model: the code shown is exactly what produced the new
model, so pasting it into a training script gives the same architecture, the same kept weights and, with the
same random seed, the same new weights. The input model is never changed.
"""

from __future__ import annotations

import copy
import keyword
from dataclasses import dataclass

import torch
from torch import nn

from ._summary import check_model, first_conv, submodule

__all__ = [
    "ACTIVATIONS",
    "Edit",
    "add_dropout_before_head",
    "apply_code",
    "change_input_channels",
    "cifar_stem",
    "head_name",
    "replace_head",
    "set_trainable",
    "swap_activation",
]

#: Activations :func:`swap_activation` can replace and put in, by their ``torch.nn`` class name.
ACTIVATIONS = ("ReLU", "ReLU6", "GELU", "SiLU", "LeakyReLU", "Hardswish", "Mish", "ELU")


@dataclass(frozen=True)
class Edit:
    """An edited copy of a model and how to redo the edit.

    Attributes:
        model (nn.Module): the new model; the model the edit was made on is left as it was.
        code (str): Python that performs the same edit on a variable ``model``, using ``torch`` and ``nn``;
            run it with :func:`apply_code` or paste it into a script.
        description (str): one sentence for people, e.g. "Replace fc (512 -> 1000) with Linear(512, 10)".
    """

    model: nn.Module
    code: str
    description: str


def apply_code(model: nn.Module, code: str) -> nn.Module:
    """Run edit code on a deep copy of ``model``.

    The code runs with the names ``model`` (the copy), ``torch`` and ``torch.nn as nn``, and with the full
    rights of this process: run only code you trust, such as an :class:`Edit`'s.

    Args:
        model (nn.Module): the model to edit; it is not changed.
        code (str): Python that edits (or rebinds) ``model``.

    Returns:
        nn.Module: what ``model`` holds after the code ran.

    Raises:
        TypeError: if ``model`` is not an nn.Module, ``code`` is not a str, or the code leaves something else
            than an nn.Module in ``model``.
    """
    check_model(model)
    if not isinstance(code, str):
        raise TypeError(f"`code` should be a str, got {type(code).__name__}")
    namespace = {"model": copy.deepcopy(model), "torch": torch, "nn": nn}
    exec(code, namespace)
    edited = namespace["model"]
    if not isinstance(edited, nn.Module):
        raise TypeError(f"`code` should leave an nn.Module in `model`, it left a {type(edited).__name__}")
    return edited


#: Where torchvision's classifiers keep their head: ``fc`` (ResNet, RegNet, GoogLeNet, Inception, ShuffleNet),
#: ``classifier`` (VGG, AlexNet, DenseNet, MobileNet, EfficientNet, ConvNeXt, MaxViT, SqueezeNet), ``heads`` (ViT),
#: ``head`` (Swin).
HEAD_ATTRIBUTES = ("fc", "classifier", "heads", "head")


def head_name(model: nn.Module) -> str:
    """The name of the classifier's output layer, found by what the model has: the last ``nn.Linear`` (or, as in
    SqueezeNet, 1x1 ``nn.Conv2d``) of its head (the last-registered of its ``fc``, ``classifier``, ``heads`` or
    ``head`` children), e.g. "fc", "classifier.6", "heads.head" or "classifier.1"; without such a child, the last
    ``nn.Linear`` of the model.

    Raises:
        TypeError: if ``model`` is not an nn.Module.
        ValueError: if ``model`` has no head layer.
    """
    check_model(model)
    heads = [name for name, _ in model.named_children() if name in HEAD_ATTRIBUTES]
    for attribute in reversed(heads):
        layers = [
            f"{attribute}.{name}" if name else attribute
            for name, module in model.get_submodule(attribute).named_modules()
            if isinstance(module, nn.Linear) or (isinstance(module, nn.Conv2d) and module.kernel_size == (1, 1))
        ]
        if layers:
            return layers[-1]
    names = [name for name, module in model.named_modules() if isinstance(module, nn.Linear)]
    if not names:
        raise ValueError(f"`model` should end in an nn.Linear head, got a {type(model).__name__} without one")
    return names[-1]


def replace_head(model: nn.Module, num_classes: int) -> Edit:
    """Replace the head with a new, randomly initialised ``nn.Linear`` with ``num_classes`` outputs.

    Args:
        model (nn.Module): a classifier ending in an nn.Linear (see :func:`head_name`).
        num_classes (int): outputs of the new head, >= 1.

    Returns:
        Edit: the edited copy, the code that makes the edit and its description.

    Raises:
        TypeError: if ``num_classes`` is not an int.
        ValueError: if ``num_classes`` < 1 or ``model`` has no nn.Linear.
    """
    _check_count(num_classes, "num_classes")
    name = head_name(model)
    head = model.get_submodule(name)
    bias = "" if head.bias is not None else ", bias=False"
    if isinstance(head, nn.Conv2d):  # SqueezeNet: a 1x1 convolution per class, then average pooling
        code = _assign(
            model, name, f"nn.Conv2d({_access(model, name)}.in_channels, {num_classes}, kernel_size=1{bias})"
        )
        description = (
            f"Replace {name} ({head.in_channels} -> {head.out_channels} channels) with "
            f"Conv2d({head.in_channels}, {num_classes}, kernel_size=1)"
        )
        return _edit(model, code, description)
    code = _assign(model, name, f"nn.Linear({_access(model, name)}.in_features, {num_classes}{bias})")
    description = (
        f"Replace {name} ({head.in_features} -> {head.out_features}) with Linear({head.in_features}, {num_classes})"
    )
    return _edit(model, code, description)


def set_trainable(model: nn.Module, prefix: str, trainable: bool) -> Edit:
    """Freeze (``trainable=False``) or unfreeze the parameters of a submodule and everything under it.

    Args:
        model (nn.Module): the model.
        prefix (str): the submodule's dotted name, e.g. "layer4" or "features.0"; "" for the whole model.
        trainable (bool): whether its parameters should require gradients.

    Returns:
        Edit: the edited copy, the code that makes the edit and its description.

    Raises:
        TypeError: if ``prefix`` is not a str or ``trainable`` not a bool.
        ValueError: if ``model`` has no submodule ``prefix``.
    """
    check_model(model)
    module = submodule(model, prefix, "prefix")
    if not isinstance(trainable, bool):
        raise TypeError(f"`trainable` should be a bool, got {type(trainable).__name__}")
    count = sum(p.numel() for p in module.parameters())
    code = f"{_access(model, prefix)}.requires_grad_({trainable})"
    description = f"{'Unfreeze' if trainable else 'Freeze'} {prefix or 'the whole model'} ({count:,} parameters)"
    return _edit(model, code, description)


def cifar_stem(model: nn.Module) -> Edit:
    """Adapt a ResNet to small (32 x 32) images: a new 3x3, stride 1 ``conv1`` and no ``maxpool``.

    The 7x7, stride 2 convolution and the max pool shrink the input 4 times before the first stage, which
    leaves too little of a CIFAR image; the new ``conv1`` is randomly initialised.

    Returns:
        Edit: the edited copy, the code that makes the edit and its description.

    Raises:
        TypeError: if ``model`` is not an nn.Module.
        ValueError: if ``model`` has no top-level ``conv1`` (an nn.Conv2d) and ``maxpool``.
    """
    check_model(model)
    conv, pool = getattr(model, "conv1", None), getattr(model, "maxpool", None)
    if not isinstance(conv, nn.Conv2d) or not isinstance(pool, nn.Module):
        raise ValueError(
            f"`model` should be a ResNet-like model with top-level conv1 and maxpool layers, got {type(model).__name__}"
        )
    bias = "" if conv.bias is not None else ", bias=False"
    code = (
        "model.conv1 = nn.Conv2d(model.conv1.in_channels, model.conv1.out_channels, "
        f"kernel_size=3, stride=1, padding=1{bias})\n"
        "model.maxpool = nn.Identity()\n"
    )
    description = (
        f"Use a CIFAR stem: conv1 becomes a 3x3 stride-1 Conv2d({conv.in_channels}, {conv.out_channels}) "
        "and maxpool is removed"
    )
    return _edit(model, code, description)


def change_input_channels(model: nn.Module, in_channels: int) -> Edit:
    """Make the first convolution take ``in_channels`` channels (grayscale, RGB + depth...), keeping its filters.

    Each new filter is the mean of the old filter over its input channels, repeated for every new channel
    and scaled by ``old_channels / in_channels``. An image whose channels are all equal then gives the same
    activations as the old model gets from that image with equal RGB channels; for one channel the new
    filter is the sum of the RGB filters. The bias is kept.

    Args:
        model (nn.Module): the model; its first nn.Conv2d (in registration order) is replaced.
        in_channels (int): input channels of the new convolution, >= 1 and different from the current ones.

    Returns:
        Edit: the edited copy, the code that makes the edit and its description.

    Raises:
        TypeError: if ``in_channels`` is not an int.
        ValueError: if ``in_channels`` < 1 or equals the current count, or ``model`` has no ungrouped nn.Conv2d.
    """
    _check_count(in_channels, "in_channels")
    name, conv = _first_conv(model)
    if in_channels == conv.in_channels:
        raise ValueError(
            f"`in_channels` should differ from the {conv.in_channels} that {name} takes, got {in_channels}"
        )
    repeat = f".repeat(1, {in_channels}, 1, 1)" if in_channels > 1 else ""
    lines = [
        f"old = {_access(model, name)}",
        f"new = nn.Conv2d({in_channels}, old.out_channels, old.kernel_size, old.stride, old.padding, old.dilation, "
        f"bias={conv.bias is not None})",
        "with torch.no_grad():",
        f"    new.weight.copy_(old.weight.mean(dim=1, keepdim=True){repeat} * ({conv.in_channels} / {in_channels}))",
        *(["    new.bias.copy_(old.bias)"] if conv.bias is not None else []),
        _assign(model, name, "new"),
    ]
    description = (
        f"Make {name} take {in_channels} input channel{'s' if in_channels > 1 else ''} instead of {conv.in_channels}, "
        "its filters set from the mean over the old channels"
    )
    return _edit(model, "\n".join(lines), description)


def add_dropout_before_head(model: nn.Module, p: float) -> Edit:
    """Put dropout in front of the head: the head becomes ``nn.Sequential(nn.Dropout(p), head)``.

    Args:
        model (nn.Module): a classifier ending in an nn.Linear (see :func:`head_name`).
        p (float): the probability of zeroing an input of the head, in [0, 1).

    Returns:
        Edit: the edited copy, the code that makes the edit and its description.

    Raises:
        TypeError: if ``p`` is not a number.
        ValueError: if ``p`` is outside [0, 1) or ``model`` has no nn.Linear.
    """
    if not isinstance(p, (int, float)) or isinstance(p, bool):
        raise TypeError(f"`p` should be a float, got {type(p).__name__}")
    if not 0 <= p < 1:
        raise ValueError(f"`p` should be a float in [0, 1), got {p}")
    name = head_name(model)
    code = _assign(model, name, f"nn.Sequential(nn.Dropout(p={float(p)!r}), {_access(model, name)})")
    return _edit(model, code, f"Add Dropout(p={float(p)}) before {name}")


def swap_activation(model: nn.Module, old: str = "ReLU", new: str = "GELU") -> Edit:
    """Replace every module of class ``old`` with a new ``new`` module (default settings, not in place).

    Args:
        model (nn.Module): the model.
        old (str): the class name of the activations to replace, one of :data:`ACTIVATIONS`.
        new (str): the class name of their replacement, one of :data:`ACTIVATIONS`, different from ``old``.

    Returns:
        Edit: the edited copy, the code that makes the edit and its description.

    Raises:
        TypeError: if ``model`` is not an nn.Module.
        ValueError: if ``old`` or ``new`` is not in :data:`ACTIVATIONS`, they are equal, or ``model`` has no
            module of class ``old``.
    """
    check_model(model)
    for argument, value in (("old", old), ("new", new)):
        if value not in ACTIVATIONS:
            raise ValueError(f"`{argument}` should be one of {', '.join(ACTIVATIONS)}, got {value!r}")
    if old == new:
        raise ValueError(f"`new` should differ from `old`, got {new!r} for both")
    count = sum(type(module) is getattr(nn, old) for module in model.modules())
    if count == 0:
        raise ValueError(
            f"`old` should name an activation the model uses, got {old!r}: {type(model).__name__} has none"
        )
    code = (
        "for module in list(model.modules()):\n"
        "    for name, child in module.named_children():\n"
        f"        if type(child) is nn.{old}:\n"
        f"            setattr(module, name, nn.{new}())\n"
    )
    return _edit(model, code, f"Replace {count} {old} module{'s' if count > 1 else ''} with {new}")


def _edit(model: nn.Module, code: str, description: str) -> Edit:
    code = code if code.endswith("\n") else code + "\n"
    return Edit(model=apply_code(model, code), code=code, description=description)


def _check_count(value: int, argument: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"`{argument}` should be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"`{argument}` should be >= 1, got {value}")


def _first_conv(model: nn.Module) -> tuple[str, nn.Conv2d]:
    check_model(model)
    found = first_conv(model)
    if found is None or found[1].groups != 1:
        raise ValueError(f"`model` should start with an ungrouped nn.Conv2d, got a {type(model).__name__}")
    return found


def _access(model: nn.Module, name: str) -> str:
    """Python that reaches the submodule ``name`` from ``model``: "model.layer1[0].conv1"."""
    expression, module = "model", model
    for part in name.split(".") if name else []:
        expression += _step(module, part)
        module = module.get_submodule(part)
    return expression


def _assign(model: nn.Module, name: str, value: str) -> str:
    """A statement that puts ``value`` in place of the submodule ``name``."""
    parent, _, last = name.rpartition(".")
    target = _access(model, parent) + _step(model.get_submodule(parent), last)
    if target.endswith(")"):  # a get_submodule() call cannot be assigned to
        return f"setattr({_access(model, parent)}, {last!r}, {value})"
    return f"{target} = {value}"


def _step(module: nn.Module, part: str) -> str:
    if part.isidentifier() and not keyword.iskeyword(part):
        return f".{part}"
    if part.isdigit() and isinstance(module, (nn.Sequential, nn.ModuleList)):
        return f"[{part}]"
    return f".get_submodule({part!r})"
