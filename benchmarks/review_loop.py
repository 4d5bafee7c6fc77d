"""The operator's loop, simulated: propose -> review -> retrain -> calibrate -> propose, on datasets with true boxes.

    python benchmarks/review_loop.py [--dataset demo|bccd|boards|cards ...]
                                     [--weights imagenet|none|both|refinement]
                                     [--batch 20] [--rounds 4] [--quick] [--json rows.json] [--plot out.png]
                                     [--order random|file|review ...]

Datasets: the demo project (class folders; its true boxes are kept apart from the project), the blood-cell photos of
``../shared/datasets/BCCD_Dataset`` (VOC, many small objects) and two sets of ordinary phone photos with a labelImg
XML beside each (``../shared/datasets/boards``: 149 photos of microcontroller boards, MIT; ``cards``: 363 photos of
playing cards, Apache 2.0). The photo sets' true boxes are read through the app's own VOC import (EXIF rotation
included), then the project is started afresh without them. Each dataset runs with the pretrained detector (the app's
default, ImageNet MobileNetV2) and from scratch (``--weights none``: the small network), side by side;
``--weights refinement`` runs the pretrained detector with and without its box refinement (``ml/refine.py``).

Honest by construction (issue 20):
- a fixed set of images (a third, at most 100) is held out: never reviewed, hidden from every model's training (the
  cold-start classifier included: the demo's class folders label them too), and every round's proposals are scored
  on it (mean best IoU, precision and recall at IoU 0.5);
- the other images are reviewed a batch per round by the simulated operator (``simulated_operator.py``), and what
  the operator accepted is stored (a proposal accepted as is keeps its own edges), as the app would store it;
- each retraining is the app's Retrain (``ml/retrain.py``): the detector's score threshold is calibrated on the
  reviewed images the detector that proposed for them never trained on (the batch just reviewed, and earlier
  batches' validation images), and carried to the next round's proposals;
- where an image's class is known (the demo's class folders) the proposals take it (the class prior);
- the operator's cost: actions (keys and drags) and seconds per object from the cost model of
  ``simulated_operator.SECONDS``, against drawing every box by hand, and against reviewing a fixed centre-box
  proposal (one box over the central 70%, the image's class or the most common class) on the same images;
- the training time before each round is reported: the operator waits for it, or reviews without it.
The cold start (round 1) is Grad-CAM where the images have class labels (the demo), none where they do not (the
operator draws).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulated_operator import (  # noqa: E402
    HAND_ACTIONS_PER_OBJECT,
    Quality,
    centre_box,
    hand_actions_with_navigation,
    hand_seconds,
    review,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
BCCD = SHARED / "BCCD_Dataset" / "BCCD"
PHOTO_SETS = {"boards": SHARED / "boards" / "images", "cards": SHARED / "cards" / "images"}
DATASETS = ("demo", "bccd", "boards", "cards")
WEIGHTS = {"imagenet": {}, "none": {"backbone": "small", "weights": "none"},
           "imagenet-unrefined": {}}  # pretrained, its box refiner (ml/refine.py) removed after each training
ORDERS = ("random", "file", "review")


class MissingDataset(Exception):
    pass


def dataset_folder(name: str) -> Path | None:
    """The folder a dataset is read from (None for the generated demo)."""
    return {"bccd": BCCD, **PHOTO_SETS}.get(name)


def demo_dataset(work: Path) -> tuple[Path, dict[str, list], bool]:
    """The demo images (class folders: Grad-CAM can start) and their true boxes."""
    from labelstudio_desktop.core.demo import create_demo_project

    store, _ = create_demo_project(work / "demo")
    store.close()
    shutil.rmtree(work / "demo" / "images" / ".labelstudio")  # a fresh project: boxes come from the loop
    truth = json.loads((work / "demo" / "ground_truth" / "truth.json").read_text())["images"]
    boxes = {rel: [(b[4], tuple(b[:4])) for b in info["boxes"]] for rel, info in truth.items()}
    return work / "demo" / "images", boxes, True


def bccd_dataset(work: Path) -> tuple[Path, dict[str, list], bool]:
    """The BCCD photos as a flat folder (no labels at all) and their true boxes from the VOC files."""
    from labelstudio_desktop.core.formats.voc import read_voc

    folder = work / "bccd"
    shutil.copytree(BCCD / "JPEGImages", folder)
    boxes = {}
    for xml in sorted((BCCD / "Annotations").glob("*.xml")):
        name = xml.stem + ".jpg"
        if (folder / name).is_file():
            boxes[name] = [(o.name, (o.x0, o.y0, o.x1, o.y1)) for o in read_voc(xml).objects]
    return folder, boxes, False


def photo_dataset(name: str, work: Path) -> tuple[Path, dict[str, list], bool]:
    """A labelImg photo set (train/ and test/ pooled) as a flat folder without labels, and its true boxes as the
    app's VOC import reads them (EXIF rotation applied)."""
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    folder, xml = work / name, work / f"{name}-xml"
    folder.mkdir()
    xml.mkdir()
    for part in ("train", "test"):
        for f in sorted((PHOTO_SETS[name] / part).iterdir()):
            target = (xml if f.suffix.lower() == ".xml" else folder) / f"{part}_{f.name}"
            shutil.copyfile(f, target)
    with Store.create(folder) as store:
        import_folder(store, fmt="voc", annotations=xml)
        boxes = {img.path: [(b.label, b.edges) for b in store.boxes(img.id)]
                 for img in store.images(include_excluded=False, include_missing=False)}
    shutil.rmtree(folder / ".labelstudio")  # a fresh project: boxes come from the loop
    return folder, {rel: b for rel, b in boxes.items() if b}, False


