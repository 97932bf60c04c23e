"""transforms.v2: transforms that move an image together with its boxes, masks, keypoints and labels, on any
structure of them (tuples, lists, dicts, nested), as torchvision's ``transforms.v2``."""

from __future__ import annotations

from .._auto_augment import AutoAugmentPolicy
from .._image import InterpolationMode
from . import functional

from ._transform import Transform  # isort: skip
from . import (
    _augment,
    _auto_augment,
    _color,
    _container,
    _deprecated,
    _geometry,
    _meta,
    _misc,
    _temporal,
    _type_conversion,
)
from ._augment import *  # noqa: F403
from ._auto_augment import *  # noqa: F403
from ._color import *  # noqa: F403
from ._container import *  # noqa: F403
from ._deprecated import *  # noqa: F403
from ._geometry import *  # noqa: F403
from ._meta import *  # noqa: F403
from ._misc import *  # noqa: F403
from ._temporal import *  # noqa: F403
from ._type_conversion import *  # noqa: F403
from ._utils import check_type, get_bounding_boxes, get_keypoints, has_all, has_any, query_chw, query_size

__all__ = [
    "AutoAugmentPolicy",
    "InterpolationMode",
    "Transform",
    "check_type",
    "functional",
    "get_bounding_boxes",
    "get_keypoints",
    "has_all",
    "has_any",
    "query_chw",
    "query_size",
    *_augment.__all__,
    *_auto_augment.__all__,
    *_color.__all__,
    *_container.__all__,
    *_deprecated.__all__,
    *_geometry.__all__,
    *_meta.__all__,
    *_misc.__all__,
    *_temporal.__all__,
    *_type_conversion.__all__,
]
