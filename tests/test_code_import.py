"""Pasted torchvision code read into catalog steps (catalog.from_code): real snippets, round trips through to_code,
arguments, conversions, and malformed or hostile text, which is refused with a message naming the line and never
run."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import pytest
import torch

import visionkit.transforms as T
import visionkit.transforms.v2 as v2
from visionkit.transforms import catalog
from visionkit.transforms.catalog import (
    APIS,
    CATALOG,
    MAX_JSON_CHARS,
    MAX_STEPS,
    PRESETS,
    PRESETS_V2,
    CodeImportError,
    Step,
)

torch.set_num_threads(1)


def _step(name: str, step_p: float = 1.0, **params: Any) -> Step:
    """A step as from_code returns it: every parameter filled in, in canonical JSON; ``step_p`` is the step's p."""
    step = Step(name, params, p=step_p)
    api = catalog.CATALOG[name].apis[0]
    (read,), _, _ = catalog.from_json(catalog.to_json([step], api=api))
    return read


def _read(code: str) -> tuple[list[Step], str]:
    return catalog.from_code(textwrap.dedent(code))


def _refusal(code: str) -> CodeImportError:
    with pytest.raises(CodeImportError) as info:
        catalog.from_code(code)
    return info.value


_IMAGENET = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}

# The torchvision reference scripts' ImageNet pipelines (references/classification/presets.py, with the recipe's
# values written in: crop 176, TrivialAugmentWide, random erasing 0.1, eval resize 232), and the classic examples.
# Each: the code, the names it needs when run (for those without imports), the pipeline's variable, the steps and
# the API.
REFERENCE_TRAIN_V1 = """
    import torch
    import torchvision.transforms as T
    from torchvision.transforms import InterpolationMode

    train_transform = T.Compose([
        T.RandomResizedCrop(176, interpolation=InterpolationMode.BILINEAR, antialias=True),
        T.RandomHorizontalFlip(0.5),
        T.TrivialAugmentWide(interpolation=InterpolationMode.BILINEAR),
        T.PILToTensor(),
        T.ConvertImageDtype(torch.float),
        T.Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
        T.RandomErasing(p=0.1),
    ])
"""
REFERENCE_TRAIN_STEPS = [
    _step("RandomResizedCrop", size=176),
    _step("RandomHorizontalFlip"),
    _step("TrivialAugmentWide", interpolation="BILINEAR"),
    _step("PILToTensor"),
    _step("ConvertImageDtype", dtype="float32"),
    _step("Normalize", **_IMAGENET),
    _step("RandomErasing", p=0.1),
]
REFERENCE_TRAIN_STEPS_V2 = [
    *REFERENCE_TRAIN_STEPS[:4],
    _step("ToDtype", dtype="float32", scale=True),
    *REFERENCE_TRAIN_STEPS[5:],
]
REFERENCE_EVAL_STEPS = [
    _step("Resize", size=232),
    _step("CenterCrop", size=224),
    _step("PILToTensor"),
    _step("ConvertImageDtype", dtype="float32"),
    _step("Normalize", **_IMAGENET),
]
SNIPPETS: dict[str, tuple[str, str, list[Step], str]] = {
    "reference train, v1": (REFERENCE_TRAIN_V1, "train_transform", REFERENCE_TRAIN_STEPS, "v1"),
    "reference train, v2": (
        """
        import torch
        from torchvision.transforms import v2

        train_transform = v2.Compose([
            v2.RandomResizedCrop(176, interpolation=v2.InterpolationMode.BILINEAR, antialias=True),
            v2.RandomHorizontalFlip(0.5),
            v2.TrivialAugmentWide(interpolation=v2.InterpolationMode.BILINEAR),
            v2.PILToTensor(),
            v2.ToDtype(torch.float, scale=True),
            v2.Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
            v2.RandomErasing(p=0.1),
        ])
        """,
        "train_transform",
        REFERENCE_TRAIN_STEPS_V2,
        "v2",
    ),
    "reference eval, v1": (
        """
        import torch
        import torchvision
        eval_transform = torchvision.transforms.Compose([
            torchvision.transforms.Resize(232, interpolation=torchvision.transforms.InterpolationMode.BILINEAR,
                                          antialias=True),
            torchvision.transforms.CenterCrop(224),
            torchvision.transforms.PILToTensor(),
            torchvision.transforms.ConvertImageDtype(torch.float),
            torchvision.transforms.Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
        ])
        """,
        "eval_transform",
        REFERENCE_EVAL_STEPS,
        "v1",
    ),
    "reference eval, v2 as T": (
        """
        import torch
        import torchvision.transforms.v2 as T

        eval_transform = T.Compose([
            T.Resize(232, interpolation=T.InterpolationMode.BILINEAR, antialias=True),
            T.CenterCrop(224),
            T.PILToTensor(),
            T.ToDtype(torch.float, scale=True),
            T.Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
        ])
        """,
        "eval_transform",
        [*REFERENCE_EVAL_STEPS[:3], _step("ToDtype", dtype="float32", scale=True), REFERENCE_EVAL_STEPS[4]],
        "v2",
    ),
    "classic eval, no imports": (
        """
        eval_transform = transforms.Compose([
            transforms.Resize(256),
            transforms.CenterCrop(224),
            transforms.ToTensor(),
            transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ])
        """,
        "eval_transform",
        PRESETS["ImageNet evaluation"],
        "v1",
    ),
    "classic train, bare names": (
        """
        from torchvision.transforms import *

        train_transform = Compose([
            RandomResizedCrop(224),
            RandomHorizontalFlip(),
            ToTensor(),
            Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ])
        """,
        "train_transform",
        PRESETS["ImageNet training"],
        "v1",
    ),
    "v2 docs, ToImage and ToDtype apart, no imports": (
        """
        transform = v2.Compose([
            v2.ToImage(),
            v2.Resize(size=(224, 224), antialias=True),
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ])
        """,
        "transform",
        [
            _step("ToImage"),
            _step("Resize", size=[224, 224]),
            _step("ToDtype", dtype="float32", scale=True),
            _step("Normalize", **_IMAGENET),
        ],
        "v2",
    ),
    "v2 eval, ToImage and ToDtype together": (
        """
        from torchvision.transforms import v2 as T
        import torch

        eval_tf: T.Compose = T.Compose([
            T.Resize(256),
            T.CenterCrop(224),
            T.ToImage(),
            T.ToDtype(torch.float32, scale=True),
            T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ])
        """,
        "eval_tf",
        PRESETS_V2["ImageNet evaluation"],
        "v2",
    ),
}
# What the snippets without imports need when they run: the usual imports, from visionkit.
_RUN_NAMES = {"transforms": T, "v2": v2, "torch": torch}
# The steps of these draw random numbers in v2 otherwise than in v1, so only their steps are compared.
_V2_RANDOM = {"reference train, v2"}


