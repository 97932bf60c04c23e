"""The transform catalog: declarations mirror the real classes, and drive validation, building, order checks,
JSON, code export and share links (including hostile links)."""

from __future__ import annotations

import base64
import copy
import difflib
import inspect
import json
import random
import re
import tracemalloc
import zlib
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import pytest
import torch

import visionkit.transforms as T
from visionkit.transforms import catalog
from visionkit.transforms.catalog import CATALOG, PRESETS, Step

GOLDEN = Path(__file__).resolve().parent / "golden" / "transforms.pt"
NOT_PIPELINE_STEPS = {"Compose", "RandomApply", "RandomChoice", "RandomOrder", "FiveCrop", "TenCrop"}
NAMES = [name for name, spec in CATALOG.items() if "v1" in spec.apis]  # v2's are in test_catalog_v2.py

torch.set_num_threads(1)


def _u8() -> torch.Tensor:
    return torch.randint(0, 256, (3, 64, 80), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))


def _inputs(spec: catalog.TransformSpec) -> dict[str, Any]:
    """The inputs a transform declares it takes: a PIL image and/or 3x64x80 tensors of its dtypes."""
    u8 = _u8()
    tensors = {"uint8": u8, "float": u8.float() / 255}
    pil = {"pil": PIL.Image.fromarray(u8.permute(1, 2, 0).numpy())} if spec.input != "tensor" else {}
    return pil | ({d: tensors[d] for d in spec.tensor_dtypes} if spec.input != "pil" else {})


def _as_json(value: Any) -> Any:
    """A Python default as the catalog should declare it: enums by name, dtypes by name, lists for tuples."""
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, torch.dtype):
        return str(value).removeprefix("torch.")
    return list(value) if isinstance(value, (tuple, list)) else value


def _as_tensor(output: Any) -> torch.Tensor:
    return torch.from_numpy(np.asarray(output).copy()) if isinstance(output, PIL.Image.Image) else output


def _run(pipeline: Any, image: Any, seed: int) -> torch.Tensor:
    torch.manual_seed(seed)
    return _as_tensor(pipeline(image))


def _random_value(param: catalog.Param, rng: random.Random) -> Any:
    """Some value of the declared kind and range (it may still be one the transform's __init__ rejects)."""
    low, high = param.minimum, param.maximum
    if param.optional and rng.random() < 0.3:
        return None
    if param.kind in ("choice", "interpolation"):
        return rng.choice(param.choices)
    if param.kind == "bool":
        return rng.random() < 0.5
    if param.kind in ("int", "size"):
        value = rng.randint(int(low), min(int(high), 64))
        return (
            [value, rng.randint(int(low), min(int(high), 64))] if param.kind == "size" and rng.random() < 0.5 else value
        )
    if param.kind == "float_pair":
        return sorted(round(rng.uniform(low, high), 3) for _ in range(2))
    if param.kind == "fill":
        return [round(rng.uniform(max(low, 0.1), min(high, 1)), 3) for _ in range(rng.choice([1, 3]))]
    return round(rng.uniform(low, high), 3)


def _random_pipeline(rng: random.Random, length: int) -> list[Step]:
    steps = []
    for _ in range(length):
        name = rng.choice(NAMES)
        params = {p.name: _random_value(p, rng) for p in CATALOG[name].params}
        step = Step(name, params, rng.random() < 0.8, rng.choice([1.0, 0.25, 0.5]))
        steps.append(step if not catalog.validate_step(step) else Step(name, catalog.default_step(name).params))
    return steps


RANDOM_PIPELINES = [_random_pipeline(random.Random(seed), length) for seed, length in enumerate([1, 3, 6, 10, 20])]


