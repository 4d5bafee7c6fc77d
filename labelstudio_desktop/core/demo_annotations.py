"""The operator's work on the demo: a fraction of the images annotated from the ground truth, so that a newcomer
can train a classifier, a box detector and a U-Net at once; the other images' truth stays apart for benchmarks.

An annotated image gets its true boxes and its true mask (imported as ``import --masks`` imports them) and is
marked verified, as an operator leaves an image finished; an image of the background class is verified with
nothing on it. Which images were annotated is recorded in the project (setting ``demo``) and in
``ground_truth/annotated.txt``.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np

from .fsutil import atomic_write
from .store.store import BoxRecord, Store
from .transfer.mask_import import MaskSource, import_mask_sources

ANNOTATED_LIST = "annotated.txt"


def check_fraction(fraction: float) -> None:
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"the annotated fraction must be between 0 and 1 (got {fraction})")


def choose_annotated(truth: dict, fraction: float, seed: int) -> list[str]:
    """``fraction`` of each class's images (at least one when ``fraction`` > 0), chosen with ``seed``; the planted
    truncated file is never chosen (its lower part is grey)."""
    check_fraction(fraction)
    if fraction == 0:
        return []
    rng = np.random.default_rng(seed + 2)
    left_out = set(truth["planted"]["truncated"])
    by_class: dict[str, list[str]] = {}
    for rel, info in sorted(truth["images"].items()):
        if rel not in left_out:
            by_class.setdefault(info["class"], []).append(rel)
    chosen = []
    for _cls, rels in sorted(by_class.items()):
        count = min(len(rels), max(1, round(fraction * len(rels))))
        chosen += [rels[i] for i in sorted(rng.choice(len(rels), count, replace=False))]
    return sorted(chosen)


def annotate_from_truth(store: Store, out: Path, truth: dict, fraction: float, seed: int) -> list[str]:
    """Import the true boxes and masks of :func:`choose_annotated` images as accepted annotations; returns them."""
    chosen = choose_annotated(truth, fraction, seed)
    masks = Path(out) / "ground_truth" / "masks"
    sources = []
    with store.transaction():
        for rel in chosen:
            image = store.image_by_path(rel)
            if image is None:
                continue
            boxes = truth["images"][rel]["boxes"]
            for x0, y0, x1, y1, label in boxes:
                store.insert_box(BoxRecord(0, image.id, label, x0, y0, x1, y1, source="imported", state="accepted"))
            store.update_image_fields(image.id, {"status": "verified"})
            if boxes:
                sources.append(MaskSource(rel, masks / PurePosixPath(rel).with_suffix(".png"), label=boxes[0][4]))
    import_mask_sources(store, sources)
    atomic_write(Path(out) / "ground_truth" / ANNOTATED_LIST, "".join(f"{r}\n" for r in chosen).encode("utf-8"))
    return chosen
