"""Read a pipeline out of torchvision code that a user pastes, into :class:`~visionkit.transforms.catalog.Step` s.

The code is parsed with :mod:`ast` and never run: transform calls are recognised by name, and their arguments are
read only if they are literal values. See :func:`from_code`.
"""

from __future__ import annotations

import ast
import difflib
import inspect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

import visionkit.transforms as _v1

from . import v2 as _v2

__all__ = ["CodeImportError", "from_code"]

#: The deepest an expression may nest (a transform call in a list in ``Compose`` in an assignment is 8 levels).
_MAX_DEPTH = 50
_ECHO_CHARS = 40

# What a name means when the pasted text does not import it: the usual aliases of the usual imports.
_DEFAULT_BINDINGS = {
    "torch": "torch",
    "torchvision": "torchvision",
    "transforms": "torchvision.transforms",
    "T": "torchvision.transforms",
    "v2": "torchvision.transforms.v2",
    "F": "torchvision.transforms.functional",
    "tv_tensors": "torchvision.tv_tensors",
}
_TRANSFORM_MODULES = ("torchvision.transforms", "torchvision.transforms.v2")
_ENUM_MODULES = (*_TRANSFORM_MODULES, "torchvision.transforms.functional", "torchvision.transforms.v2.functional")
_DTYPES = {
    name: str(value).removeprefix("torch.") for name, value in vars(torch).items() if isinstance(value, torch.dtype)
}
# The enums whose members a value may name, on a transforms or functional module.
_ENUMS = ("InterpolationMode", "AutoAugmentPolicy")
# Constructor arguments the catalog leaves out because they cannot change a step's output (any bool is read).
_IGNORED = frozenset({"inplace"})


def _transform_names(module: Any) -> set[str]:
    return {
        name
        for name in module.__all__
        if isinstance(getattr(module, name), type) and issubclass(getattr(module, name), nn.Module)
    } - {"Transform"}


_V1_NAMES = _transform_names(_v1)
_V2_NAMES = _transform_names(_v2)
_V2_ONLY = _V2_NAMES - _V1_NAMES


class CodeImportError(ValueError):
    """Pasted code that :func:`from_code` cannot read as a pipeline; the message names the line, e.g. ``line 3:
    RandomRotation: degrees=foo is not a literal value``.

    Attributes:
        line: the line (from 1) of the pasted text it is about, ``None`` if it is about the whole text.
        reason: the message without the line.
    """

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason if line is None else f"line {line}: {reason}")
        self.line = line
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.line, self.reason))


@dataclass(frozen=True)
class _Symbol:
    """A named constant: ``InterpolationMode.BILINEAR``, ``AutoAugmentPolicy.CIFAR10`` or ``torch.float32``."""

    namespace: str
    name: str


@dataclass(frozen=True)
class _Dict:
    """A dict literal: per item, its key's node (a per-type fill reads keys as ``tv_tensors`` types or
    ``"others"``), its value's node and the value read."""

    items: tuple[tuple[ast.expr, ast.expr, Any], ...]

    def __repr__(self) -> str:  # in messages about a value that should be something else
        return "a dict"


@dataclass
class _Found:
    """A step read from the code, and the line of the call it came from."""

    step: catalog.Step
    line: int


class _NotLiteral(Exception):
    """Internal: a value that is not a literal; ``node`` is the offending part."""

    def __init__(self, node: ast.AST, why: str = "is not a literal value") -> None:
        super().__init__(why)
        self.node = node
        self.why = why


def _line(node: ast.AST) -> int | None:
    return getattr(node, "lineno", None)


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; ``None`` for anything but names and attribute access on names."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _canonical(module: str) -> str:
    """visionkit mirrors torchvision: its modules read as torchvision's."""
    return "torchvision" + module.removeprefix("visionkit") if module.split(".")[0] == "visionkit" else module


