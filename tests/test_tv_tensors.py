"""visionkit.tv_tensors: the types, metadata and return-type rules of torchvision's tv_tensors.

The golden ``expr`` cases of ``transforms_v2.pt`` (recorded from torchvision 0.29.1) that need only tv_tensors are
evaluated here with the shared comparison; the rest spells out the rules a user relies on.
"""

from __future__ import annotations

import copy
import importlib.util
import pickle
from pathlib import Path
from typing import Any

import PIL.Image
import pytest
import torch

from visionkit import tv_tensors as TV

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def _load_check() -> Any:
    spec = importlib.util.spec_from_file_location("check_parity", GOLDEN_DIR / "check_parity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _load_check()
GOLDEN = torch.load(GOLDEN_DIR / "transforms_v2.pt", weights_only=True)
TV_CASES = [c for c in GOLDEN["cases"] if c["kind"] == "expr" and "v2." not in c["code"]]


@pytest.mark.parametrize("case", TV_CASES, ids=[f"{c['code']}-{c['input']}" for c in TV_CASES])
def test_golden_tv_tensor_expressions(case: dict[str, Any]) -> None:
    namespace = {"TV": TV, "torch": torch, "PIL": PIL, **GOLDEN["raw"]}
    x = eval(GOLDEN["inputs"][case["input"]], dict(namespace))
    result = eval(case["code"], {**namespace, "x": x})
    assert check.compare_v2(case["outputs"][0], result) is None


def test_the_golden_file_has_the_tv_tensor_cases() -> None:
    assert len(TV_CASES) >= 25


@pytest.fixture
def boxes() -> TV.BoundingBoxes:
    return TV.BoundingBoxes([[1, 2, 5, 6], [0, 0, 3, 3]], format="xyxy", canvas_size=(10, 12))


class TestReturnType:
    def test_ops_return_plain_tensors_but_clone_and_to_keep_the_type(self, boxes: TV.BoundingBoxes) -> None:
        assert type(boxes + 1) is torch.Tensor
        assert type(boxes.add_(0)) is torch.Tensor
        kept = boxes.to(torch.float64)
        assert type(kept) is TV.BoundingBoxes and kept.canvas_size == (10, 12) and kept.dtype == torch.float64
        assert type(boxes.clone()) is TV.BoundingBoxes and type(boxes.detach()) is TV.BoundingBoxes

    def test_a_plain_tensor_moved_like_a_tv_tensor_stays_plain(self) -> None:
        image = TV.Image(torch.zeros(3, 2, 2))
        assert type(torch.ones(1).to(image)) is torch.Tensor

    def test_set_return_type_as_a_context_manager_restores_the_default(self, boxes: TV.BoundingBoxes) -> None:
        with TV.set_return_type("tvtensor"):
            moved = boxes + 1
            assert type(moved) is TV.BoundingBoxes and moved.format is TV.BoundingBoxFormat.XYXY
            assert [type(part) for part in boxes.unbind(0)] == [TV.BoundingBoxes] * 2
        assert type(boxes + 1) is torch.Tensor

    def test_set_return_type_refuses_other_names(self) -> None:
        with pytest.raises(ValueError, match="'TVTensor' or 'Tensor', got Image"):
            TV.set_return_type("Image")

    def test_deepcopy_and_pickle_keep_type_metadata_and_values(self, boxes: TV.BoundingBoxes) -> None:
        for copied in (copy.deepcopy(boxes), pickle.loads(pickle.dumps(boxes))):
            assert type(copied) is TV.BoundingBoxes
            assert (copied.format, copied.canvas_size, copied.clamping_mode) == (boxes.format, (10, 12), "soft")
            assert torch.equal(copied.as_subclass(torch.Tensor), boxes.as_subclass(torch.Tensor))


class TestWrap:
    def test_wrap_copies_metadata_and_takes_overrides(self, boxes: TV.BoundingBoxes) -> None:
        wrapped = TV.wrap(torch.zeros(3, 4), like=boxes, canvas_size=(20, 30))
        assert type(wrapped) is TV.BoundingBoxes
        assert (wrapped.format, wrapped.canvas_size) == (TV.BoundingBoxFormat.XYXY, (20, 30))

    def test_wrap_checks_what_it_wraps(self, boxes: TV.BoundingBoxes) -> None:
        with pytest.raises(ValueError, match="clamping_mode must be None, hard or soft"):
            TV.wrap(torch.zeros(3, 4), like=boxes, clamping_mode="loose")


class TestConstructors:
    def test_image_from_pil_and_from_a_2d_tensor(self) -> None:
        assert TV.Image(PIL.Image.new("RGB", (4, 3), (9, 8, 7)))[:, 0, 0].tolist() == [9, 8, 7]
        assert TV.Image(torch.zeros(5, 7)).shape == (1, 5, 7)

    def test_requires_grad_follows_the_data(self) -> None:
        assert TV.Image(torch.zeros(1, 2, 2, requires_grad=True)).requires_grad
        assert not TV.Image([[0.0, 1.0]]).requires_grad

    @pytest.mark.parametrize(
        ("build", "error", "match"),
        [
            (lambda: TV.Image(torch.zeros(3)), ValueError, "2D or higher"),
            (lambda: TV.Video(torch.zeros(3, 4, 5)), ValueError, "at least 4 dimensions"),
            (lambda: TV.KeyPoints(torch.zeros(3, 3), canvas_size=(4, 4)), ValueError, r"shape \(..., 2\)"),
            (lambda: TV.BoundingBoxes(torch.zeros(1, 1, 4), format="xyxy", canvas_size=(4, 4)), ValueError, "2D"),
            (lambda: TV.BoundingBoxes([[1, 2, 3, 4, 5]], format="XYWHR", canvas_size=(4, 4)), ValueError, "float"),
            (lambda: TV.BoundingBoxes([[1, 2, 3, 4]], format="XYZ", canvas_size=(4, 4)), KeyError, "XYZ"),
        ],
    )
    def test_bad_data_is_refused_as_torchvision_refuses_it(self, build: Any, error: type, match: str) -> None:
        with pytest.raises(error, match=match):
            build()

    def test_rotated_formats(self) -> None:
        assert TV.is_rotated_bounding_format("CXCYWHR") and not TV.is_rotated_bounding_format(TV.BoundingBoxFormat.XYXY)
        with pytest.raises(ValueError, match="str or BoundingBoxFormat"):
            TV.is_rotated_bounding_format(5)

    def test_repr_names_the_metadata(self, boxes: TV.BoundingBoxes) -> None:
        assert repr(boxes).endswith("format=BoundingBoxFormat.XYXY, canvas_size=(10, 12), clamping_mode=soft)")
        assert repr(TV.Mask(torch.zeros(1))).startswith("Mask(")
