"""The box detector's default configuration on real photos: training time, proposal speed, held-out quality.

    python benchmarks/detector_speed.py [--dataset boards|cards|bccd|PATH ...] [--images 100] [--epochs N]
                                        [--size S] [--backbone B] [--weights W] [--augment A] [--json out.json]
                                        [--against-one-pass]

Datasets (``../shared/datasets``, see its README): ``boards`` (149 phone photos of microcontroller boards, mostly one
sizeable board each), ``cards`` (363 phone photos of playing cards, ~1.8 per photo), both ``images/{train,test}``
with a labelImg XML beside each photo, and ``bccd`` (364 blood-cell microscope photos, many small cells, VOCdevkit
layout with ``ImageSets/Main``). Each is imported into a temporary project (the dataset folder is never written). The
detector trains with the app's defaults (``train --task detect``) on ``--images`` photos of the dataset's train
split, drawn at random, and is scored on every other photo (the test and val splits and the rest of the train split:
boards' own test split holds 7 photos). Nothing validates, as in a project whose few reviewed images all train.

Prints per dataset: training time (the budget: 3 minutes for 100 images on 2 CPU cores, with the machine's load
average alongside), proposal throughput (images/s of ``detect`` on the resized test photos, and from the files,
decoding included; target >= 20), and on the held-out photos at the proposals' score threshold: mean best IoU per
true box (with a box of its class, and of any class), precision and recall at IoU 0.5, AP50 (all scores), and the
same for a baseline measured in the same run: one fixed box over the central 70% of each photo, of the most frequent
class of the training boxes; and "as is", the share of true boxes whose best detection of their class the simulated
operator of ``review_loop.py`` accepts as it is (IoU >= 0.7, or every edge within 5% of the box's side). When the run
has a box refiner (``ml/refine.py``), the same figures after it, and after the box classifier's classes too
(``ml/box_classes.py``), and the proposal speed with both. Then the ratio of
the detector's mean best IoU to the baseline's.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
DATASETS = {"boards": SHARED / "boards" / "images", "cards": SHARED / "cards" / "images",
            "bccd": SHARED / "BCCD_Dataset" / "BCCD"}
BUDGET_SECONDS = 180.0
BUDGET_IMAGES = 100
CENTRE_BOX = (0.15, 0.15, 0.85, 0.85)


@dataclass
class Quality:
    """Detections against the true boxes of the held-out photos."""

    mean_iou: float  # mean over true boxes of the best IoU with a detection of its class
    mean_iou_any: float  # ... with a detection of any class (localisation alone)
    precision: float
    recall: float
    ap50: float
    as_is: float = 0.0  # share of true boxes whose best detection of its class the operator accepts as it is


def within_tolerance(truth: np.ndarray, found: np.ndarray) -> bool:
    """Whether every edge of ``found`` is within 5% of the true box's side of ``truth``'s (the operator's tolerance of
    ``simulated_operator.py``, whose 3-pixel floor the normalised boxes leave out)."""
    w, h = truth[2] - truth[0], truth[3] - truth[1]
    limits = np.array([w, h, w, h]) * 0.05
    return bool(np.all(np.abs(found - truth) <= limits))


def dataset_folder(name: str) -> Path:
    """A dataset's folder: a name of :data:`DATASETS`, or a path."""
    folder = DATASETS.get(name, Path(name))
    if not folder.is_dir():
        raise SystemExit(f"{folder}: no such folder (the datasets live in ../shared/datasets; see its README)")
    return folder


def prepare(dataset: Path, db: Path, images: int, seed: int) -> dict:
    """Import ``dataset`` into a project at ``db``; ``images`` photos with boxes, drawn at random from its train
    split, train; every other photo with boxes (its test and val splits, the rest of its train split) is held out
    in the test split; photos without boxes are excluded."""
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    with Store.create(dataset, db) as store:
        report = import_folder(store)
        boxed = {r[0] for r in store.conn.execute("SELECT DISTINCT image_id FROM boxes WHERE state='accepted'")}
        train = [i for i in store.images() if i.id in boxed and i.split == "train"]
        chosen = {i.id for i in random.Random(seed).sample(train, min(images, len(train)))}
        for image in store.images():
            fields = {"split": "train" if image.id in chosen else "test"} if image.id in boxed else {"excluded": 1}
            store.update_image_fields(image.id, fields)
    return {"format": report.format, "added": report.added, "boxes": report.boxes, "train": len(chosen),
            "test": len(boxed) - len(chosen)}