# ---------------------------------------------------------------------------------------------------- parsing
def _parse(text: str) -> ast.Module:
    if not isinstance(text, str):
        raise TypeError(f"text should be a str, got {type(text).__name__}")
    if len(text) > catalog.MAX_JSON_CHARS:
        raise CodeImportError(
            None, f"the code is too long: {len(text):,} characters, the limit is {catalog.MAX_JSON_CHARS:,}"
        )
    if "\0" in text:
        raise CodeImportError(text.count("\n", 0, text.index("\0")) + 1, "the code contains a NUL byte")
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        digits = "integer string conversion" in exc.msg  # Python's cap on the digits of an int literal
        reason = "a number has too many digits" if digits else exc.msg
        raise CodeImportError(exc.lineno, f"not valid Python: {reason}") from None
    except (RecursionError, MemoryError):
        raise CodeImportError(None, "the code is nested too deeply to read") from None
    except ValueError as exc:  # e.g. an int with too many digits, on some Python versions
        raise CodeImportError(None, f"not valid Python: {exc}") from None
    _check_depth(tree)
    return tree


def _check_depth(tree: ast.Module) -> None:
    """Refuse expressions nested deeper than :data:`_MAX_DEPTH` before anything walks them recursively."""
    stack: list[tuple[ast.AST, int, int | None]] = [(tree, 0, None)]
    while stack:
        node, depth, line = stack.pop()
        line = _line(node) or line  # contexts (Load, Store) have no line of their own
        if depth > _MAX_DEPTH:
            raise CodeImportError(line, f"the code is nested too deeply (more than {_MAX_DEPTH} levels)")
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))


