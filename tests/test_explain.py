"""Grad-CAM, Grad-CAM++, occlusion sensitivity and attention rollout (visionkit.models, beyond torchvision) against
hand-computed cases on tiny models whose answers follow from their weights."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from visionkit import models


def tiny_cnn() -> nn.Sequential:
    """conv -> ReLU -> global average -> linear: Grad-CAM is then CAM, computable from the weights alone."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    )


def by_hand(model: nn.Sequential, batch: torch.Tensor, target: int, plus_plus: bool) -> torch.Tensor:
    activations = model[1](model[0](batch))  # [N, 4, H, W]
    area = activations.shape[-2] * activations.shape[-1]
    gradient = model[4].weight[target] / area  # the same at every location
    if plus_plus:
        totals = activations.sum(dim=(2, 3))  # [N, 4]
        alpha = gradient**2 / (2 * gradient**2 + totals * gradient**3)
        weights = area * alpha * gradient.clamp_min(0)
    else:
        weights = gradient.expand(batch.shape[0], -1)
    cam = (weights[:, :, None, None] * activations).sum(1).clamp_min(0)
    return cam / cam.flatten(1).amax(1)[:, None, None]


@pytest.mark.parametrize("plus_plus", [False, True])
@pytest.mark.parametrize("target", [0, 2])
def test_grad_cam_equals_the_hand_computed_class_activation_map(plus_plus: bool, target: int) -> None:
    model = tiny_cnn()
    batch = torch.rand(2, 3, 9, 7)
    explain = models.grad_cam_plus_plus if plus_plus else models.grad_cam
    with torch.no_grad():
        expected = by_hand(model, batch, target, plus_plus)
    torch.testing.assert_close(explain(model, batch, "1", target=target), expected, atol=1e-5, rtol=1e-5)


def test_grad_cam_explains_the_predicted_class_and_keeps_the_model_as_it_was() -> None:
    model = tiny_cnn().train()
    for parameter in model.parameters():
        parameter.requires_grad_(False)  # a frozen backbone still gets a map
    batch = torch.rand(3, 3, 8, 8)
    predicted = model.eval()(batch).argmax(1).tolist()
    model.train()
    heat = models.grad_cam(model, batch, "1")
    assert model.training and heat.shape == (3, 8, 8)
    for i, label in enumerate(predicted):
        torch.testing.assert_close(heat[i], models.grad_cam(model, batch[i : i + 1], "1", target=label)[0])


def test_occlusion_finds_the_only_region_the_model_looks_at() -> None:
    class TopLeft(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            evidence = x[:, :, :8, :8].mean(dim=(1, 2, 3))
            return torch.stack([evidence * 4, torch.zeros_like(evidence)], 1)

    heat = models.occlusion_sensitivity(TopLeft(), torch.ones(1, 3, 32, 32), target=0, window=8, stride=8)
    assert heat.shape == (1, 32, 32)
    assert heat[0, :8, :8].mean() > 0.5 and heat[0, 16:, 16:].max() == 0


class TinyViT(nn.Module):
    """Patch embedding, a class token and one attention block, as torchvision's VisionTransformer arranges them."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.embed = nn.Conv2d(3, 8, 4, stride=4)
        self.cls = nn.Parameter(torch.randn(1, 1, 8))
        self.attention = nn.MultiheadAttention(8, 2, batch_first=True)
        self.head = nn.Linear(8, 5)

    def tokens(self, x: torch.Tensor) -> torch.Tensor:
        patches = self.embed(x).flatten(2).transpose(1, 2)
        return torch.cat([self.cls.expand(x.shape[0], -1, -1), patches], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = self.tokens(x)
        tokens = tokens + self.attention(tokens, tokens, tokens, need_weights=False)[0]
        return self.head(tokens[:, 0])


def test_attention_rollout_of_one_block_is_its_class_token_row() -> None:
    model = TinyViT().eval()
    batch = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        tokens = model.tokens(batch)
        _, attention = model.attention(tokens, tokens, tokens, need_weights=True)
    mixed = attention + torch.eye(17)
    mixed = mixed / mixed.sum(-1, keepdim=True)
    grid = mixed[:, 0, 1:].reshape(2, 1, 4, 4)
    expected = F.interpolate(grid, size=(16, 16), mode="bilinear", align_corners=False)[:, 0]
    expected = expected - expected.flatten(1).amin(1)[:, None, None]
    expected = expected / expected.flatten(1).amax(1)[:, None, None]
    torch.testing.assert_close(models.attention_rollout(model, batch), expected)


def test_grad_cam_on_transformer_tokens_drops_the_class_token() -> None:
    model = TinyViT()
    heat = models.grad_cam(model, torch.rand(1, 3, 16, 16), "attention", target=3)
    assert heat.shape == (1, 16, 16) and heat.min() >= 0 and heat.max() <= 1


def test_bad_arguments_get_clear_errors() -> None:
    model, batch = tiny_cnn(), torch.rand(1, 3, 8, 8)
    with pytest.raises(ValueError, match="layer"):
        models.grad_cam(model, batch, "7")
    with pytest.raises(ValueError, match=r"classes in \[0, 2\]"):
        models.grad_cam(model, batch, "1", target=3)
    with pytest.raises(ValueError, match="no spatial layout"):
        models.grad_cam(model, batch, "4")
    with pytest.raises(TypeError, match="float Tensor"):
        models.grad_cam(model, torch.zeros(1, 3, 8, 8, dtype=torch.uint8), "1")
    with pytest.raises(ValueError, match="window"):
        models.occlusion_sensitivity(model, batch, window=9)
    with pytest.raises(ValueError, match="MultiheadAttention"):
        models.attention_rollout(model, batch)