def _image() -> PIL.Image.Image:
    pixels = np.random.default_rng(0).integers(0, 256, (300, 260, 3), dtype=np.uint8)
    return PIL.Image.fromarray(pixels)


class TestRealWorldSnippets:
    @pytest.mark.parametrize("name", SNIPPETS)
    def test_steps_and_api(self, name: str) -> None:
        code, _, steps, api = SNIPPETS[name]
        assert _read(code) == (steps, api)

    @pytest.mark.parametrize("name", [name for name in SNIPPETS if name not in _V2_RANDOM])
    def test_the_imported_pipeline_computes_what_the_snippet_computes(self, name: str) -> None:
        code, variable, _, _ = SNIPPETS[name]
        namespace = dict(_RUN_NAMES)
        exec(textwrap.dedent(code).replace("torchvision", "visionkit"), namespace)  # trusted test code
        steps, api = _read(code)
        pasted, imported = namespace[variable], catalog.build_pipeline(steps, api=api)
        for seed in range(4):
            torch.manual_seed(seed)
            expected = pasted(_image()).as_subclass(torch.Tensor)
            torch.manual_seed(seed)
            assert torch.equal(imported(_image()).as_subclass(torch.Tensor), expected)

    def test_a_pipeline_inside_a_dataset_call_with_other_statements(self) -> None:
        code = """
            import torchvision.datasets as datasets
            import torchvision.transforms as transforms

            traindir = "/data/imagenet/train"
            train_dataset = datasets.ImageFolder(
                traindir,
                transforms.Compose([
                    transforms.RandomResizedCrop(224),
                    transforms.RandomHorizontalFlip(),
                    transforms.ToTensor(),
                    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
                ]))
            loader = torch.utils.data.DataLoader(train_dataset, batch_size=256, shuffle=True)
        """
        assert _read(code) == (PRESETS["ImageNet training"], "v1")

    def test_a_normalize_kept_in_a_variable_is_named(self) -> None:
        code = """
            normalize = transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
            train_dataset = datasets.ImageFolder(traindir, transforms.Compose([
                transforms.RandomResizedCrop(224),
                normalize,
            ]))
        """
        error = _refusal(textwrap.dedent(code))
        assert error.line == 5
        assert str(error).startswith("line 5: normalize is a variable: write the transform itself")

    def test_the_reference_v2_tail_to_pure_tensor_is_not_in_the_catalog(self) -> None:
        code = textwrap.dedent(SNIPPETS["reference train, v2"][0]).replace(
            "    v2.RandomErasing(p=0.1),\n", "    v2.RandomErasing(p=0.1),\n    v2.ToPureTensor(),\n"
        )
        error = _refusal(code)
        assert error.line == 13
        assert str(error).startswith("line 13: ToPureTensor is not in the catalog")


def _off_default_values(param: catalog.Param) -> list[Any]:
    """Valid-looking values of the declared kind other than the default, best first."""
    low, high = param.minimum, param.maximum
    if param.kind in ("choice", "interpolation"):
        return [choice for choice in param.choices if choice != param.default]
    if param.kind == "bool":
        return [not param.default]
    if param.kind in ("int", "size"):
        start = param.default if isinstance(param.default, int) else int(low)
        return [v for v in (start + 2, start + 1, start - 1, int(high)) if low <= v <= high]
    if param.kind == "float":
        return [round(low + (high - low) * f, 3) for f in (0.3, 0.2, 0.1)]
    if param.kind == "float_pair":
        return [[round(low + (high - low) * f, 3), round(low + (high - low) * (f + 0.1), 3)] for f in (0.3, 0.1, 0.45)]
    if param.kind == "fill":
        return [[0.25, 0.5, 0.75], 3]
    if param.kind == "int_pair":
        return [[int(low) + 1, int(low) + 2], [int(high) - 2, int(high) - 1]]
    if param.kind == "ints":
        return [[int(low) + 100, int(low) + 200], int(low) + 50]
    return []  # a new kind: the round trip test below reports the parameter it could not change


