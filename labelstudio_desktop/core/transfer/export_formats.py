"""Every export format with who reads it and the options it takes: the one list the command line and the app's
Export dialog show (``labelstudio-desktop export --format``), and the dispatch to the format's writer.

Each writer module registers its formats (:func:`.export_registry.register`) when it is imported; the modules are
imported here, in the order the formats are listed."""

from __future__ import annotations

from pathlib import Path

from ..jobs import JobToken
from ..store.store import Store
from . import export, export_augmented, export_crops, export_interchange, export_masks, export_yolo  # noqa: F401
from .export import ExportError, ExportReport
from .export_registry import EXPORT_FORMATS, ExportFormat

__all__ = ["EXPORT_FORMATS", "FORMATS", "ExportFormat", "export_more"]

#: The formats besides Pascal VOC (which :func:`.export.export_voc` writes with its own defaults).
FORMATS = tuple(key for key in EXPORT_FORMATS if key != "voc")


def export_more(store: Store, out: Path, fmt: str, include_pending: bool = False, overwrite: bool = False,
                variants: int = 4, padding: float = 0.1, seed: int = 0, job: JobToken | None = None,
                crop_source: str = "boxes", cutout: bool = False, border: int = 0,
                layout: str = "flat", mask_format: str = "rle") -> ExportReport:
    """Write one of :data:`FORMATS` into ``out`` with its registered writer."""
    job = job or JobToken()
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of voc, {', '.join(FORMATS)}")
    return EXPORT_FORMATS[fmt].write(store, out, include_pending, overwrite, job, variants=variants,
                                     padding=padding, seed=seed, source=crop_source, cutout=cutout, border=border,
                                     layout=layout, mask_format=mask_format)
