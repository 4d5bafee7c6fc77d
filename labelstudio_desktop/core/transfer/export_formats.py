"""Every export format with who reads it and the options it takes: the one list the command line and the app's
Export dialog show (``labelstudio-desktop export --format``), and the dispatch to the format's writer.

Each format registers its writer from its own module in ``formats`` (:func:`..formats.registry.register_export`);
:mod:`..formats.catalog` imports them all, and :mod:`.export_augmented` registers the augmented copies. The list is
in the order of the formats' ranks."""

from __future__ import annotations

from pathlib import Path

from ..formats.catalog import EXPORT_FORMATS, ExportFormat
from ..formats.writing import ExportError, ExportReport
from ..jobs import JobToken
from ..store.store import Store
from . import export_augmented  # noqa: F401 (registers the augmented copies)

__all__ = ["EXPORT_FORMATS", "FORMATS", "ExportFormat", "export_more"]

#: The formats besides Pascal VOC (which :func:`..formats.voc.export_voc` writes with its own defaults).
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
