"""The box detector's default configuration on real photos: training time, proposal speed, held-out quality.

The BCCD blood-cell photos (364 microscope photos, 640x480, 3 classes, VOC layout with ImageSets/Main) are imported
into a temporary project (``--db`` elsewhere: the dataset folder is never written). The detector trains on
``--images`` photos of the dataset's train list (the rest of that list is excluded) with the default settings of
``train --task detect``, validates on the val list and is evaluated on the held-out test list.

Prints: training time for the default epochs (target: within 5 minutes on 2 CPU cores for 200 images), proposal
throughput (images/s of ``detect`` on the test photos, already resized; and from the files, decoding included),
precision, recall and mean IoU at IoU 0.5 on the test photos, and the same figures for a baseline measured in the
same run: one fixed box over the central 70% of each photo, of the most frequent class.

    python benchmarks/detector_speed.py [--dataset ../shared/datasets/BCCD_Dataset/BCCD] [--images 200]
                                        [--epochs N] [--size S] [--backbone small]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DEFAULT_DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "BCCD_Dataset" / "BCCD"
BUDGET_SECONDS = 300.0


def prepare(dataset: Path, db: Path, images: int) -> dict:
    """Import the dataset into a project at ``db``; keep ``images`` reviewed photos in train, exclude the rest."""
    from labelstudio_desktop.core.importer import import_folder
    from labelstudio_desktop.core.store import Store

    with Store.create(dataset, db) as store:
        report = import_folder(store)
        boxed = {r[0] for r in store.conn.execute("SELECT DISTINCT image_id FROM boxes WHERE state='accepted'")}
        train = [i for i in store.images() if i.split == "train" and i.id in boxed]
        for image in train[images:]:
            store.update_image_fields(image.id, {"excluded": 1})
        counts = {s: sum(1 for i in store.images(include_excluded=False) if i.split == s and i.id in boxed)
                  for s in ("train", "val", "test")}
    return {"format": report.format, "added": report.added, "boxes": report.boxes, **counts}


def centre_box_baseline(db: Path, size: int) -> dict:
    """One box over the central 70% of every test photo, labelled with the most frequent class."""
    import numpy as np

    from labelstudio_desktop.core.store import Store
    from labelstudio_desktop.ml.data import collect
    from labelstudio_desktop.ml.metrics import match_boxes

    with Store.open(db) as store:
        data = collect(store, "detect", size)
    split = next(s for s in ("test", "val", "train") if len(data.x[s]))
    common = int(np.argmax([v for v in data.counts("train").values()]))
    tp = fp = fn = 0
    ious = []
    for item in data.y[split]:
        hits, best = match_boxes(item.boxes, item.labels, [(0.15, 0.15, 0.85, 0.85)], [common], [1.0])
        tp, fp, fn = tp + int(hits.sum()), fp + int((~hits).sum()), fn + len(item.boxes) - int(hits.sum())
        ious.extend(best.tolist())
    return {"precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1), "mean_iou": float(np.mean(ious))}


def throughput(db: Path, run_id: int, repeats: int = 3) -> tuple[float, float, int]:
    """Images/s of ``detect`` on resized test photos (best of ``repeats``), and from the files (load + resize)."""
    import numpy as np

    from labelstudio_desktop.core.images import load_rgb
    from labelstudio_desktop.core.runs import get_run
    from labelstudio_desktop.core.store import Store
    from labelstudio_desktop.ml.data import resize_square
    from labelstudio_desktop.ml.detector import detect
    from labelstudio_desktop.ml.train import load_model

    with Store.open(db) as store:
        run = get_run(store, run_id)
        paths = [store.abs_path(i) for i in store.images(include_excluded=False) if i.split == "test"]
    size = int(run.params["size"])
    model = load_model(run.model_path)
    pixels = np.stack([resize_square(load_rgb(p), size) for p in paths])
    detect(model, pixels[:8])  # warm-up (graph tracing)
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        detect(model, pixels)
        best = max(best, len(pixels) / (time.perf_counter() - start))
    start = time.perf_counter()
    detect(model, np.stack([resize_square(load_rgb(p), size) for p in paths]))
    from_files = len(paths) / (time.perf_counter() - start)
    return best, from_files, len(paths)


def main() -> None:
    from labelstudio_desktop.ml.config import TASK_DEFAULTS

    defaults = TASK_DEFAULTS["detect"]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--images", type=int, default=200, help="training photos (default 200)")
    parser.add_argument("--epochs", type=int, default=defaults["epochs"])
    parser.add_argument("--size", type=int, default=defaults["size"])
    parser.add_argument("--backbone", default="small")
    parser.add_argument("--augment", default=defaults["augment"])
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--keep", type=Path, help="keep the project database here instead of a temporary folder")
    args = parser.parse_args()
    if not args.dataset.is_dir():
        raise SystemExit(f"{args.dataset}: no such folder (pass --dataset)")

    from labelstudio_desktop.ml.config import AugmentConfig, TrainConfig
    from labelstudio_desktop.ml.evaluate import evaluate
    from labelstudio_desktop.ml.train import train

    folder = args.keep or Path(tempfile.mkdtemp(prefix="detector-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "project.db"
    counts = prepare(args.dataset, db, args.images)
    print(f"{args.dataset.name}: {counts['added']} photos, {counts['boxes']} boxes ({counts['format']}); "
          f"train {counts['train']}, val {counts['val']}, test {counts['test']} reviewed photos")
    config = TrainConfig(task="detect", backbone=args.backbone, epochs=args.epochs, size=args.size,
                         learning_rate=args.lr, augment=AugmentConfig.from_names(args.augment))
    print(f"training: {args.backbone}, {args.size} px, {args.epochs} epochs, batch {config.batch}, "
          f"augment {args.augment or 'none'}, {os.cpu_count()} CPU cores")
    start = time.perf_counter()
    result = train(db, config)
    seconds = time.perf_counter() - start
    print(f"  {result.status} in {seconds:.0f} s ({seconds / 60:.1f} min; budget {BUDGET_SECONDS / 60:.0f} min: "
          f"{seconds / BUDGET_SECONDS:.2f} of it), {seconds / max(result.epochs, 1):.1f} s per epoch; "
          f"best val_loss {min(result.history.get('val_loss', [float('nan')])):.3f}")
    evaluation = evaluate(db, result.run_id)
    m = evaluation.metrics
    per_s, from_files, n = throughput(db, result.run_id)
    baseline = centre_box_baseline(db, args.size)
    print(f"proposal speed on {n} test photos: {per_s:.0f} images/s resized, {from_files:.0f} images/s from the "
          "files (decoding and resizing included; target >= 20)")
    print(f"\nheld-out {evaluation.split} split ({m['images']:.0f} photos, {m['true_boxes']:.0f} boxes), IoU 0.5, "
          f"score >= {m['score_threshold']:.2f}:")
    print(f"  {'':22} {'precision':>9} {'recall':>7} {'mean IoU':>9}")
    print(f"  {'detector':22} {m['precision']:9.3f} {m['recall']:7.3f} {m['mean_iou']:9.3f}   (mAP50 {m['map50']:.3f})")
    print(f"  {'centre box (baseline)':22} {baseline['precision']:9.3f} {baseline['recall']:7.3f} "
          f"{baseline['mean_iou']:9.3f}")
    print(f"  ratio (detector / baseline) mean IoU: {m['mean_iou'] / max(baseline['mean_iou'], 1e-9):.1f}")
    for name in evaluation.classes:
        print(f"  {name:22} {m[f'precision_{name}']:9.3f} {m[f'recall_{name}']:7.3f}   AP50 {m[f'ap50_{name}']:.3f}")
    print(f"\nproject kept in {folder}" if args.keep else "")


if __name__ == "__main__":
    main()
