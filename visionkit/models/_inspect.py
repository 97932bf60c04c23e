"""Look inside a model: the output of one layer, the layers worth looking at, and a block diagram.

:func:`architecture_dot` traces the forward pass with ``torch.fx``, so the diagram shows the data flow that
really happens, skip connections included, rather than the order in which modules were registered.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor, fx, nn
from torch.fx.passes.shape_prop import ShapeProp

from . import mobilenetv2, mobilenetv3
from ._summary import check_model, evaluating, first_conv, first_tensor, submodule, summary, zeros_input
from .resnet import BasicBlock, Bottleneck

__all__ = ["FEATURE_LAYERS", "architecture_dot", "feature_maps", "layer_names"]

#: The module types :func:`layer_names` offers by default: those whose output is a feature map.
FEATURE_LAYERS: tuple[type[nn.Module], ...] = (
    nn.Conv2d,
    nn.Sequential,
    nn.MaxPool2d,
    BasicBlock,
    Bottleneck,
    mobilenetv2.InvertedResidual,
    mobilenetv3.InvertedResidual,
)

_SYMBOLS = {operator.add: "+", torch.add: "+", "add": "+", operator.mul: "*", torch.mul: "*", "mul": "*"}


class _Captured(Exception):
    """Raised by the hook of :func:`feature_maps` to stop the forward pass once the layer has run."""


def feature_maps(model: nn.Module, layer: str, batch: Tensor) -> Tensor:
    """The output of ``layer`` when ``model`` runs on ``batch``, without gradients and in eval mode.

    The forward pass stops right after the layer, and the model's modes are restored afterwards.

    Args:
        model (nn.Module): the model; it is not changed.
        layer (str): the dotted name of the layer, e.g. "layer1.0" (see :func:`layer_names`).
        batch (Tensor[N, C, H, W]): the input of the model.

    Returns:
        Tensor[N, C', H', W']: the layer's output (its first tensor) for a convolutional layer.

    Raises:
        TypeError: if ``model`` is not an nn.Module or ``batch`` not a Tensor.
        ValueError: if ``model`` has no layer called ``layer``, or the forward pass does not run it.
    """
    check_model(model)
    module = submodule(model, layer, "layer")
    if not isinstance(batch, Tensor):
        raise TypeError(f"`batch` should be a Tensor, got {type(batch).__name__}")
    captured: list[Tensor | None] = []

    def capture(_module: nn.Module, _inputs: object, output: object) -> None:
        captured.append(first_tensor(output))
        raise _Captured

    hook = module.register_forward_hook(capture)
    try:
        with evaluating(model), torch.no_grad(), contextlib.suppress(_Captured):
            model(batch)
    finally:
        hook.remove()
    if not captured or captured[0] is None:
        raise ValueError(f"`layer` should be run by the model's forward and return a tensor, got {layer!r}")
    return captured[0]


def layer_names(model: nn.Module, kind: type[nn.Module] | tuple[type[nn.Module], ...] = FEATURE_LAYERS) -> list[str]:
    """The names of the layers whose feature maps can be shown, in registration order.

    Args:
        model (nn.Module): the model.
        kind (type | tuple[type, ...]): the module types to offer; modules containing an nn.Linear are left out,
            since their output is flat, and so is the model itself.

    Returns:
        list[str]: dotted names such as "conv1", "layer1", "layer1.0".

    Raises:
        TypeError: if ``model`` is not an nn.Module or ``kind`` is not a type or a tuple of types.
    """
    check_model(model)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not kinds or not all(isinstance(k, type) for k in kinds):
        raise TypeError(f"`kind` should be a module type or a tuple of them, got {kind!r}")
    return [
        name
        for name, module in model.named_modules()
        if name and isinstance(module, kinds) and not any(isinstance(m, nn.Linear) for m in module.modules())
    ]


@dataclass(eq=False)
class _Box:
    """One drawn node: a run of traced operations without branches, a merge of several inputs, or a module."""

    id: str
    group: str  # the module path it belongs to, cut at max_depth; "" at the top level
    nodes: list[fx.Node] = field(default_factory=list)
    label: str = ""
    shape: str = "box"


@dataclass(eq=False)
class _Cluster:
    """A module whose group holds several boxes, drawn as a frame around them."""

    path: str
    items: list[_Box | _Cluster] = field(default_factory=list)
    children: dict[str, _Cluster] = field(default_factory=dict)


Edges = dict[tuple[_Box, _Box], bool]  # (source, target) -> whether it is a skip connection


def architecture_dot(model: nn.Module, max_depth: int = 2, *, input_size: Sequence[int] | None = None) -> str:
    """Graphviz DOT source of a block diagram of ``model``, showing how data flows through it.

    The forward pass is traced with ``torch.fx``. Operations are grouped by the module they run in, cut at
    ``max_depth`` (for a ResNet at depth 2: conv1, bn1, ..., layer1.0, layer1.1, ..., fc), and a module whose
    operations make several boxes is drawn as a frame around them. Inside a group, each run of operations
    without branches is one box, and each operation with several inputs (a residual sum, a gate) is a round
    node of its own, so skip connections show as edges that bypass the convolutions; they are dashed. When
    the forward pass cannot be traced, the modules at ``max_depth`` are drawn as a chain in registration order.

    Args:
        model (nn.Module): the model; it is not changed.
        max_depth (int): the module depth at which operations are grouped, >= 0.
        input_size (Sequence[int], optional): the shape of the zeros the forward pass runs on to find each box's
            output shape; (1, C, 224, 224) when None, with C the input channels of the first nn.Conv2d (3
            without one), so a model edited for grayscale input works as it is.

    Returns:
        str: the DOT source, e.g. for ``st.graphviz_chart`` or ``dot -Tsvg``.

    Raises:
        TypeError: if ``model`` is not an nn.Module.
        ValueError: if ``max_depth`` < 0 or ``input_size`` is not a sequence of positive ints.
        RuntimeError: if the forward pass fails on such an input.
    """
    check_model(model)
    if not isinstance(max_depth, int) or isinstance(max_depth, bool) or max_depth < 0:
        raise ValueError(f"`max_depth` should be an int >= 0, got {max_depth!r}")
    if input_size is None:
        stem = first_conv(model)
        input_size = (1, 3 if stem is None else stem[1].in_channels, 224, 224)
    batch = zeros_input(model, input_size)
    with evaluating(model):  # the inference graph: GoogLeNet's and Inception's auxiliary heads only train
        try:
            traced = fx.symbolic_trace(model)
        except Exception:  # tracing runs the forward code on proxies, which fails in many ways for dynamic models
            return _render(model, *_module_chain(model, max_depth, batch.shape))
        with torch.no_grad():
            ShapeProp(traced).propagate(batch)
    return _render(model, *_traced_boxes(traced, max_depth))


def _traced_boxes(traced: fx.GraphModule, max_depth: int) -> tuple[list[_Box], Edges]:
    """Group the traced operations into boxes, label them and connect them."""
    boxes: list[_Box] = []
    box_of: dict[fx.Node, _Box] = {}
    for node in traced.graph.nodes:
        if node.op == "get_attr":
            continue
        group = ".".join(_module_path(node).split(".")[:max_depth])
        box = _box_to_extend(node, group, box_of)
        if box is None:
            box = _Box(id=f"n{len(boxes)}", group=group)
            boxes.append(box)
        box.nodes.append(node)
        box_of[node] = box
    for box in boxes:
        box.label, box.shape = _describe(box, traced)
    return boxes, _edges(traced.graph, box_of)


def _box_to_extend(node: fx.Node, group: str, box_of: dict[fx.Node, _Box]) -> _Box | None:
    """The box of the only input of ``node`` if ``node`` continues it: same group, no branch, no merge."""
    inputs = _inputs(node)
    if len(inputs) != 1 or not _is_operation(node) or not _is_operation(inputs[0]) or len(inputs[0].users) != 1:
        return None
    box = box_of[inputs[0]]
    return box if box.group == group and len(_inputs(box.nodes[0])) == 1 else None


def _edges(graph: fx.Graph, box_of: dict[fx.Node, _Box]) -> Edges:
    """Edges between boxes; at a merge, every input but the one after the most operations is a skip."""
    steps: dict[fx.Node, int] = {}  # operations on the longest path from the input
    edges: Edges = {}
    for node in graph.nodes:
        if node not in box_of:
            continue
        inputs = _inputs(node)
        steps[node] = 1 + max((steps[n] for n in inputs), default=0)
        main = max(inputs, key=steps.__getitem__, default=None)
        for source in inputs:
            if box_of[source] is not box_of[node]:
                edges.setdefault((box_of[source], box_of[node]), len(inputs) > 1 and source is not main)
    return edges


def _describe(box: _Box, traced: fx.GraphModule) -> tuple[str, str]:
    """The label and Graphviz shape of a box of traced operations."""
    first, last = box.nodes[0], box.nodes[-1]
    meta = last.meta.get("tensor_meta")
    shape = [_shape_text(meta.shape)] if hasattr(meta, "shape") else []
    if first.op in ("placeholder", "output"):
        return "\n".join(["input" if first.op == "placeholder" else "output", *shape]), "oval"
    if len(_inputs(first)) > 1:
        return _SYMBOLS.get(first.target, _step_name(first, "", traced)), "circle"
    if len(box.nodes) == 1 and first.op == "call_module":
        return "\n".join([first.target, type(traced.get_submodule(first.target)).__name__, *shape]), "box"
    common = _common_path([_module_path(node) for node in box.nodes])
    steps = [_step_name(node, common, traced) for node in box.nodes]
    chain = " → ".join(steps) if len(steps) <= 5 else f"{steps[0]} → … → {steps[-1]} ({len(steps)} steps)"
    return "\n".join([*([common] if common else []), chain, *shape]), "box"


def _module_chain(model: nn.Module, max_depth: int, input_size: Sequence[int]) -> tuple[list[_Box], Edges]:
    """The modules at ``max_depth`` (and shallower leaves) as a chain, for models that cannot be traced."""
    shapes = {row.name: row.output_shape for row in summary(model, input_size).rows}
    names = [
        name
        for name, module in model.named_modules()
        if _depth(name) == max_depth or (_depth(name) < max_depth and next(module.children(), None) is None)
    ]
    boxes = [_Box(id="n0", group="", label=_with_shape("input", tuple(input_size)), shape="oval")]
    for name in names:
        label = _with_shape(f"{name or 'model'}\n{type(model.get_submodule(name)).__name__}", shapes.get(name))
        boxes.append(_Box(id=f"n{len(boxes)}", group=name, label=label))
    boxes.append(_Box(id=f"n{len(boxes)}", group="", label=_with_shape("output", shapes.get("")), shape="oval"))
    return boxes, {(source, target): False for source, target in itertools.pairwise(boxes)}


def _render(model: nn.Module, boxes: list[_Box], edges: Edges) -> str:
    """The DOT source: boxes inside nested frames for the modules that hold several, then the edges."""
    counts = Counter(prefix for box in boxes for prefix in _prefixes(box.group))
    top = _Cluster(path="")
    for box in boxes:
        cluster = top
        for prefix in _prefixes(box.group):
            if counts[prefix] > 1:
                if prefix not in cluster.children:
                    cluster.children[prefix] = _Cluster(path=prefix)
                    cluster.items.append(cluster.children[prefix])
                cluster = cluster.children[prefix]
        cluster.items.append(box)
    lines = [
        "digraph model {",
        '  graph [rankdir=TB, fontname="Helvetica", fontsize=11];',
        '  node [shape=box, style="rounded,filled", fillcolor="#e8eef8", color="#4a6fa5", fontname="Helvetica",'
        " fontsize=10];",
        '  edge [color="#555555"];',
        *_cluster_lines(model, top, 1),
    ]
    for (source, target), skip in edges.items():
        lines.append(f"  {source.id} -> {target.id}" + (' [style=dashed, color="#c0392b"];' if skip else ";"))
    return "\n".join([*lines, "}"]) + "\n"


def _cluster_lines(model: nn.Module, cluster: _Cluster, indent: int) -> list[str]:
    pad = "  " * indent
    lines = []
    for item in cluster.items:
        if isinstance(item, _Box):
            lines.append(f"{pad}{item.id} [label={_quote(item.label)}, shape={item.shape}];")
            continue
        label = f"{item.path} ({type(model.get_submodule(item.path)).__name__})"
        lines += [
            f"{pad}subgraph {_quote('cluster_' + item.path)} {{",
            f'{pad}  label={_quote(label)}; style="rounded"; color="#9aa5b1";',
            *_cluster_lines(model, item, indent + 1),
            f"{pad}}}",
        ]
    return lines


def _inputs(node: fx.Node) -> list[fx.Node]:
    """The nodes whose outputs ``node`` uses, leaving out parameters and buffers read by ``get_attr``."""
    return [n for n in node.all_input_nodes if n.op != "get_attr"]


def _is_operation(node: fx.Node) -> bool:
    return node.op in ("call_module", "call_function", "call_method")


def _module_path(node: fx.Node) -> str:
    """The dotted name of the module a traced node runs in, "" at the top level."""
    if node.op == "call_module":
        return node.target
    stack = node.meta.get("nn_module_stack")
    return next(reversed(stack.values()))[0] if stack else ""


def _step_name(node: fx.Node, common: str, traced: fx.GraphModule) -> str:
    """How a step of a box is named: its module's path below ``common``, its class for an index in a Sequential."""
    if node.op != "call_module":
        return node.target if isinstance(node.target, str) else node.target.__name__
    if node.target.rpartition(".")[2].isdigit():
        return type(traced.get_submodule(node.target)).__name__
    return node.target[len(common) + 1 :] if common else node.target


def _common_path(paths: list[str]) -> str:
    parts = [path.split(".") if path else [] for path in paths]
    common = []
    for level in zip(*parts, strict=False):  # as deep as the shortest path
        if len(set(level)) > 1:
            break
        common.append(level[0])
    return ".".join(common)


def _prefixes(path: str) -> list[str]:
    parts = path.split(".") if path else []
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _depth(name: str) -> int:
    return name.count(".") + 1 if name else 0


def _with_shape(label: str, shape: tuple[int, ...] | None) -> str:
    return f"{label}\n{_shape_text(shape)}" if shape else label


def _shape_text(shape: Sequence[int]) -> str:
    return "×".join(str(n) for n in shape)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
