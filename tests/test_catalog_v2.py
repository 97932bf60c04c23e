"""The catalog's v2 API: which transforms each API has, v2's own transforms mirror visionkit.transforms.v2, and v2
pipelines build, check, trace, save, share and export (scripts that reproduce a detection sample's preview)."""

from __future__ import annotations

import inspect
import json
import random
import re
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import pytest
import torch

import visionkit.transforms as T
import visionkit.transforms.v2 as V
from visionkit import tv_tensors
from visionkit.transforms import catalog
from visionkit.transforms.catalog import CATALOG, PRESETS, PRESETS_V2, Step

torch.set_num_threads(1)

V2_NAMES = [name for name, spec in CATALOG.items() if "v2" in spec.apis]
SHARED = [name for name in V2_NAMES if "v1" in CATALOG[name].apis]
V2_ONLY = [name for name in V2_NAMES if name not in SHARED]
# Arguments the catalog leaves out: a callable, and a list of any length that no widget edits.
LEFT_OUT = {"inplace", "labels_getter", "sampler_options"}
PHOTO = catalog.ImageInfo("pil", 3, 171, 256)
REPO = Path(__file__).resolve().parent.parent


def _u8(height: int = 64, width: int = 80) -> torch.Tensor:
    return torch.randint(0, 256, (3, height, width), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))


def _pil(height: int = 64, width: int = 80) -> PIL.Image.Image:
    return PIL.Image.fromarray(_u8(height, width).permute(1, 2, 0).numpy())


def _target(height: int = 64, width: int = 80) -> dict[str, Any]:
    objects = catalog.ScriptAnnotations([[10.0, 10.0, 30.0, 40.0], [40.0, 20.0, 70.0, 60.0]], [1, 2])
    return objects.target((height, width))


def _inputs(spec: catalog.TransformSpec) -> dict[str, Any]:
    u8 = _u8()
    tensors = {"uint8": u8, "float": u8.float() / 255}
    pil = {"pil": _pil()} if spec.input != "tensor" else {}
    return pil | ({d: tensors[d] for d in spec.tensor_dtypes} if spec.input != "pil" else {})


def _v2_default_as_json(value: Any) -> Any:
    """A v2 default as the catalog declares it: enums and v2's mode strings ('nearest-exact') by name, dtypes by
    name, lists for tuples."""
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, str) and value in {m.value for m in T.InterpolationMode}:
        return T.InterpolationMode(value).name
    if isinstance(value, torch.dtype):
        return str(value).removeprefix("torch.")
    return list(value) if isinstance(value, (tuple, list)) else value


def _plain(value: Any) -> Any:
    """Outputs as plain tensors (PIL images as HWC uint8), to compare."""
    if isinstance(value, PIL.Image.Image):
        return torch.from_numpy(np.asarray(value).copy())
    if isinstance(value, torch.Tensor):
        return value.as_subclass(torch.Tensor)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(item) for item in value)
    return value


