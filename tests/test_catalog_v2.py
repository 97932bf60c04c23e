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

from .golden import record_v2_mask_steps as mask_steps

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


_SSD_FILL = {"Mask": 0, "others": [123, 117, 104]}
PER_TYPE = [spec.name for spec in catalog.search(api="v2") if any(param.per_type for param in spec.params)]


def _masked_target(height: int = 64, width: int = 80) -> dict[str, Any]:
    target = _target(height, width)
    masks = torch.zeros(2, height, width, dtype=torch.uint8)
    masks[0, 10:40, 10:30], masks[1, 20:60, 40:70] = 1, 1
    return target | {"masks": tv_tensors.Mask(masks)}


class TestPerTypeFill:
    """A v2 fill per tv_tensors type, as torchvision's SSD recipe fills images with the mean and masks with 0."""

    def test_which_steps_take_one(self) -> None:
        assert set(PER_TYPE) == {
            "RandomCrop", "Pad", "RandomRotation", "RandomAffine", "RandomPerspective", "ElasticTransform",
            "RandomZoomOut", "AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix",
        }  # fmt: skip

    @pytest.mark.parametrize("name", PER_TYPE)
    def test_v2_takes_it_and_v1_refuses_it(self, name: str) -> None:
        step = Step(name, catalog.default_step(name, api="v2").params | {"fill": _SSD_FILL})
        assert catalog.validate_step(step, api="v2") == {}
        assert catalog.build_step(step, api="v2").fill == {tv_tensors.Mask: 0, "others": [123, 117, 104]}
        if "v1" in CATALOG[name].apis:
            problems = catalog.validate_step(step)
            assert list(problems) == ["fill"]
            assert problems["fill"].startswith("fill is a per-type dict {'Mask': 0, 'others': [123, 117, 104]}, whi")
            assert "which only v2 takes: write the pipeline for v2, or give one value" in problems["fill"]

    @pytest.mark.parametrize(
        ("name", "fill", "message"),
        [
            ("Pad", {}, "fill as a per-type dict takes keys among ['Image', 'Mask', 'Video', 'others'], got no key"),
            ("Pad", {"Boxes": 0}, "fill as a per-type dict takes keys among ['Image', 'Mask', 'Video', 'others'], g"),
            ("Pad", {"mask": 0}, "got an unknown key 'mask'"),
            ("Pad", {1: 0}, "got an unknown key 1"),
            ("Pad", {"Mask": None}, "fill['Mask'] should be a number or a list of 1 to 4 numbers"),
            ("Pad", {"Mask": 256}, "fill['Mask'] should be a number or a list of 1 to 4 numbers (one per channel), in"),
            ("Pad", {"others": [1, 2, 3, 4, 5]}, "fill['others'] should be"),
            ("Pad", {"others": {"Mask": 0}}, "fill['others'] should be"),
            ("AutoAugment", {"Image": "x"}, "fill['Image'] should be a number or a list of 1 to 4 numbers (one per c"),
            ("Pad", "x", "or a dict of such fills keyed by some of ['Image', 'Mask', 'Video', 'others'], got 'x'"),
        ],
    )
    def test_bad_ones_are_refused(self, name: str, fill: Any, message: str) -> None:
        problems = catalog.validate_step(Step(name, {"fill": fill}), api="v2")
        assert list(problems) == ["fill"] and message in problems["fill"]

    def test_none_where_the_param_takes_none(self) -> None:
        assert catalog.validate_step(Step("AutoAugment", {"fill": {"Mask": None, "others": 5}}), api="v2") == {}

    def test_other_fill_like_params_take_no_dict(self) -> None:
        problems = catalog.validate_step(Step("RandomErasing", {"value": {"Mask": 0}}), api="v2")
        assert list(problems) == ["value"] and "dict" not in problems["value"]

    def test_images_and_masks_get_their_own_fill(self) -> None:
        pad = catalog.build_step(Step("Pad", {"padding": 2, "fill": {"Mask": 5, "others": [1, 2, 3]}}), api="v2")
        image, target = pad(_pil(), _masked_target())
        assert image.getpixel((0, 0)) == (1, 2, 3) and target["masks"][:, 0, 0].tolist() == [5, 5]
        pad = catalog.build_step(Step("Pad", {"padding": 2, "fill": {"Image": [9, 8, 7], "others": 4}}), api="v2")
        image, target = pad(tv_tensors.Image(_u8()), _masked_target())
        assert image[:, 0, 0].tolist() == [9, 8, 7] and target["masks"][:, 0, 0].tolist() == [4, 4]
        assert pad(_pil()).getpixel((0, 0)) == (4, 4, 4)  # a PIL image is not an Image: it gets "others"

    def test_documents_and_links_keep_it(self) -> None:
        steps = [Step("RandomZoomOut", {"fill": {"others": [1, 2, 3], "Image": 7}}), Step("Pad", {"fill": _SSD_FILL})]
        text = catalog.to_json(steps, api="v2")
        assert json.loads(text)["steps"][0]["params"]["fill"] == {"Image": 7, "others": [1, 2, 3]}
        assert '"Image": 7,' in text.split('"others"')[0]  # keys in the order of FILL_TYPES
        loaded, _, _ = catalog.from_json(text)
        assert [s.params["fill"] for s in loaded] == [{"Image": 7, "others": [1, 2, 3]}, _SSD_FILL]
        assert catalog.from_query(catalog.to_query(steps, 3, api="v2"))[0] == loaded
        v1 = json.dumps({"format": "visionkit-pipeline", "version": 1, "steps": [{"name": "Pad", "params": {
            "fill": _SSD_FILL}}]})  # fmt: skip
        with pytest.raises(ValueError, match=r"step 1 \(Pad\): fill is a per-type dict"):
            catalog.from_json(v1)

    @pytest.mark.parametrize("annotated", [False, True])
    def test_code_writes_tv_tensors_keys_and_imports_them_once(self, annotated: bool) -> None:
        steps = [Step("Pad", {"padding": 2, "fill": {"Mask": 5, "others": [1, 2, 3]}})]
        objects = catalog.ScriptAnnotations([[1, 1, 3, 3]], [1]) if annotated else None
        code = catalog.to_code(steps, api="v2", image=catalog.ScriptInput("in.png", 8, 6, annotations=objects))
        assert '    v2.Pad(padding=2, fill={tv_tensors.Mask: 5, "others": (1, 2, 3)}),' in code.splitlines()
        assert code.splitlines().count("from visionkit import tv_tensors") == 1
        namespace: dict[str, Any] = {}
        exec(catalog.to_code(steps, api="v2"), namespace)
        assert namespace["pipeline"].transforms[0].fill == catalog.build_step(steps[0], api="v2").fill
        assert "tv_tensors" not in catalog.to_code([Step("Pad", {"fill": 3})], api="v2")

    def test_a_disabled_step_with_one_still_gets_the_import(self) -> None:
        code = catalog.to_code([Step("Pad", {"fill": _SSD_FILL}, enabled=False)], api="v2", library="torchvision")
        assert "from torchvision import tv_tensors" in code
        assert '# disabled: v2.Pad(padding=4, fill={tv_tensors.Mask: 0, "others": (123, 117, 104)}),' in code