def _off_default_step(spec: catalog.TransformSpec, api: str) -> Step:
    """A valid step with every parameter off its default, as far as the transform allows."""
    params: dict[str, Any] = {}
    for param in spec.params:
        for value in _off_default_values(param):
            if not catalog.validate_step(Step(spec.name, params | {param.name: value}), api=api):
                params[param.name] = value
                break
    return Step(spec.name, params)


def _every_transform(api: str) -> list[Step]:
    """Every transform of the API off its defaults; every other one applied with p=0.25 (a RandomApply)."""
    steps = [_off_default_step(spec, api) for spec in catalog.search(api=api)]
    for step in steps[::2]:
        step.p = 0.25
    return steps


class TestRoundTrip:
    @pytest.mark.parametrize("library", ["visionkit", "torchvision"])
    @pytest.mark.parametrize(
        ("api", "name"), [("v1", name) for name in PRESETS] + [("v2", name) for name in PRESETS_V2]
    )
    def test_presets(self, api: str, name: str, library: str) -> None:
        steps = (PRESETS if api == "v1" else PRESETS_V2)[name]
        assert catalog.from_code(catalog.to_code(steps, library=library, api=api)) == (steps, api)

    @pytest.mark.parametrize("api", APIS)
    def test_every_transform_off_its_defaults(self, api: str) -> None:
        steps = _every_transform(api)
        changed = {step.name: sorted(step.params) for step in steps}
        assert changed == {spec.name: sorted(p.name for p in spec.params) for spec in catalog.search(api=api)}
        expected, _, _ = catalog.from_json(catalog.to_json(steps, api=api))
        assert catalog.from_code(catalog.to_code(steps, api=api)) == (expected, api)

    def test_a_whole_exported_script_with_seed_and_image(self) -> None:
        image = catalog.ScriptInput("photo.png", 64, 48)
        code = catalog.to_code(PRESETS["ImageNet training"], seed=3, image=image)
        assert catalog.from_code(code) == (PRESETS["ImageNet training"], "v1")

    def test_a_whole_exported_v2_detection_script(self) -> None:
        objects = catalog.ScriptAnnotations(boxes=[[1, 2, 10, 12]], labels=[1])
        image = catalog.ScriptInput("photo.png", 64, 48, annotations=objects)
        steps = PRESETS_V2["Detection (SSD)"]
        assert catalog.from_code(catalog.to_code(steps, seed=3, image=image, api="v2")) == (steps, "v2")

    def test_disabled_steps_written_as_comments_are_left_out(self) -> None:
        steps = copy.deepcopy(PRESETS["ImageNet training"])
        steps[1].enabled = False
        assert catalog.from_code(catalog.to_code(steps))[0] == steps[:1] + steps[2:]


class TestForms:
    @pytest.mark.parametrize(
        "code",
        [
            "T.Compose([T.RandomCrop(32, padding=4), T.ToTensor()])",
            "Compose([RandomCrop(32, padding=4), ToTensor()])",
            "import torchvision\ntorchvision.transforms.Compose([torchvision.transforms.RandomCrop(32, padding=4), "
            "torchvision.transforms.ToTensor()])",
            "from visionkit import transforms as tf\ntf.Compose([tf.RandomCrop(32, padding=4), tf.ToTensor()])",
            "from torchvision.transforms import RandomCrop as Crop, ToTensor\n[Crop(32, padding=4), ToTensor()]",
            "[T.RandomCrop(32, padding=4), T.ToTensor()]",
            "(T.RandomCrop(32, padding=4), T.ToTensor())",
            "pipeline = T.Compose([T.Compose([T.RandomCrop(32, padding=4)]), T.Compose([T.Compose([T.ToTensor()])])])",
            "T.Compose(transforms=[T.RandomCrop(32, 4), T.ToTensor()],)",
        ],
    )
    def test_spellings_of_one_pipeline(self, code: str) -> None:
        assert catalog.from_code(code) == ([_step("RandomCrop", size=32, padding=4), _step("ToTensor")], "v1")

    def test_a_single_transform(self) -> None:
        assert catalog.from_code("crop = T.CenterCrop(100)") == ([_step("CenterCrop", size=100)], "v1")

    def test_an_empty_compose(self) -> None:
        assert catalog.from_code("T.Compose([])") == ([], "v1")

    @pytest.mark.parametrize(
        ("code", "api"),
        [
            ("from torchvision.transforms import v2\nv2.Compose([v2.RandomHorizontalFlip()])", "v2"),
            ("from torchvision.transforms import v2 as T\nT.Compose([T.RandomHorizontalFlip()])", "v2"),
            ("import torchvision.transforms.v2 as transforms\ntransforms.RandomHorizontalFlip()", "v2"),
            ("from torchvision.transforms.v2 import RandomHorizontalFlip\nRandomHorizontalFlip()", "v2"),
            ("v2.RandomHorizontalFlip()", "v2"),
            ("torchvision.transforms.v2.RandomHorizontalFlip()", "v2"),
            ("T.Compose([T.ToImage()])", "v2"),
            ("Compose([ToDtype(torch.float32, scale=True)])", "v2"),
            ("T.Resize(10, interpolation=v2.InterpolationMode.NEAREST)", "v2"),
            ("from torchvision import transforms\ntransforms.RandomHorizontalFlip()", "v1"),
            ("import torchvision.transforms as T\nT.RandomHorizontalFlip()", "v1"),
            ("from visionkit.transforms import RandomHorizontalFlip\nRandomHorizontalFlip()", "v1"),
            ("RandomHorizontalFlip()", "v1"),
        ],
    )
    def test_api(self, code: str, api: str) -> None:
        assert catalog.from_code(code)[1] == api