def _assert_same(actual: Any, expected: Any) -> None:
    actual, expected = _plain(actual), _plain(expected)
    if isinstance(expected, dict):
        assert set(actual) == set(expected)
        for key in expected:
            _assert_same(actual[key], expected[key])
    elif isinstance(expected, (tuple, list)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            _assert_same(a, e)
    else:
        assert actual.dtype == expected.dtype and torch.equal(actual, expected)


class TestWhichApiHasWhat:
    def test_v1_only_and_v2_only_transforms(self) -> None:
        assert catalog.APIS == ("v1", "v2")
        assert {n for n, s in CATALOG.items() if s.apis == ("v1",)} == {"ToTensor", "ConvertImageDtype"}
        assert set(V2_ONLY) == {
            "ToImage", "ToDtype", "RandomIoUCrop", "RandomZoomOut", "ScaleJitter", "RandomShortestSize",
            "RandomResize", "SanitizeBoundingBoxes", "ClampBoundingBoxes", "RandomPhotometricDistort",
            "RandomChannelPermutation", "GaussianNoise", "JPEG", "RGB",
        }  # fmt: skip
        assert set(V2_NAMES) <= set(dir(V))
        assert not {"CutMix", "MixUp"} & set(CATALOG)  # batch transforms: not pipeline steps

    def test_needs_boxes_marks_the_detection_steps(self) -> None:
        assert {n for n, s in CATALOG.items() if s.needs_boxes} == {
            "RandomIoUCrop",
            "SanitizeBoundingBoxes",
            "ClampBoundingBoxes",
        }

    @pytest.mark.parametrize("name", V2_NAMES)
    def test_params_mirror_the_v2_constructor(self, name: str) -> None:
        signature = inspect.signature(getattr(V, name)).parameters
        named = [n for n, p in signature.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        assert [p.name for p in CATALOG[name].params] == [n for n in named if n not in LEFT_OUT]
        for param in CATALOG[name].params:
            default = signature[param.name].default
            if default is inspect.Parameter.empty:
                continue
            if name == "ColorJitter":  # v2 defaults to None, which it also makes of the catalog's 0 (v1's default)
                assert getattr(V.ColorJitter(**{param.name: param.default}), param.name) is default is None
            else:
                assert _v2_default_as_json(param.default) == _v2_default_as_json(default), param.name

    @pytest.mark.parametrize("name", SHARED)
    def test_shared_transforms_have_the_same_signature_in_both_apis(self, name: str) -> None:
        first, second = (inspect.signature(getattr(m, name)).parameters for m in (T, V))
        assert [n for n in first if n != "inplace"] == [n for n in second if n not in ("inplace", "args", "kwargs")]
        for param_name, param in first.items():
            if name == "ColorJitter" or param_name not in second:
                continue
            v1_default, v2_default = param.default, second[param_name].default
            assert _v2_default_as_json(v1_default) == _v2_default_as_json(v2_default), param_name

    @pytest.mark.parametrize(
        ("name", "api", "message"),
        [
            ("RandomIoUCrop", "v1", "RandomIoUCrop is a v2 transform, not in v1"),
            ("ToTensor", "v2", "ToTensor is not in v2 (visionkit.transforms.v2): v2 pipelines use ToImage"),
            ("ConvertImageDtype", "v2", "use ToDtype"),
            ("Blur", "v2", "unknown transform 'Blur'"),
        ],
    )
    def test_spec_for_a_transform_the_api_lacks_says_which_has_it(self, name: str, api: str, message: str) -> None:
        with pytest.raises(ValueError, match=re.escape(message)):
            catalog.spec_for(name, api=api)
        with pytest.raises(ValueError, match=re.escape(message)):
            catalog.default_step(name, api=api)

    def test_v2_views_differ_where_v2_does(self) -> None:
        assert catalog.spec_for("RandomErasing", api="v2").input == "image"
        assert catalog.spec_for("RandomErasing").input == "tensor"
        assert catalog.spec_for("RandomPosterize", api="v2").tensor_dtypes == ("uint8", "float")
        assert catalog.spec_for("ElasticTransform", api="v2").boxes and not CATALOG["ElasticTransform"].boxes
        assert not catalog.spec_for("AutoAugment", api="v2").boxes and CATALOG["AutoAugment"].boxes

    @pytest.mark.parametrize(
        "call",
        [
            lambda: catalog.search(api="v3"),
            lambda: catalog.validate_step(Step("RandomInvert"), api="V2"),
            lambda: catalog.build_pipeline([], api=None),
            lambda: catalog.check_pipeline([], api="v3"),
            lambda: catalog.trace([], PHOTO, api="v3"),
            lambda: catalog.to_json([], api="v3"),
            lambda: catalog.to_query([], 0, api="v3"),
            lambda: catalog.to_code([], api="v3"),
        ],
    )
    def test_an_unknown_api_is_a_clear_value_error(self, call: Any) -> None:
        with pytest.raises(ValueError, match=r"api should be one of \['v1', 'v2'\], got"):
            call()

    def test_search_lists_the_apis_own_transforms(self) -> None:
        assert {s.name for s in catalog.search(api="v2")} == set(V2_NAMES)
        assert [s.name for s in catalog.search("shortest", api="v2")] == ["RandomShortestSize"]
        assert catalog.search("shortest") == []
        assert {s.name for s in catalog.search(group="boxes", api="v2")} == {
            "SanitizeBoundingBoxes",
            "ClampBoundingBoxes",
        }
        assert catalog.search("erasing", api="v2")[0].input == "image"


class TestV2Declarations:
    @pytest.mark.parametrize("name", V2_NAMES)
    def test_default_step_builds_the_v2_class_and_applies_to_its_inputs(self, name: str) -> None:
        spec = catalog.spec_for(name, api="v2")
        transform = catalog.build_step(catalog.default_step(name, api="v2"), api="v2")
        assert type(transform) is getattr(V, name)
        for kind, image in _inputs(spec).items():
            torch.manual_seed(0)
            output = transform(image, _target()) if spec.needs_boxes else transform(image)
            output = output[0] if spec.needs_boxes else output
            wants_pil = spec.output == "pil" or (spec.output == "same" and kind == "pil")
            assert isinstance(output, PIL.Image.Image if wants_pil else torch.Tensor), kind

    @pytest.mark.parametrize("name", V2_NAMES)
    def test_boxes_flag_says_whether_a_sample_with_boxes_runs(self, name: str) -> None:
        spec = catalog.spec_for(name, api="v2")
        step = catalog.default_step(name, api="v2")
        transform = catalog.build_step(step, api="v2")
        image = next(iter(_inputs(spec).values()))
        image = tv_tensors.Image(image) if isinstance(image, torch.Tensor) and image.dtype == torch.uint8 else image
        torch.manual_seed(0)
        try:
            with pytest.warns(UserWarning) if name == "RandomErasing" else _no_warning():
                _, target = transform(image, _target())
        except TypeError:
            assert not spec.boxes
        else:
            assert spec.boxes and target["boxes"].shape[-1] == 4

    @pytest.mark.parametrize("name", V2_NAMES)
    def test_random_flag_says_whether_a_call_draws_random_numbers(self, name: str) -> None:
        spec = catalog.spec_for(name, api="v2")
        transform = catalog.build_step(catalog.default_step(name, api="v2"), api="v2")
        image = next(iter(_inputs(spec).values()))
        torch.manual_seed(0)
        before = torch.get_rng_state()
        transform(image, _target()) if spec.needs_boxes else transform(image)
        assert (not torch.equal(before, torch.get_rng_state())) == spec.random

    @pytest.mark.parametrize("name", [n for n in V2_NAMES if catalog.spec_for(n, api="v2").tensor_dtypes == ("float",)])
    def test_float_only_declarations_are_real(self, name: str) -> None:
        with pytest.raises(TypeError):
            catalog.build_step(catalog.default_step(name, api="v2"), api="v2")(_u8())

    @pytest.mark.parametrize("name", ["AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix", "RandomEqualize"])
    def test_v2_takes_float_tensors_where_it_says_so(self, name: str) -> None:
        step = catalog.default_step(name, api="v2")
        step.params |= {"p": 1.0} if "p" in step.params else {}
        transform = catalog.build_step(step, api="v2")
        for seed in range(20):
            torch.manual_seed(seed)
            assert transform(_u8().float() / 255).dtype == torch.float32

    def test_v2_erases_pil_images_and_v1_does_not(self) -> None:
        step = Step("RandomErasing", {"p": 1.0})
        torch.manual_seed(0)
        erased = catalog.build_step(step, api="v2")(_pil())
        assert isinstance(erased, PIL.Image.Image) and erased.tobytes() != _pil().tobytes()
        assert catalog.check_pipeline([step], api="v2") == []
        assert "needs a tensor" in catalog.check_pipeline([step])[0]

    def test_gaussian_noise_refuses_pil_images(self) -> None:
        assert catalog.check_pipeline([Step("GaussianNoise")], api="v2") == [
            "Step 1 (GaussianNoise): needs a tensor, but gets a PIL image from the input: add ToImage before it"
        ]
        with pytest.raises(ValueError, match="not implemented for PIL"):
            catalog.build_step(Step("GaussianNoise"), api="v2")(_pil())


class _no_warning:
    def __enter__(self) -> None:
        import warnings

        self._catcher = warnings.catch_warnings()
        self._catcher.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc: Any) -> None:
        self._catcher.__exit__(*exc)


class TestValidateAndBuild:
    def test_a_v2_only_step_in_a_v1_pipeline_is_refused_naming_it(self) -> None:
        problems = catalog.validate_step(Step("RandomIoUCrop"))
        assert list(problems) == ["step.name"] and problems["step.name"].startswith("RandomIoUCrop is a v2 transform")
        with pytest.raises(ValueError, match=r"^RandomIoUCrop: RandomIoUCrop is a v2 transform, not in v1"):
            catalog.build_pipeline([Step("Resize"), Step("RandomIoUCrop")])
        assert catalog.validate_step(Step("RandomIoUCrop"), api="v2") == {}

    @pytest.mark.parametrize(
        ("name", "param", "value"),
        [
            ("RandomShortestSize", "min_size", []),
            ("RandomShortestSize", "min_size", [0, 10]),
            ("RandomShortestSize", "min_size", list(range(1, 18))),
            ("RandomShortestSize", "min_size", 3.5),
            ("JPEG", "quality", [0, 100]),
            ("ToDtype", "dtype", "int7"),
            ("ToDtype", "scale", 1),
            ("ClampBoundingBoxes", "clamping_mode", "clip"),
            ("RandomZoomOut", "side_range", [0.5, 2.0]),
            ("GaussianNoise", "sigma", -0.1),
        ],
    )
    def test_bad_values_of_v2_params(self, name: str, param: str, value: Any) -> None:
        step = catalog.default_step(name, api="v2")
        step.params[param] = value
        problems = catalog.validate_step(step, api="v2")
        assert list(problems) == [param] and problems[param].startswith(f"{param} should be")

    def test_every_kind_of_v2_param_has_a_bad_value_above(self) -> None:
        assert {p.kind for n in V2_ONLY for p in CATALOG[n].params} <= {
            "ints", "int_pair", "choice", "bool", "fill", "float_pair", "float", "int", "interpolation",
        }  # fmt: skip

    def test_v2_builds_v2_containers(self) -> None:
        pipeline = catalog.build_pipeline(
            [Step("ToImage"), Step("RandomInvert", {"p": 1.0}, p=0.3), Step("RGB", enabled=False)], api="v2"
        )
        assert type(pipeline) is V.Compose
        assert [type(t) for t in pipeline.transforms] == [V.ToImage, V.RandomApply]
        assert pipeline.transforms[1].p == 0.3 and type(pipeline.transforms[1].transforms[0]) is V.RandomInvert
        assert catalog.build_step(Step("ToDtype", {"dtype": "float16", "scale": True}), api="v2").dtype is torch.float16
        assert type(catalog.build_step(Step("Resize"), api="v2")) is V.Resize


class TestCheckPipelineV2:
    @pytest.mark.parametrize("name", list(PRESETS_V2))
    def test_v2_presets_have_no_problems(self, name: str) -> None:
        assert catalog.check_pipeline(PRESETS_V2[name], api="v2") == []

    @pytest.mark.parametrize(
        ("steps", "expected"),
        [
            ([Step("ToDtype")], "Step 1 (ToDtype): needs a tensor, but gets a PIL image from the input: add ToImage"),
            ([Step("ToImage"), Step("Normalize")], "Step 2 (Normalize): needs a float tensor, but gets a uint8 tensor "
             "from step 1 (ToImage): add ToDtype(float32, scale=True) before it"),
            ([Step("ToImage"), Step("ToDtype", {"dtype": "float32"}), Step("Normalize")],
             "Step 2 (ToDtype): converts to float32 without scale, so values stay in [0, 255]: set scale to true"),
            ([Step("RandomIoUCrop"), Step("RandomHorizontalFlip")], "Step 1 (RandomIoUCrop): leaves the boxes it cuts"),
            ([Step("ToTensor")], "Step 1 (ToTensor): ToTensor is not in v2 (visionkit.transforms.v2): v2 pipelines"),
            ([Step("ToImage"), Step("JPEG", {"quality": [50, 90]}, p=1.0), Step("ToDtype", {"scale": True}),
              Step("JPEG")], "Step 4 (JPEG): needs a PIL image or a uint8 tensor, but gets a float tensor"),
        ],
    )  # fmt: skip
    def test_v2_order_problems(self, steps: list[Step], expected: str) -> None:
        problems = catalog.check_pipeline(steps, api="v2")
        assert len(problems) == 1 and problems[0].startswith(expected)

    def test_a_v2_step_in_a_v1_pipeline_is_named(self) -> None:
        assert catalog.check_pipeline([Step("Resize"), Step("ToImage")]) == [
            "Step 2 (ToImage): ToImage is a v2 transform, not in v1 (visionkit.transforms): write the pipeline for "
            "v2, or remove it"
        ]


def _shape_of(output: Any) -> tuple[str, int, int, int]:
    if isinstance(output, PIL.Image.Image):
        return ("pil", len(output.getbands()), output.height, output.width)
    return ("uint8" if output.dtype == torch.uint8 else "float", *output.shape[-3:])


def _random_v2_pipeline(rng: random.Random, length: int) -> list[Step]:
    steps = []
    for _ in range(length):
        name = rng.choice(V2_NAMES)
        step = catalog.default_step(name, api="v2")
        for param in CATALOG[name].params:
            if param.kind in ("choice", "interpolation", "bool") and rng.random() < 0.5:
                step.params[param.name] = rng.choice(param.choices or (True, False))
        steps.append(step if not catalog.validate_step(step, api="v2") else catalog.default_step(name, api="v2"))
    return steps


def _takes_boxes(steps: list[Step]) -> bool:
    return all(catalog.spec_for(s.name, api="v2").boxes for s in steps)


class TestTraceV2:
    def test_conversions_are_followed(self) -> None:
        steps = [Step("RGB"), Step("ToImage"), Step("ToDtype", {"dtype": "float32", "scale": True})]
        outputs = catalog.trace(steps, catalog.ImageInfo("pil", 1, 40, 50), api="v2").outputs
        assert [(o.kind, o.channels) for o in outputs] == [("pil", 3), ("uint8", 3), ("float", 3)]
        floats = catalog.trace([Step("ToImage")], catalog.ImageInfo("float", 3, 40, 50), api="v2").outputs
        assert floats[0].kind == "float"  # a tensor stays as it is

    @pytest.mark.parametrize(
        ("steps", "kwargs", "failing", "message"),
        [
            ([Step("Resize"), Step("RandomIoUCrop")], {"api": "v1"}, 2, "is a v2 transform, not in v1"),
            ([Step("ToTensor")], {"api": "v2"}, 1, "is not in v2 (visionkit.transforms.v2)"),
            ([Step("RandomIoUCrop"), Step("SanitizeBoundingBoxes")], {"api": "v2"}, 1, "needs bounding boxes"),
            ([Step("RandAugment")], {"api": "v2", "boxes": True}, 1, "cannot take a sample with bounding boxes"),
            ([Step("RandomResize", {"min_size": 300, "max_size": 300})], {"api": "v2"}, 1, "make max_size larger"),
            ([Step("RandomZoomOut", {"side_range": [1.0, 8.0]})] * 2, {"api": "v2"}, 2, "would make an image"),
            ([Step("ToImage"), Step("JPEG", {"quality": [5, 9]}), Step("ToDtype", {"scale": True}),
              Step("GaussianNoise"), Step("JPEG", {"quality": [5, 9]})], {"api": "v2"}, 5, "needs a PIL image or"),
            ([Step("ToImage"), Step("RGB")], {"api": "v2", "image": catalog.ImageInfo("uint8", 2, 9, 9)}, 2,
             "1, 3 or 4 channels"),
        ],
    )  # fmt: skip
    def test_a_step_that_cannot_run_is_named(
        self, steps: list[Step], kwargs: dict[str, Any], failing: int, message: str
    ) -> None:
        with pytest.raises(catalog.StepInputError) as caught:
            catalog.trace(steps, **({"image": PHOTO} | kwargs))
        assert caught.value.index == failing - 1 and message in str(caught.value)
        assert str(caught.value).startswith(f"step {failing} {steps[failing - 1].name}(")

    @pytest.mark.parametrize("name", list(PRESETS_V2))
    def test_v2_presets_trace_on_what_they_can_take(self, name: str) -> None:
        takes_boxes = _takes_boxes(PRESETS_V2[name])
        assert catalog.trace(PRESETS_V2[name], PHOTO, api="v2", boxes=takes_boxes).seconds < 0.25
        if not takes_boxes:
            with pytest.raises(catalog.StepInputError, match="cannot take a sample with bounding boxes"):
                catalog.trace(PRESETS_V2[name], PHOTO, api="v2", boxes=True)

    def test_non_constant_padding_cannot_move_boxes(self) -> None:
        step = Step("Pad", {"padding": 2, "padding_mode": "reflect"})
        assert catalog.trace([step], PHOTO, api="v2").outputs[0].height == 175
        with pytest.raises(catalog.StepInputError, match="pads in reflect mode, which v2 cannot do to bounding"):
            catalog.trace([step], PHOTO, api="v2", boxes=True)
        with pytest.raises(ValueError, match="not supported with bounding boxes"):
            catalog.build_step(step, api="v2")(_pil(), _target())

    @pytest.mark.parametrize("case", range(60))
    def test_what_trace_accepts_runs_within_its_bounds(self, case: int) -> None:
        """Random v2 pipelines on a random (image, target) sample: every one trace accepts runs, and never makes a
        larger image (or another kind) than trace said."""
        rng = random.Random(case)
        steps = [s if rng.random() < 0.7 else Step(s.name, s.params, s.enabled, 0.5) for s in _random_v2_pipeline(
            rng, rng.randint(1, 5))]  # fmt: skip
        mode = rng.choice(["RGB", "L"])
        height, width = rng.randint(16, 96), rng.randint(16, 96)
        image = _pil(height, width).convert(mode)
        try:
            found = catalog.trace(steps, catalog.ImageInfo("pil", len(mode), height, width), api="v2", boxes=True)
        except catalog.StepInputError:
            return
        largest = found.outputs[-1]
        pipeline = catalog.build_pipeline(steps, api="v2")
        for seed in range(3):
            torch.manual_seed(seed)
            random.seed(seed)
            output, target = pipeline(image, _target(height, width))
            kind, _, out_height, out_width = _shape_of(output)
            mixed = any(s.enabled and s.p < 1 and CATALOG[s.name].group == "conversion" for s in steps)
            assert kind == largest.kind or mixed
            assert out_height * out_width <= largest.pixels
            assert target["boxes"].canvas_size == (out_height, out_width)


class TestDocuments:
    @pytest.mark.parametrize("name", list(PRESETS_V2))
    def test_v2_presets_round_trip_with_their_api(self, name: str) -> None:
        text = catalog.to_json(PRESETS_V2[name], seed=4, api="v2")
        assert json.loads(text)["api"] == "v2"
        assert catalog.from_json(text) == (PRESETS_V2[name], 4, "v2")
        query = catalog.to_query(PRESETS_V2[name], 9, api="v2")
        assert query["api"] == "v2" and catalog.from_query(query) == (PRESETS_V2[name], 9, "v2")

    def test_json_always_writes_the_api(self) -> None:
        assert json.loads(catalog.to_json([Step("RandomInvert")]))["api"] == "v1"

    def test_old_documents_and_links_load_as_v1(self) -> None:
        old = '{"format": "visionkit-pipeline", "version": 1, "seed": 2, "steps": [{"name": "ToTensor"}]}'
        assert catalog.from_json(old) == ([Step("ToTensor")], 2, "v1")
        link = catalog.to_query(PRESETS["CIFAR-10 classic"], 5)
        del link["api"]
        assert catalog.from_query(link) == (PRESETS["CIFAR-10 classic"], 5, "v1")

    @pytest.mark.parametrize(
        ("document", "message"),
        [
            ({"steps": [{"name": "RandomIoUCrop"}]}, r"step 1 \(RandomIoUCrop\): RandomIoUCrop is a v2 transform"),
            ({"api": "v2", "steps": [{"name": "ToTensor"}]}, r"step 1 \(ToTensor\): ToTensor is not in v2"),
            ({"api": "v3", "steps": []}, r"unknown api 'v3' in the pipeline: a pipeline is written for one of"),
            ({"api": 2, "steps": []}, "unknown api 2"),
        ],
    )
    def test_steps_are_checked_against_the_documents_api(self, document: dict[str, Any], message: str) -> None:
        text = json.dumps({"format": "visionkit-pipeline", "version": 1} | document)
        with pytest.raises(ValueError, match=message):
            catalog.from_json(text)

    def test_a_link_with_a_bad_or_contradicting_api_is_refused(self) -> None:
        link = catalog.to_query([Step("ToImage")], 1, api="v2")
        with pytest.raises(ValueError, match=r"step 1 \(ToImage\): ToImage is a v2 transform"):
            catalog.from_query(link | {"api": "v1"})
        with pytest.raises(ValueError, match="unknown api 'v9' in the link"):
            catalog.from_query(link | {"api": "v9"})
        packed = _pack({"format": "visionkit-pipeline", "version": 1, "api": "v1", "steps": []})
        with pytest.raises(ValueError, match="the link's api is 'v2', but its pipeline says 'v1'"):
            catalog.from_query({"p": packed, "api": "v2"})

    def test_writing_checks_steps_against_the_api(self) -> None:
        with pytest.raises(ValueError, match=r"^ToTensor: ToTensor is not in v2"):
            catalog.to_json([Step("ToTensor")], api="v2")
        with pytest.raises(ValueError, match=r"^SanitizeBoundingBoxes: SanitizeBoundingBoxes is a v2 transform"):
            catalog.to_query([Step("SanitizeBoundingBoxes")], 0)


def _pack(document: dict[str, Any]) -> str:
    import base64
    import zlib

    return base64.urlsafe_b64encode(zlib.compress(json.dumps(document).encode())).decode().rstrip("=")


class TestPresetsV2:
    def test_names(self) -> None:
        assert list(PRESETS_V2) == [*PRESETS, "Detection (SSD)", "Segmentation"]

    def test_v1_presets_in_v2_convert_with_to_image_and_to_dtype(self) -> None:
        for name, steps in PRESETS.items():
            v2_names = [s.name for s in PRESETS_V2[name]]
            v1_names = [s.name for s in steps]
            at = v1_names.index("ToTensor")
            assert v2_names == [*v1_names[:at], "ToImage", "ToDtype", *v1_names[at + 1 :]]
            assert PRESETS_V2[name][at + 1].params == {"dtype": "float32", "scale": True}

    @pytest.mark.parametrize("name", ["CIFAR-10 classic", "ImageNet training", "ImageNet evaluation"])
    def test_v2_versions_make_what_the_v1_presets_make(self, name: str) -> None:
        image = _pil(171, 256)
        v1, v2 = catalog.build_pipeline(PRESETS[name]), catalog.build_pipeline(PRESETS_V2[name], api="v2")
        for seed in range(3):
            torch.manual_seed(seed)
            expected = v1(image)
            torch.manual_seed(seed)
            torch.testing.assert_close(_plain(v2(image)), expected, atol=1e-6, rtol=0)

    def test_ssd_follows_torchvisions_recipe(self) -> None:
        pipeline = catalog.build_pipeline(PRESETS_V2["Detection (SSD)"], api="v2")
        assert [type(t).__name__ for t in pipeline.transforms] == [
            "RandomPhotometricDistort", "RandomZoomOut", "RandomIoUCrop", "RandomHorizontalFlip", "ToImage",
            "ToDtype", "SanitizeBoundingBoxes",
        ]  # fmt: skip
        zoom = pipeline.transforms[1]
        assert list(zoom.fill) == [123, 117, 104] and tuple(zoom.side_range) == (1.0, 4.0) and zoom.p == 0.5

    @pytest.mark.parametrize("name", list(PRESETS_V2))
    def test_v2_presets_run_on_an_image_and_on_a_sample(self, name: str) -> None:
        pipeline = catalog.build_pipeline(PRESETS_V2[name], api="v2")
        needs_boxes = any(CATALOG[s.name].needs_boxes for s in PRESETS_V2[name])
        for seed in range(4):
            torch.manual_seed(seed)
            if not needs_boxes:
                assert _plain(pipeline(_pil(171, 256))).dtype == torch.float32
            if not _takes_boxes(PRESETS_V2[name]):
                continue
            image, target = pipeline(_pil(171, 256), _target(171, 256))
            assert image.dtype == torch.float32 and target["boxes"].canvas_size == tuple(image.shape[-2:])
            assert len(target["labels"]) == len(target["boxes"])

    def test_segmentation_makes_normalized_480_crops(self) -> None:
        pipeline = catalog.build_pipeline(PRESETS_V2["Segmentation"], api="v2")
        torch.manual_seed(0)
        assert pipeline(_pil(171, 256)).shape == (3, 480, 480)


class TestAnnotations:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"boxes": [[1, 2, 3]]}, "boxes should be a list of [x1, y1, x2, y2]"),
            ({"boxes": [[5, 2, 3, 4]]}, "x1 <= x2"),
            ({"boxes": [[1, 2, 3, float("nan")]]}, "boxes should be"),
            ({"labels": [1, 2]}, "labels should be a list of 1 ints"),
            ({"labels": [True]}, "labels should be"),
            ({"mask_path": "a\nb.png"}, "mask_path should be None or a non-empty str on one line"),
            ({"keypoints": [[[1, 2], [3]]]}, "keypoints should be None or one list of [x, y] points per box"),
            ({"keypoints": [[], []]}, "keypoints should be"),
        ],
    )
    def test_bad_annotations_are_refused(self, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=re.escape(message)):
            catalog.ScriptAnnotations(**({"boxes": [[1, 2, 3, 4]], "labels": [1]} | kwargs))

    def test_annotations_are_hashable_like_the_input(self) -> None:
        objects = catalog.ScriptAnnotations([[1, 2, 3, 4]], [7], keypoints=[[[1, 2]]])
        assert hash(catalog.ScriptInput("in.png", 4, 3, annotations=objects)) is not None
        assert objects.boxes == ((1.0, 2.0, 3.0, 4.0),)

    def test_a_v1_script_cannot_take_annotations(self) -> None:
        image = catalog.ScriptInput("in.png", 4, 3, annotations=catalog.ScriptAnnotations([], []))
        with pytest.raises(ValueError, match="annotations need api='v2'"):
            catalog.to_code([], image=image)

    def test_target_has_one_binary_mask_per_object(self) -> None:
        ids = torch.zeros(6, 8, dtype=torch.int64)
        ids[1:3, 1:4], ids[4:, 5:] = 1, 2
        objects = catalog.ScriptAnnotations([[1, 1, 4, 3], [5, 4, 8, 6]], [3, 5], mask_path="m.png")
        masks = objects.target((6, 8), ids)["masks"]
        assert isinstance(masks, tv_tensors.Mask) and masks.shape == (2, 6, 8)
        assert masks[0].sum() == 6 and masks[1].sum() == 6 and not (masks[0] & masks[1]).any()