class TestCatalogEntries:
    def test_covers_the_golden_transforms_and_only_real_classes(self) -> None:
        codes = [case["code"] for case in torch.load(GOLDEN, weights_only=True)["cases"]]
        used = {name for code in codes for name in re.findall(r"T\.(\w+)\(", code)}
        assert used - NOT_PIPELINE_STEPS <= set(CATALOG)
        assert not set(CATALOG) & NOT_PIPELINE_STEPS
        assert set(NAMES) <= set(T.__all__)
        assert {"ElasticTransform", "ToTensor", "PILToTensor", "ToPILImage", "ConvertImageDtype", "Normalize"} <= set(
            CATALOG
        )

    def test_entries_are_grouped_in_group_order(self) -> None:
        groups = [spec.group for spec in CATALOG.values()]
        assert set(groups) == set(catalog.GROUPS)
        assert groups == sorted(groups, key=catalog.GROUPS.index)

    @pytest.mark.parametrize("name", NAMES)
    def test_declaration_is_well_formed(self, name: str) -> None:
        spec = CATALOG[name]
        assert spec.name == name and spec.summary.endswith(".") and spec.input in ("image", "tensor", "pil")
        assert spec.output in ("same", "tensor", "pil") and set(spec.tensor_dtypes) <= {"uint8", "float"}
        for param in spec.params:
            assert param.kind in catalog.KINDS and param.help
            json.dumps(param.default)
            if param.kind in ("int", "float", "int_pair", "float_pair", "size", "fill"):
                assert param.minimum is not None and param.maximum is not None  # hostile input meets a bound

    @pytest.mark.parametrize("name", NAMES)
    def test_params_mirror_the_constructor(self, name: str) -> None:
        signature = inspect.signature(getattr(T, name)).parameters
        assert [p.name for p in CATALOG[name].params] == [n for n in signature if n != "inplace"]
        for param in CATALOG[name].params:
            if signature[param.name].default is not inspect.Parameter.empty:
                assert _as_json(param.default) == _as_json(signature[param.name].default), param.name

    @pytest.mark.parametrize("name", NAMES)
    def test_default_step_builds_and_applies_to_its_inputs(self, name: str) -> None:
        spec = CATALOG[name]
        transform = catalog.build_step(catalog.default_step(name))
        assert type(transform) is getattr(T, name)
        for kind, image in _inputs(spec).items():
            output = transform(image)
            expected_type = (
                PIL.Image.Image if spec.output == "pil" or (spec.output == "same" and kind == "pil") else torch.Tensor
            )
            assert isinstance(output, expected_type), kind

    @pytest.mark.parametrize("name", NAMES)
    def test_random_flag_says_whether_a_call_draws_random_numbers(self, name: str) -> None:
        transform = catalog.build_step(catalog.default_step(name))
        image = next(iter(_inputs(CATALOG[name]).values()))
        torch.manual_seed(0)
        before = torch.get_rng_state()
        transform(image)
        assert (not torch.equal(before, torch.get_rng_state())) == CATALOG[name].random

    @pytest.mark.parametrize("name", NAMES)
    def test_boxes_flag_says_whether_map_boxes_works(self, name: str) -> None:
        transform = catalog.build_step(catalog.default_step(name))
        transform(next(iter(_inputs(CATALOG[name]).values())))
        boxes = torch.tensor([[10.0, 10.0, 30.0, 40.0]])
        if CATALOG[name].boxes:
            assert transform.map_boxes(boxes).shape == (1, 4)
        else:
            with pytest.raises(NotImplementedError):
                transform.map_boxes(boxes)

    @pytest.mark.parametrize(
        "name", [n for n in NAMES if CATALOG[n].input == "image" and CATALOG[n].tensor_dtypes == ("uint8",)]
    )
    def test_uint8_only_declarations_are_real(self, name: str) -> None:
        step = catalog.default_step(name)
        step.params |= {"p": 1.0} if "p" in step.params else {}
        transform = catalog.build_step(step)
        failures = 0
        for seed in range(20):
            torch.manual_seed(seed)
            try:
                transform(_u8().float() / 255)
            except TypeError:
                failures += 1
        assert failures > 0

    def test_normalize_declares_float_tensors_only(self) -> None:
        assert CATALOG["Normalize"].tensor_dtypes == ("float",)
        with pytest.raises(TypeError, match="float"):
            catalog.build_step(catalog.default_step("Normalize"))(_u8())


class TestSearch:
    def test_text_matches_name_and_summary_ignoring_case(self) -> None:
        assert [s.name for s in catalog.search("BLUR")] == ["GaussianBlur"]
        assert {"RandomCrop", "CenterCrop", "RandomResizedCrop"} <= {s.name for s in catalog.search("crop")}
        assert "RandomErasing" in {s.name for s in catalog.search("occlusion")}

    def test_group_filters_and_empty_text_lists_all(self) -> None:
        assert len(catalog.search()) == len(NAMES)
        assert {s.name for s in catalog.search(group="erasing")} == {"RandomErasing"}
        assert [s.name for s in catalog.search("random", group="geometry")][:2] == ["RandomCrop", "RandomResizedCrop"]
        assert catalog.search("no such transform") == []

    def test_unknown_group_raises(self) -> None:
        with pytest.raises(ValueError, match=r"group should be one of .* got 'shapes'"):
            catalog.search(group="shapes")


# (transform, parameter, a value its kind or range rejects); every kind in the catalog appears.
BAD_VALUES = [
    ("RandomPosterize", "bits", 9),
    ("RandomPosterize", "bits", 3.5),
    ("RandAugment", "num_ops", True),
    ("RandomHorizontalFlip", "p", 1.5),
    ("RandomHorizontalFlip", "p", float("nan")),
    ("ColorJitter", "hue", "0.1"),
    ("RandomRotation", "expand", 1),
    ("Pad", "padding_mode", "mirror"),
    ("Grayscale", "num_output_channels", 2),
    ("Grayscale", "num_output_channels", 1.0),
    ("Resize", "interpolation", "bilinear"),
    ("Resize", "interpolation", 2),
    ("RandomResizedCrop", "scale", [0.5]),
    ("RandomResizedCrop", "scale", [0.5, 1.5]),
    ("RandomRotation", "degrees", None),
    ("RandomCrop", "size", [0, 28]),
    ("RandomCrop", "size", [28, 28, 3]),
    ("CenterCrop", "size", 1e9),
    ("RandomCrop", "fill", [1, 2, 3, 4, 5]),
    ("RandomCrop", "fill", "random"),
    ("RandomErasing", "value", "noise"),
    ("Normalize", "mean", {"r": 0.5}),
]


