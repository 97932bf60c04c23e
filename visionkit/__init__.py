"""visionkit: computer-vision building blocks on torch, pillow and numpy, mirroring torchvision's API."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
