"""The Models page's glue for families, explanations and comparisons (vkapp.model_explain)."""

from __future__ import annotations

import numpy as np
import torch

from visionkit import models
from vkapp import model_explain


def test_every_architecture_has_a_family_and_the_picker_groups_them() -> None:
    ordered = model_explain.ordered_architectures()
    assert sorted(ordered) == sorted(models.list_models())
    assert all(model_explain.family_of(a) != model_explain.OTHER for a in ordered)
    families = [model_explain.family_of(a) for a in ordered]
    assert families == sorted(families, key=[f for f, _ in model_explain.FAMILIES].index)


def test_label_carries_the_official_facts() -> None:
    facts = models.ResNet50_Weights.DEFAULT.meta
    label = model_explain.arch_label("resnet50")
    assert label.startswith("ResNet · resnet50 · ")
    assert (
        f"{facts['num_params'] / 1e6:.1f} M params" in label
        and f"{facts['_metrics']['ImageNet-1K']['acc@1']:.1f}%" in label
    )


def test_colour_ramp_runs_from_its_first_to_its_last_colour() -> None:
    colours = model_explain.colorize(np.array([[0.0, 0.5, 1.0]]))
    assert colours[0, 0].tolist() == model_explain.RAMP[0].tolist()
    assert colours[0, 2].tolist() == model_explain.RAMP[-1].tolist()
    assert model_explain.legend(64, 4).size == (64, 4)


def test_explainable_layers_are_the_spatial_ones_and_modes_are_kept() -> None:
    model = models.resnet18().train()
    layers = model_explain.explainable_layers(model, (1, 3, 64, 64), "Grad-CAM")
    assert model.training
    assert {"conv1", "layer1", "layer4", "layer4.1"} <= set(layers) and "fc" not in layers
    assert model_explain.explainable_layers(model, (1, 3, 64, 64), "Occlusion") == []


def test_stages_of_a_features_classifier_model_look_into_the_body() -> None:
    info = models.summary(models.vgg11(), (1, 3, 64, 64))
    names = [stage.name for stage in model_explain.stages(info)]
    assert names[0] == "features.0" and "classifier" in names and "features" not in names
    assert sum(s.params for s in model_explain.stages(info)) == info.total_params


def test_forward_time_and_size() -> None:
    model = torch.nn.Linear(256, 256)
    assert model_explain.size_mb(model) == (256 * 256 + 256) * 4 / 2**20
    assert model_explain.forward_seconds(model, (4, 256), repeat=2) > 0