class TestValidateStep:
    def test_bad_values_cover_every_kind_in_use(self) -> None:
        kinds = {p.kind for name, param, _ in BAD_VALUES for p in CATALOG[name].params if p.name == param}
        assert kinds == {p.kind for name in NAMES for p in CATALOG[name].params}

    @pytest.mark.parametrize(("name", "param", "value"), BAD_VALUES)
    def test_bad_value_is_reported_under_its_param_naming_the_value(self, name: str, param: str, value: Any) -> None:
        step = catalog.default_step(name)
        step.params[param] = value
        problems = catalog.validate_step(step)
        assert list(problems) == [param]
        assert problems[param].startswith(f"{param} should be") and repr(value) in problems[param]
        with pytest.raises(ValueError, match=f"^{name}: {param} should be"):
            catalog.build_step(step)

    @pytest.mark.parametrize(
        ("name", "params", "param", "message"),
        [
            ("GaussianBlur", {"kernel_size": 4}, "kernel_size", "odd"),
            ("RandomResizedCrop", {"scale": [0.9, 0.1]}, "scale", r"\(min, max\)"),
            ("RandAugment", {"magnitude": 40}, "magnitude", "40"),
            ("Resize", {"size": 30, "max_size": 20}, "max_size", "20"),
            ("Normalize", {"std": [0.0, 1.0, 1.0]}, "std", "zeros"),
            ("AugMix", {"alpha": 0.0}, "alpha", "positive"),
        ],
    )
    def test_what_the_constructor_rejects_is_mapped_to_the_param(
        self, name: str, params: dict[str, Any], param: str, message: str
    ) -> None:
        problems = catalog.validate_step(Step(name, catalog.default_step(name).params | params))
        assert list(problems) == [param]
        assert re.search(message, problems[param])

    @pytest.mark.parametrize(
        ("step", "key", "message"),
        [
            (Step("Blur"), "step.name", "unknown transform 'Blur'"),
            (Step("RandomInvert", p=1.5), "step.p", "probability p should be a number in \\[0, 1\\], got 1.5"),
            (Step("RandomInvert", enabled="yes"), "step.enabled", "got 'yes'"),
            (Step("RandomInvert", params=[0.5]), "step.params", "mapping"),
            (Step("RandomInvert", {"q": 0.5}), "q", "RandomInvert has no parameter 'q'"),
        ],
    )
    def test_step_fields_are_checked(self, step: Step, key: str, message: str) -> None:
        problems = catalog.validate_step(step)
        assert key in problems and re.search(message, problems[key])

    def test_missing_params_take_their_defaults(self) -> None:
        assert catalog.validate_step(Step("RandomRotation")) == {}
        assert repr(catalog.build_step(Step("RandomRotation"))) == repr(T.RandomRotation((-30.0, 30.0)))

    def test_a_huge_number_is_reported_without_printing_it(self) -> None:
        problems = catalog.validate_step(Step("Resize", {"size": 10**5000}))
        assert problems["size"].endswith("got a number too large to print")

    def test_a_long_value_is_echoed_shortened(self) -> None:
        problems = catalog.validate_step(Step("RandomInvert", {"p": "x" * 10_000}))
        assert len(problems["p"]) < 120


class TestBuild:
    def test_p_below_one_wraps_in_random_apply(self) -> None:
        built = catalog.build_step(Step("RandomInvert", {"p": 1.0}, p=0.3))
        assert isinstance(built, T.RandomApply) and built.p == 0.3
        assert isinstance(built.transforms[0], T.RandomInvert)

    def test_pipeline_keeps_enabled_steps_in_order(self) -> None:
        steps = [Step("Resize", {"size": 32}), Step("RandomInvert", enabled=False), Step("ToTensor")]
        assert [type(t).__name__ for t in catalog.build_pipeline(steps).transforms] == ["Resize", "ToTensor"]

    def test_invalid_step_raises(self) -> None:
        with pytest.raises(ValueError, match=r"^RandomCrop: size should be"):
            catalog.build_pipeline([Step("RandomCrop", {"size": -1})])

    def test_conversion_values_become_objects(self) -> None:
        assert catalog.build_step(Step("ConvertImageDtype", {"dtype": "float16"})).dtype is torch.float16
        assert catalog.build_step(Step("AutoAugment", {"policy": "SVHN"})).policy is T.AutoAugmentPolicy.SVHN
        assert (
            catalog.build_step(Step("Resize", {"interpolation": "BICUBIC"})).interpolation
            is T.InterpolationMode.BICUBIC
        )


