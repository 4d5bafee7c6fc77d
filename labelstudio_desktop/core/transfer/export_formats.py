"""Every export format with who reads it and the options it takes: the one list the command line and the app's
Export dialog show (``labelstudio-desktop export --format``)."""

from __future__ import annotations

from dataclasses import dataclass

from .export import LAYOUTS
from .export_interchange import MASK_FORMATS
from .export_more import FORMATS as MORE_FORMATS


@dataclass(frozen=True)
class ExportFormat:
    key: str  # the value of --format
    title: str
    readers: str  # who reads it, in a sentence
    options: tuple[str, ...]  # the export options it takes beside include-pending and overwrite
    choices: dict[str, tuple[str, ...]]  # the values of an option that is a choice


EXPORT_FORMATS: dict[str, ExportFormat] = {f.key: f for f in (
    ExportFormat("voc", "Pascal VOC (boxes)", "XML per image, read by labelImg, CVAT and Datumaro (with labelmap.txt), "
                 "TensorFlow's VOC scripts, keras-yolo3, torchvision.", ("layout",), {"layout": LAYOUTS}),
    ExportFormat("yolo", "YOLO (boxes)", "images/{split}, labels/{split} and data.yaml that Ultralytics trains on; "
                 "classes.txt beside the labels for labelImg and darknet.", (), {}),
    ExportFormat("yolov3", "YOLOv3-keras (boxes)", "train.txt, val.txt, test.txt of keras-yolo3 annotation lines "
                 "with upright JPEG copies and classes.txt.", (), {}),
    ExportFormat("coco", "COCO JSON (boxes and masks)", "annotations/instances_{split}.json and images/{split}: "
                 "pycocotools, Detectron2, MMDetection, CVAT.", ("mask_format",), {"mask_format": MASK_FORMATS}),
    ExportFormat("labelme", "labelme JSON (boxes and masks)", "A JSON and an upright JPEG per image: rectangles and "
                 "polygons that labelme opens.", (), {}),
    ExportFormat("masks", "VOC segmentation set (masks)", "Read by torchvision's VOCSegmentation, TensorFlow DeepLab, "
                 "Datumaro and CVAT.", ("layout", "border"), {"layout": ("flat", "vocdevkit")}),
    ExportFormat("crops", "Crops (label trimming)", "A PNG per box or mask part, a folder per label: a classifier's "
                 "training folders.", ("source", "cutout", "padding"), {}),
    ExportFormat("augmented", "Augmented copies", "Transformed copies of each image with its boxes (VOC XML) and "
                 "masks: more training data.", ("variants",), {}),
)}

assert set(EXPORT_FORMATS) == {"voc", *MORE_FORMATS}, "a format of export_more has no entry here"
