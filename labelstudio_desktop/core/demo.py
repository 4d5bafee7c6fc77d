"""The built-in demo project: nuts, bolts and washers on textured backgrounds, with planted problems.

Generated deterministically from a seed, in seconds. Layout of ``DIR``::

    images/<class>/<class>_NNN.jpg|png     the project (one folder per class; 'empty' = background only)
    ground_truth/truth.json                 classes, values, true boxes, planted problems (kept apart)
    ground_truth/annotations/<class>/*.xml  true boxes as Pascal VOC
    ground_truth/masks/<class>/*.png        true binary masks
    ground_truth/annotated.txt              with ``annotated``: the images given their truth as annotations

The numeric value of an image is the size grade (1-5) of its first object: the bolt length, the nut or
washer diameter. Planted problems: byte-identical copies, a pixel-identical copy with other metadata,
near duplicates (resized, recompressed, brightened, 3%-cropped), a label conflict (the same image in two
class folders), a train/test leak (in the naive split the demo ships), a truncated JPEG and an
EXIF-rotated photo.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, PngImagePlugin

from .formats.voc import VocObject, voc_xml
from .fsutil import atomic_write

CLASSES = ("nut", "bolt", "washer", "empty")
WIDTH, HEIGHT = 192, 144
GRADES = 5
MIN_PER_CLASS = 12


@dataclass
class DemoObject:
    label: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 pixel edges
    grade: int


@dataclass
class DemoImage:
    rel: str
    label: str
    pixels: np.ndarray
    mask: np.ndarray
    objects: list[DemoObject] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        return float(self.objects[0].grade) if self.objects else None


# ---------------------------------------------------------------- drawing
def _background(rng: np.random.Generator) -> np.ndarray:
    base = rng.uniform(70, 170) + rng.normal(0, 18, size=3)  # muted colours: tables, wood, concrete
    shared = rng.normal(0, 1, size=(6, 8, 1)) + 0.3 * rng.normal(0, 1, size=(6, 8, 3))
    low = cv2.resize(shared.astype(np.float32), (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    fine = cv2.GaussianBlur(rng.normal(0, 1, size=(HEIGHT, WIDTH, 1)).astype(np.float32), (0, 0), 1.2)
    fine = np.repeat(fine[..., None] if fine.ndim == 2 else fine, 3, axis=2)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    angle = rng.uniform(0, math.pi)
    stripes = np.sin((xx * math.cos(angle) + yy * math.sin(angle)) / rng.uniform(3, 9))[..., None]
    img = base + 18 * low + 10 * fine + rng.uniform(0, 10) * stripes
    return np.clip(img, 0, 255).astype(np.float32)


def _metal(rng: np.random.Generator) -> np.ndarray:
    tone = rng.uniform(150, 230)
    tint = rng.normal(0, 6, size=3)
    return np.clip(tone + tint, 0, 255)


def _shape_mask(label: str, cx: float, cy: float, size: float, angle: float) -> np.ndarray:
    """A binary mask of one object (size ~ its diameter or length in pixels)."""
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    center = (cx, cy)
    if label == "nut":
        pts = [(cx + size / 2 * math.cos(angle + k * math.pi / 3), cy + size / 2 * math.sin(angle + k * math.pi / 3))
               for k in range(6)]
        cv2.fillPoly(mask, [np.round(np.array(pts) * 16).astype(np.int32)], 1, cv2.LINE_8, shift=4)
        cv2.circle(mask, (round(cx * 16), round(cy * 16)), round(size * 0.22 * 16), 0, -1, cv2.LINE_8, shift=4)
    elif label == "washer":
        cv2.circle(mask, (round(cx * 16), round(cy * 16)), round(size / 2 * 16), 1, -1, cv2.LINE_8, shift=4)
        cv2.circle(mask, (round(cx * 16), round(cy * 16)), round(size * 0.2 * 16), 0, -1, cv2.LINE_8, shift=4)
    elif label == "bolt":
        width = max(5.0, size * 0.16)
        head = cv2.boxPoints(((cx - math.cos(angle) * size / 2, cy - math.sin(angle) * size / 2),
                              (width * 0.9, width * 2.0), math.degrees(angle)))
        shaft = cv2.boxPoints((center, (size, width), math.degrees(angle)))
        for poly in (shaft, head):
            cv2.fillPoly(mask, [np.round(poly * 16).astype(np.int32)], 1, cv2.LINE_8, shift=4)
    return mask


def _grade(size: float, lo: float, hi: float) -> int:
    return int(min(GRADES, max(1, 1 + math.floor((size - lo) / (hi - lo) * GRADES))))


def _mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


SIZE_RANGES = {"nut": (24.0, 52.0), "washer": (26.0, 60.0), "bolt": (40.0, 100.0)}


def _render(rng: np.random.Generator, label: str, rel: str) -> DemoImage:
    img = _background(rng)
    union = np.zeros((HEIGHT, WIDTH), np.uint8)
    objects: list[DemoObject] = []
    count = 0 if label == "empty" else (1 if rng.random() < 0.7 else int(rng.integers(2, 4)))
    tries = 0
    while len(objects) < count and tries < 200:
        tries += 1
        lo, hi = SIZE_RANGES[label]
        size = rng.uniform(lo, hi)
        angle = rng.uniform(0, math.pi)
        margin = size / 2 + 4
        cx, cy = rng.uniform(margin, WIDTH - margin), rng.uniform(margin, max(margin + 1, HEIGHT - margin))
        mask = _shape_mask(label, cx, cy, size, angle)
        if not mask.any() or (cv2.dilate(union, np.ones((7, 7), np.uint8)) & mask).any():
            continue
        shadow = cv2.GaussianBlur(np.roll(mask, (3, 3), axis=(0, 1)).astype(np.float32), (0, 0), 2.0)
        img *= (1 - 0.35 * shadow)[..., None]
        color = _metal(rng)
        yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
        shade = 1 + 0.25 * np.cos((xx - cx) / max(size, 1) * 3 + (yy - cy) / max(size, 1) * 2)
        obj_pixels = color[None, None, :] * shade[..., None]
        img = np.where(mask[..., None] > 0, obj_pixels, img)
        union |= mask
        objects.append(DemoObject(label, _mask_box(mask), _grade(size, lo, hi)))
    pixels = np.clip(img + rng.normal(0, 3, size=img.shape), 0, 255).astype(np.uint8)
    return DemoImage(rel=rel, label=label, pixels=pixels, mask=union, objects=objects)


# ---------------------------------------------------------------- encoding
def _jpeg(pixels: np.ndarray, quality: int = 92, exif: Image.Exif | None = None) -> bytes:
    buf = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    Image.fromarray(pixels).save(buf, format="JPEG", quality=quality, **kwargs)
    return buf.getvalue()


def _png(pixels: np.ndarray, text: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    for k, v in (text or {}).items():
        info.add_text(k, v)
    Image.fromarray(pixels).save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def _scaled(item: DemoImage, rel: str, pixels: np.ndarray, sx: float, sy: float, dx: int = 0,
            dy: int = 0, mask: np.ndarray | None = None) -> DemoImage:
    """A derived image whose boxes are the original's scaled by (sx, sy) after a shift of (-dx, -dy)."""
    h, w = pixels.shape[:2]
    objects = [DemoObject(o.label, (max(0, math.floor((o.box[0] - dx) * sx)), max(0, math.floor((o.box[1] - dy) * sy)),
                                    min(w, math.ceil((o.box[2] - dx) * sx)), min(h, math.ceil((o.box[3] - dy) * sy))),
                          o.grade) for o in item.objects]
    return DemoImage(rel, item.label, pixels, mask if mask is not None else item.mask, objects)