def load_dataset(name: str, work: Path) -> tuple[Path, dict[str, list], bool]:
    source = dataset_folder(name)
    if source is not None and not source.is_dir():
        raise MissingDataset(f"dataset {name}: folder {source} not found (the datasets live in ../shared/datasets "
                             "beside the repository; see its README)")
    if name == "demo":
        return demo_dataset(work)
    if name == "bccd":
        return bccd_dataset(work)
    return photo_dataset(name, work)


def split_held_out(paths: list[str], seed: int, most: int = 100) -> tuple[list[str], list[str]]:
    """The images held out for scoring (a third, at most ``most``: never reviewed, hidden from every model) and the
    pool reviewed a batch per round, in review order."""
    order = sorted(paths)
    random.Random(seed).shuffle(order)
    held = order[:min(most, len(order) // 3)]
    return held, order[len(held):]


@contextlib.contextmanager
def hidden(store, image_ids):
    """Hide these images from whatever reads the project meanwhile (training, calibration): excluded, then back."""
    ids = list(image_ids)
    for image_id in ids:
        store.update_image_fields(image_id, {"excluded": True})
    try:
        yield
    finally:
        for image_id in ids:
            store.update_image_fields(image_id, {"excluded": False})


@contextlib.contextmanager
def hidden_in(db, image_ids):
    """:func:`hidden` for code that opens the project itself (train, calibrate): hidden while it runs."""
    from labelstudio_desktop.core.store.store import Store

    ids = list(image_ids)
    with Store.open(db) as store:
        for image_id in ids:
            store.update_image_fields(image_id, {"excluded": True})
    try:
        yield
    finally:
        with Store.open(db) as store:
            for image_id in ids:
                store.update_image_fields(image_id, {"excluded": False})


def _pending(store, image_id: int) -> list:
    return [(b.label, b.edges) for b in store.boxes(image_id, states=("pending",))]


def _apply(store, image, proposals_records, truth) -> object:
    """Store the simulated operator's decisions on one image, as the app would (what the operator accepted: a
    proposal accepted as is keeps its own edges); returns the review."""
    from labelstudio_desktop.core.store.store import BoxRecord

    decided = review([(b.label, b.edges) for b in proposals_records], truth)
    for d in decided.decisions:
        if d.kind == "drawn":
            label, box = d.box
            store.insert_box(BoxRecord(0, image.id, label, *box))
            continue
        record = proposals_records[d.proposal]
        if d.kind == "rejected":
            store.update_box(BoxRecord(**{**record.__dict__, "state": "rejected"}))
        else:
            label, box = d.box
            store.update_box(BoxRecord(**{**record.__dict__, "state": "accepted", "label": label,
                                          "x0": box[0], "y0": box[1], "x1": box[2], "y1": box[3],
                                          "edited": d.kind == "corrected"}))
    store.update_image_fields(image.id, {"status": "verified"})
    return decided


class Tally:
    """A batch's review: actions, seconds and decisions over its objects."""

    def __init__(self):
        self.objects = self.actions = self.verify = self.navigated = self.hand = 0
        self.seconds = self.hand_seconds = 0.0
        self.kinds = dict.fromkeys(("accepted", "corrected", "rejected", "drawn"), 0)

    def add(self, decided, objects: int) -> None:
        self.objects += objects
        self.actions += decided.actions
        self.verify += decided.actions_with_verify
        self.navigated += decided.actions_with_navigation
        self.hand += hand_actions_with_navigation(objects)
        self.seconds += decided.seconds
        self.hand_seconds += hand_seconds(objects)
        for kind in self.kinds:
            self.kinds[kind] += decided.count(kind)

    def per_object(self, value: float) -> float:
        return value / max(1, self.objects)


def run_loop(name: str, weights: str, folder: Path, truth: dict, labelled: bool, batch: int, rounds: int,
             seed: int, epochs: int | None, quick: bool, order: str = "random") -> list[dict]:
    from labelstudio_desktop.core.editing.review_order import review_order
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder
    from labelstudio_desktop.ml.config import TrainConfig
    from labelstudio_desktop.ml.propose import propose
    from labelstudio_desktop.ml.retrain import retrain
    from labelstudio_desktop.ml.train import train

    with Store.create(folder) as store:
        import_folder(store)
        db = store.db_path
        images = {i.path: i for i in store.images(include_excluded=False, include_missing=False)
                  if i.path in truth and not i.warnings}
    held, pool = split_held_out(list(images), seed, most=20 if quick else 100)
    if order == "file":
        pool = sorted(pool)
    elif order == "review":  # the review order needs every image's features (the app computes them after import)
        from labelstudio_desktop.ml.features import compute_features

        t0 = time.perf_counter()
        with Store.open(db) as store:
            embedded = compute_features(store)
        print(f"   features of {embedded.done} images in {time.perf_counter() - t0:.0f} s", flush=True)
    held_ids = [images[rel].id for rel in held]
    common = Counter(label for rel in images for label, _ in truth[rel]).most_common(1)[0][0]
    centre = Quality()
    for rel in held:
        img = images[rel]
        centre.add([(label, centre_box(img.width, img.height)) for label in {t[0] for t in truth[rel]}],
                   truth[rel])
    rows, run_id, threshold, trained = [], None, None, None
    print(f"\n== {name}, weights {weights}, {order} order: {len(images)} images, "
          f"{sum(len(truth[r]) for r in images)} true boxes; {len(held)} held out for scoring (hidden from every "
          f"model); batches of {batch}", flush=True)
    done: set[str] = set()
    for rnd in range(1, rounds + 1):
        remaining = [rel for rel in pool if rel not in done]
        if order == "review":  # what the app's Next image to review (Shift+N) goes through
            by_id = {images[rel].id: rel for rel in remaining}
            with Store.open(db) as store:
                reviewed = [by_id[i] for i in review_order(store, candidates=list(by_id)).ids[:batch]]
        else:
            reviewed = remaining[:batch]
        if not reviewed:
            break
        done.update(reviewed)
        source = "detector" if run_id is not None else ("gradcam" if labelled else None)
        if source == "gradcam":  # the cold start: a classifier on the image labels (not the held-out ones)
            t0 = time.perf_counter()
            config = TrainConfig(task="classify", size=128, epochs=3 if quick else 15, batch=16, seed=seed,
                                 augment=_augment("hflip,vflip"), **WEIGHTS[weights])
            with hidden_in(db, held_ids):
                train(db, config)
            trained = time.perf_counter() - t0
            propose(db, source="gradcam", multi=True, use_labels=True)
        elif source == "detector":
            with Store.open(db) as store:  # the held-out score is this round's source's, not a leftover's
                for image_id in held_ids:
                    for b in store.boxes(image_id, states=("pending",)):
                        store.delete_box(b.id)
            propose(db, source="detector", run_id=run_id, use_labels=labelled)
        quality = Quality()
        tally, centre_tally = Tally(), Tally()
        with Store.open(db) as store:
            for rel in held:
                quality.add(_pending(store, images[rel].id), truth[rel])
            for rel in reviewed:
                img = images[rel]
                label = img.label if labelled and img.label else common
                centre_tally.add(review([(label, centre_box(img.width, img.height))], truth[rel]), len(truth[rel]))
                tally.add(_apply(store, img, store.boxes(img.id, states=("pending",)), truth[rel]), len(truth[rel]))
        row = {"dataset": name, "weights": weights, "order": order, "round": rnd,
               "source": source or "none (operator draws)",
               "reviewed_before": (rnd - 1) * batch, "batch_images": len(reviewed), "objects": tally.objects,
               "train_seconds_before": trained, "threshold": threshold,
               "mean_best_iou": quality.mean_best_iou, "centre_iou": centre.mean_best_iou,
               "precision": quality.precision, "recall": quality.recall,
               "accepted_as_is": tally.per_object(tally.kinds["accepted"]),
               "actions_per_object": tally.per_object(tally.actions),
               "actions_per_object_with_verify": tally.per_object(tally.verify),
               "actions_per_object_with_navigation": tally.per_object(tally.navigated),
               "hand_actions_per_object_with_navigation": tally.per_object(tally.hand),
               "seconds_per_object": tally.per_object(tally.seconds),
               "hand_seconds_per_object": tally.per_object(tally.hand_seconds),
               "centre_seconds_per_object": centre_tally.per_object(centre_tally.seconds),
               "centre_actions_per_object_with_navigation": centre_tally.per_object(centre_tally.navigated),
               "centre_accepted_as_is": centre_tally.per_object(centre_tally.kinds["accepted"]),
               "decisions": tally.kinds, "hand_actions_per_object": HAND_ACTIONS_PER_OBJECT}
        rows.append(row)
        waited = f"{trained:.0f} s of training before it" if trained is not None else "no training before it"
        print(f"round {rnd} ({row['source']}, {row['reviewed_before']} reviewed before, {waited}): held-out mean "
              f"best IoU {quality.mean_best_iou:.3f} (centre box {centre.mean_best_iou:.3f}), P/R@0.5 "
              f"{quality.precision:.2f}/{quality.recall:.2f}; batch of {len(reviewed)} images, {tally.objects} "
              f"objects: {row['accepted_as_is']:.0%} accepted as is; actions/object "
              f"{row['actions_per_object_with_navigation']:.2f} "
              f"(hand {row['hand_actions_per_object_with_navigation']:.2f}, centre box "
              f"{row['centre_actions_per_object_with_navigation']:.2f}); seconds/object "
              f"{row['seconds_per_object']:.1f} (hand {row['hand_seconds_per_object']:.1f}, centre box "
              f"{row['centre_seconds_per_object']:.1f}); decisions: "
              + ", ".join(f"{n} {kind}" for kind, n in tally.kinds.items()), flush=True)
        if rnd == rounds or len(done) == len(pool):
            break  # the last round's retraining would be measured by nobody
        config = TrainConfig.for_task("detect", seed=seed, **WEIGHTS[weights])  # what the app's Retrain uses
        if epochs is not None:
            config.epochs = epochs
        if quick:
            config.epochs, config.min_steps = epochs or 3, 0
        t0 = time.perf_counter()
        with hidden_in(db, held_ids):  # the app's Retrain: from the last detector, with its calibrated threshold
            result = train(db, config) if run_id is None else retrain(db, config, run_id)
        run_id = result.run_id
        trained = time.perf_counter() - t0
        threshold, carried = _threshold(db, run_id)
        if carried and carried["images"]:
            print(f"   score threshold {threshold:.2f}: run {carried['run']}'s {carried['calibrated']:.2f}, calibrated "
                  f"on the {carried['images']} reviewed images it never trained on (this batch, and earlier ones' "
                  "validation images), moved as the default moves with the boxes trained on", flush=True)
        if weights == "imagenet-unrefined":  # the proposals keep the detector's own boxes and classes
            from labelstudio_desktop.ml import box_classes, refine

            for name in (refine.FILE_NAME, box_classes.FILE_NAME):
                (Path(result.model_path).parent / name).unlink(missing_ok=True)
        print(f"   detector retrained on {rnd * batch} reviewed images in {trained:.0f} s ({result.epochs} epochs)",
              flush=True)
    return rows


def _threshold(db: Path, run_id: int) -> tuple[float, dict | None]:
    """The score threshold detector run ``run_id`` proposes at, and where it came from (``retrain.THRESHOLD_FROM``;
    None: its default)."""
    from labelstudio_desktop.core.store.runs import THRESHOLD_FROM, get_run
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.ml.propose import detector_threshold

    with Store.open(db) as store:
        run = get_run(store, run_id)
    return detector_threshold(run, []), run.params.get(THRESHOLD_FROM)


def side_by_side(rows: list[dict]) -> None:
    """Per dataset and round: pretrained and from scratch next to each other."""
    cols = [("IoU", "mean_best_iou", "{:.2f}"), ("P", "precision", "{:.2f}"), ("R", "recall", "{:.2f}"),
            ("as is", "accepted_as_is", "{:.0%}"), ("act/obj", "actions_per_object_with_navigation", "{:.2f}"),
            ("s/obj", "seconds_per_object", "{:.1f}"), ("train s", "train_seconds_before", "{:.0f}")]
    for name in dict.fromkeys(r["dataset"] for r in rows):
        mine = [r for r in rows if r["dataset"] == name]
        variants = list(dict.fromkeys(_variant(r) for r in mine))
        print(f"\n{name}: " + " | ".join(f"{w}: " + " ".join(c for c, _, _ in cols) for w in variants)
              + " | centre box: IoU act/obj s/obj | hand: act/obj s/obj")
        for rnd in sorted({r["round"] for r in mine}):
            cells, base = [], None
            for w in variants:
                r = next((r for r in mine if _variant(r) == w and r["round"] == rnd), None)
                base = base or r
                cells.append(" ".join("-" if r is None or r[k] is None else f.format(r[k]) for _, k, f in cols))
            print(f"  round {rnd}: " + " | ".join(cells)
                  + f" | {base['centre_iou']:.2f} {base['centre_actions_per_object_with_navigation']:.2f} "
                  f"{base['centre_seconds_per_object']:.1f} | {base['hand_actions_per_object_with_navigation']:.2f} "
                  f"{base['hand_seconds_per_object']:.1f}")


def _variant(row: dict) -> str:
    """How a row's loop ran: its weights, and its review order (rows saved before issue 23 have none: random)."""
    order = row.get("order")
    return row["weights"] if order is None else f"{row['weights']}, {order} order"


def reached(rows: list[dict]) -> None:
    """Per dataset and weights: after how many reviewed images each order's held-out IoU reached what file order
    has after its last round (issue 23: the review order should get there after at most 40 of file order's 60)."""
    for key in dict.fromkeys((r["dataset"], r["weights"]) for r in rows):
        mine = [r for r in rows if (r["dataset"], r["weights"]) == key]
        file_rows = [r for r in mine if r.get("order") == "file"]
        if not file_rows or len({r.get("order") for r in mine}) < 2:
            continue
        goal = file_rows[-1]
        print(f"\n{key[0]} ({key[1]}): file order's held-out IoU after {goal['reviewed_before']} reviewed: "
              f"{goal['mean_best_iou']:.3f}; reached by")
        for order in dict.fromkeys(r.get("order") for r in mine):
            hit = next((r for r in mine if r.get("order") == order and r["mean_best_iou"] >= goal["mean_best_iou"]),
                       None)
            print(f"  {order} order: " + (f"{hit['reviewed_before']} reviewed images (IoU {hit['mean_best_iou']:.3f})"
                                          if hit else "not within the rounds run"))


def _augment(names: str):
    from labelstudio_desktop.ml.config import AugmentConfig

    return AugmentConfig.from_names(names)


def plot(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5.6))
    centres = {}
    for name in sorted({f"{r['dataset']} ({_variant(r)})" for r in rows}):
        mine = [r for r in rows if f"{r['dataset']} ({_variant(r)})" == name]
        x = [r["reviewed_before"] for r in mine]
        left.plot(x, [r["mean_best_iou"] for r in mine], "o-", label=name)
        centres.setdefault(mine[0]["dataset"], (mine[0]["centre_iou"], left.lines[-1].get_color()))
        right.plot(x, [r["seconds_per_object"] / r["hand_seconds_per_object"] for r in mine], "o-",
                   label=f"{name}: seconds")
        right.plot(x, [r["actions_per_object_with_navigation"] / r["hand_actions_per_object_with_navigation"]
                       for r in mine], "s:", color=right.lines[-1].get_color(), label=f"{name}: actions")
    for dataset, (iou, colour) in centres.items():  # the same fixed box whatever the variant
        left.axhline(iou, linestyle="--", linewidth=1, color=colour, label=f"{dataset}: centre box")
    right.axhline(1.0, linestyle="--", color="grey", label="drawing by hand")
    right.axhline(0.4, linestyle=":", color="grey", label="target after 40: 0.4 of drawing by hand")
    left.set(xlabel="images reviewed before the round", ylabel="mean best IoU (held-out images)", ylim=(0, 1))
    right.set(xlabel="images reviewed before the round", ylabel="operator cost / drawing by hand",
              ylim=(0, 1.3))
    for axes in (left, right):  # below the plots: the lines stay visible
        axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"plot written to {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", action="append", choices=DATASETS,
                        help="a dataset to run (repeatable; default: all four)")
    parser.add_argument("--weights", choices=["imagenet", "none", "both", "refinement"], default="both",
                        help="the detector's start: pretrained (the app's default), from scratch, or both side by "
                             "side; refinement: pretrained with and without its box refinement, side by side")
    parser.add_argument("--batch", type=int, default=None, help="images reviewed per round (default 20)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 4)")
    parser.add_argument("--epochs", type=int, default=None, help="detector epochs per round (default: its own)")
    parser.add_argument("--quick", action="store_true",
                        help="a check that it runs: 2 rounds of 10 images, 20 held out, 3 epochs per model")
    parser.add_argument("--order", action="append", choices=ORDERS,
                        help="the order images are reviewed in (repeatable, each a loop of its own; default random): "
                             "random (seeded), file (by name), review (the app's Next image to review: the least "
                             "sure proposals, least like the reviewed images)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the rows here")
    args = parser.parse_args(argv)
    names = args.dataset or list(DATASETS)
    batch = args.batch or (10 if args.quick else 20)
    rounds = args.rounds or (2 if args.quick else 4)
    variants = {"both": ["imagenet", "none"], "refinement": ["imagenet", "imagenet-unrefined"]}.get(args.weights,
                                                                                                 [args.weights])
    missing = [f"{n}: {dataset_folder(n)}" for n in names if dataset_folder(n) and not dataset_folder(n).is_dir()]
    if missing:
        print("dataset folder not found (the datasets live in ../shared/datasets beside the repository): "
              + "; ".join(missing), file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            for weights in variants:
                for order in args.order or ["random"]:
                    work = Path(tmp) / f"{name}-{weights}-{order}"
                    work.mkdir()
                    folder, truth, labelled = load_dataset(name, work)
                    rows += run_loop(name, weights, folder, truth, labelled, batch, rounds, args.seed, args.epochs,
                                     args.quick, order)
                    shutil.rmtree(work, ignore_errors=True)
    side_by_side(rows)
    reached(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.plot and rows:
        plot(rows, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
