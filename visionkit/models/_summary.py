"""A layer-by-layer summary of a model: output shapes, parameters, trainability and multiply-adds.

Mult-adds follow torchinfo's conventions, so numbers can be compared with published tables: a convolution
costs its parameter count times the batch size times the output's spatial size (each weight is used once per
output position), any other layer with parameters (Linear, BatchNorm...) costs its parameter count times the
batch size, and layers without parameters cost nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.modules.conv import _ConvNd

__all__ = [
    "LayerRow",
    "ModelSummary",
    "check_model",
    "evaluating",
    "first_conv",
    "first_tensor",
    "submodule",
    "summary",
    "zeros_input",
]


@dataclass
class LayerRow:
    """One module of a summarised model.

    Attributes:
        name (str): dotted module name, "" for the root, e.g. "layer1.0.conv1"; for a parameter that a module with
            children holds itself (a ViT's ``class_token``), the dotted parameter name.
        type (str): class name, e.g. "Conv2d", or "Parameter" for such a parameter (its shape is the
            ``output_shape``).
        depth (int): nesting depth, 0 for the root.
        output_shape (tuple[int, ...] | None): shape of the module's output (its first tensor) on the summary's
            input, or None when the forward pass did not run the module.
        params (int): parameters of this module and its children.
        trainable (str): "True" or "False" when all its parameters do or do not require gradients, "Partial"
            when some do, "--" when it has no parameters.
        mult_adds (int): multiply-adds of this module and its children over all its calls.
        param_share (float): ``params`` divided by the model's total parameters, in [0, 1].
        is_leaf (bool): whether the module has no children.
        repeat_of (str | None): for a module identical to its previous sibling (same structure, configuration,
            trainability and output shapes), the name of the first sibling of that run; None otherwise.
    """

    name: str
    type: str
    depth: int
    output_shape: tuple[int, ...] | None
    params: int
    trainable: str
    mult_adds: int
    param_share: float
    is_leaf: bool
    repeat_of: str | None


@dataclass
class ModelSummary:
    """The summary of a model for one input size, as returned by :func:`summary`.

    Attributes:
        rows (list[LayerRow]): every module in pre-order (parent before children), the root first.
        input_size (tuple[int, ...]): the input's shape, e.g. (1, 3, 224, 224).
        output_shape (tuple[int, ...]): the model's output shape (its first tensor).
        total_params (int): parameters of the model, each shared parameter counted once.
        trainable_params (int): those of them that require gradients.
        total_mult_adds (int): multiply-adds of the whole forward pass.
    """

    rows: list[LayerRow]
    input_size: tuple[int, ...]
    output_shape: tuple[int, ...]
    total_params: int
    trainable_params: int
    total_mult_adds: int

    def tree(self, max_depth: int | None = None, collapse_repeats: bool = True) -> list[dict[str, Any]]:
        """The rows as nested dicts, for a tree view.

        Args:
            max_depth (int, optional): leave out modules deeper than this (the root is at depth 0).
            collapse_repeats (bool): fold each run of identical siblings into its first module, whose
                ``repeats`` then says how many there are (its numbers stay those of one module).

        Returns:
            list[dict[str, Any]]: the root, as ``{"name", "type", "output_shape", "params", "trainable",
            "mult_adds", "share", "repeats", "children"}`` with ``children`` a list of such dicts.
        """
        _check_max_depth(max_depth)
        nodes: dict[str, dict[str, Any]] = {}
        roots: list[dict[str, Any]] = []
        for row in self.rows:
            parent = nodes.get(_parent_name(row.name)) if row.depth else None
            if (row.depth and parent is None) or not _within(row, max_depth):
                continue  # below a folded or too deep module
            if collapse_repeats and row.repeat_of is not None:
                nodes[row.repeat_of]["repeats"] += 1
                continue
            node = _node(row)
            nodes[row.name] = node
            (parent["children"] if parent is not None else roots).append(node)
        return roots

    def to_text(self, max_depth: int | None = None) -> str:
        """A torchinfo-like table of the modules down to ``max_depth``, followed by the totals."""
        _check_max_depth(max_depth)
        header = ("Layer (type)", "Output Shape", "Param #", "Trainable", "Mult-Adds")
        table = [header] + [_cells(row) for row in self.rows if _within(row, max_depth)]
        widths = [max(len(line[i]) for line in table) + 3 for i in range(len(header))]
        lines = [
            "".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in table
        ]
        rule = "=" * max(len(line) for line in lines)
        totals = [
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.total_params - self.trainable_params:,}",
            f"Total mult-adds (G): {self.total_mult_adds / 1e9:.2f}",
            f"Input size: {self.input_size}, output shape: {self.output_shape}",
        ]
        return "\n".join([rule, lines[0], rule, *lines[1:], rule, *totals, rule])

    def __str__(self) -> str:
        return self.to_text()


def summary(
    model: nn.Module, input_size: Sequence[int] = (1, 3, 224, 224), *, max_depth: int | None = None
) -> ModelSummary:
    """Summarise ``model`` with one forward pass on zeros of shape ``input_size``.

    The pass runs without gradients and with the model in eval mode (so batch-norm statistics are not
    updated); the modes and the hooks it needs are restored and removed afterwards, even when it fails.

    Args:
        model (nn.Module): the model; it is not changed.
        input_size (Sequence[int]): shape of the input batch, e.g. (1, 3, 224, 224).
        max_depth (int, optional): keep only the rows of modules at most this deep (the root is at depth 0);
            the totals always cover the whole model.

    Returns:
        ModelSummary: the rows and totals.

    Raises:
        TypeError: if ``model`` is not an nn.Module.
        ValueError: if ``input_size`` is not a sequence of positive ints or ``max_depth`` is negative.
        RuntimeError: if the forward pass fails on such an input (e.g. with the wrong number of channels).
    """
    check_model(model)
    batch = zeros_input(model, input_size)
    _check_max_depth(max_depth)
    modules = dict(model.named_modules())
    shapes: dict[str, tuple[int, ...]] = {}
    own_mult_adds = dict.fromkeys(modules, 0)

    def record(name: str, module: nn.Module, output: object) -> None:
        tensor = first_tensor(output)
        if tensor is not None:
            shapes.setdefault(name, tuple(tensor.shape))
            own_mult_adds[name] += _own_mult_adds(module, tensor.shape)

    hooks = [
        module.register_forward_hook(lambda m, _, out, name=name: record(name, m, out))
        for name, module in modules.items()
    ]
    try:
        with evaluating(model), torch.no_grad():
            model(batch)
    finally:
        for hook in hooks:
            hook.remove()
    return _assemble(model, modules, tuple(batch.shape), shapes, own_mult_adds, max_depth)


def _assemble(
    model: nn.Module,
    modules: dict[str, nn.Module],
    size: tuple[int, ...],
    shapes: dict[str, tuple[int, ...]],
    own_mult_adds: dict[str, int],
    max_depth: int | None,
) -> ModelSummary:
    """Build the rows from what the forward pass recorded."""
    mult_adds = dict(own_mult_adds)
    for name in reversed(modules):  # children come after their parent in pre-order
        if name:
            mult_adds[_parent_name(name)] += mult_adds[name]
    total = sum(p.numel() for p in model.parameters())
    repeats = _repeat_of(modules, shapes)
    rows = []
    for name, module in modules.items():
        params = sum(p.numel() for p in module.parameters())
        depth = name.count(".") + 1 if name else 0
        if max_depth is None or depth <= max_depth:
            rows.append(
                LayerRow(
                    name=name,
                    type=type(module).__name__,
                    depth=depth,
                    output_shape=shapes.get(name),
                    params=params,
                    trainable=_trainable(module),
                    mult_adds=mult_adds[name],
                    param_share=params / total if total else 0.0,
                    is_leaf=next(module.children(), None) is None,
                    repeat_of=repeats.get(name),
                )
            )
        if next(module.children(), None) is not None and (max_depth is None or depth + 1 <= max_depth):
            rows.extend(_parameter_rows(name, module, depth + 1, total))
    return ModelSummary(
        rows=rows,
        input_size=size,
        output_shape=shapes.get("", ()),
        total_params=total,
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        total_mult_adds=mult_adds[""],
    )


def _parameter_rows(name: str, module: nn.Module, depth: int, total: int) -> list[LayerRow]:
    """Rows for the parameters a module with children holds itself, such as a ViT's ``class_token`` and its
    encoder's ``pos_embedding`` (their shape is shown as the output shape): the tree then accounts for every
    parameter."""
    rows = []
    for own, parameter in module.named_parameters(recurse=False):
        rows.append(
            LayerRow(
                name=f"{name}.{own}" if name else own,
                type="Parameter",
                depth=depth,
                output_shape=tuple(parameter.shape),
                params=parameter.numel(),
                trainable=str(parameter.requires_grad),
                mult_adds=0,
                param_share=parameter.numel() / total if total else 0.0,
                is_leaf=True,
                repeat_of=None,
            )
        )
    return rows


def _own_mult_adds(module: nn.Module, output_shape: torch.Size) -> int:
    """Multiply-adds of the parameters registered directly on ``module`` for one call."""
    own = sum(p.numel() for p in module.parameters(recurse=False))
    positions = math.prod(output_shape[2:]) if isinstance(module, _ConvNd) else 1
    return own * output_shape[0] * positions if output_shape else 0


def _trainable(module: nn.Module) -> str:
    flags = {p.requires_grad for p in module.parameters()}
    return "--" if not flags else "Partial" if len(flags) == 2 else str(flags.pop())


def _repeat_of(modules: dict[str, nn.Module], shapes: dict[str, tuple[int, ...]]) -> dict[str, str]:
    """Map each module identical to its previous sibling to the first module of that run of siblings."""
    signatures: dict[str, int] = {}
    interned: dict[tuple[Any, ...], int] = {}
    for name in reversed(modules):  # children before parents, so a parent can use its children's signatures
        module = modules[name]
        prefix = f"{name}." if name else ""
        children = tuple((child, signatures.get(prefix + child)) for child, _ in module.named_children())
        key = (type(module), module.extra_repr(), shapes.get(name), _trainable(module), children)
        signatures[name] = interned.setdefault(key, len(interned))
    repeat_of: dict[str, str] = {}
    previous: dict[str, str] = {}  # parent name -> its last child seen
    for name in modules:
        if not name:
            continue
        parent = _parent_name(name)
        before = previous.get(parent)
        if before is not None and signatures[before] == signatures[name]:
            repeat_of[name] = repeat_of.get(before, before)
        previous[parent] = name
    return repeat_of


def _parent_name(name: str) -> str:
    return name.rpartition(".")[0]


def _within(row: LayerRow, max_depth: int | None) -> bool:
    return max_depth is None or row.depth <= max_depth


def _node(row: LayerRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "type": row.type,
        "output_shape": row.output_shape,
        "params": row.params,
        "trainable": row.trainable,
        "mult_adds": row.mult_adds,
        "share": row.param_share,
        "repeats": 1,
        "children": [],
    }


def _cells(row: LayerRow) -> tuple[str, str, str, str, str]:
    label = row.type if not row.name else f"{'  ' * (row.depth - 1)}{row.name.rpartition('.')[2]} ({row.type})"
    shape = "--" if row.output_shape is None else str(list(row.output_shape))
    return label, shape, _count(row.params), row.trainable, _count(row.mult_adds)


def _count(n: int) -> str:
    return f"{n:,}" if n else "--"


def _check_max_depth(max_depth: int | None) -> None:
    if max_depth is not None and (not isinstance(max_depth, int) or isinstance(max_depth, bool) or max_depth < 0):
        raise ValueError(f"`max_depth` should be None or an int >= 0, got {max_depth!r}")


def zeros_input(model: nn.Module, input_size: Sequence[int]) -> Tensor:
    """Zeros of shape ``input_size`` on the device and in the floating dtype of the model's first parameter.

    Raises:
        ValueError: if ``input_size`` is not a sequence of positive ints.
    """
    size = tuple(input_size) if isinstance(input_size, Sequence) else ()
    if not size or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in size):
        raise ValueError(
            f"`input_size` should be a sequence of positive ints such as (1, 3, 224, 224), got {input_size!r}"
        )
    first = next(model.parameters(), None)
    if first is None or not first.is_floating_point():
        return torch.zeros(size, device=None if first is None else first.device)
    return torch.zeros(size, device=first.device, dtype=first.dtype)


def check_model(model: object) -> None:
    """Raise TypeError unless ``model`` is an nn.Module."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"`model` should be an nn.Module, got {type(model).__name__}")


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Put ``model`` in eval mode for the ``with`` block, then give every module back its own mode."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, training in modes:
            module.training = training


def first_conv(model: nn.Module) -> tuple[str, nn.Conv2d] | None:
    """The name and module of the first nn.Conv2d in registration order (the stem), or None."""
    return next(((name, m) for name, m in model.named_modules() if isinstance(m, nn.Conv2d)), None)


def first_tensor(output: object) -> Tensor | None:
    """The first tensor in a module's output (a tensor, or nested tuples, lists and dicts), or None."""
    if isinstance(output, Tensor):
        return output
    items = output.values() if isinstance(output, dict) else output if isinstance(output, (tuple, list)) else ()
    return next((t for t in map(first_tensor, items) if t is not None), None)


def submodule(model: nn.Module, name: str, argument: str) -> nn.Module:
    """The submodule called ``name`` ("" for ``model`` itself).

    Args:
        model (nn.Module): the model.
        name (str): a dotted module name such as "layer1.0".
        argument (str): the name of the caller's argument, for the error message.

    Raises:
        TypeError: if ``name`` is not a str.
        ValueError: if ``model`` has no such submodule; the message lists the names available where the path
            stops matching.
    """
    if not isinstance(name, str):
        raise TypeError(f"`{argument}` should be a str, got {type(name).__name__}")
    module, path = model, []
    for part in name.split(".") if name else []:
        children = dict(module.named_children())
        if part not in children:
            where = f"submodules of {'.'.join(path)!r} are" if path else "top-level modules are"
            available = ", ".join(children) or "none"
            raise ValueError(f"`{argument}` names no submodule {name!r}; {where} {available}")
        module, path = children[part], [*path, part]
    return module