# ---------------------------------------------------------------- the dataset
def generate(out: Path, seed: int = 7, per_class: int = 28) -> dict:
    """Write the demo dataset into ``out`` (which must be empty or absent) and return its truth."""
    out = Path(out)
    if per_class < MIN_PER_CLASS:
        raise ValueError(f"per_class must be at least {MIN_PER_CLASS} (the planted problems use those images)")
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out}: folder is not empty; the demo is only written into a new folder")
    rng = np.random.default_rng(seed)
    images_dir, truth_dir = out / "images", out / "ground_truth"
    files: dict[str, bytes] = {}
    items: list[DemoImage] = []
    for label in CLASSES:
        for i in range(per_class):
            ext = "png" if i % 5 == 4 else "jpg"
            item = _render(rng, label, f"{label}/{label}_{i:03d}.{ext}")
            items.append(item)
            files[item.rel] = _png(item.pixels) if ext == "png" else _jpeg(item.pixels)
    by_rel = {it.rel: it for it in items}
    planted: dict = {"exact": [], "near": [], "conflict": [], "leak": [], "truncated": [], "exif_rotated": []}

    def add(item: DemoImage, data: bytes) -> None:
        items.append(item)
        by_rel[item.rel] = item
        files[item.rel] = data

    # exact copies: same bytes, and same pixels with other metadata
    src = by_rel["nut/nut_003.jpg"]
    add(DemoImage("nut/nut_003_copy.jpg", "nut", src.pixels, src.mask, list(src.objects)), files[src.rel])
    planted["exact"].append([src.rel, "nut/nut_003_copy.jpg"])
    src = by_rel["washer/washer_004.png"]
    add(DemoImage("washer/washer_004_tagged.png", "washer", src.pixels, src.mask, list(src.objects)),
        _png(src.pixels, {"Comment": "re-saved with a comment"}))
    planted["exact"].append([src.rel, "washer/washer_004_tagged.png"])

    # near duplicates
    src = by_rel["bolt/bolt_002.jpg"]
    small = cv2.resize(src.pixels, (int(WIDTH * 0.8), int(HEIGHT * 0.8)), interpolation=cv2.INTER_AREA)
    add(_scaled(src, "bolt/bolt_002_small.jpg", small, 0.8, 0.8,
                mask=cv2.resize(src.mask, small.shape[1::-1], interpolation=cv2.INTER_NEAREST)), _jpeg(small))
    planted["near"].append([src.rel, "bolt/bolt_002_small.jpg", "resized"])
    src = by_rel["washer/washer_006.jpg"]
    add(DemoImage("washer/washer_006_q40.jpg", "washer", src.pixels, src.mask, list(src.objects)),
        _jpeg(src.pixels, quality=40))
    planted["near"].append([src.rel, "washer/washer_006_q40.jpg", "recompressed"])
    src = by_rel["nut/nut_008.jpg"]
    bright = np.clip(src.pixels.astype(np.int16) + 25, 0, 255).astype(np.uint8)
    add(DemoImage("nut/nut_008_bright.jpg", "nut", bright, src.mask, list(src.objects)), _jpeg(bright))
    planted["near"].append([src.rel, "nut/nut_008_bright.jpg", "brightened"])
    src = by_rel["empty/empty_005.jpg"]
    dx, dy = round(WIDTH * 0.03), round(HEIGHT * 0.03)
    crop = np.ascontiguousarray(src.pixels[dy:HEIGHT - dy, dx:WIDTH - dx])
    add(_scaled(src, "empty/empty_005_crop.jpg", crop, 1, 1, dx, dy, mask=src.mask[dy:HEIGHT - dy, dx:WIDTH - dx]),
        _jpeg(crop))
    planted["near"].append([src.rel, "empty/empty_005_crop.jpg", "cropped 3%"])

    # label conflict: the same bytes in two class folders
    src = by_rel["bolt/bolt_007.jpg"]
    add(DemoImage("washer/washer_from_bolt_007.jpg", "washer", src.pixels, src.mask, list(src.objects)),
        files[src.rel])
    planted["conflict"].append([src.rel, "washer/washer_from_bolt_007.jpg"])

    # leak: a recompressed copy that the shipped naive split puts in test while the original is in train
    src = by_rel["nut/nut_010.jpg"]
    add(DemoImage("nut/nut_010_b.jpg", "nut", src.pixels, src.mask, list(src.objects)), _jpeg(src.pixels, 70))
    planted["leak"].append([src.rel, "nut/nut_010_b.jpg"])

    # truncated JPEG (a distinct image, cut at 60%)
    trunc = _render(rng, "bolt", "bolt/bolt_broken.jpg")
    add(trunc, _jpeg(trunc.pixels)[: int(len(_jpeg(trunc.pixels)) * 0.6)])
    planted["truncated"].append(trunc.rel)

    # EXIF-rotated photo: pixels stored on their side, orientation 6 turns them upright
    rot = _render(rng, "washer", "washer/washer_exif_rotated.jpg")
    exif = Image.Exif()
    exif[0x0112] = 6
    add(rot, _jpeg(np.ascontiguousarray(np.rot90(rot.pixels, 1)), exif=exif))
    planted["exif_rotated"].append(rot.rel)

    for rel, data in files.items():
        atomic_write(images_dir / rel, data)
    truth = {"seed": seed, "classes": list(CLASSES), "size": [WIDTH, HEIGHT], "planted": planted,
             "naive_split": _naive_split(items, planted, seed), "images": {}}
    for item in items:
        truth["images"][item.rel] = {
            "class": item.label, "value": item.value,
            "boxes": [[*o.box, o.label] for o in item.objects],
        }
        h, w = item.mask.shape
        objects = [VocObject(o.label, *o.box) for o in item.objects]
        stem = str(Path(item.rel).with_suffix(""))
        atomic_write(truth_dir / "annotations" / f"{stem}.xml",
                     voc_xml(Path(item.rel).parent.name, Path(item.rel).name, item.rel, w, h, 3, objects))
        atomic_write(truth_dir / "masks" / f"{stem}.png", _png((item.mask > 0).astype(np.uint8) * 255))
    atomic_write(truth_dir / "truth.json", json.dumps(truth, indent=1).encode("utf-8"))
    return truth