# ---------------------------------------------------------------------------------------------------- reading
class _Reader:
    """Reads one parsed text: what its imports bind, where its pipeline is, and the steps in it."""

    def __init__(self, text: str, tree: ast.Module) -> None:
        self.text = text
        self.tree = tree
        self.bindings = dict(_DEFAULT_BINDINGS)
        self.imports_v2 = False
        self.api = "v1"
        for node in sorted(_imports(tree), key=lambda n: (n.lineno, n.col_offset)):
            self._bind(node)

    # ------------------------------------------------------------------------------------------ names
    def _bind(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                module = _canonical(alias.name)
                first = alias.name.split(".")[0]
                self.bindings[alias.asname or first] = module if alias.asname else _canonical(first)
                self._note_module(module)
            return
        module = _canonical(node.module or "") if not node.level else f".{node.module}"
        self._note_module(module)
        for alias in node.names:
            if alias.name != "*":  # a star import adds nothing: bare transform names are read anyway
                self.bindings[alias.asname or alias.name] = f"{module}.{alias.name}"
                self._note_module(f"{module}.{alias.name}")

    def _note_module(self, path: str) -> None:
        if path == "torchvision.transforms.v2" or path.startswith("torchvision.transforms.v2."):
            self.imports_v2 = True

    def _path(self, node: ast.AST) -> str | None:
        """The full dotted path a name or attribute chain means; a name nothing binds reads as a transform name."""
        parts = _dotted(node)
        if parts is None:
            return None
        root = self.bindings.get(parts[0], f"torchvision.transforms.{parts[0]}")
        return ".".join([root, *parts[1:]])

    def _transform(self, node: ast.AST) -> str | None:
        """The transform class a callee names (``Compose``, ``RandomCrop``, maybe unknown), ``None`` if it names
        something outside torchvision's transforms."""
        path = self._path(node)
        if path is None:
            return None
        module, _, name = path.rpartition(".")
        return name if module in _TRANSFORM_MODULES else None

    def _is_transform_call(self, node: ast.AST) -> bool:
        """A call to a transform visionkit has, or to any name on an imported transforms module."""
        if not isinstance(node, ast.Call):
            return False
        name = self._transform(node.func)
        if name is None:
            return False
        explicit = isinstance(node.func, ast.Attribute) or node.func.id in self.bindings  # type: ignore[attr-defined]
        return explicit or name in _V1_NAMES | _V2_NAMES

    def _symbol(self, node: ast.AST) -> _Symbol | None:
        path = self._path(node)
        if path is None:
            return None
        module, _, name = path.rpartition(".")
        if module == "torch" and name in _DTYPES:
            return _Symbol("torch", _DTYPES[name])
        owner, _, enum = module.rpartition(".")
        return _Symbol(enum, name) if enum in _ENUMS and owner in _ENUM_MODULES else None

    def _uses_v2(self, node: ast.AST) -> bool:
        """Whether an expression names anything of ``transforms.v2``, or a transform only v2 has."""
        for part in ast.walk(node):
            path = self._path(part) if isinstance(part, (ast.Name, ast.Attribute)) else None
            if path is None:
                continue
            module, _, name = path.rpartition(".")
            if path.startswith("torchvision.transforms.v2.") or (module in _TRANSFORM_MODULES and name in _V2_ONLY):
                return True
        return False

    # ------------------------------------------------------------------------------------------ messages
    def _source(self, node: ast.AST) -> str:
        text = " ".join((ast.get_source_segment(self.text, node) or "?").split())
        return text if len(text) <= _ECHO_CHARS else f"{text[: _ECHO_CHARS - 3]}..."

    def _unknown(self, call: ast.Call) -> CodeImportError:
        name = self._transform(call.func)
        shown = name if name is not None else self._source(call.func)
        offered = [spec.name for spec in catalog.search(api=self.api)] + ["Compose", "RandomApply"]
        if name in _V1_NAMES | _V2_NAMES:
            reason = f"{name} is not in the catalog of transforms the pipeline editor offers"
        else:
            reason = f"{shown} is not a transform visionkit knows"
        lowered = {n.lower(): n for n in offered}
        close = difflib.get_close_matches((name or shown).lower(), list(lowered), n=1, cutoff=0.6)
        hint = f"did you mean {lowered[close[0]]}?" if close else "see catalog.CATALOG for the ones it offers"
        return CodeImportError(call.lineno, f"{reason} ({hint})")

    # ------------------------------------------------------------------------------------------ the pipeline
    def pipeline(self) -> ast.expr:
        """The one expression that holds the pipeline.

        The ``Compose`` call if there is exactly one anywhere (at top level, in an assignment, inside a dataset's
        arguments); without one, the one top-level statement whose value is a transform call or a list of them;
        failing that, the only statement of the text, so that its message says what is wrong with it.
        """
        calls = self._outermost_transform_calls()
        composes = [call for call in calls if self._transform(call.func) == "Compose"]
        if composes:
            return self._only(composes, "Compose calls")
        values = [value for value in _statement_values(self.tree) if self._holds_transforms(value)]
        if values:
            return self._only(values, "pipelines")
        statements = [s for s in self.tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        values = list(_statement_values(self.tree))
        if len(statements) == 1 and len(values) == 1:
            return values[0]
        raise CodeImportError(
            None, "no pipeline found: paste a Compose([...]), a list of transforms or a single transform"
        )

    def _only(self, found: Sequence[ast.expr], what: str) -> ast.expr:
        if len(found) > 1:
            lines = ", ".join(str(node.lineno) for node in found[:5])
            raise CodeImportError(
                found[1].lineno, f"the code holds {len(found)} {what} (lines {lines}): paste one pipeline"
            )
        return found[0]

    def _holds_transforms(self, value: ast.expr) -> bool:
        if isinstance(value, (ast.List, ast.Tuple)):
            return any(self._is_transform_call(element) for element in value.elts)
        return self._is_transform_call(value)

    def _outermost_transform_calls(self) -> list[ast.Call]:
        found, stack = [], list(reversed(self.tree.body))
        while stack:
            node = stack.pop()
            if self._is_transform_call(node):
                found.append(node)
            else:
                stack.extend(reversed(list(ast.iter_child_nodes(node))))
        return found

    # ------------------------------------------------------------------------------------------ steps
    def steps(self, node: ast.expr) -> list[_Found]:
        """The steps of the pipeline expression, for the API the code is written for (:attr:`api`, set here)."""
        self.api = "v2" if self.imports_v2 or self._uses_v2(node) else "v1"
        found: list[_Found] = []
        elements = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
        for element in elements:
            self._read(element, found)
        return found

    def _read(self, node: ast.expr, found: list[_Found]) -> None:
        """Append the steps of one element of a pipeline (``Compose`` and its nested ones are flattened)."""
        if not isinstance(node, ast.Call):
            raise CodeImportError(_line(node), self._not_a_call(node))
        name = self._transform(node.func)
        if name == "Compose":
            for element in self._transform_list(node, "Compose"):
                self._read(element, found)
            return
        found.extend([self._random_apply(node)] if name == "RandomApply" else self._steps(node, name))
        if len(found) > catalog.MAX_STEPS:
            raise CodeImportError(
                node.lineno, f"the pipeline has more than {catalog.MAX_STEPS} steps, the most it may have"
            )

    def _not_a_call(self, node: ast.expr) -> str:
        if isinstance(node, ast.Name):
            return f"{node.id} is a variable: write the transform itself in the pipeline, e.g. T.Normalize(...)"
        return f"{self._source(node)} is not a transform"

    def _transform_list(self, call: ast.Call, name: str) -> list[ast.expr]:
        arguments = self._bind_call(call, name, ["transforms", *(["p"] if name == "RandomApply" else [])])
        listed = arguments.get("transforms")
        if listed is None:
            raise CodeImportError(call.lineno, f"{name}() is missing its required argument transforms")
        if not isinstance(listed, (ast.List, ast.Tuple)):
            raise CodeImportError(
                listed.lineno, f"{name}: transforms={self._source(listed)} is not a list of transforms"
            )
        return listed.elts

    def _random_apply(self, call: ast.Call) -> _Found:
        inner: list[_Found] = []
        for element in self._transform_list(call, "RandomApply"):
            self._read(element, inner)
        if len(inner) != 1:
            raise CodeImportError(
                call.lineno,
                f"RandomApply holds {len(inner)} transforms; a step applies one transform with a probability: "
                f"wrap each transform in its own RandomApply",
            )
        if inner[0].step.p < 1:
            raise CodeImportError(inner[0].line, "RandomApply inside RandomApply: give the step one probability p")
        p_node = self._bind_call(call, "RandomApply", ["transforms", "p"]).get("p")
        p = 0.5 if p_node is None else self._literal_argument("RandomApply", "p", p_node)
        if not (catalog._is_number(p) and 0 <= p <= 1):
            raise CodeImportError(_line(p_node or call), f"RandomApply: p should be a number in [0, 1], got {p!r}")
        inner[0].step.p = float(p)
        return _Found(inner[0].step, call.lineno)

    def _steps(self, call: ast.Call, name: str | None) -> list[_Found]:
        """The step of a catalog transform's call; two steps for a v1 conversion in v2 code (:func:`_in_v2`)."""
        if name not in catalog.CATALOG:
            raise self._unknown(call)
        # v2's signature in v2 code: v2's ConvertImageDtype has a default dtype, v1's has none.
        cls = getattr(_v2, name) if self.api == "v2" and name in _V2_NAMES else catalog._CLASSES[name]
        arguments = self._bind_call(call, name, *_parameters(cls))
        spec = catalog.CATALOG[name]
        declared = {param.name for param in spec.params}
        params: dict[str, Any] = {}
        for argument, node in arguments.items():
            value = self._literal_argument(name, argument, node)
            if argument in declared:
                params[argument] = self._json(spec, argument, value, name, node)
            else:
                _check_left_out(name, argument, value, inspect.signature(cls).parameters[argument].default, node)
        step = catalog.Step(name, params)
        api = self.api if self.api in spec.apis else spec.apis[0]
        problems = catalog.validate_step(step, api=api)
        if problems:
            key, problem = next(iter(problems.items()))
            raise CodeImportError(_line(arguments.get(key, call)), f"{name}: {problem}")
        steps = [step] if api == self.api else _in_v2(step, call.lineno)
        return [_Found(catalog.Step(step.name, catalog._complete(step)), call.lineno) for step in steps]

    def _bind_call(
        self,
        call: ast.Call,
        name: str,
        names: list[str],
        keyword_only: Sequence[str] = (),
        required: frozenset[str] | set[str] = frozenset(),
    ) -> dict[str, ast.expr]:
        """``{parameter: argument node}``, positional arguments in the order of ``names``; no value is read yet."""
        bound: dict[str, ast.expr] = {}
        for index, node in enumerate(call.args):
            if isinstance(node, ast.Starred):
                raise CodeImportError(node.lineno, f"{name}: *{self._source(node.value)} is not a literal value")
            if index >= len(names):
                most = f"at most {len(names)} positional arguments ({', '.join(names)})" if names else "no arguments"
                raise CodeImportError(node.lineno, f"{name} takes {most}, got {len(call.args)}")
            bound[names[index]] = node
        for keyword in call.keywords:
            if keyword.arg is None:
                raise CodeImportError(keyword.lineno, f"{name}: **{self._source(keyword.value)} is not a literal value")
            if keyword.arg not in [*names, *keyword_only]:
                accepted = ", ".join(n for n in [*names, *keyword_only] if n not in _IGNORED) or "none"
                raise CodeImportError(keyword.lineno, f"{name} has no parameter {keyword.arg!r}; it takes {accepted}")
            if keyword.arg in bound:
                raise CodeImportError(keyword.lineno, f"{name} got two values for {keyword.arg}")
            bound[keyword.arg] = keyword.value
        missing = [n for n in [*names, *keyword_only] if n in required and n not in bound]
        if missing:
            raise CodeImportError(call.lineno, f"{name}() is missing its required argument {missing[0]}")
        return bound

    # ------------------------------------------------------------------------------------------ values
    def _literal_argument(self, name: str, argument: str, node: ast.expr) -> Any:
        try:
            return self._literal(node)
        except _NotLiteral as exc:
            where = "" if exc.node is node else f" ({self._source(exc.node)} {exc.why})"
            why = exc.why if exc.node is node else "is not a literal value"
            raise CodeImportError(
                _line(exc.node) or node.lineno, f"{name}: {argument}={self._source(node)} {why}{where}"
            ) from None

    def _literal(self, node: ast.AST) -> Any:
        """A literal's value: numbers, strings, None, True/False, tuples and lists of them, ``-x``, arithmetic of
        numbers (``3 / 4``), the named constants :class:`_Symbol`, and dicts of literals (:class:`_Dict`, whose
        keys are read later). Anything else raises :class:`_NotLiteral`."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            values = [self._literal(element) for element in node.elts]
            return tuple(values) if isinstance(node, ast.Tuple) else values
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = _number(self._literal(node.operand), node)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, tuple(_ARITHMETIC)):
            left = _number(self._literal(node.left), node)
            right = _number(self._literal(node.right), node)
            try:
                return _ARITHMETIC[type(node.op)](left, right)
            except (ZeroDivisionError, OverflowError) as exc:
                raise _NotLiteral(node, f"cannot be computed ({exc})") from None
        if isinstance(node, ast.Dict):
            if any(key is None for key in node.keys):
                raise _NotLiteral(node, "unpacks a mapping (**), which is not a literal value")
            items = zip(node.keys, node.values, strict=True)
            return _Dict(tuple((key, value, self._literal(value)) for key, value in items))
        symbol = self._symbol(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if symbol is None:
            raise _NotLiteral(node)
        return symbol

    def _json(self, spec: Any, argument: str, value: Any, name: str, node: ast.expr) -> Any:
        """The catalog's JSON form of a literal: constants by their name, lists for tuples."""
        param = next(p for p in spec.params if p.name == argument)
        prefix = catalog._symbol_prefix(spec, param)
        namespace = prefix.rpartition(".")[2] if prefix is not None else None
        if namespace is not None and value is not None:
            if not (isinstance(value, _Symbol) and value.namespace == namespace):
                wanted = (
                    "a torch dtype, e.g. torch.float32"
                    if namespace == "torch"
                    else f"an {namespace}, e.g. {namespace}.{param.default}"
                )
                raise CodeImportError(node.lineno, f"{name}: {argument}={self._source(node)} should be {wanted}")
            return value.name
        if isinstance(value, _Dict) and param.per_type:
            return self._per_type(value, argument, name)
        self._check_plain(value, argument, name, node)
        how = _SCALAR_PAIRS.get((name, argument))
        if how is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            if value < 0 or (how == "same" and value == 0):
                raise CodeImportError(
                    node.lineno, f"{name}: {argument}={self._source(node)}: a single number must be positive"
                )
            return [-value, value] if how == "symmetric" else [value, value]
        return _as_json(value)

    def _check_plain(self, value: Any, argument: str, name: str, node: ast.expr) -> None:
        if any(isinstance(v, (_Symbol, _Dict)) for v in _flatten(value)):
            raise CodeImportError(
                node.lineno, f"{name}: {argument}={self._source(node)} is not a value {argument} takes"
            )

    def _per_type(self, value: _Dict, argument: str, name: str) -> dict[str, Any]:
        """A per-type fill as the catalog's JSON: ``{tv_tensors.Mask: 0, "others": (1, 2, 3)}`` is ``{"Mask": 0,
        "others": [1, 2, 3]}``."""
        fills: dict[str, Any] = {}
        for key_node, fill_node, fill in value.items:
            key = self._fill_key(key_node)
            if key is None:
                raise CodeImportError(
                    key_node.lineno,
                    f"{name}: {argument} has the key {self._source(key_node)}, which a per-type fill does not take: "
                    f'use tv_tensors.Image, tv_tensors.Mask, tv_tensors.Video or "others"',
                )
            if key in fills:
                raise CodeImportError(key_node.lineno, f"{name}: {argument} has the key {self._source(key_node)} twice")
            self._check_plain(fill, f"{argument}[{self._source(key_node)}]", name, fill_node)
            fills[key] = _as_json(fill)
        return fills

    def _fill_key(self, node: ast.expr) -> str | None:
        """The catalog's name of a per-type fill's key: ``"others"``, or a ``tv_tensors`` type it takes."""
        if isinstance(node, ast.Constant):
            return "others" if node.value == "others" else None
        module, _, type_name = (self._path(node) or "").rpartition(".")
        return type_name if module == "torchvision.tv_tensors" and type_name in catalog.FILL_TYPES[:-1] else None


_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


#: Pair arguments that torchvision also takes as one number: ``symmetric`` reads ``d`` as ``(-d, d)`` (an angle
#: range), ``same`` as ``(d, d)`` (a fixed sigma or quality). The number must be positive, as torchvision checks.
_SCALAR_PAIRS = {
    ("RandomRotation", "degrees"): "symmetric",
    ("RandomAffine", "degrees"): "symmetric",
    ("RandomAffine", "shear"): "symmetric",
    ("GaussianBlur", "sigma"): "same",
    ("JPEG", "quality"): "same",
}


def _number(value: Any, node: ast.AST) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _NotLiteral(node, "is not a number")
    return value


def _flatten(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            yield item


def _as_json(value: Any) -> Any:
    return [_as_json(v) for v in value] if isinstance(value, (list, tuple)) else value


def _check_left_out(name: str, argument: str, value: Any, default: Any, node: ast.expr) -> None:
    """An argument the catalog leaves out: ``inplace`` takes either bool (a pipeline editor never overwrites its
    input, and the values are the same); others (``labels_getter``, ``sampler_options``) only their default."""
    if argument in _IGNORED:
        if not isinstance(value, bool):
            raise CodeImportError(
                node.lineno, f"{name}: {argument} should be True or False, got {catalog._show(value)}"
            )
    elif not (type(value) is type(default) and value == default):
        raise CodeImportError(
            node.lineno,
            f"{name}: the pipeline editor keeps {argument} at its default {default!r}, got {catalog._show(value)}",
        )


def _parameters(cls: type) -> tuple[list[str], list[str], set[str]]:
    """The constructor's parameters that can be given positionally (in signature order), those that can only be
    given by name, and the required ones."""
    parameters = inspect.signature(cls).parameters.values()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return (
        [p.name for p in parameters if p.kind in positional],
        [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY],
        {
            p.name
            for p in parameters
            if p.kind is not p.VAR_POSITIONAL and p.kind is not p.VAR_KEYWORD and p.default is inspect.Parameter.empty
        },
    )


def _imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    return (node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)))


def _statement_values(tree: ast.Module) -> Iterator[ast.expr]:
    """The values of the top-level expression statements and assignments."""
    for statement in tree.body:
        if isinstance(statement, (ast.Expr, ast.Assign)) or (
            isinstance(statement, ast.AnnAssign) and statement.value is not None
        ):
            yield statement.value  # type: ignore[misc]


def _in_v2(step: catalog.Step, line: int) -> list[catalog.Step]:
    """A v1 conversion as v2 code means it: ``ToTensor`` is ``ToImage`` then ``ToDtype(float32, scale=True)``, and
    ``ConvertImageDtype(dtype)`` is ``ToDtype(dtype, scale=True)``."""
    if step.name == "ToTensor":
        return [catalog.Step("ToImage"), catalog.Step("ToDtype", {"dtype": "float32", "scale": True})]
    if step.name == "ConvertImageDtype":
        return [catalog.Step("ToDtype", {"dtype": catalog._complete(step)["dtype"], "scale": True})]
    raise CodeImportError(line, catalog._not_in_api(step.name, "v2"))


def from_code(text: str) -> tuple[list[catalog.Step], str]:
    """Read the pipeline out of pasted torchvision (or visionkit) code, without running any of it.

    The code may be a ``Compose([...])`` call (bare or with any prefix: ``transforms.``, ``T.``, ``v2.``,
    ``torchvision.transforms.``, ``torchvision.transforms.v2.`` or whatever the text's imports bind), an assignment
    of one, a list of transforms or a single transform, with or without import lines; other statements are
    ignored. Nested ``Compose`` calls are flattened; ``RandomApply([X(...)], p=0.3)`` becomes X's step with
    ``p=0.3``. Arguments may be positional (in the order of the constructor's signature) or keywords, and must be
    literals: numbers (also ``-x`` and arithmetic such as ``3 / 4``), strings, ``None``, ``True``/``False``, tuples
    and lists of them, ``InterpolationMode.NAME`` and ``AutoAugmentPolicy.NAME`` (bare or on a transforms or
    functional module) and torch dtypes (``torch.float32``, ``torch.float``). A v2 ``fill`` may be per type:
    ``{tv_tensors.Mask: 0, "others": (123, 117, 104)}``, keyed by ``tv_tensors.Image``, ``tv_tensors.Mask``,
    ``tv_tensors.Video`` (also bare, where the text imports them) and ``"others"``. ``inplace`` flags are accepted and
    dropped: a pipeline editor never overwrites its input, and the values are the same.

    The API decides the conversion steps: v1 has ``ToTensor`` and ``ConvertImageDtype``, v2 has ``ToImage`` and
    ``ToDtype`` (see the catalog's ``apis``). In v2 code, ``ToTensor()`` (which v2 deprecates) is read as what v2
    says it is, ``ToImage()`` then ``ToDtype(torch.float32, scale=True)``, and ``ConvertImageDtype(dtype)`` as
    ``ToDtype(dtype, scale=True)``, so that every step is one of v2's; ``ToImage`` and ``ToDtype`` themselves
    are read as they are.

    Disabled steps, which :func:`~visionkit.transforms.catalog.to_code` writes as comments, are not read.

    Args:
        text: the code; at most :data:`~visionkit.transforms.catalog.MAX_JSON_CHARS` characters.

    Returns:
        The steps, every parameter filled in (as :func:`~visionkit.transforms.catalog.from_json` gives them), and
        the API the code was written for: ``"v2"`` if it imports or uses ``transforms.v2`` or a v2-only transform
        (``ToImage``, ``ToDtype``, ...), else ``"v1"``.

    Raises:
        TypeError: if ``text`` is not a str.
        CodeImportError: for anything it cannot read, with a message that names the line and the transform or
            argument, e.g. ``line 3: RandomRotation: degrees=foo is not a literal value``; nothing is returned in
            part. That covers syntax errors, anything that is not a literal (variables, calls, lambdas, f-strings,
            comprehensions), transforms that are not in the catalog (with a suggestion), unknown or missing
            arguments, values the catalog's validation refuses (its message), more than one pipeline, more than
            :data:`~visionkit.transforms.catalog.MAX_STEPS` steps, and hostile text (too long, a NUL byte, nested
            too deeply, numbers too long).
    """
    reader = _Reader(text, _parse(text))
    found = reader.steps(reader.pipeline())
    return [item.step for item in found], reader.api


# catalog re-exports this module's names at its end, so it is imported last: either module may be imported first.
from . import catalog  # noqa: E402