class TestCheckPipeline:
    @pytest.mark.parametrize("name", list(PRESETS))
    def test_presets_have_no_problems(self, name: str) -> None:
        assert catalog.check_pipeline(PRESETS[name]) == []

    @pytest.mark.parametrize(
        ("names", "expected"),
        [
            (["Normalize", "ToTensor"], "Step 1 (Normalize): needs a tensor, but gets a PIL image from the input"),
            (["RandomErasing"], "Step 1 (RandomErasing): needs a tensor"),
            (["ToTensor", "ToTensor"], "Step 2 (ToTensor): needs a PIL image, but gets a float tensor from step 1"),
            (["ToTensor", "Resize", "PILToTensor"], "Step 3 (PILToTensor): needs a PIL image"),
            (["PILToTensor", "Normalize"], "Step 2 (Normalize): needs a float tensor, but gets a uint8 tensor"),
            (["ToTensor", "RandomEqualize"], "Step 2 (RandomEqualize): needs a PIL image or a uint8 tensor"),
            (["ToTensor", "Normalize", "Normalize"], "Step 3 (Normalize): normalizes again, after step 2"),
            (["ToTensor", "Normalize", "ColorJitter"], "Step 3 (ColorJitter): expects values in [0, 1]"),
            (["ToPILImage"], "Step 1 (ToPILImage): needs a tensor"),
        ],
    )
    def test_order_problems_name_the_step_and_transform(self, names: list[str], expected: str) -> None:
        problems = catalog.check_pipeline([catalog.default_step(n) for n in names])
        assert len(problems) == 1 and problems[0].startswith(expected)

    def test_an_unknown_transform_is_reported(self) -> None:
        assert catalog.check_pipeline([Step("Blur"), Step("Blur", enabled=False)]) == [
            "Step 1 (Blur): unknown transform"
        ]

    def test_a_random_conversion_is_reported(self) -> None:
        problems = catalog.check_pipeline([Step("ToTensor", p=0.5), catalog.default_step("Normalize")])
        assert problems == [
            "Step 1 (ToTensor): runs with probability p=0.5, so later steps get mixed inputs: set p to 1"
        ]

    def test_disabled_steps_are_skipped_but_keep_their_number(self) -> None:
        steps = [Step("ToTensor"), Step("ToTensor", enabled=False), Step("ToTensor")]
        assert [p[:6] for p in catalog.check_pipeline(steps)] == ["Step 3"]

    def test_dtype_conversions_are_followed(self) -> None:
        steps = [Step("PILToTensor"), Step("ConvertImageDtype", {"dtype": "float32"}), Step("Normalize")]
        assert catalog.check_pipeline(steps) == []
        assert catalog.check_pipeline([Step("RandomEqualize"), Step("Normalize")], source="uint8")[0].startswith(
            "Step 2 (Normalize): needs a float tensor"
        )
        assert catalog.check_pipeline([Step("Normalize")], source="float") == []

    def test_unknown_source_raises(self) -> None:
        with pytest.raises(ValueError, match=r"source should be one of .* got 'jpeg'"):
            catalog.check_pipeline([], source="jpeg")