def _naive_split(items: list[DemoImage], planted: dict, seed: int) -> dict[str, str]:
    """An 8:1:1 random split that ignores duplicates, as users often make before cleaning (it leaks)."""
    rng = np.random.default_rng(seed + 1)
    rels = sorted(it.rel for it in items)
    order = rng.permutation(len(rels))
    n = len(rels)
    split = {}
    for rank, idx in enumerate(order):
        split[rels[idx]] = "train" if rank < 0.8 * n else ("val" if rank < 0.9 * n else "test")
    for key in ("exact", "near", "conflict"):  # the other copies share their original's split...
        for a, b, *_ in planted[key]:
            split[b] = split[a]
    for a, b in planted["leak"]:  # ...so that exactly one leak is planted
        split[a], split[b] = "train", "test"
    return split


def create_demo_project(out: Path, seed: int = 7, job=None, annotated: float = 0.0):
    """Generate the demo into ``out``, import ``out/images`` as a project and apply the naive split; with
    ``annotated`` > 0, that fraction of the images gets its true boxes and masks as the operator's work."""
    from .demo_annotations import annotate_from_truth, check_fraction
    from .store.store import Store
    from .transfer.importer import import_folder

    check_fraction(annotated)  # before anything is written

    truth = generate(out, seed=seed)
    store = Store.create(Path(out) / "images")
    try:
        report = import_folder(store, job=job)
        with store.transaction():
            for rel, info in truth["images"].items():
                image = store.image_by_path(rel)
                if image is None:
                    continue
                values = {"split": truth["naive_split"][rel]}
                if info["value"] is not None:
                    values["value"] = info["value"]
                store.update_image_fields(image.id, values)
        chosen = annotate_from_truth(store, out, truth, annotated, seed) if annotated else []
        store.set_setting("demo", {"seed": seed, "ground_truth": str(Path(out).resolve() / "ground_truth"),
                                   "annotated": chosen})
    except BaseException:
        store.close()
        raise
    return store, report