class TestCodeV2:
    def test_layout(self) -> None:
        steps = [
            Step("RandomResize", {"min_size": 100, "max_size": 200, "interpolation": "BICUBIC"}),
            Step("RandomInvert", {"p": 1.0}, p=0.3),
            Step("ToImage"),
            Step("ToDtype", {"dtype": "float32", "scale": True}),
            Step("RGB", enabled=False),
        ]
        assert catalog.to_code(steps, seed=7, api="v2", library="torchvision") == (
            "# An augmentation pipeline (v2): out = pipeline(img), img being what its first step takes.\n"
            "import random\n"
            "\n"
            "import torch\n"
            "from torchvision.transforms import v2\n"
            "\n"
            "pipeline = v2.Compose([\n"
            "    v2.RandomResize(min_size=100, max_size=200, interpolation=v2.InterpolationMode.BICUBIC),\n"
            "    v2.RandomApply([v2.RandomInvert(p=1.0)], p=0.3),\n"
            "    v2.ToImage(),\n"
            "    v2.ToDtype(dtype=torch.float32, scale=True),\n"
            "    # disabled: v2.RGB(),\n"
            "])\n"
            "\n"
            "torch.manual_seed(7)\n"
            "random.seed(7)\n"
        )

    @pytest.mark.parametrize("name", list(PRESETS_V2))
    def test_script_rebuilds_the_v2_pipeline(self, name: str) -> None:
        namespace: dict[str, Any] = {}
        exec(catalog.to_code(PRESETS_V2[name], seed=5, api="v2"), namespace)
        assert repr(namespace["pipeline"]) == repr(catalog.build_pipeline(PRESETS_V2[name], api="v2"))

    def test_libraries_differ_only_in_the_imports(self) -> None:
        image = catalog.ScriptInput("in.png", 8, 6, annotations=catalog.ScriptAnnotations([[1, 1, 3, 3]], [1], "m.png"))
        ours = catalog.to_code(PRESETS_V2["Detection (SSD)"], seed=1, image=image, api="v2").splitlines()
        theirs = catalog.to_code(
            PRESETS_V2["Detection (SSD)"], seed=1, image=image, api="v2", library="torchvision"
        ).splitlines()
        changed = {a for a, b in zip(ours, theirs, strict=True) if a != b}
        assert changed == {"from visionkit import tv_tensors", "from visionkit.transforms import v2"}