_GOLDEN_MASKS = json.loads((REPO / "tests" / "golden" / "v2_mask_steps.json").read_text())
_MASK_CASES = [
    pytest.param(case, sample, raises, id=f"{i}-{case['name']}-{''.join(k[0] for k, v in sample.items() if v)}")
    for i, case in enumerate(_GOLDEN_MASKS["cases"])
    for sample, raises in zip(mask_steps.SAMPLES, case["raises"], strict=True)
]


class TestTraceMasksAndKeypoints:
    """trace's verdict on a sample with a Mask or KeyPoints is torchvision's (recorded in
    tests/golden/v2_mask_steps.json by record_v2_mask_steps.py)."""

    def test_the_record_covers_every_v2_step_and_fill(self) -> None:
        assert {case["name"] for case in _GOLDEN_MASKS["cases"]} == set(V2_NAMES)
        assert _GOLDEN_MASKS["torchvision"].startswith("0.29.1")
        failing = {case["name"] for case in _GOLDEN_MASKS["cases"] if any(case["raises"])}
        assert set(PER_TYPE) <= failing

    @pytest.mark.parametrize(("case", "sample", "raises"), _MASK_CASES)
    def test_trace_and_the_v2_classes_agree_with_torchvision(
        self, case: dict[str, Any], sample: dict[str, bool], raises: str | None
    ) -> None:
        assert mask_steps.outcome(case, sample, V, tv_tensors) == raises
        step = Step(case["name"], case["params"])
        assert catalog.validate_step(step, api="v2") == {}
        image = catalog.ImageInfo(case["image"], 3, mask_steps.HEIGHT, mask_steps.WIDTH)
        try:
            catalog.trace([step], image, api="v2", max_pixels=2**30, max_seconds=1e9, **sample)
        except catalog.StepInputError as error:
            # trace also refuses a step that does nothing without boxes, which torchvision lets pass
            assert raises is not None or (CATALOG[step.name].needs_boxes and not sample["boxes"]), str(error)
        else:
            assert raises is None, f"torchvision raises {raises}"

    @pytest.mark.parametrize(
        ("step", "message"),
        [
            (Step("RandomZoomOut", {"fill": [123, 117, 104]}), "fills masks with a list (123, 117, 104); a Mask "
             "takes one number: use a per-type fill such as {Mask: 0, others: (123, 117, 104)}"),
            (Step("Pad", {"fill": [5]}), "fills masks with a list (5,); a Mask takes one number"),
            (Step("RandomRotation", {"fill": {"Mask": [1, 2, 3], "others": 0}}), "fills masks with a list (1, 2, 3) "
             "(its Mask fill); a Mask takes one number: give Mask one number"),
            (Step("ElasticTransform", {"fill": {"others": [1, 2, 3]}}), "fills masks with a list (1, 2, 3); a Mask"),
        ],
    )  # fmt: skip
    def test_a_list_fill_on_masks_says_how_to_fix_it(self, step: Step, message: str) -> None:
        steps = [Step("Resize", {"size": 64}), step]
        assert catalog.trace(steps, PHOTO, api="v2", boxes=True, keypoints=True).outputs
        with pytest.raises(catalog.StepInputError) as caught:
            catalog.trace(steps, PHOTO, api="v2", boxes=True, masks=True)
        assert caught.value.index == 1 and caught.value.reason.startswith(message)

    def test_a_step_that_never_runs_fills_nothing(self) -> None:
        for step in (
            Step("RandomZoomOut", {"fill": [1, 2, 3]}, p=0.0),
            Step("RandomPerspective", {"fill": [1, 2, 3], "p": 0.0}),
        ):
            assert catalog.trace([step], PHOTO, api="v2", masks=True).outputs
        with pytest.raises(catalog.StepInputError, match="fills masks with a list"):
            catalog.trace([Step("RandomZoomOut", {"fill": [1, 2, 3]}, p=0.1)], PHOTO, api="v2", masks=True)

    def test_a_random_crop_fills_only_when_it_pads(self) -> None:
        crop = Step("RandomCrop", {"size": 180, "pad_if_needed": True, "fill": [1, 2, 3]})
        taller = catalog.ImageInfo("pil", 3, 200, 256)
        assert catalog.trace([crop], taller, api="v2", masks=True).outputs[0].height == 180
        with pytest.raises(catalog.StepInputError, match="fills masks with a list"):
            catalog.trace([crop], PHOTO, api="v2", masks=True)  # 171 px high: padded to 180

    def test_keypoints_refuse_non_constant_padding_and_auto_augment(self) -> None:
        with pytest.raises(catalog.StepInputError, match="pads in edge mode, which v2 cannot do to keypoints: use"):
            catalog.trace([Step("Pad", {"padding_mode": "edge"})], PHOTO, api="v2", masks=True, keypoints=True)
        with pytest.raises(catalog.StepInputError, match="cannot do to bounding boxes or keypoints"):
            catalog.trace([Step("Pad", {"padding_mode": "edge"})], PHOTO, api="v2", boxes=True, keypoints=True)
        assert catalog.trace([Step("Pad", {"padding_mode": "edge"})], PHOTO, api="v2", masks=True).outputs
        with pytest.raises(catalog.StepInputError, match=r"cannot take a sample with masks or keypoints \(v2\)"):
            catalog.trace([Step("AugMix")], PHOTO, api="v2", masks=True, keypoints=True)

    def test_masks_and_keypoints_are_v2s(self) -> None:
        for part in ("masks", "keypoints"):
            with pytest.raises(ValueError, match="masks and keypoints need api='v2'"):
                catalog.trace([], PHOTO, **{part: True})

    @pytest.mark.parametrize("name", ["Detection (SSD)", "Segmentation"])
    def test_the_detection_presets_take_masks_and_keypoints(self, name: str) -> None:
        assert catalog.trace(PRESETS_V2[name], PHOTO, api="v2", boxes=True, masks=True, keypoints=True).outputs
        pipeline = catalog.build_pipeline(PRESETS_V2[name], api="v2")
        for seed in range(4):
            torch.manual_seed(seed)
            image, target = pipeline(_pil(171, 256), _masked_target(171, 256))
            assert target["masks"].shape[-2:] == image.shape[-2:] and len(target["masks"]) == len(target["boxes"])


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
        assert zoom.fill == {tv_tensors.Mask: 0, "others": [123, 117, 104]}  # masks 0, images the ImageNet mean
        assert tuple(zoom.side_range) == (1.0, 4.0) and zoom.p == 0.5

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
            ({"keypoints": [[[1, 2], [3]]]}, "keypoints should be None or a list of 1 or more instances"),
            ({"keypoints": [[], []]}, "keypoints should be"),
            ({"keypoints": []}, "keypoints should be"),
            ({"keypoints": [[[1, 2]], [[1, 2], [3, 4]]]}, "the same number for every instance"),
            ({"keypoints": [[[1, 2, 3]]]}, "keypoints should be"),
        ],
    )
    def test_bad_annotations_are_refused(self, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=re.escape(message)):
            catalog.ScriptAnnotations(**({"boxes": [[1, 2, 3, 4]], "labels": [1]} | kwargs))

    def test_annotations_are_hashable_like_the_input(self) -> None:
        objects = catalog.ScriptAnnotations([[1, 2, 3, 4]], [7], keypoints=[[[1, 2]]])
        assert hash(catalog.ScriptInput("in.png", 4, 3, annotations=objects)) is not None
        assert objects.boxes == ((1.0, 2.0, 3.0, 4.0),)

    @pytest.mark.parametrize("boxes", [[], [[1, 1, 4, 3]], [[1, 1, 4, 3], [5, 4, 8, 6], [0, 0, 2, 2]]])
    def test_keypoints_are_instances_of_their_own(self, boxes: list[list[int]]) -> None:
        # A person has keypoints, a cup has none: the number of instances does not follow the boxes.
        people = [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[2.0, 2.0], [4.0, 4.0], [6.0, 5.0]]]
        objects = catalog.ScriptAnnotations(boxes, list(range(len(boxes))), keypoints=people)
        target = objects.target((6, 8))
        assert isinstance(target["keypoints"], tv_tensors.KeyPoints) and target["keypoints"].canvas_size == (6, 8)
        assert target["keypoints"].tolist() == people and target["boxes"].shape == (len(boxes), 4)

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
        keypoints = [[[40.0, 30.0], [100.0, 70.0], [60.0, 50.0]]]  # one instance has keypoints, of two boxes
        objects = catalog.ScriptAnnotations(boxes, labels, "mask.png", keypoints)
        image = catalog.ScriptInput("in.png", 256, 171, annotations=objects)
        steps = PRESETS_V2[name]
        for seed in (0, 3):
            outputs = _run_script(catalog.to_code(steps, seed=seed, image=image, api="v2"), tmp_path)
            target = objects.target((171, 256), torch.from_numpy(ids.astype(np.int64)))
            torch.manual_seed(seed)
            random.seed(seed)
            out_img, out_target = catalog.build_pipeline(steps, api="v2")(photo, target)
            _assert_same(outputs["out_img"], out_img)
            _assert_same(outputs["out_target"], out_target)
            assert set(out_target) == {"boxes", "labels", "keypoints", "masks"}
            assert out_target["keypoints"].shape == (1, 3, 2)