class TestArguments:
    @pytest.mark.parametrize(
        "code",
        [
            "T.RandomRotation((-10, 20), InterpolationMode.BILINEAR, True, None, 5)",
            "T.RandomRotation([-10, 20], interpolation=T.InterpolationMode.BILINEAR, expand=True, fill=5)",
            "T.RandomRotation(degrees=(-10.0, 20.0), fill=5, expand=True, "
            "interpolation=torchvision.transforms.InterpolationMode.BILINEAR)",
            "T.RandomRotation((-10, 20), F.InterpolationMode.BILINEAR, fill=5, expand=True)",
            "from torchvision.transforms.functional import InterpolationMode as IM\n"
            "T.RandomRotation((-10, 20), IM.BILINEAR, True, fill=+5)",
        ],
    )
    def test_positional_and_keyword_mixes(self, code: str) -> None:
        expected = _step("RandomRotation", degrees=[-10.0, 20.0], interpolation="BILINEAR", expand=True, fill=5)
        assert catalog.from_code(code)[0] == [expected]

    def test_positions_follow_the_real_signature_past_what_the_catalog_leaves_out(self) -> None:
        steps, _ = catalog.from_code("T.RandomErasing(0.3, (0.1, 0.2), (0.5, 2.0), 'random', True)")
        assert steps == [_step("RandomErasing", p=0.3, scale=[0.1, 0.2], ratio=[0.5, 2.0], value="random")]
        assert catalog.from_code("T.Normalize((0.5,), (0.25,), inplace=False)")[0] == [
            _step("Normalize", mean=[0.5], std=[0.25])
        ]
        assert catalog.from_code("v2.SanitizeBoundingBoxes(2.0, 4.0, 'default')")[0] == [
            _step("SanitizeBoundingBoxes", min_size=2.0, min_area=4.0)
        ]

    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            (
                "T.RandomAffine(degrees=(-5, 5), translate=None, scale=(0.9, 1.1))",
                _step("RandomAffine", degrees=[-5.0, 5.0], scale=[0.9, 1.1]),
            ),
            (
                "T.RandomAffine(degrees=(-5 + 10 - 15, 10), shear=(-(3), 4 * 2))",
                _step("RandomAffine", degrees=[-10.0, 10.0], shear=[-3.0, 8.0]),
            ),
            ("T.RandomResizedCrop(224, ratio=(3. / 4., 4. / 3.))", _step("RandomResizedCrop", size=224)),
            ("T.ConvertImageDtype(torch.double)", _step("ConvertImageDtype", dtype="float64")),
            ("T.ConvertImageDtype(dtype=torch.uint8)", _step("ConvertImageDtype", dtype="uint8")),
            ("T.AutoAugment(T.AutoAugmentPolicy.SVHN)", _step("AutoAugment", policy="SVHN")),
            ("T.AutoAugment(policy=AutoAugmentPolicy.CIFAR10, fill=None)", _step("AutoAugment", policy="CIFAR10")),
            ("T.AugMix(all_ops=False, chain_depth=-1)", _step("AugMix", all_ops=False)),
            ("T.ToPILImage(mode='RGB')", _step("ToPILImage", mode="RGB")),
            ("T.Pad(4, fill=(124, 116, 104))", _step("Pad", padding=4, fill=[124, 116, 104])),
        ],
    )
    def test_literal_values(self, code: str, expected: Step) -> None:
        assert catalog.from_code(code)[0] == [expected]


class TestRandomApply:
    @pytest.mark.parametrize(
        ("code", "p"),
        [
            ("T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8)", 0.8),
            ("T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], 0.8)", 0.8),
            ("T.RandomApply(transforms=[T.ColorJitter(0.4, 0.4, 0.4, 0.1)])", 0.5),
            ("T.RandomApply([T.Compose([T.ColorJitter(0.4, 0.4, 0.4, 0.1)])], p=1)", 1.0),
        ],
    )
    def test_one_transform_becomes_its_step_with_p(self, code: str, p: float) -> None:
        expected = _step("ColorJitter", step_p=p, brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)
        assert catalog.from_code(f"T.Compose([\n    T.RandomGrayscale(),\n    {code},\n])")[0] == [
            _step("RandomGrayscale"),
            expected,
        ]

    @pytest.mark.parametrize(
        ("code", "message"),
        [
            ("T.RandomApply([T.ColorJitter(0.4), T.RandomGrayscale()], p=0.8)", "RandomApply holds 2 transforms"),
            ("T.RandomApply([], p=0.8)", "RandomApply holds 0 transforms"),
            ("T.RandomApply(torch.nn.ModuleList([T.ColorJitter(0.4)]))", "RandomApply: transforms=torch.nn.Module"),
            ("T.RandomApply([T.ColorJitter(0.4)], p=1.5)", "RandomApply: p should be a number in [0, 1], got 1.5"),
            ("T.RandomApply([T.ColorJitter(0.4)], p=True)", "RandomApply: p should be a number in [0, 1], got True"),
            ("T.RandomApply([T.RandomApply([T.ColorJitter(0.4)])])", "RandomApply inside RandomApply"),
        ],
    )
    def test_anything_but_one_transform_is_refused(self, code: str, message: str) -> None:
        error = _refusal(f"T.Compose([\n    T.RandomGrayscale(),\n    {code},\n])")
        assert error.line == 3
        assert error.reason.startswith(message)


