"""Every format module, imported so that each has registered itself with import and export (:mod:`.registry`): the
one list a new format joins. Read the registries through this module: :data:`READERS` and :func:`by_rank` for
import, :data:`EXPORT_FORMATS` for export (the augmented copies, which are no format, register from
:mod:`..transfer.export_augmented`)."""

from __future__ import annotations

from . import coco, createml, crops, cvat, label_studio, labelme, masks, voc, yolo  # noqa: F401 (each registers itself)
from .registry import EXPORT_FORMATS, READERS, ExportFormat, ReaderFormat, by_rank

__all__ = ["EXPORT_FORMATS", "READERS", "ExportFormat", "ReaderFormat", "by_rank"]