def quality(items, detections) -> Quality:
    """Scores of ``detections`` (per image ``[(box, class, score)]``, boxes in 0..1) against the true boxes of
    ``items`` (:class:`ImageBoxes`). IoU is the same in 0..1 of the stretched square as in pixels of the photo."""
    import numpy as np

    from labelstudio_desktop.ml.metrics import average_precision, box_ious, match_boxes

    tp = predicted = positives = as_is = 0
    best, best_any, ranked = [], [], {}
    for item, found in zip(items, detections, strict=True):
        boxes = np.asarray([d[0] for d in found], float).reshape(-1, 4)
        labels, scores = np.asarray([d[1] for d in found], int), np.asarray([d[2] for d in found], float)
        hits, best_of = match_boxes(item.boxes, item.labels, boxes, labels, scores)
        tp, predicted, positives = tp + int(hits.sum()), predicted + len(found), positives + len(item.boxes)
        best.extend(best_of.tolist())
        ious = box_ious(item.boxes, boxes)
        for k, truth in enumerate(item.boxes):
            same = np.flatnonzero(labels == item.labels[k])
            if len(same):  # the simulated operator accepts at IoU >= 0.7, or with every edge within tolerance
                best_one = same[np.argmax(ious[k, same])]
                as_is += ious[k, best_one] >= 0.7 or within_tolerance(truth, boxes[best_one])
        best_any.extend((ious.max(axis=1) if len(found) else np.zeros(len(item.boxes))).tolist())
        for c in set(item.labels.tolist()) | set(labels.tolist()):
            entry = ranked.setdefault(c, ([], [], 0))
            ranked[c] = (entry[0] + scores[labels == c].tolist(), entry[1] + hits[labels == c].tolist(),
                         entry[2] + int(np.sum(item.labels == c)))
    aps = [average_precision(s, h, n) for s, h, n in ranked.values() if n]
    return Quality(float(np.mean(best)), float(np.mean(best_any)), tp / max(predicted, 1), tp / max(positives, 1),
                   float(np.mean(aps)) if aps else 0.0, as_is / max(positives, 1))


def held_out(db: Path, run_id: int):
    """The run's model, its classes' test photos (resized) and their true boxes, the most frequent class of the
    training boxes, the photos' paths and sizes, and the run's classes."""
    import numpy as np

    from labelstudio_desktop.core.store.runs import get_run
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.ml.data import collect
    from labelstudio_desktop.ml.train import load_model

    with Store.open(db) as store:
        run = get_run(store, run_id)
        data = collect(store, "detect", int(run.params["size"]), classes=run.params["classes"])
        paths = [(store.abs_path(img), (img.width, img.height)) for img in map(store.image, data.ids["test"])]
    common = int(np.argmax(list(data.counts("train").values())))
    return load_model(run.model_path), data.x["test"], data.y["test"], common, paths, list(run.params["classes"])


def refined(run_folder: Path, classes: list[str], paths: list[tuple[Path, tuple[int, int]]],
            detections) -> tuple[list, list, float] | None:
    """The detections (boxes in 0..1) after the run's second look as the proposals take it (``ml/second_look.py``):
    with the refined edges and the detector's classes, and with the box classifier's classes too; and the seconds it
    took (the networks built and traced before, as ``throughput`` warms the detector up); None when the run has no
    refiner."""
    from labelstudio_desktop.ml.second_look import SecondLook

    look = SecondLook.of_run(run_folder)
    if look.refiner is None:
        return None
    look.warm_up()
    start = time.perf_counter()
    edges, classed = look.apply(classes, paths, detections)
    return edges, classed, time.perf_counter() - start


def throughput(model, db: Path, size: int, repeats: int = 3) -> tuple[float, float, int]:
    """Images/s of ``detect`` on resized test photos (best of ``repeats``), and from the files (load + resize)."""
    import numpy as np

    from labelstudio_desktop.core.images import load_rgb
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.ml.data import resize_square
    from labelstudio_desktop.ml.detector import detect

    with Store.open(db) as store:
        paths = [store.abs_path(i) for i in store.images(include_excluded=False) if i.split == "test"]
    pixels = np.stack([resize_square(load_rgb(p), size) for p in paths])
    detect(model, pixels[:8])  # warm-up (graph tracing)
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        detect(model, pixels)
        best = max(best, len(pixels) / (time.perf_counter() - start))
    start = time.perf_counter()
    detect(model, np.stack([resize_square(load_rgb(p), size) for p in paths]))
    return best, len(paths) / (time.perf_counter() - start), len(paths)


