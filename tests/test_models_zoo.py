"""torchvision's other classifiers (issue #14) against the recorded ``models_zoo.pt``: state_dict keys and shapes,
parameter counts (also with 10 classes), ``repr`` and, for 17 of them, the logits of deterministic weights."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import visionkit.models as M
from tests.golden.check_parity import deterministic_
from tests.golden.model_cases import num_params

pytestmark = pytest.mark.usefixtures("one_thread")

ZOO = torch.load(Path(__file__).parent / "golden" / "models_zoo.pt", weights_only=True)


@pytest.mark.parametrize("name", sorted(ZOO["cases"]))
def test_matches_torchvision(name: str) -> None:
    expected = ZOO["cases"][name]
    kwargs = expected.get("kwargs", {})
    model = getattr(M, name)(**kwargs)
    assert [(k, tuple(v.shape)) for k, v in model.state_dict().items()] == [tuple(k) for k in expected["keys"]]
    assert num_params(model) == expected["num_params"]
    assert repr(model) == expected["repr"]
    assert num_params(getattr(M, name)(num_classes=10, **kwargs)) == expected["num_params_10_classes"]
    if "logits" in expected:
        deterministic_(model).eval()
        with torch.no_grad():
            logits = model(expected.get("input", ZOO["input"]))
        torch.testing.assert_close(logits, expected["logits"], atol=1e-4, rtol=1e-4)
