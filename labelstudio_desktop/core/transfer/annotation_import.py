"""Storing what annotation files say: one place for every format's boxes and mask regions.

- **Frame.** Coordinates are turned into the upright (EXIF-corrected) frame of the image: a file whose size is the
  raw frame of a rotated photo (labelImg ignores EXIF) or that says so (``exif_orientation``, written by the
  ``labelimg`` export) has its boxes rotated upright, with a note; never clipped into the wrong place.
- **Whole pixels.** Fractional coordinates are rounded, and the rounding is reported per file when it moves a
  coordinate by more than :data:`ROUNDING_REPORTED` px; a box past the image is clipped with a warning.
- **Re-import.** Files are tracked by size and modification time (:mod:`.reimport`): an unchanged file is not
  applied again; a changed or new one replaces what it gave an image unless the operator has worked on that image
  (verified, boxes drawn or accepted in the app, or what the file gave edited, rejected or deleted): that is a
  conflict, reported, and the file is applied on no image of that kind until it changes again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..formats.annotations import ImageAnnotation, Region
from ..formats.folders import display_path
from ..formats.regions import rasterize_polygons, rle_decode, runs_mask
from ..images import TRANSPOSED_ORIENTATIONS, upright_array, upright_point
from ..store.masks import encode_mask
from ..store.store import BoxRecord, ImageRecord, Store, file_facts
from ..validate import Invalid, capped
from .reimport import ImportedItem, digest, file_changed, refresh_refused

MIRRORED = {2: "mirrored left to right", 3: "turned 180°", 4: "mirrored top to bottom"}
#: Rounding that moves a coordinate by more than this many pixels is reported (finer is the format's precision).
ROUNDING_REPORTED = 0.01


@dataclass
class AnnotationCounts:
    files: int = 0  # annotation files that name an image of the project
    read: int = 0  # of them, new or changed since the last import
    images: int = 0  # images given boxes or masks from a file
    refreshed: int = 0  # images whose imported boxes or masks a changed file replaced
    conflicts: int = 0  # images where a changed file met the operator's work and was not applied
    boxes: int = 0
    masks: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Prepared:
    """An annotation in the image's upright frame, in whole pixels; each mask region as it will be stored (a PNG),
    so the masks of an image with thousands of regions cost what their compressed pixels cost."""

    boxes: list[BoxRecord] = field(default_factory=list)
    masks: list[tuple[str, bytes]] = field(default_factory=list)  # (label, PNG) per region (instance), in file order
    notes: list[str] = field(default_factory=list)


def box_digest(box: BoxRecord) -> str:
    return digest(box.label, box.x0, box.y0, box.x1, box.y1, int(box.difficult), int(box.truncated), box.pose)


def mask_region_digest(label: str, png: bytes) -> str:
    return digest(label, png)


# ------------------------------------------------------------------ frame, rounding, clipping
def prepare(ann: ImageAnnotation, image: ImageRecord, orientation: int) -> Prepared:
    """``ann`` in ``image``'s upright frame: rotated out of the raw frame where it was drawn there, rounded, clipped."""
    out = Prepared(notes=list(ann.notes))
    width, height = image.width, image.height
    raw = None
    if orientation != 1 and ann.raw_orientation == orientation:
        raw = orientation
    elif orientation in TRANSPOSED_ORIENTATIONS and (ann.width, ann.height) == (height, width) and width != height:
        raw = orientation
        out.notes.append(f"drawn on the raw frame of the photo ({ann.width}x{ann.height}, EXIF orientation "
                         f"{orientation}; labelImg ignores EXIF): boxes rotated upright")
    elif orientation in (2, 3, 4) and ann.exif_ignored and (ann.width, ann.height) in ((width, height), (None, None)):
        raw = orientation  # the raw frame has the upright size: only the writer (labelImg ignores EXIF) tells
        out.notes.append(f"drawn by labelImg on the raw frame of the photo (EXIF orientation {orientation}: "
                         f"{MIRRORED[orientation]}; labelImg ignores EXIF): boxes turned upright")
    elif ann.width and ann.height and (ann.width, ann.height) != (width, height):
        out.notes.append(f"annotation says {ann.width}x{ann.height}, the image is {width}x{height}")
    frame = (height, width) if raw in TRANSPOSED_ORIENTATIONS else (width, height)
    scale = frame if ann.normalized else (1, 1)
    rounded, largest = 0, 0.0
    for b in ann.boxes:
        corners = [(x * scale[0], y * scale[1]) for x, y in ((b.x0, b.y0), (b.x1, b.y1))]
        if raw:
            corners = [upright_point(x, y, raw, *frame) for x, y in corners]
        xs, ys = sorted(c[0] for c in corners), sorted(c[1] for c in corners)
        exact = [xs[0], ys[0], xs[1], ys[1]]
        whole = [int(round(v)) for v in exact]
        change = max(abs(v - w) for v, w in zip(exact, whole, strict=True))
        rounded += change > ROUNDING_REPORTED
        largest = max(largest, change)
        box = _clipped(b.label, whole, width, height, ann.edge_slack, out.notes)
        if box is not None:
            out.boxes.append(BoxRecord(0, image.id, b.label, *box, source="imported", state="accepted",
                                       difficult=b.difficult, truncated=b.truncated, pose=b.pose or "Unspecified"))
    if rounded and not ann.exact:
        out.notes.append(f"{rounded} box(es) with fractional coordinates rounded to whole pixels "
                         f"(largest change {largest:.2f} px)")
    for region in ann.regions:
        mask = _region_mask(region, frame, scale, out.notes)
        if mask is None:
            continue
        if raw:
            mask = upright_array(mask, raw)
        if mask.any():
            out.masks.append((region.label, encode_mask(mask)))  # each instance its own mask, as the file has it
        else:
            out.notes.append(f"{_region_name(region)} covers no pixel centre: not imported")
    return out


