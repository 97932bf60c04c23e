"""Datasets with torchvision's classes, signatures and on-disk layouts, plus health checks and embedded samples."""

from __future__ import annotations

from . import utils
from ._v2_wrapper import wrap_dataset_for_transforms_v2
from .annotations_health import AnnotationReport, annotation_report
from .cifar import CIFAR10, CIFAR100
from .coco import CocoCaptions, CocoDetection
from .fakedata import FakeData
from .folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader, find_classes, make_dataset, pil_loader
from .health import HealthReport, health_report
from .mnist import KMNIST, MNIST, FashionMNIST
from .shapes import Shapes
from .vision import StandardTransform, VisionDataset
from .voc import VOCDetection, VOCSegmentation
from .yolo import YOLODetection

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "IMG_EXTENSIONS",
    "KMNIST",
    "MNIST",
    "AnnotationReport",
    "CocoCaptions",
    "CocoDetection",
    "DatasetFolder",
    "FakeData",
    "FashionMNIST",
    "HealthReport",
    "ImageFolder",
    "Shapes",
    "StandardTransform",
    "VOCDetection",
    "VOCSegmentation",
    "VisionDataset",
    "YOLODetection",
    "annotation_report",
    "default_loader",
    "find_classes",
    "health_report",
    "make_dataset",
    "pil_loader",
    "utils",
    "wrap_dataset_for_transforms_v2",
]
