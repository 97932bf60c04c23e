"""Model edits and summaries on one architecture of every family (issue #14): the head is found by what the model
has, replaced for 10 classes and trained alone after a freeze; input channels, dropout and activations change, and
the edited model still runs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from visionkit import models

pytestmark = pytest.mark.usefixtures("one_thread")

#: One small member per family, its input side, the head it has and the activation it uses.
FAMILIES = [
    ("alexnet", 64, "classifier.6", "ReLU"),
    ("squeezenet1_1", 64, "classifier.1", "ReLU"),
    ("densenet121", 64, "classifier", "ReLU"),
    ("googlenet", 64, "fc", None),  # F.relu inside BasicConv2d: no activation module to swap
    ("inception_v3", 80, "fc", None),
    ("shufflenet_v2_x0_5", 64, "fc", "ReLU"),
    ("mnasnet0_5", 64, "classifier.1", "ReLU"),
    ("efficientnet_b0", 64, "classifier.1", "SiLU"),
    ("regnet_x_400mf", 64, "fc", "ReLU"),
    ("convnext_tiny", 64, "classifier.2", "GELU"),
    ("vit_b_32", 224, "heads.head", "GELU"),
    ("swin_t", 64, "head", "GELU"),
    ("maxvit_t", 224, "classifier.5", "GELU"),
]


def built(name: str) -> nn.Module:
    kwargs = {"init_weights": True} if name in ("googlenet", "inception_v3") else {}
    model = models.get_model(name, **kwargs)
    if name in ("googlenet", "inception_v3"):
        model.aux_logits = False  # train-mode outputs are plain logits
        for aux in ("aux1", "aux2", "AuxLogits"):
            if hasattr(model, aux):
                setattr(model, aux, None)
    return model


@pytest.mark.parametrize(("name", "side", "head", "activation"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_head_freeze_and_edits(name: str, side: int, head: str, activation: str | None) -> None:
    model = built(name)
    assert models.head_name(model) == head
    edit = models.replace_head(model, 10)
    frozen = models.set_trainable(edit.model, "", False).model
    tuned = models.set_trainable(frozen, head, True).model
    trainable = {n for n, p in tuned.named_parameters() if p.requires_grad}
    assert trainable and all(n.startswith(head + ".") for n in trainable)
    batch = torch.rand(2, 3, side, side)
    tuned.train()
    loss = tuned(batch).logsumexp(1).mean()
    loss.backward()
    assert all(p.grad is None for n, p in tuned.named_parameters() if n not in trainable)
    assert all(p.grad is not None for n, p in tuned.named_parameters() if n in trainable)
    with torch.no_grad():
        assert edit.model.eval()(batch).shape == (2, 10)
        dropped = models.add_dropout_before_head(edit.model, 0.3).model.eval()
        torch.testing.assert_close(dropped(batch), edit.model(batch))  # dropout is off in eval mode
        gray = models.change_input_channels(model, 1).model.eval()
        assert gray(batch[:, :1]).shape == (2, 1000)
        if activation is None:
            with pytest.raises(ValueError, match="should name an activation the model uses"):
                models.swap_activation(model, "ReLU", "Mish")
            return
        swapped = models.swap_activation(model, activation, "Mish").model.eval()
        assert not any(type(m).__name__ == activation for m in swapped.modules())
        assert swapped(batch).shape == (2, 1000)


def test_summary_of_a_vit_shows_its_patch_embedding_class_token_and_blocks() -> None:
    info = models.summary(models.vit_b_16(), (1, 3, 224, 224))
    rows = {row.name: row for row in info.rows}
    assert rows["conv_proj"].output_shape == (1, 768, 14, 14)
    assert (rows["class_token"].type, rows["class_token"].output_shape) == ("Parameter", (1, 1, 768))
    assert rows["encoder.layers.encoder_layer_0"].output_shape == (1, 197, 768)
    assert sum(row.params for row in info.rows if row.depth == 1) == info.total_params