class TestConversions:
    def test_v1_conversions_stay_in_v1_code(self) -> None:
        code = "T.Compose([T.PILToTensor(), T.ConvertImageDtype(torch.float), T.ToPILImage(), T.ToTensor()])"
        expected = [_step("PILToTensor"), _step("ConvertImageDtype"), _step("ToPILImage"), _step("ToTensor")]
        assert catalog.from_code(code) == (expected, "v1")

    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            ("[v2.ToTensor()]", [_step("ToImage"), _step("ToDtype", dtype="float32", scale=True)]),
            ("[v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]", PRESETS_V2["RandAugment"][1:]),
            ("[v2.ConvertImageDtype(torch.float16)]", [_step("ToDtype", dtype="float16", scale=True)]),
            ("[v2.ConvertImageDtype()]", [_step("ToDtype", dtype="float32", scale=True)]),
            ("[v2.ToDtype(torch.uint8)]", [_step("ToDtype", dtype="uint8")]),
            ("[v2.PILToTensor(), v2.ToPILImage()]", [_step("PILToTensor"), _step("ToPILImage")]),
            # a v2-only transform makes the code v2, and its v1 conversions v2's
            ("T.Compose([T.ToTensor(), T.GaussianNoise()])", [*PRESETS_V2["RandAugment"][1:], _step("GaussianNoise")]),
        ],
    )
    def test_v2_code_gets_v2_conversions(self, code: str, expected: list[Step]) -> None:
        steps, api = catalog.from_code(code)
        assert (steps, api) == (expected, "v2")
        assert all("v2" in CATALOG[step.name].apis for step in steps)

    @pytest.mark.filterwarnings("ignore:The transform `ToTensor\\(\\)` is deprecated")
    def test_built_v2_conversions_compute_what_the_pasted_ones_compute(self) -> None:
        pasted = v2.Compose([v2.ToTensor(), v2.ConvertImageDtype(torch.float64)])
        steps, api = catalog.from_code("v2.Compose([v2.ToTensor(), v2.ConvertImageDtype(torch.float64)])")
        imported = catalog.build_pipeline(steps, api=api)
        # v2 says ToTensor is ToImage then ToDtype(float32, scale=True) "up to float precision"
        torch.testing.assert_close(imported(_image()), pasted(_image()), check_dtype=True)

    def test_a_v1_conversion_in_random_apply_in_v2_code_is_two_steps(self) -> None:
        error = _refusal("v2.Compose([\n    v2.RandomApply([v2.ToTensor()], p=0.5),\n])")
        assert (error.line, error.reason.split(";")[0]) == (2, "RandomApply holds 2 transforms")

    @pytest.mark.parametrize(
        ("code", "message"),
        [
            ("v2.ToDtype({torch.Tensor: torch.float32}, scale=True)", "line 1: ToDtype: dtype={torch.Tensor: torch"),
            ("v2.ToDtype(torch.bfloat16, scale=True)", "line 1: ToDtype: dtype should be one of 'float32'"),
            ("v2.ToDtype('float32', scale=True)", "line 1: ToDtype: dtype='float32' should be a torch dtype"),
            ("v2.ToDtype(torch.float32, scale=1)", "line 1: ToDtype: scale should be true or false, got 1"),
            ("v2.ToImage(3)", "line 1: ToImage takes no arguments, got 1"),
            ("v2.ToTensor(3)", "line 1: ToTensor takes no arguments, got 1"),
        ],
    )
    def test_bad_conversions_are_refused(self, code: str, message: str) -> None:
        assert str(_refusal(code)).startswith(message)


def _many_steps(count: int) -> str:
    return "T.Compose([\n" + "".join("    T.RandomHorizontalFlip(),\n" for _ in range(count)) + "])"