class TestJson:
    @pytest.mark.parametrize("name", list(PRESETS))
    def test_presets_round_trip(self, name: str) -> None:
        assert catalog.from_json(catalog.to_json(PRESETS[name], seed=42)) == (PRESETS[name], 42, "v1")

    @pytest.mark.parametrize("steps", RANDOM_PIPELINES)
    def test_random_pipelines_round_trip(self, steps: list[Step]) -> None:
        assert catalog.from_json(catalog.to_json(steps)) == (steps, None, "v1")

    def test_document_layout(self) -> None:
        document = json.loads(catalog.to_json([Step("RandomInvert", p=0.5)], seed=3))
        assert document == {
            "format": "visionkit-pipeline",
            "version": 1,
            "api": "v1",
            "seed": 3,
            "steps": [{"name": "RandomInvert", "enabled": True, "p": 0.5, "params": {"p": 0.5}}],
        }

    def test_left_out_fields_take_defaults(self) -> None:
        text = '{"format": "visionkit-pipeline", "version": 1, "steps": [{"name": "Resize", "params": {"size": 64}}]}'
        steps, seed, api = catalog.from_json(text)
        assert seed is None and api == "v1"
        assert steps == [Step("Resize", catalog.default_step("Resize").params | {"size": 64})]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("{not json", "not valid pipeline JSON"),
            ("[]", "should be a JSON object"),
            ('{"format": "other", "version": 1, "steps": []}', "not a visionkit pipeline"),
            ('{"format": "visionkit-pipeline", "version": 2, "steps": []}', "unsupported pipeline version 2"),
            ('{"format": "visionkit-pipeline", "version": true, "steps": []}', "unsupported pipeline version True"),
            ('{"format": "visionkit-pipeline", "version": 1, "steps": {}}', "steps should be a list"),
            ('{"format": "visionkit-pipeline", "version": 1, "steps": [], "extra": 1}', "unknown field 'extra'"),
            ('{"format": "visionkit-pipeline", "version": 1, "steps": [], "seed": -1}', "seed should be an int"),
            ('{"format": "visionkit-pipeline", "version": 1, "steps": [], "steps": []}', "duplicate key 'steps'"),
            # thousands of keys, two of them repeated far apart: the first in sorted order is named
            ("{" + ", ".join(f'"k{i}": 0' for i in [*range(8000), 7999, 17]) + "}", "duplicate key 'k17'"),
            ('{"format": "visionkit-pipeline", "version": 1, "steps": [{"name": "Blur"}]}',
             "step 1: unknown transform 'Blur'"),
            ('{"format": "visionkit-pipeline", "version": 1, "steps": [{"name": "Pad", "params": {"pad": 1}}]}',
             r"step 1 \(Pad\): Pad has no parameter 'pad'"),
            ('{"format": "visionkit-pipeline", "version": 1, "steps": [{"name": "Pad", "params": {"padding": -1}}]}',
             r"step 1 \(Pad\): padding should be an int in \[0, 512\], got -1"),
            ('{"format": "visionkit-pipeline", "version": 1, "steps": [{"name": "Pad", "params": {"fill": NaN}}]}',
             "NaN is not a number"),
            ('{"format": "visionkit-pipeline", "version": 1, "steps": [{"name": "Pad", "p": 1e400}]}',
             "probability p should be a number in"),
            ("[" * 100_000 + "]" * 100_000, "too large"),
            ("[" * 50_000, "nested too deeply|not valid pipeline JSON"),
        ],
    )  # fmt: skip
    def test_malformed_documents_raise_a_clear_error(self, text: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            catalog.from_json(text)

    def test_too_many_steps(self) -> None:
        with pytest.raises(ValueError, match="at most 50 steps, got 51"):
            catalog.from_json(json.dumps({"format": "visionkit-pipeline", "version": 1, "steps": [{}] * 51}))
        with pytest.raises(ValueError, match="at most 50 steps, got 51"):
            catalog.to_json([Step("RandomInvert")] * 51)

    def test_writing_checks_steps_and_seed(self) -> None:
        with pytest.raises(ValueError, match=r"^RandomInvert: p should be"):
            catalog.to_json([Step("RandomInvert", {"p": 2})])
        with pytest.raises(ValueError, match="seed should be an int in"):
            catalog.to_json([], seed=2**40)

    def test_text_must_be_a_str(self) -> None:
        with pytest.raises(TypeError, match="text should be a str, got bytes"):
            catalog.from_json(b"{}")


def _code_cases() -> list[Any]:
    handmade = [
        Step("RandomRotation", {"degrees": [-10.0, 40.0], "interpolation": "BILINEAR", "expand": True}, p=0.6),
        Step("ColorJitter", {"brightness": 0.4, "hue": 0.1}),
        Step("RandomInvert", enabled=False),
        Step("RandomAffine", {"translate": [0.1, 0.1], "scale": [0.9, 1.1], "fill": [10, 20, 30]}),
        Step("PILToTensor"),
        Step("ConvertImageDtype", {"dtype": "float32"}),
        Step("RandomErasing", {"value": "random", "p": 1.0}),
        Step("Normalize", {"mean": [0.5], "std": [0.25]}),
    ]
    cases = [pytest.param(steps, id=name) for name, steps in PRESETS.items()] + [pytest.param(handmade, id="handmade")]
    return cases + [pytest.param([Step(name, p=0.7)], id=name) for name in NAMES]


class TestCode:
    @pytest.mark.parametrize("steps", _code_cases())
    def test_script_rebuilds_the_pipeline_and_its_draws(self, steps: list[Step]) -> None:
        namespace: dict[str, Any] = {}
        exec(catalog.to_code(steps, seed=5), namespace)
        expected = catalog.build_pipeline(steps)
        assert repr(namespace["pipeline"]) == repr(expected)
        spec = CATALOG[steps[0].name]
        image = next(iter(_inputs(spec).values()))
        exec(catalog.to_code(steps, seed=5), namespace)  # seeds torch again, as running the script would
        actual = _as_tensor(namespace["pipeline"](image))
        assert torch.equal(actual, _run(expected, image, 5))

    @pytest.mark.parametrize("steps", [PRESETS["CIFAR-10 classic"], _code_cases()[-1].values[0]])
    def test_torchvision_variant_differs_only_in_the_import(self, steps: list[Step]) -> None:
        ours = catalog.to_code(steps, seed=1).splitlines()
        theirs = catalog.to_code(steps, library="torchvision", seed=1).splitlines()
        changed = [line for line in difflib.ndiff(ours, theirs) if line[:1] in "+-"]
        assert changed == ["- from visionkit import transforms as T", "+ from torchvision import transforms as T"]

    def test_layout(self) -> None:
        steps = [
            Step("RandomRotation", {"degrees": [-30.0, 30.0], "interpolation": "BILINEAR", "expand": True}),
            Step("RandomInvert", {"p": 1.0}, p=0.3),
            Step("ToTensor", enabled=False),
        ]
        assert catalog.to_code(steps, seed=7) == (
            "# An augmentation pipeline: out = pipeline(img), img being what its first step takes.\n"
            "import random\n"
            "\n"
            "import torch\n"
            "from visionkit import transforms as T\n"
            "\n"
            "pipeline = T.Compose([\n"
            "    T.RandomRotation(degrees=(-30.0, 30.0), interpolation=T.InterpolationMode.BILINEAR, expand=True),\n"
            "    T.RandomApply([T.RandomInvert(p=1.0)], p=0.3),\n"
            "    # disabled: T.ToTensor(),\n"
            "])\n"
            "\n"
            "torch.manual_seed(7)\n"
            "random.seed(7)\n"
        )

    def test_with_an_input_the_script_opens_checks_and_runs_it(self) -> None:
        image = catalog.ScriptInput("in.png", 256, 171, "L", about="the photo scaled to 256 px")
        code = catalog.to_code([Step("RandomInvert")], seed=3, image=image)
        assert code.endswith(
            "# The input: in.png, 256 x 171 px in L mode, the photo scaled to 256 px.\n"
            "img = Image.open('in.png').convert('L')\n"
            'assert img.size == (256, 171), f"expected the 256 x 171 px input, got {img.size}"\n'
            "\n"
            "torch.manual_seed(3)\n"
            "random.seed(3)\n"
            "out = pipeline(img)\n"
        )
        assert "from PIL import Image\n" in code

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"path": ""}, "path should be a non-empty str"),
            ({"path": "a\nb"}, "path should be a non-empty str on one line"),
            ({"width": 0}, "width and height should be positive ints"),
            ({"height": 2.5}, "width and height should be positive ints"),
            ({"mode": "RGBA"}, "mode should be 'RGB' or 'L'"),
            ({"about": "x\nimport os"}, "about should be a str on one line"),
        ],
    )
    def test_a_bad_script_input_is_refused(self, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=re.escape(message)):
            catalog.ScriptInput(**{"path": "in.png", "width": 4, "height": 3, **kwargs})

    def test_no_seed_and_no_steps(self) -> None:
        code = catalog.to_code([])
        assert "manual_seed" not in code and code.endswith("pipeline = T.Compose([])\n")

    def test_unknown_library_raises(self) -> None:
        with pytest.raises(ValueError, match="library should be 'visionkit' or 'torchvision', got 'keras'"):
            catalog.to_code([], library="keras")


