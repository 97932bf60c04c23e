"""Classification models mirroring ``torchvision.models``: builders, pretrained weights and a registry.

>>> from visionkit.models import resnet18, ResNet18_Weights
>>> model = resnet18(weights=ResNet18_Weights.DEFAULT).eval()
>>> preprocess = ResNet18_Weights.DEFAULT.transforms()
"""

from __future__ import annotations

from . import alexnet as _alexnet
from . import convnext as _convnext
from . import densenet as _densenet
from . import efficientnet as _efficientnet
from . import googlenet as _googlenet
from . import inception as _inception
from . import maxvit as _maxvit
from . import mnasnet as _mnasnet
from . import regnet as _regnet
from . import shufflenetv2 as _shufflenetv2
from . import squeezenet as _squeezenet
from . import swin_transformer as _swin_transformer
from . import vision_transformer as _vision_transformer
from ._api import (
    Weights,
    WeightsEnum,
    get_model,
    get_model_builder,
    get_model_weights,
    get_weight,
    list_models,
    register_model,
)
from ._checkpoint import LoadReport, load_checkpoint, read_checkpoint
from ._edits import (
    ACTIVATIONS,
    Edit,
    add_dropout_before_head,
    apply_code,
    change_input_channels,
    cifar_stem,
    head_name,
    replace_head,
    set_trainable,
    swap_activation,
)
from ._explain import attention_rollout, grad_cam, grad_cam_plus_plus, occlusion_sensitivity
from ._inspect import FEATURE_LAYERS, architecture_dot, feature_maps, layer_names
from ._presets import ImageClassification
from ._summary import LayerRow, ModelSummary, summary
from .alexnet import *  # noqa: F403
from .convnext import *  # noqa: F403
from .densenet import *  # noqa: F403
from .efficientnet import *  # noqa: F403
from .googlenet import *  # noqa: F403
from .inception import *  # noqa: F403
from .maxvit import *  # noqa: F403
from .mnasnet import *  # noqa: F403
from .mobilenetv2 import MobileNet_V2_Weights, MobileNetV2, mobilenet_v2
from .mobilenetv3 import (
    MobileNet_V3_Large_Weights,
    MobileNet_V3_Small_Weights,
    MobileNetV3,
    mobilenet_v3_large,
    mobilenet_v3_small,
)
from .regnet import *  # noqa: F403
from .resnet import (
    ResNet,
    ResNet18_Weights,
    ResNet34_Weights,
    ResNet50_Weights,
    ResNet101_Weights,
    ResNet152_Weights,
    ResNeXt50_32X4D_Weights,
    ResNeXt101_32X8D_Weights,
    ResNeXt101_64X4D_Weights,
    Wide_ResNet50_2_Weights,
    Wide_ResNet101_2_Weights,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
    resnext50_32x4d,
    resnext101_32x8d,
    resnext101_64x4d,
    wide_resnet50_2,
    wide_resnet101_2,
)
from .shufflenetv2 import *  # noqa: F403
from .squeezenet import *  # noqa: F403
from .swin_transformer import *  # noqa: F403
from .vgg import (
    VGG,
    VGG11_BN_Weights,
    VGG11_Weights,
    VGG13_BN_Weights,
    VGG13_Weights,
    VGG16_BN_Weights,
    VGG16_Weights,
    VGG19_BN_Weights,
    VGG19_Weights,
    vgg11,
    vgg11_bn,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
)
from .vision_transformer import *  # noqa: F403

__all__ = [
    "ACTIVATIONS",
    "FEATURE_LAYERS",
    "VGG",
    "Edit",
    "ImageClassification",
    "LayerRow",
    "LoadReport",
    "MobileNetV2",
    "MobileNetV3",
    "MobileNet_V2_Weights",
    "MobileNet_V3_Large_Weights",
    "MobileNet_V3_Small_Weights",
    "ModelSummary",
    "ResNeXt50_32X4D_Weights",
    "ResNeXt101_32X8D_Weights",
    "ResNeXt101_64X4D_Weights",
    "ResNet",
    "ResNet18_Weights",
    "ResNet34_Weights",
    "ResNet50_Weights",
    "ResNet101_Weights",
    "ResNet152_Weights",
    "VGG11_BN_Weights",
    "VGG11_Weights",
    "VGG13_BN_Weights",
    "VGG13_Weights",
    "VGG16_BN_Weights",
    "VGG16_Weights",
    "VGG19_BN_Weights",
    "VGG19_Weights",
    "Weights",
    "WeightsEnum",
    "Wide_ResNet50_2_Weights",
    "Wide_ResNet101_2_Weights",
    "add_dropout_before_head",
    "apply_code",
    "architecture_dot",
    "attention_rollout",
    "change_input_channels",
    "cifar_stem",
    "feature_maps",
    "get_model",
    "get_model_builder",
    "get_model_weights",
    "get_weight",
    "grad_cam",
    "grad_cam_plus_plus",
    "head_name",
    "layer_names",
    "list_models",
    "load_checkpoint",
    "mobilenet_v2",
    "mobilenet_v3_large",
    "mobilenet_v3_small",
    "occlusion_sensitivity",
    "read_checkpoint",
    "register_model",
    "replace_head",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnext50_32x4d",
    "resnext101_32x8d",
    "resnext101_64x4d",
    "set_trainable",
    "summary",
    "swap_activation",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
    "wide_resnet50_2",
    "wide_resnet101_2",
]

# The rest of torchvision's classifiers, one module per family as in torchvision, each listing its names.
_ZOO = (
    _alexnet,
    _convnext,
    _densenet,
    _efficientnet,
    _googlenet,
    _inception,
    _maxvit,
    _mnasnet,
    _regnet,
    _shufflenetv2,
    _squeezenet,
    _swin_transformer,
    _vision_transformer,
)
__all__ += [name for module in _ZOO for name in module.__all__]