# (code, the line the message names, what it must say); each message also starts with "line N: ".
REFUSALS: list[tuple[str, int, str]] = [
    (
        "T.Compose([\n    T.ToTensor(),\n    T.RandomRotation(foo),\n])",
        3,
        "RandomRotation: degrees=foo is not a literal",
    ),
    ("import torchvision.transforms as T\nT.Compose([\n    T.Foo(3),\n])", 3, "Foo is not a transform visionkit knows"),
    (
        "T.Compose([\n    T.RandomCrp(32),\n])",
        2,
        "RandomCrp is not a transform visionkit knows (did you mean RandomCrop?)",
    ),
    ("T.Compose([\n    T.ToTensor(),\n    T.ColorJitter(brightness=-1),\n])", 3, "ColorJitter: brightness should be"),
    (
        "T.ColorJitter(\n    brightness=0.5,\n    hue=0.9,\n)",
        3,
        "ColorJitter: hue should be a number in [0, 0.5], got 0.9",
    ),
    ("T.GaussianBlur(\n    4,\n)", 2, "GaussianBlur: kernel_size should hold odd positive ints, got 4"),
    (
        "T.RandomErasing(\n    0.5,\n    scale=(0.5, 0.1),\n)",
        3,
        "RandomErasing: scale should be of the form (min, max)",
    ),
    (
        "T.RandomRotation(10, foo=1)",
        1,
        "RandomRotation has no parameter 'foo'; it takes degrees, interpolation, expand",
    ),
    ("T.Normalize((0.5,), (0.5,), wrong=True)", 1, "Normalize has no parameter 'wrong'; it takes mean, std"),
    ("T.Normalize((0.5,), (0.5,), inplace=1)", 1, "Normalize: inplace should be True or False, got 1"),
    (
        "v2.SanitizeBoundingBoxes(labels_getter=None)",
        1,
        "SanitizeBoundingBoxes: the pipeline editor keeps labels_getter at its default 'default', got None",
    ),
    ("T.RandomCrop()", 1, "RandomCrop() is missing its required argument size"),
    ("T.CenterCrop(1, 2)", 1, "CenterCrop takes at most 1 positional arguments (size), got 2"),
    ("T.CenterCrop(10, size=10)", 1, "CenterCrop got two values for size"),
    ("T.CenterCrop(*sizes)", 1, "CenterCrop: *sizes is not a literal value"),
    ("T.CenterCrop(**options)", 1, "CenterCrop: **options is not a literal value"),
    ("T.Resize(256, interpolation='bilinear')", 1, "Resize: interpolation='bilinear' should be an InterpolationMode"),
    ("T.Resize(256, interpolation=InterpolationMode.LANCZOS)", 1, "Resize: interpolation should be one of"),
    ("T.Resize(256, interpolation=2)", 1, "Resize: interpolation=2 should be an InterpolationMode"),
    ("T.AutoAugment('imagenet')", 1, "AutoAugment: policy='imagenet' should be an AutoAugmentPolicy"),
    ("T.Pad(InterpolationMode.NEAREST)", 1, "Pad: padding=InterpolationMode.NEAREST is not a value padding takes"),
    ("T.Pad(padding)", 1, "Pad: padding=padding is not a literal value"),
    ("T.Pad(self.padding)", 1, "Pad: padding=self.padding is not a literal value"),
    ("T.Pad(np.int64(4))", 1, "Pad: padding=np.int64(4) is not a literal value"),
    ("T.Pad(f'{4}')", 1, "Pad: padding=f'{4}' is not a literal value"),
    ("T.Pad([p for p in (1, 2)])", 1, "Pad: padding=[p for p in (1, 2)] is not a literal value"),
    ("T.Pad(lambda: 4)", 1, "Pad: padding=lambda: 4 is not a literal value"),
    ("T.Pad(2 ** 3)", 1, "Pad: padding=2 ** 3 is not a literal value"),
    ("T.Pad(4 / 0)", 1, "Pad: padding=4 / 0 cannot be computed"),
    ("T.Pad(-'a')", 1, "Pad: padding=-'a' is not a number"),
    ("T.Pad(1e999)", 1, "Pad: padding should be an int in [0, 512], got inf"),
    ("T.Pad(4, fill=(1, x))", 1, "Pad: fill=(1, x) is not a literal value (x is not a literal value)"),
    ("T.Compose([T.Lambda(lambda img: img)])", 1, "Lambda is not in the catalog"),
    ("T.Compose([T.RandomChoice([T.ToTensor()])])", 1, "RandomChoice is not in the catalog"),
    ("v2.Compose([\n    v2.ToImage(),\n    v2.MixUp(alpha=0.2),\n])", 3, "MixUp is not in the catalog"),
    ("T.Compose([\n    A.HorizontalFlip(p=0.5),\n])", 2, "A.HorizontalFlip is not a transform visionkit knows"),
    ("T.Compose([\n    transform_fn,\n])", 2, "transform_fn is a variable"),
    ("T.Compose([\n    lambda img: img,\n])", 2, "lambda img: img is not a transform"),
    ("T.Compose([T.ToTensor()] * 2)", 1, "Compose: transforms=[T.ToTensor()] * 2 is not a list of transforms"),
    ("T.Compose([T.ToTensor()])\nv2.Compose([v2.ToTensor()])", 2, "the code holds 2 Compose calls (lines 1, 2)"),
    ("train = [T.ToTensor()]\ntest = [T.ToTensor()]", 2, "the code holds 2 pipelines (lines 1, 2)"),
    ("T.Compose([\n    T.ToTensor(),\n", 1, "not valid Python"),
    ("T.Resize(256,\n    interpolation=)", 2, "not valid Python"),
    ("\n\nT.Pad(" + "1" * 5000 + ")", 3, "not valid Python: a number has too many digits"),
    ("T.ToTensor()\n\n\x00", 3, "the code contains a NUL byte"),
    ("T.Pad(" + "[" * 60 + "]" * 60 + ")", 1, "the code is nested too deeply (more than 50 levels)"),
    ("T.Pad(\n" + "-" * 500 + "1)", 2, "the code is nested too deeply"),
    ("[" * 100_000, 1, "not valid Python"),
    (_many_steps(MAX_STEPS + 1), MAX_STEPS + 2, f"the pipeline has more than {MAX_STEPS} steps"),
    # per-type fills
    (
        "v2.Pad(\n    4,\n    fill={tv_tensors.BoundingBoxes: 0},\n)",
        3,
        "Pad: fill has the key tv_tensors.BoundingBoxes, which a per-type fill does not take: use "
        'tv_tensors.Image, tv_tensors.Mask, tv_tensors.Video or "others"',
    ),
    ("v2.Pad(4, fill={\n    tv_tensors.Mask: 0,\n    'Image': 1,\n})", 3, "Pad: fill has the key 'Image',"),
    ("v2.Pad(4, fill={Mask: 0})", 1, "Pad: fill has the key Mask, which"),  # Mask is not imported
    ("v2.Pad(4, fill={torch.float32: 0})", 1, "Pad: fill has the key torch.float32, which"),
    (
        "v2.Pad(4, fill={tv_tensors.Mask: 0, tv_tensors.Mask: 1})",
        1,
        "Pad: fill has the key tv_tensors.Mask twice",
    ),
    (
        "v2.Pad(4, fill={**fills})",
        1,
        "Pad: fill={**fills} unpacks a mapping (**), which is not a literal value",
    ),
    ("v2.Pad(4, fill={tv_tensors.Mask: x})", 1, "Pad: fill={tv_tensors.Mask: x} is not a literal value"),
    (
        "v2.Pad(4, fill={'others': {'others': 1}})",
        1,
        "Pad: fill['others']={'others': 1} is not a value fill['others'] takes",
    ),
    ("v2.Pad(4, fill={})", 1, "Pad: fill as a per-type dict takes keys among"),
    ("v2.Pad(4, fill={tv_tensors.Mask: [1, 2, 3, 4, 5]})", 1, "Pad: fill['Mask'] should be a number or"),
    ("T.Pad(4, fill={tv_tensors.Mask: 0})", 1, "Pad: fill is a per-type dict {'Mask': 0}, which only v2 takes"),
    (
        "v2.RandomErasing(value={tv_tensors.Mask: 0})",
        1,
        "RandomErasing: value={tv_tensors.Mask: 0} is not a value",
    ),
    (
        "v2.RandomZoomOut(fill=[{tv_tensors.Mask: 0}])",
        1,
        "RandomZoomOut: fill=[{tv_tensors.Mask: 0}] is not a value",
    ),
]