def _link(payload: bytes, seed: str = "1") -> dict[str, str]:
    return {"p": base64.urlsafe_b64encode(zlib.compress(payload)).decode().rstrip("="), "seed": seed}


def _doc(steps: Any) -> bytes:
    return json.dumps({"format": "visionkit-pipeline", "version": 1, "steps": steps}).encode()


HOSTILE_LINKS = [
    ({"seed": "1"}, "no 'p' parameter"),
    ({"p": "", "seed": "1"}, "not base64url"),
    ({"p": "%%%", "seed": "1"}, "not base64url"),
    ({"p": "eJzLSM3JyVcozy/KSQEAGgQEXQ==", "seed": "1"}, "not base64url"),
    ({"p": "AAAA", "seed": "1"}, "damaged"),
    ({"p": "A", "seed": "1"}, "damaged"),
    ({"p": "x" * 5000, "seed": "1"}, "damaged"),
    ({"p": "x" * 50_000, "seed": "1"}, "too long"),
    ({"p": 5, "seed": "1"}, "should be text"),
    ({"p": ["AAAA"], "seed": ["1"]}, "damaged"),
    (_link(b"\xff\xfe"), "not UTF-8"),
    (_link(b"[1, 2]"), "should be a JSON object"),
    (_link(b"{"), "not valid pipeline JSON"),
    (_link(b'{"format": "visionkit-pipeline", "version": 9, "steps": []}'), "version 9"),
    (_link(_doc([{}] * 10_000)), "at most 50 steps"),
    (_link(_doc([{"name": "Lambda", "params": {"lambd": "__import__('os')"}}])), "unknown transform 'Lambda'"),
    (_link(_doc([{"name": "Resize", "params": {"size": 10**300}}])), "size should be"),
    (_link(_doc([{"name": "Resize", "params": {"size": "224"}}])), "size should be"),
    (_link(b'{"format": "visionkit-pipeline", "version": 1, "steps": [{"name": "Pad", "p": Infinity}]}'), "Infinity"),
    (_link(b'{"a": ' + b"9" * 5000 + b"}"), "not valid pipeline JSON"),
    (_link(b" " * (catalog.MAX_JSON_CHARS + 1)), "more than 100000 bytes"),
    ({"p": _link(b"{}")["p"][:-4], "seed": "1"}, "damaged"),
    ({"p": _link(b"{}")["p"] + "AAAA", "seed": "1"}, "damaged"),
    ({"p": "AAAA", "seed": "-1"}, "seed should be an int"),
    ({"p": "AAAA", "seed": "9" * 5000}, "seed should be an int"),
    ({"p": "AAAA", "seed": "2147483648"}, "seed should be an int"),
    ({"p": "AAAA", "seed": "1e3"}, "seed should be an int"),
]


class TestQuery:
    @pytest.mark.parametrize("steps", [*PRESETS.values(), *RANDOM_PIPELINES])
    def test_round_trip(self, steps: list[Step]) -> None:
        query = catalog.to_query(steps, 123)
        assert set(query) == {"p", "seed", "api"} and re.fullmatch(r"[A-Za-z0-9_-]+", query["p"])
        assert catalog.from_query(query) == (steps, 123, "v1")

    def test_link_is_compact(self) -> None:
        steps = PRESETS["CIFAR-10 classic"]
        assert len(catalog.to_query(steps, 0)["p"]) < len(catalog.to_json(steps)) / 4

    def test_other_parameters_and_repeats_are_tolerated(self) -> None:
        query = catalog.to_query(PRESETS["RandAugment"], 9)
        params = {"dataset": "cifar10", "p": ["garbage", query["p"]], "seed": [query["seed"]]}
        assert catalog.from_query(params) == (PRESETS["RandAugment"], 9, "v1")

    @pytest.mark.parametrize(("params", "message"), HOSTILE_LINKS)
    def test_hostile_links_raise_a_short_value_error(self, params: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message) as error:
            catalog.from_query(params)
        assert len(str(error.value)) < 200

    def test_a_compression_bomb_is_not_expanded(self) -> None:
        bomb = _link(b"[" + b" " * 10_000_000 + b"]")
        assert len(bomb["p"]) < 20_000  # small enough to be decompressed, not refused for its length
        tracemalloc.start()
        with pytest.raises(ValueError, match="unpacks to more than"):
            catalog.from_query(bomb)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 2_000_000

    def test_a_link_without_seed_means_seed_0(self) -> None:
        # A URL-bound seed widget at its default value leaves the parameter out of the URL.
        assert catalog.from_query({"p": catalog.to_query(PRESETS["RandAugment"], 0)["p"]}) == (
            PRESETS["RandAugment"],
            0,
            "v1",
        )

    def test_seed_is_checked_when_writing(self) -> None:
        with pytest.raises(ValueError, match="seed should be an int in"):
            catalog.to_query([], -3)

    def test_params_must_be_a_mapping(self) -> None:
        with pytest.raises(TypeError, match="params should be a mapping"):
            catalog.from_query("p=AAAA&seed=1")