def _clipped(label: str, box: list[int], width: int, height: int, slack: float,
             notes: list[str]) -> tuple[int, int, int, int] | None:
    x0, y0, x1, y1 = box
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    if cx0 >= cx1 or cy0 >= cy1:
        notes.append(f"box '{label}' {tuple(box)} is empty or outside the {width}x{height} image, skipped")
        return None
    overshoot = max(-x0, -y0, x1 - width, y1 - height, 0)
    if overshoot > slack:
        notes.append(f"box '{label}' {tuple(box)} extended past the {width}x{height} image, clipped to it")
    return cx0, cy0, cx1, cy1


def _region_name(region: Region) -> str:
    return f"{region.record} ('{region.label}')" if region.record else f"'{region.label}' region"


def _region_mask(region: Region, frame: tuple[int, int], scale: tuple[float, float],
                 notes: list[str]) -> np.ndarray | None:
    """The region's 0/1 mask on ``frame``; None with a note when it is of another size or does not decode (its size
    is checked before anything of it is allocated)."""
    width, height = frame
    if region.frame is not None and region.frame != frame:
        notes.append(f"{_region_name(region)}: mask is {region.frame[0]}x{region.frame[1]}, the frame is "
                     f"{width}x{height}: not imported")
        return None
    try:
        if region.rle is not None:
            return rle_decode(region.rle, width, height)
        if region.runs is not None:
            return runs_mask(region.runs, width, height)
    except Invalid as exc:
        notes.append(f"{_region_name(region)}: {exc}: not imported")
        return None
    polygons = [[v * scale[k % 2] for k, v in enumerate(flat)] for flat in region.polygons]
    return rasterize_polygons(polygons, width, height)