class TestRefusals:
    @pytest.mark.parametrize(("code", "line", "message"), REFUSALS, ids=[r[2][:40] for r in REFUSALS])
    def test_the_message_names_the_line_and_the_offender(self, code: str, line: int, message: str) -> None:
        error = _refusal(code)
        assert isinstance(error, ValueError)
        assert error.line == line
        assert str(error).startswith(f"line {line}: ")
        assert message in error.reason

    def test_a_huge_number_is_not_printed(self) -> None:
        error = _refusal("T.Pad(" + "9" * 4000 + ")")
        assert error.reason.startswith("Pad: padding should be an int in [0, 512], got 999")
        assert len(error.reason) < 100

    def test_as_many_steps_as_allowed_are_read(self) -> None:
        assert len(catalog.from_code(_many_steps(MAX_STEPS))[0]) == MAX_STEPS

    @pytest.mark.parametrize(
        ("code", "message"),
        [
            ("", "no pipeline found"),
            ("import torch\nx = 3", "line 2: 3 is not a transform"),
            ("T.ToTensor()\n" + " " * MAX_JSON_CHARS, f"the code is too long: {MAX_JSON_CHARS + 13:,} characters"),
            ("-" * 99_999 + "1", "the code is nested too deeply to read"),
            ("import os\nos.system('true')\nprint('x')", "no pipeline found"),
        ],
    )
    def test_whole_text_problems(self, code: str, message: str) -> None:
        assert str(_refusal(code)).startswith(message)

    def test_the_module_can_be_imported_before_the_catalog(self) -> None:
        code = "from visionkit.transforms._code_import import from_code; print(from_code('T.ToTensor()')[1])"
        root = Path(__file__).resolve().parents[1]
        done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
        assert (done.returncode, done.stdout) == (0, "v1\n"), done.stderr

    def test_text_must_be_a_str(self) -> None:
        with pytest.raises(TypeError, match="text should be a str, got bytes"):
            catalog.from_code(b"T.ToTensor()")  # type: ignore[arg-type]

    def test_the_error_survives_pickling(self) -> None:
        error = _refusal("T.Compose([\n    T.Foo(),\n])")
        copied = pickle.loads(pickle.dumps(error))
        assert (type(copied), copied.line, copied.reason, str(copied)) == (CodeImportError, 2, error.reason, str(error))