def load() -> str:
    """The machine's load average (1, 5, 15 minutes): timings mean little on a busy machine."""
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def run_dataset(name: str, args, folder: Path) -> dict:
    """Train on one dataset, print its figures and return them."""
    from labelstudio_desktop.ml.config import AugmentConfig, TrainConfig

    db = folder / name.replace("/", "_") / "project.db"
    counts = prepare(dataset_folder(name), db, args.images, args.seed)
    print(f"\n== {name}: {counts['added']} photos, {counts['boxes']} boxes ({counts['format']}); train on "
          f"{counts['train']} photos, score on {counts['test']} held-out photos")
    values = {k: v for k, v in (("epochs", args.epochs), ("size", args.size), ("backbone", args.backbone),
                                ("weights", args.weights), ("learning_rate", args.lr),
                                ("trainable_layers", args.trainable_layers),
                                ("min_steps", args.min_steps)) if v is not None}
    if args.augment is not None:
        values["augment"] = AugmentConfig.from_names(args.augment)
    config = TrainConfig.for_task("detect", seed=args.seed, **values)
    print(f"training: {config.backbone} ({config.weights}), {config.size} px, {config.epochs} epochs (at least "
          f"{config.min_steps} batches), batch {config.batch}, {os.cpu_count()} CPU cores, load {load()}")
    row = {"dataset": name, **counts, "config": config.as_params()}
    if args.against_one_pass:  # the plan before: every epoch one pass over the images, however few
        import labelstudio_desktop.ml.config as ml_config

        epoch_batches, ml_config.MIN_EPOCH_BATCHES = ml_config.MIN_EPOCH_BATCHES, 1
        try:
            row["one_pass"] = train_and_score(db, config, counts, "one pass per epoch (before)", throughput_too=False)
        finally:
            ml_config.MIN_EPOCH_BATCHES = epoch_batches
    row.update(train_and_score(db, config, counts, "detector"))
    if args.against_one_pass:
        before = row["one_pass"]
        print(f"  training time, one pass per epoch / epochs of several passes: {before['seconds']:.0f} s / "
              f"{row['seconds']:.0f} s = {before['seconds'] / row['seconds']:.2f}x; mean IoU "
              f"{before['detector']['mean_iou']:.3f} / {row['detector']['mean_iou']:.3f}")
    return row