class TestPresets:
    def test_names_and_cifar_steps(self) -> None:
        assert list(PRESETS) == [
            "CIFAR-10 classic",
            "ImageNet training",
            "ImageNet evaluation",
            "AutoAugment (ImageNet)",
            "RandAugment",
            "TrivialAugmentWide",
        ]
        expected = T.Compose(
            [T.RandomCrop((28, 28)), T.Resize((32, 32)), T.RandomHorizontalFlip(), T.ToTensor(),
             T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]
        )  # fmt: skip
        assert repr(catalog.build_pipeline(PRESETS["CIFAR-10 classic"])) == repr(expected)

    def test_imagenet_evaluation_steps(self) -> None:
        expected = T.Compose(
            [T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))]
        )
        assert repr(catalog.build_pipeline(PRESETS["ImageNet evaluation"])) == repr(expected)

    @pytest.mark.parametrize(
        ("prefix", "steps"),
        [
            ("T.Compose([T.RandomCrop((28, 28))", PRESETS["CIFAR-10 classic"]),
            ("T.Compose([T.RandomResizedCrop(24)", [
                Step("RandomResizedCrop", {"size": 24}), Step("RandomHorizontalFlip"),
                Step("ColorJitter", {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1}),
                Step("ConvertImageDtype", {"dtype": "float32"}), Step("Normalize"),
            ]),
        ],
    )  # fmt: skip
    def test_catalog_pipelines_reproduce_torchvision_recordings(self, prefix: str, steps: list[Step]) -> None:
        golden = torch.load(GOLDEN, weights_only=True)
        case = next(c for c in golden["cases"] if c["code"].startswith(prefix))
        u8 = golden["inputs"]["tensor_u8"]
        image = PIL.Image.fromarray(u8.permute(1, 2, 0).numpy()) if case["input"] == "pil" else u8.clone()
        pipeline = catalog.build_pipeline(steps)
        for recorded in case["outputs"]:
            random.seed(recorded["seed"])
            torch.testing.assert_close(
                _run(pipeline, image, recorded["seed"]), recorded["tensor"], atol=1e-4, rtol=1e-4
            )

    def test_presets_are_valid_steps(self) -> None:
        for steps in PRESETS.values():
            assert all(catalog.validate_step(step) == {} for step in steps)


class TestNormalizeStats:
    def test_stats_of_the_last_enabled_normalize(self) -> None:
        steps = copy.deepcopy(PRESETS["ImageNet training"])
        assert catalog.normalize_stats(steps) == ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
        steps += [Step("Normalize", {"mean": [0.5], "std": [0.2]}), Step("Normalize", {"mean": [1], "std": [2]}, False)]
        assert catalog.normalize_stats(steps) == ([0.5], [0.2])

    def test_none_without_normalize(self) -> None:
        assert catalog.normalize_stats(PRESETS["RandAugment"]) is None


def _shape_of(output: Any) -> tuple[str, int, int, int]:
    if isinstance(output, PIL.Image.Image):
        return ("pil", len(output.getbands()), output.height, output.width)
    return ("uint8" if output.dtype == torch.uint8 else "float", *output.shape[-3:])


PHOTO = catalog.ImageInfo("pil", 3, 171, 256)  # the Augmentation page's input: a photo scaled to 256 px


