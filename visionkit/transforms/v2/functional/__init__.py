"""transforms.v2.functional: a dispatcher per operation (``resize``, ``rotate``, ...) and its kernels per kind of
data (``resize_image``, ``resize_bounding_boxes``, ``resize_mask``, ``resize_keypoints``, ``resize_video``), as
torchvision's."""

from __future__ import annotations

from ..._image import InterpolationMode

from ._utils import is_pure_tensor, register_kernel  # isort: skip
from . import _augment, _color, _deprecated, _geometry, _meta, _misc, _temporal, _type_conversion, _warp
from ._augment import *  # noqa: F403
from ._color import *  # noqa: F403
from ._deprecated import *  # noqa: F403
from ._geometry import *  # noqa: F403
from ._meta import *  # noqa: F403
from ._misc import *  # noqa: F403
from ._temporal import *  # noqa: F403
from ._type_conversion import *  # noqa: F403
from ._warp import *  # noqa: F403

__all__ = [
    "InterpolationMode",
    "is_pure_tensor",
    "register_kernel",
    *_meta.__all__,
    *_augment.__all__,
    *_color.__all__,
    *_geometry.__all__,
    *_misc.__all__,
    *_temporal.__all__,
    *_type_conversion.__all__,
    *_deprecated.__all__,
    *_warp.__all__,
]
