"""The ``crops`` export ("label trimming"): each box's region, or each mask component's bounding region, one folder
per label (the layout of class folders a classifier trains on).

``OUT/<label>/<id>_<n>.png``: ``<label>`` made safe by :func:`.fsutil.safe_name` (a label such as ``../../x``
or ``/tmp/x`` never leaves ``OUT``), ``<id>`` the image's export id, ``n`` counting the image's crops. Regions
grow by ``padding`` of their size on each side, within the image. With masks, ``cutout`` writes RGBA PNGs whose
alpha is the component's mask: the background (and any other object in the padded region) is transparent.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes.boxes import pad_box
from ..fsutil import atomic_write, inside, unique_safe_names
from ..images import ImageProblem, load_rgb
from ..jobs import JobToken
from ..store.masks import decoded_masks
from ..store.store import ImageRecord, Store
from .masks import components, images_with_masks, label_masks
from .registry import ExportFormat, register_export
from .staging import staged_export
from .writing import (
    ExportError,
    ExportReport,
    check_targets,
    each_file,
    export_states,
    exportable_images,
    note_links_outside,
    nothing_to_export,
    unique_ids,
)

CROP_SOURCES = ("boxes", "masks")
PIXEL_CACHE = 8


@dataclass
class Crop:
    image: ImageRecord
    label: str
    edges: tuple[int, int, int, int]  # the padded region
    mask_row: int | None = None  # masks: the mask's row id and the component's number in it
    component: int = 0


def export_crops(store: Store, out: Path, source: str = "boxes", padding: float = 0.1, cutout: bool = False,
                 include_pending: bool = False, overwrite: bool = False, job: JobToken | None = None) -> ExportReport:
    """Write a PNG per box (``source="boxes"``) or per mask component (``"masks"``) into a folder per label."""
    job = job or JobToken()
    if source not in CROP_SOURCES:
        raise ExportError(f"unknown crop source {source!r}; choose boxes or masks")
    if cutout and source != "masks":
        raise ExportError("--cutout needs --from masks: a box has no outline to cut along")
    if padding < 0:
        raise ExportError(f"--padding must be 0 or more (got {padding})")
    out = Path(out).resolve()
    report = ExportReport(layout=f"crops from {source}" + (" (cut out)" if cutout else ""), out=out)
    with staged_export(store.root, out):  # a killed export leaves nothing half-written in ``out``
        _write_crops(store, out, source, padding, cutout, include_pending, overwrite, job, report)
    return report


def _write_crops(store: Store, out: Path, source: str, padding: float, cutout: bool, include_pending: bool,
                 overwrite: bool, job: JobToken, report: ExportReport) -> None:
    states = export_states(include_pending)
    note_links_outside(store, report)
    crops = _mask_crops(store, states, padding, report) if source == "masks" else _box_crops(store, states, padding)
    if not crops:
        report.nothing_because = nothing_to_export(store, source, include_pending)
        return
    folders = unique_safe_names(sorted({c.label for c in crops}), fallback="unnamed")
    ids = unique_ids(sorted({c.image.path for c in crops}))
    counters: dict[int, int] = {}
    targets = []
    for c in crops:
        n = counters[c.image.id] = counters.get(c.image.id, -1) + 1
        targets.append(inside(out, out / folders[c.label] / f"{ids[c.image.path]}_{n}.png"))
    check_targets(targets, overwrite)
    pixels: dict[int, np.ndarray] = {}
    cropped: set[int] = set()  # images with at least one crop written
    for k, (crop, target) in enumerate(zip(crops, targets, strict=True)):
        job.check()
        try:
            if crop.image.id not in pixels:
                if len(pixels) >= PIXEL_CACHE:
                    pixels.pop(next(iter(pixels)))
                pixels[crop.image.id] = load_rgb(store.abs_path(crop.image))
        except (ImageProblem, OSError) as exc:
            report.problems.append((crop.image.path, f"skipped: {exc}"))
            continue
        with each_file(report, crop.image.path):
            atomic_write(target, _crop_png(store, crop, pixels[crop.image.id], cutout))
            report.objects += 1
            cropped.add(crop.image.id)
        job.progress(k + 1, len(crops))
    report.images = len(cropped)
    renamed = [label for label, folder in folders.items() if folder != label]
    if renamed:
        report.problems.append(("", "label(s) made safe as folder names: " + ", ".join(
            f"{label!r} -> {folders[label]}" for label in renamed[:5])))


def _box_crops(store: Store, states: tuple[str, ...], padding: float) -> list[Crop]:
    return [Crop(img, b.label, pad_box(b.edges, padding, (img.width, img.height)))
            for img in exportable_images(store) for b in store.boxes(img.id, states=states)]


def _mask_crops(store: Store, states: tuple[str, ...], padding: float, report: ExportReport) -> list[Crop]:
    crops = []
    for img, rows in images_with_masks(store, states):
        notes: list[str] = []
        for row, mask in decoded_masks(rows, img.width, img.height, notes):
            count, _labels, stats = components(mask)
            for k in range(1, count + 1):
                x, y, w, h = (int(v) for v in stats[k, :4])
                edges = pad_box((x, y, x + w, y + h), padding, (img.width, img.height))
                crops.append(Crop(img, row["label"], edges, row["id"], k))
        report.problems.extend((img.path, note) for note in notes)
    return crops


def _crop_png(store: Store, crop: Crop, pixels: np.ndarray, cutout: bool) -> bytes:
    x0, y0, x1, y1 = crop.edges
    region = pixels[y0:y1, x0:x1]
    if cutout:
        row = store.mask(crop.mask_row)
        _count, labels, _stats = components(label_masks([row], crop.image.width, crop.image.height, None)[row["label"]])
        alpha = np.where(labels[y0:y1, x0:x1] == crop.component, 255, 0).astype(np.uint8)
        region = np.dstack([region, alpha])
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(region)).save(buf, "PNG")
    return buf.getvalue()


def _registered_crops(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
                      source: str = "boxes", padding: float = 0.1, cutout: bool = False, **_) -> ExportReport:
    return export_crops(store, out, source, padding, cutout, include_pending, overwrite, job)


register_export(ExportFormat("crops", "Crops (label trimming)", "A PNG per box or mask part, a folder per label: a "
                             "classifier's training folders.", ("source", "cutout", "padding"), {},
                             _registered_crops, rank=30))