class TestTrace:
    """trace follows an input through a pipeline without running it: what each step makes, what it costs, and
    where a step cannot run on what it gets."""

    @pytest.mark.parametrize(
        ("steps", "failing", "message"),
        [
            ([Step("Pad", {"padding": 512})] * 16, 2, "would make an image of up to 2,304 x 2,219 pixels (5.1 MP)"),
            ([Step("RandomRotation", {"degrees": [-45.0, 45.0], "expand": True})] * 14, 6, "s per image"),
            ([Step("Resize", {"size": 2048})], 1, "would make an image of up to 3,066 x 2,048 pixels"),
            (
                [Step("PILToTensor"), Step("RandomCrop", {"size": 24, "fill": [1, 2, 3]})],
                2,
                "gets a uint8 tensor, which takes one number as fill, not the list [1, 2, 3]",
            ),
            (
                [Step("PILToTensor"), Step("ToPILImage", {"mode": "LA"})],
                2,
                "makes a 'LA' image, which has 2 channels, from a tensor with 3: use mode 'RGB'",
            ),
            ([Step("RandomRotation", {"degrees": [0.0, 9.0], "fill": [1, 2]})], 1, "fill should hold 1 or 3 values"),
            ([Step("RandomCrop", {"size": 300})], 1, "crops 300 x 300 out of a 256 x 171 image: set pad_if_needed"),
            ([Step("CenterCrop", {"size": 8}), Step("GaussianBlur", {"kernel_size": 31})], 2, "smaller kernel_size"),
            ([Step("ElasticTransform", {"sigma": 20.0})], 1, "the limit is 0.25 s"),
            ([Step("RandomPosterize", {"bits": 0})], 1, "keeps 0 bits, which PIL refuses"),
            (
                [Step("ToTensor"), Step("ToPILImage", p=0.5), Step("Normalize")],
                3,
                "needs a tensor, but gets a PIL image from step 2 (ToPILImage)",
            ),
        ],
        ids=[
            "16-pads", "14-expanding-rotations", "resize-past-the-limit", "list-fill-on-tensor", "LA-from-3-channels",
            "fill-of-2-on-3-channels", "crop-larger-than-image", "kernel-larger-than-image", "slow-elastic",
            "posterize-0-on-PIL", "mixed-kinds",
        ],
    )  # fmt: skip
    def test_a_step_that_cannot_run_is_named_before_anything_runs(
        self, steps: list[Step], failing: int, message: str
    ) -> None:
        with pytest.raises(catalog.StepInputError) as caught:
            catalog.trace(steps, PHOTO)
        assert caught.value.index == failing - 1
        assert str(caught.value).startswith(f"step {failing} {steps[failing - 1].name}(")
        assert message in str(caught.value)
        assert caught.value.reason in str(caught.value)

    def test_disabled_steps_and_the_presets_pass(self) -> None:
        assert catalog.trace([Step("Pad", {"padding": 512}, enabled=False)] * 16, PHOTO).outputs[-1] == PHOTO
        for steps in PRESETS.values():
            assert catalog.trace(steps, PHOTO).seconds < 0.01

    def test_outputs_follow_sizes_channels_and_kinds(self) -> None:
        steps = [
            Step("Resize", {"size": 100}),
            Step("Pad", {"padding": 10}),
            Step("Grayscale"),
            Step("PILToTensor"),
            Step("ConvertImageDtype"),
            Step("RandomRotation", {"degrees": [90.0, 90.0], "expand": True}),
        ]
        outputs = catalog.trace(steps, PHOTO).outputs
        assert [(o.kind, o.channels, o.height, o.width) for o in outputs[:5]] == [
            ("pil", 3, 100, 149),
            ("pil", 3, 120, 169),
            ("pil", 1, 120, 169),
            ("uint8", 1, 120, 169),
            ("float", 1, 120, 169),
        ]
        assert 169 <= outputs[5].height <= 171 and 120 <= outputs[5].width <= 122  # a bound: at most 2 px more

    def test_a_skipped_step_passes_both_images_on(self) -> None:
        """p < 1: the next step gets the crop or the whole image, so a crop that only fits the small one fails."""
        steps = [Step("CenterCrop", {"size": 64}, p=0.5), Step("RandomCrop", {"size": 100})]
        assert catalog.trace(steps[1:], PHOTO).outputs[-1].height == 100
        with pytest.raises(catalog.StepInputError, match="crops 100 x 100 out of a 64 x 64 image"):
            catalog.trace(steps, PHOTO)

    @pytest.mark.parametrize("case", range(150))
    def test_what_trace_accepts_runs_and_stays_within_its_bounds(self, case: int) -> None:
        """Random pipelines on random small images: every one trace accepts runs at every seed tried, and never
        makes a larger image (or another kind) than trace said."""
        rng = random.Random(case)
        steps = [s if rng.random() < 0.7 else Step(s.name, s.params, s.enabled, 0.5) for s in _random_pipeline(
            rng, rng.randint(1, 6))]  # fmt: skip
        mode = rng.choice(["RGB", "L"])
        height, width = rng.randint(8, 80), rng.randint(8, 80)
        pixels = np.random.default_rng(case).integers(0, 256, (height, width, 3), dtype=np.uint8)
        image = PIL.Image.fromarray(pixels).convert(mode)
        try:
            found = catalog.trace(steps, catalog.ImageInfo("pil", len(mode), height, width))
        except catalog.StepInputError:
            return
        largest = found.outputs[-1]
        pipeline = catalog.build_pipeline(steps)
        for seed in range(3):
            torch.manual_seed(seed)
            random.seed(seed)
            kind, _, out_height, out_width = _shape_of(pipeline(image))
            mixed = any(s.enabled and s.p < 1 and CATALOG[s.name].group == "conversion" for s in steps)
            assert kind == largest.kind or mixed
            assert out_height * out_width <= largest.pixels

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"image": (3, 4, 5)}, TypeError, "image should be an ImageInfo"),
            ({"image": catalog.ImageInfo("jpeg", 3, 4, 5)}, ValueError, "image.kind should be one of"),
            ({"image": catalog.ImageInfo("pil", 5, 4, 5)}, ValueError, "1 to 4 channels"),
            ({"max_pixels": 0}, ValueError, "max_pixels should be a positive int"),
            ({"max_seconds": -1.0}, ValueError, "max_seconds should be a positive number"),
        ],
    )
    def test_bad_arguments_are_refused(self, kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
        with pytest.raises(error, match=re.escape(message)):
            catalog.trace([], **{"image": PHOTO, **kwargs})