class TestNeverExecutes:
    @pytest.mark.parametrize(
        "template",
        [
            "T.Compose([T.Resize(__import__('os').system('touch {path}'))])",
            "T.Compose([T.Resize(256, interpolation=open('{path}', 'w'))])",
            "T.Compose([__import__('os').system('touch {path}')])",
            "T.Compose([T.Lambda(lambda img: open('{path}', 'w'))])",
            "T.Compose([T.Pad(4, fill=[open('{path}', 'w') for _ in range(1)])])",
            "T.Compose([T.Pad((lambda: open('{path}', 'w'))())])",
            "import os\nos.system('touch {path}')",
            "__import__('os').system('touch {path}')",
        ],
    )
    def test_code_in_the_text_has_no_effect(self, template: str, tmp_path: Path) -> None:
        target = tmp_path / "ran"
        with pytest.raises(CodeImportError):
            catalog.from_code(template.format(path=target))
        assert not target.exists()

    def test_statements_beside_the_pipeline_are_ignored_not_run(self, tmp_path: Path) -> None:
        target = tmp_path / "ran"
        code = f"import os\nos.system('touch {target}')\npipeline = T.Compose([T.ToTensor()])\n"
        assert catalog.from_code(code) == ([_step("ToTensor")], "v1")
        assert not target.exists()


_SSD_FILL = {"Mask": 0, "others": [123, 117, 104]}


class TestPerTypeFill:
    """A v2 fill per tv_tensors type, ``{tv_tensors.Mask: 0, "others": (...)}``, read however the text names the
    types; anything else as a key is refused with its line."""

    @pytest.mark.parametrize(
        "code",
        [
            "from torchvision import tv_tensors\nfrom torchvision.transforms import v2\n"
            "v2.RandomZoomOut(fill={tv_tensors.Mask: 0, 'others': (123, 117, 104)})",
            "v2.RandomZoomOut(fill={tv_tensors.Mask: 0, 'others': (123, 117, 104)})",
            "v2.RandomZoomOut(fill={'others': [123, 117, 104], tv_tensors.Mask: 0})",
            "import torchvision\nv2.RandomZoomOut(fill={torchvision.tv_tensors.Mask: 0, 'others': (123, 117, 104)})",
            "from torchvision.tv_tensors import Mask\nv2.RandomZoomOut(fill={Mask: 0, 'others': (123, 117, 104)})",
            "from visionkit import tv_tensors as tvt\nv2.RandomZoomOut(fill={tvt.Mask: 0, 'others': (123, 117, 104)})",
        ],
    )
    def test_spellings_of_one_fill(self, code: str) -> None:
        assert catalog.from_code(code) == ([_step("RandomZoomOut", fill=_SSD_FILL)], "v2")

    def test_image_and_video_keys(self) -> None:
        expected, _, _ = catalog.from_json(
            catalog.to_json([Step("Pad", {"padding": 4, "fill": {"Image": 1, "Video": 2.5}})], api="v2")
        )
        assert _read("v2.Pad(4, fill={tv_tensors.Image: 1, tv_tensors.Video: 2.5})") == (expected, "v2")

    @pytest.mark.parametrize("library", ["visionkit", "torchvision"])
    def test_every_fill_round_trips_through_code(self, library: str) -> None:
        steps = [
            Step(spec.name, catalog.default_step(spec.name, api="v2").params | {"fill": _SSD_FILL})
            for spec in catalog.search(api="v2")
            if any(param.per_type for param in spec.params)
        ]
        assert len(steps) == 11  # the pads, warps and auto-augment policies
        expected, _, _ = catalog.from_json(catalog.to_json(steps, api="v2"))
        assert catalog.from_code(catalog.to_code(steps, library=library, api="v2")) == (expected, "v2")


@pytest.mark.parametrize(
    ("code", "argument", "expected"),
    [
        ("v2.RandomRotation(45)", "degrees", [-45, 45]),
        ("T.RandomRotation(degrees=0)", "degrees", [0, 0]),
        ("v2.RandomAffine(10, shear=5)", "shear", [-5, 5]),
        ("T.RandomAffine(degrees=12.5)", "degrees", [-12.5, 12.5]),
        ("v2.GaussianBlur(3, 1.5)", "sigma", [1.5, 1.5]),
        ("v2.JPEG(50)", "quality", [50, 50]),
    ],
)
def test_one_number_where_torchvision_takes_one_is_read_as_its_pair(code: str, argument: str, expected: list) -> None:
    """torchvision reads RandomRotation(45) as degrees (-45, 45) and GaussianBlur(3, 1.5) as sigma (1.5, 1.5): the
    imported step builds the same transform."""
    (step,), api = catalog.from_code(code)
    assert step.params[argument] == expected
    module = v2 if api == "v2" else T
    written = eval(code, {"v2": module, "T": module})  # the literal call, on visionkit's own classes
    built = catalog.build_step(step, api=api)
    assert list(getattr(built, argument)) == list(getattr(written, argument))


@pytest.mark.parametrize("code", ["v2.RandomRotation(-3)", "v2.GaussianBlur(3, 0)", "T.RandomAffine(0, shear=-1)"])
def test_a_negative_single_number_is_refused_as_torchvision_refuses_it(code: str) -> None:
    with pytest.raises(CodeImportError, match="a single number must be positive"):
        catalog.from_code(code)