_DRIVER = """
import runpy, sys, numpy as np, torch, PIL.Image
def plain(v):
    if isinstance(v, PIL.Image.Image):
        return torch.from_numpy(np.asarray(v).copy())
    if isinstance(v, torch.Tensor):
        return v.as_subclass(torch.Tensor)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    return v
ns = runpy.run_path(sys.argv[1])
torch.save({k: plain(ns[k]) for k in ("out", "out_img", "out_target") if k in ns}, sys.argv[2])
"""


def _run_script(code: str, folder: Path) -> dict[str, Any]:
    (folder / "pipeline.py").write_text(code)
    (folder / "driver.py").write_text(_DRIVER)
    subprocess.run(
        [sys.executable, "driver.py", "pipeline.py", "out.pt"], cwd=folder, check=True, timeout=300,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    return torch.load(folder / "out.pt", weights_only=False)


class TestExportedScriptsRun:
    """The scripts run on their own (a fresh interpreter, files beside them) and make exactly the preview."""

    def test_v1_and_v2_scripts_reproduce_the_outputs(self, tmp_path: Path) -> None:
        photo = _pil(171, 256)
        photo.save(tmp_path / "in.png")
        image = catalog.ScriptInput("in.png", 256, 171)
        for api, steps in (("v1", PRESETS["ImageNet training"]), ("v2", PRESETS_V2["AutoAugment (ImageNet)"])):
            outputs = _run_script(catalog.to_code(steps, seed=11, image=image, api=api), tmp_path)
            torch.manual_seed(11)
            random.seed(11)
            _assert_same(outputs["out"], catalog.build_pipeline(steps, api=api)(photo))

    @pytest.mark.parametrize("name", ["Detection (SSD)", "Segmentation"])
    def test_a_v2_script_reproduces_a_detection_sample(self, name: str, tmp_path: Path) -> None:
        photo = _pil(171, 256)
        photo.save(tmp_path / "in.png")
        ids = np.zeros((171, 256), dtype=np.uint8)
        ids[20:80, 30:120], ids[90:160, 140:250] = 1, 2
        PIL.Image.fromarray(ids).save(tmp_path / "mask.png")
        boxes, labels = [[30.0, 20.0, 120.0, 80.0], [140.0, 90.0, 250.0, 160.0]], [3, 8]
        masked = name == "Segmentation"  # RandomZoomOut's list fill cannot fill a mask
        keypoints = [[[40.0, 30.0], [100.0, 70.0]], [[150.0, 100.0], [240.0, 150.0]]]
        objects = catalog.ScriptAnnotations(boxes, labels, "mask.png" if masked else None, keypoints)
        image = catalog.ScriptInput("in.png", 256, 171, annotations=objects)
        steps = PRESETS_V2[name]
        for seed in (0, 3):
            outputs = _run_script(catalog.to_code(steps, seed=seed, image=image, api="v2"), tmp_path)
            target = objects.target((171, 256), torch.from_numpy(ids.astype(np.int64)) if masked else None)
            torch.manual_seed(seed)
            random.seed(seed)
            out_img, out_target = catalog.build_pipeline(steps, api="v2")(photo, target)
            _assert_same(outputs["out_img"], out_img)
            _assert_same(outputs["out_target"], out_target)
            assert set(out_target) == {"boxes", "labels", "keypoints", *(["masks"] if masked else [])}