def train_and_score(db: Path, config, counts: dict, label: str, throughput_too: bool = True) -> dict:
    """Train a run of ``config`` on the project, print its time and quality on the held-out photos."""
    from labelstudio_desktop.core.store.runs import get_run
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.ml.detector import decode, predict
    from labelstudio_desktop.ml.propose import detector_threshold
    from labelstudio_desktop.ml.second_look import BEST_GUESS_FLOOR, kept_detections
    from labelstudio_desktop.ml.train import train

    start, cpu = time.perf_counter(), time.process_time()
    result = train(db, copy.deepcopy(config))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    budget = BUDGET_SECONDS * counts["train"] / BUDGET_IMAGES
    print(f"  {label}: {result.status} in {seconds:.0f} s, {result.epochs} epochs ({seconds / budget:.2f} of the "
          f"budget of {BUDGET_SECONDS / 60:.0f} min per {BUDGET_IMAGES} images); {cpu:.0f} CPU seconds (on a busy "
          f"machine the wall time grows, these hardly); load after {load()}")
    model, x, items, common, paths, classes = held_out(db, result.run_id)
    with Store.open(db) as store:  # the run's threshold before any calibration (by the boxes it trained on)
        threshold = detector_threshold(get_run(store, result.run_id), [])
    outputs = predict(model, x)
    detections = kept_detections(outputs, threshold)  # as the proposals keep them
    ours = quality(items, detections)
    sure = quality(items, decode(outputs, threshold, max_boxes=100))  # without the best guesses
    second = refined(Path(result.model_path).parent, classes, paths, detections)
    looked = quality(items, second[0]) if second else None
    classed = quality(items, second[1]) if second else None
    ours.ap50 = quality(items, decode(outputs, 0.01, max_boxes=100)).ap50  # every score: the precision-recall curve
    centre = quality(items, [[(CENTRE_BOX, common, 1.0)]] * len(items))
    row = {"seconds": seconds, "cpu_seconds": cpu, "epochs": result.epochs, "threshold": threshold,
           "detector": asdict(ours),
           "sure_only": asdict(sure),
           "centre_box": asdict(centre), "ratio": ours.mean_iou / max(centre.mean_iou, 1e-9),
           "load": os.getloadavg()}
    if looked is not None:
        row.update(refined=asdict(looked), box_classes=asdict(classed),
                   refine_seconds_per_image=second[2] / max(1, len(paths)))
    if throughput_too:
        per_s, from_files, n = throughput(model, db, config.size)
        with_refining = 1 / (1 / from_files + second[2] / max(1, len(paths))) if second else from_files
        print(f"proposals: {per_s:.0f} images/s resized, {from_files:.0f} images/s from the files, "
              f"{with_refining:.0f} images/s with the box refinement (target >= 20)")
        row.update(images_per_s=per_s, images_per_s_files=from_files, images_per_s_refined=with_refining)
    print(f"held out ({len(items)} photos, {sum(len(i.boxes) for i in items)} boxes), score >= {threshold} "
          f"or a photo's best guess >= {BEST_GUESS_FLOOR} (sure only: without the best guesses):")
    print(f"  {'':14} {'mean IoU':>8} {'any class':>9} {'precision':>9} {'recall':>7} {'AP50':>6} {'as is':>6}")
    for name, q in (("sure only", sure), (label, ours),
                    *((("+ refinement", looked), ("+ box classes", classed)) if looked else ()),
                    ("centre box", centre)):
        ap50 = f"{q.ap50:6.3f}" if q is ours or q is centre else f"{'-':>6}"  # the others: thresholded boxes
        print(f"  {name[:14]:14} {q.mean_iou:8.3f} {q.mean_iou_any:9.3f} {q.precision:9.3f} {q.recall:7.3f} "
              f"{ap50} {q.as_is:6.1%}")
    print(f"  ratio ({label} / centre box), mean best IoU: {row['ratio']:.2f} (any class: "
          f"{ours.mean_iou_any / max(centre.mean_iou_any, 1e-9):.2f})")
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", action="append", help=f"{' | '.join(DATASETS)} | a folder (repeat it; "
                                                           "default: all three)")
    parser.add_argument("--images", type=int, default=BUDGET_IMAGES, help="training photos (default 100)")
    parser.add_argument("--epochs", type=int, help="default: the app's")
    parser.add_argument("--size", type=int, help="default: the app's")
    parser.add_argument("--backbone", help="default: the app's (mobilenetv2); small: from scratch")
    parser.add_argument("--weights", help="imagenet (default) | none | FILE")
    parser.add_argument("--trainable-layers", type=int)
    parser.add_argument("--min-steps", type=int, help="default: the app's")
    parser.add_argument("--augment", help="default: the app's")
    parser.add_argument("--lr", type=float)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--against-one-pass", action="store_true",
                        help="train a second detector on the same photos whose epochs are one pass each, however "
                             "few the photos (the plan before epochs of several passes), and compare the times")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--keep", type=Path, help="keep the projects here instead of a temporary folder")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="detector-bench-"))
    rows = [run_dataset(name, args, folder) for name in args.dataset or list(DATASETS)]
    print(f"\n{'dataset':8} {'train s':>7} {'img/s':>6} {'mean IoU':>8} {'centre':>6} {'ratio':>5} {'P':>5} {'R':>5} "
          f"{'AP50':>5}")
    for r in rows:
        d = r["detector"]
        print(f"{r['dataset']:8} {r['seconds']:7.0f} {r['images_per_s_files']:6.0f} {d['mean_iou']:8.3f} "
              f"{r['centre_box']['mean_iou']:6.3f} {r['ratio']:5.2f} {d['precision']:5.2f} {d['recall']:5.2f} "
              f"{d['ap50']:5.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.keep:
        print(f"projects kept in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