@pytest.mark.parametrize("name", ["Pad", "RandomCrop"])
def test_v2_pads_tensors_with_a_list_fill_where_v1_cannot(name: str) -> None:
    """torchvision v2 pads a tensor with one value per channel; v1 takes one number. trace follows each API, and
    the v2 step really runs on a tensor with that fill."""
    params = {"padding": 2, "fill": [1, 2, 3]} if name == "Pad" else {"size": 6, "padding": 1, "fill": [1, 2, 3]}
    steps = [catalog.Step("PILToTensor"), catalog.Step(name, params)]
    image = catalog.ImageInfo("pil", 3, 4, 4)
    with pytest.raises(catalog.StepInputError, match="takes one number as fill"):
        catalog.trace(steps, image)
    catalog.trace(steps, image, api="v2")
    out = catalog.build_step(steps[1], api="v2")(torch.zeros(3, 4, 4, dtype=torch.uint8))
    assert out[:, 0, 0].tolist() == [1, 2, 3]
    wrong = [catalog.Step("PILToTensor"), catalog.Step(name, {**params, "fill": [1, 2]})]
    with pytest.raises(catalog.StepInputError, match="should hold 1 or 3 values"):
        catalog.trace(wrong, image, api="v2")


@pytest.mark.parametrize("api", ["v1", "v2"])
@pytest.mark.parametrize(
    ("size", "max_size", "message"),
    [(224, 224, "max_size should be larger than the smaller edge size 224"), ([100, 120], 300, "one int")],
)
def test_resize_arguments_refused_only_when_called_are_refused_by_validation(
    api: str, size: Any, max_size: int, message: str
) -> None:
    """torchvision v2's Resize takes these and fails on the first image; the editor says so at once, as for v1."""
    step = catalog.Step("Resize", {"size": size, "max_size": max_size})
    assert message in catalog.validate_step(step, api=api)["max_size"]
    with pytest.raises(ValueError, match=message):
        catalog.build_pipeline([step], api=api)
    assert catalog.validate_step(catalog.Step("Resize", {"size": 224, "max_size": 225}), api=api) == {}
