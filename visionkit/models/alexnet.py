"""AlexNet (Krizhevsky, 2014: the single-tower "one weird trick" variant that torchvision's weights use)."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ._api import WeightsEnum, build_model, register_model
from ._meta import RECIPE_V1, imagenet_weights
from ._utils import pooled_logits

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    """Five convolutions with three max pools, 6x6 adaptive pooling and a three-layer classifier.

    Every layer keeps PyTorch's default initialisation, as in torchvision.

    Args:
        num_classes (int): outputs of the final linear layer.
        dropout (float): dropout probability before each of the two hidden linear layers.

    Shape:
        input (Tensor[N, 3, H, W]) with H, W >= 63 -> logits (Tensor[N, num_classes]).
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch: see :func:`~visionkit.models._utils.pooled_logits`."""
        return pooled_logits(self, x)


class AlexNet_Weights(WeightsEnum):
    """Weights for :func:`alexnet`."""

    IMAGENET1K_V1 = imagenet_weights(
        "alexnet-owt-7be5be79.pth",
        num_params=61100840,
        acc1=56.522,
        acc5=79.066,
        ops=0.714,
        file_size=233.087,
        min_size=(63, 63),
        recipe=f"{RECIPE_V1}#alexnet-and-vgg",
        docs="These weights reproduce closely the results of the paper using a simplified training recipe.",
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=AlexNet_Weights)
def alexnet(*, weights: AlexNet_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> AlexNet:
    """AlexNet as in "One weird trick for parallelizing convolutional neural networks" (Krizhevsky, 2014).

    Args:
        weights (AlexNet_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`AlexNet` (num_classes, dropout).

    Returns:
        AlexNet: the model.

    Raises:
        ValueError: if ``num_classes`` differs from the number of categories of ``weights``.
    """
    return build_model(AlexNet, weights, progress, **kwargs)
