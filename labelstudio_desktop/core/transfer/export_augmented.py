"""The augmented export: transformed copies of each image with its boxes (VOC XML) and masks, moved alike.

Only accepted boxes and masks by default (``include_pending`` adds proposals). Files are written atomically
and, like the VOC export, existing files are only replaced with ``overwrite``.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ..formats.registry import ExportFormat, register_export
from ..formats.staging import staged_export
from ..formats.voc import VocObject, voc_xml, xml_text
from ..formats.writing import ExportReport, check_targets, each_file, export_states, exportable_images, unique_ids
from ..fsutil import atomic_write
from ..images import ImageProblem, load_rgb
from ..jobs import JobToken
from ..store.masks import union_mask
from ..store.store import BoxRecord, Store


def write_augmented(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
                    variants: int = 4, seed: int = 0, **_) -> ExportReport:
    """Write augmented copies of every usable image into ``out`` (the ``augmented`` export)."""
    out = Path(out).resolve()
    report = ExportReport(layout="augmented", out=out)
    with staged_export(store.root, out):  # a killed export leaves nothing half-written in ``out``
        images = exportable_images(store)
        ids = unique_ids([i.path for i in images])
        _augmented(store, out, images, ids, export_states(include_pending), variants, seed, overwrite, report, job)
    return report


def random_transform(rng: np.random.Generator, w: int, h: int) -> tuple[np.ndarray, bool, float]:
    """An affine matrix (rotation, scale, shift about the centre), a horizontal flip and a brightness factor."""
    angle = rng.uniform(-15, 15)
    scale = rng.uniform(0.85, 1.15)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    matrix[:, 2] += rng.uniform(-0.1, 0.1, 2) * (w, h)
    return matrix, bool(rng.random() < 0.5), float(rng.uniform(0.8, 1.2))


def transform_box(box: tuple[int, int, int, int], matrix: np.ndarray, flip: bool, w: int, h: int):
    """The axis-aligned box around the transformed corners, clipped; None when it left the image."""
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], np.float64)
    pts = corners @ matrix.T
    if flip:
        pts[:, 0] = w - pts[:, 0]
    nx0, ny0 = max(0, math.floor(pts[:, 0].min())), max(0, math.floor(pts[:, 1].min()))
    nx1, ny1 = min(w, math.ceil(pts[:, 0].max())), min(h, math.ceil(pts[:, 1].max()))
    return (nx0, ny0, nx1, ny1) if nx1 - nx0 >= 2 and ny1 - ny0 >= 2 else None


def _augmented(store, out, images, ids, states, variants, seed, overwrite, report, job) -> None:
    """``ID_augN.jpg`` + ``ID_augN.xml`` (VOC) and ``ID_augN_mask.png``: image, boxes and masks moved alike."""
    targets = [out / f"{ids[i.path]}_aug{k}.{e}" for i in images for k in range(variants) for e in ("jpg", "xml")]
    check_targets(targets, overwrite)
    rng = np.random.default_rng(seed)
    for n, img in enumerate(images):
        job.check()
        try:
            pixels = load_rgb(store.abs_path(img))
        except (ImageProblem, OSError) as exc:
            report.problems.append((img.path, f"skipped: {exc}"))
            continue
        boxes: list[BoxRecord] = store.boxes(img.id, states=states)
        notes: list[str] = []
        mask = union_mask(store, img.id, img.width, img.height, notes=notes)
        report.problems.extend((img.path, note) for note in notes)
        with each_file(report, img.path):  # all of an image's copies, or none
            kept = [_write_copy(out, f"{ids[img.path]}_aug{k}", pixels, mask, boxes, rng) for k in range(variants)]
            report.images += variants
            report.objects += sum(kept)
        job.progress(n + 1, len(images))


def _write_copy(out: Path, stem: str, pixels: np.ndarray, mask: np.ndarray | None, boxes: list[BoxRecord],
                rng: np.random.Generator) -> int:
    """One transformed copy of an image as ``stem``: JPEG, VOC XML and (when the image has masks) its mask PNG;
    returns how many boxes it keeps."""
    h, w = pixels.shape[:2]
    matrix, flip, bright = random_transform(rng, w, h)
    warped = cv2.warpAffine(pixels, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if flip:
        warped = warped[:, ::-1]
    warped = np.clip(warped.astype(np.float32) * bright, 0, 255).astype(np.uint8)
    objects = []
    for b in boxes:
        moved = transform_box(b.edges, matrix, flip, w, h)
        if moved:
            objects.append(VocObject(xml_text(b.label), *moved, xml_text(b.pose), b.truncated, b.difficult))
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(warped)).save(buf, "JPEG", quality=95)
    atomic_write(out / f"{stem}.jpg", buf.getvalue())
    atomic_write(out / f"{stem}.xml", voc_xml(out.name, f"{stem}.jpg", str(out / f"{stem}.jpg"), w, h, 3, objects))
    if mask is not None:
        moved_mask = cv2.warpAffine(mask, matrix, (w, h), flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT)
        if flip:
            moved_mask = moved_mask[:, ::-1]
        mbuf = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(moved_mask) * 255).save(mbuf, "PNG")
        atomic_write(out / f"{stem}_mask.png", mbuf.getvalue())
    return len(objects)


register_export(ExportFormat("augmented", "Augmented copies", "Transformed copies of each image with its boxes (VOC "
                             "XML) and masks: more training data.", ("variants",), {}, write_augmented, rank=40))