# ------------------------------------------------------------------ storing, re-importing
class AnnotationStore:
    """Applies annotations to images during one import, remembering each file so the next import reads only
    what changed. Call :meth:`finish` at the end."""

    def __init__(self, store: Store, problems: list[tuple[str, str, str]]):
        self.store = store
        self.problems = problems
        self.counts = AnnotationCounts()
        self.known = {r["path"]: r for r in store.conn.execute("SELECT * FROM annotation_files")}
        self.files: dict[str, tuple[int, bool, int, float]] = {}  # key -> (id, changed, size, mtime)
        self.conflicted: set[str] = set()

    def _file(self, path: Path, fmt: str) -> tuple[str, int, bool]:
        key = display_path(path, self.store.root)
        if key not in self.files:
            size, mtime = file_facts(path)
            row = self.known.get(key)
            if row is None:
                file_id = self.store.conn.execute(
                    "INSERT INTO annotation_files(path, format, size, mtime) VALUES(?,?,?,?)",
                    (key, fmt, -1, -1.0)).lastrowid
            else:
                file_id = row["id"]
            changed = file_changed(row, size, mtime)
            self.files[key] = (file_id, changed, size, mtime)
            self.counts.files += 1
            self.counts.read += changed
        file_id, changed, _size, _mtime = self.files[key]
        return key, file_id, changed

    def apply(self, image: ImageRecord, ann: ImageAnnotation, fmt: str, orientation: int, new: bool) -> int:
        """Store what ``ann`` gives ``image`` (a new image, or a re-import); returns the boxes added."""
        key, file_id, changed = self._file(ann.file, fmt)
        c = self.store.conn
        link = c.execute("SELECT * FROM annotation_links WHERE file_id=? AND image_id=?",
                         (file_id, image.id)).fetchone()
        if link is not None and not changed:
            return 0
        prepared = prepare(ann, image, orientation)
        previous = self._previous(file_id, image.id, link)
        if not new:
            reason = self._refused(image, link, previous)
            if reason:
                self.counts.conflicts += 1
                self.conflicted.add(key)
                self.problems.append((image.path, "warning", f"conflict: {key} changed, but {reason}; the file "
                                                             "was not applied to this image"))
                return 0
            if self._same(previous, prepared):
                self._link(file_id, image.id, previous)
                return 0
        notes = [f"{display_path(ann.file, self.store.root)}: {note}" for note in capped(prepared.notes)]
        self.problems.extend((image.path, "warning", note) for note in notes)
        if notes:
            self.store.set_image_warnings(image.id, self.store.image(image.id).warnings + notes)
        if previous["boxes"] or previous["masks"]:
            self.counts.refreshed += 1
            c.executemany("DELETE FROM boxes WHERE id=?", [(b,) for b, _ in previous["boxes"]])
            c.executemany("DELETE FROM masks WHERE id=?", [(m,) for m, _ in previous["masks"]])
        masks = self._without_taken_labels(image, prepared.masks, key)
        for box in prepared.boxes:
            box_id = self.store.insert_box(box)
            c.execute("INSERT INTO imported_boxes(box_id, file_id, digest) VALUES(?,?,?)",
                      (box_id, file_id, box_digest(box)))
        for label, png in masks:
            mask_id = self.store.add_mask(image.id, label, png, source="imported", state="accepted")
            c.execute("INSERT INTO imported_region_masks(mask_id, file_id, digest) VALUES(?,?,?)",
                      (mask_id, file_id, mask_region_digest(label, png)))
        c.execute("INSERT INTO annotation_links(file_id, image_id, box_count, mask_count) VALUES(?,?,?,?) "
                  "ON CONFLICT(file_id, image_id) DO UPDATE SET box_count=excluded.box_count, "
                  "mask_count=excluded.mask_count", (file_id, image.id, len(prepared.boxes), len(masks)))
        if ann.verified and new:
            self.store.update_image_fields(image.id, {"status": "verified"})
        self.counts.images += 1
        self.counts.boxes += len(prepared.boxes)
        self.counts.masks += len(masks)
        return len(prepared.boxes)

    def _previous(self, file_id: int, image_id: int, link) -> dict:
        """What the file gave the image before: (id, digest) of boxes and masks. Without a link, the image's
        unedited imported boxes that no file claims (imported before files were tracked) count as the file's."""
        c = self.store.conn
        if link is None:
            boxes = [(r[0], None) for r in c.execute(
                "SELECT id FROM boxes WHERE image_id=? AND source='imported' AND id NOT IN "
                "(SELECT box_id FROM imported_boxes)", (image_id,))]
            return {"boxes": boxes, "masks": [], "box_count": len(boxes), "mask_count": 0}
        boxes = [tuple(r) for r in c.execute(
            "SELECT b.id, i.digest FROM imported_boxes i JOIN boxes b ON b.id = i.box_id WHERE i.file_id=? AND "
            "b.image_id=?", (file_id, image_id))]
        masks = [tuple(r) for r in c.execute(
            "SELECT m.id, i.digest FROM imported_region_masks i JOIN masks m ON m.id = i.mask_id WHERE i.file_id=? "
            "AND m.image_id=?", (file_id, image_id))]
        return {"boxes": boxes, "masks": masks, "box_count": link["box_count"], "mask_count": link["mask_count"]}

    def _refused(self, image: ImageRecord, link, previous: dict) -> str | None:
        if image.status == "verified":
            return "the image is verified"
        own = {b for b, _ in previous["boxes"]}
        operator = [b for b in self.store.boxes(image.id, states=("accepted",)) if b.source != "imported"
                    and b.id not in own]
        if operator:
            return f"the image has {len(operator)} box(es) drawn or accepted in the app"
        items = []
        for box_id, then in previous["boxes"]:
            box = self.store.box(box_id)
            items.append(ImportedItem(box.label, box.state, box.edited, box_digest(box), then or box_digest(box)))
        reason = refresh_refused("box", False, previous["box_count"], items)
        if reason:
            return reason
        masks = [self.store.mask(m) for m, _ in previous["masks"]]
        return refresh_refused("mask", False, previous["mask_count"], [
            ImportedItem(m["label"], m["state"], bool(m["edited"]), mask_region_digest(m["label"], bytes(m["png"])),
                         then) for m, (_, then) in zip(masks, previous["masks"], strict=True)])

    def _same(self, previous: dict, prepared: Prepared) -> bool:
        """The file changed but gives this image what it gave before (one image of a multi-image file)."""
        if any(then is None for _, then in previous["boxes"]):
            return False
        before = sorted(then for _, then in previous["boxes"]) + sorted(then for _, then in previous["masks"])
        now = sorted(box_digest(b) for b in prepared.boxes) + sorted(
            mask_region_digest(label, png) for label, png in prepared.masks)
        return before == now

    def _link(self, file_id: int, image_id: int, previous: dict) -> None:
        self.store.conn.execute(
            "INSERT OR IGNORE INTO annotation_links(file_id, image_id, box_count, mask_count) VALUES(?,?,?,?)",
            (file_id, image_id, len(previous["boxes"]), len(previous["masks"])))

    def _without_taken_labels(self, image: ImageRecord, masks: list[tuple[str, bytes]],
                              key: str) -> list[tuple[str, bytes]]:
        taken = {r[0] for r in self.store.conn.execute(
            "SELECT label FROM masks WHERE image_id=? AND state='accepted'", (image.id,))}
        for label in sorted({label for label, _m in masks} & taken):
            self.problems.append((image.path, "warning", f"conflict: {key}: the image already has a '{label}' mask "
                                                         "(drawn in the app or from a mask file); the file's region "
                                                         "was not imported"))
        return [(label, m) for label, m in masks if label not in taken]

    def finish(self) -> None:
        """Record the facts of every file read, but of those with a conflict (read again next time)."""
        for key, (file_id, _changed, size, mtime) in self.files.items():
            if key not in self.conflicted:
                self.store.conn.execute("UPDATE annotation_files SET size=?, mtime=? WHERE id=?",
                                        (size, mtime, file_id))

