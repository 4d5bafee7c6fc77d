"""The operator's loop, simulated: propose -> review -> retrain -> propose, on datasets with true boxes.

    python benchmarks/review_loop.py [--datasets demo bccd] [--batch 20] [--rounds 4] [--plot docs/review_loop.png]

Datasets: the demo project (its true boxes are kept apart from the project) and the real blood-cell photos of
``../shared/datasets/BCCD_Dataset`` (364 microscope photos, RBC / WBC / Platelets, VOC, MIT licence). A fixed
set of images (a third, at most 100) is never reviewed: every round's proposals are scored on it. The others
are reviewed a batch per round by the simulated operator of ``simulated_operator.py`` (accepts at IoU >= 0.7,
corrects 0.3-0.7 one action per moved edge, rejects the rest, draws what was missed), whose decisions go into
the project's store as the app would store them; then the detector is retrained on the reviewed images as the
app's Retrain does, its score threshold calibrated on them (Calibrate proposals from review), and it proposes
for the next round. The cold start (round 1) is Grad-CAM where the images have class labels (the
demo), none where they do not (BCCD: the operator draws). The fixed centre box (central 70%) is the baseline,
scored on the same images in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulated_operator import (  # noqa: E402
    HAND_ACTIONS_PER_OBJECT,
    Quality,
    centre_box,
    hand_actions_with_navigation,
    review,
)

ROOT = Path(__file__).resolve().parents[1]
BCCD = ROOT.parent / "shared" / "datasets" / "BCCD_Dataset" / "BCCD"


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


def _pending(store, image_id: int) -> list:
    return [(b.label, b.edges) for b in store.boxes(image_id, states=("pending",))]


def _apply(store, image, proposals_records, truth) -> object:
    """Store the simulated operator's decisions on one image, as the app would; returns the review."""
    from labelstudio_desktop.core.store import BoxRecord

    decided = review([(b.label, b.edges) for b in proposals_records], truth)
    for d in decided.decisions:
        if d.kind == "drawn":
            label, box = truth[d.truth]
            store.insert_box(BoxRecord(0, image.id, label, *box))
            continue
        record = proposals_records[d.proposal]
        if d.kind == "rejected":
            store.update_box(BoxRecord(**{**record.__dict__, "state": "rejected"}))
        else:
            label, box = truth[d.truth]
            edited = d.kind == "corrected"
            store.update_box(BoxRecord(**{**record.__dict__, "state": "accepted", "label": label,
                                          "x0": box[0], "y0": box[1], "x1": box[2], "y1": box[3],
                                          "edited": edited}))
    store.update_image_fields(image.id, {"status": "verified"})
    return decided


def run_loop(name: str, folder: Path, truth: dict, labelled: bool, batch: int, rounds: int, seed: int,
             epochs: int | None) -> list[dict]:
    from labelstudio_desktop.core.importer import import_folder
    from labelstudio_desktop.core.store import Store
    from labelstudio_desktop.ml.calibrate import calibrate
    from labelstudio_desktop.ml.config import TrainConfig
    from labelstudio_desktop.ml.propose import propose
    from labelstudio_desktop.ml.train import train

    with Store.create(folder) as store:
        import_folder(store)
        db = store.db_path
        images = {i.path: i for i in store.images(include_excluded=False, include_missing=False)
                  if i.path in truth and not i.warnings}
    order = sorted(images)
    random.Random(seed).shuffle(order)
    held = order[:min(100, len(order) // 3)]
    pool = order[len(held):]
    centre = Quality()
    for rel in held:
        img = images[rel]
        centre.add([(label, centre_box(img.width, img.height)) for label in {t[0] for t in truth[rel]}],
                   truth[rel])
    rows, run_id = [], None
    print(f"\n== {name}: {len(order)} images, {sum(len(truth[r]) for r in order)} true boxes; "
          f"{len(held)} held out for scoring; batches of {batch}")
    print(f"centre box (central 70%, one per class present): mean best IoU {centre.mean_best_iou:.3f}, "
          f"precision {centre.precision:.3f}, recall {centre.recall:.3f}")
    for rnd in range(1, rounds + 1):
        started = time.perf_counter()
        source = "detector" if run_id is not None else ("gradcam" if labelled else None)
        if source == "gradcam":  # the cold start: a classifier on the image labels, then its heatmaps
            train(db, TrainConfig(task="classify", size=128, epochs=15, batch=16, seed=seed,
                                  augment=_augment("hflip,vflip")))
            propose(db, source="gradcam", multi=True, use_labels=True)
        elif source == "detector":
            propose(db, source="detector", run_id=run_id)
        quality = Quality()
        with Store.open(db) as store:
            for rel in held:
                quality.add(_pending(store, images[rel].id), truth[rel])
            reviewed = pool[(rnd - 1) * batch:rnd * batch]
            actions = verify_actions = objects = accepted = navigated = hand_navigated = 0
            kinds = dict.fromkeys(("accepted", "corrected", "rejected", "drawn"), 0)
            for rel in reviewed:
                img = images[rel]
                decided = _apply(store, img, store.boxes(img.id, states=("pending",)), truth[rel])
                actions += decided.actions
                verify_actions += decided.actions_with_verify
                navigated += decided.actions_with_navigation
                hand_navigated += hand_actions_with_navigation(len(truth[rel]))
                objects += len(truth[rel])
                accepted += decided.count("accepted")
                for kind in kinds:
                    kinds[kind] += decided.count(kind)
            done = rnd * batch
        row = {"dataset": name, "round": rnd, "source": source or "none (operator draws)",
               "reviewed_before": (rnd - 1) * batch, "mean_best_iou": quality.mean_best_iou,
               "precision": quality.precision, "recall": quality.recall,
               "accepted_as_is": accepted / max(1, objects), "actions_per_object": actions / max(1, objects),
               "actions_per_object_with_verify": verify_actions / max(1, objects),
               "actions_per_object_with_navigation": navigated / max(1, objects),
               "hand_actions_per_object_with_navigation": hand_navigated / max(1, objects),
               "decisions": kinds, "hand_actions_per_object": HAND_ACTIONS_PER_OBJECT,
               "centre_iou": centre.mean_best_iou}
        rows.append(row)
        print(f"round {rnd} ({row['source']}, {row['reviewed_before']} reviewed before): held-out mean best IoU "
              f"{quality.mean_best_iou:.3f} (centre box {centre.mean_best_iou:.3f}, ratio "
              f"{quality.mean_best_iou / max(1e-9, centre.mean_best_iou):.2f}), precision {quality.precision:.3f}, "
              f"recall {quality.recall:.3f}; batch: {accepted}/{objects} objects accepted as is "
              f"({row['accepted_as_is']:.0%}); actions per object: {row['actions_per_object']:.2f} one key per "
              f"decision, {row['actions_per_object_with_verify']:.2f} with Space/Shift+Space, vs "
              f"{HAND_ACTIONS_PER_OBJECT} drawing by hand (ratio "
              f"{row['actions_per_object_with_verify'] / HAND_ACTIONS_PER_OBJECT:.2f}); with the key to the next "
              f"image: {row['actions_per_object_with_navigation']:.2f} vs "
              f"{row['hand_actions_per_object_with_navigation']:.2f} (ratio "
              f"{navigated / max(1, hand_navigated):.2f}); decisions: "
              + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))
        config = TrainConfig.for_task("detect", seed=seed)  # what the app's Retrain uses
        if epochs is not None:
            config.epochs = epochs
        t0 = time.perf_counter()
        result = train(db, config, start_from=run_id)
        run_id = result.run_id
        trained = time.perf_counter() - t0
        tuned = calibrate(db, run_id=run_id, source="detector")  # the operator's "Calibrate proposals from review"
        print(f"   detector retrained on {done} reviewed images in {trained:.0f} s ({result.epochs} epochs); "
              f"calibrated score threshold {tuned.params['threshold']:.2f} (F1 {tuned.before:.2f} at 0.3 -> "
              f"{tuned.after:.2f}, cross-validated; round total {time.perf_counter() - started:.0f} s)")
    return rows


def _augment(names: str):
    from labelstudio_desktop.ml.config import AugmentConfig

    return AugmentConfig.from_names(names)


def plot(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name in sorted({r["dataset"] for r in rows}):
        mine = [r for r in rows if r["dataset"] == name]
        x = [r["reviewed_before"] for r in mine]
        left.plot(x, [r["mean_best_iou"] for r in mine], "o-", label=f"{name}: proposals")
        left.axhline(mine[0]["centre_iou"], linestyle="--", linewidth=1, color=left.lines[-1].get_color(),
                     label=f"{name}: centre box")
        right.plot(x, [r["actions_per_object_with_verify"] / HAND_ACTIONS_PER_OBJECT for r in mine], "o-",
                   label=f"{name}")
        right.plot(x, [r["actions_per_object_with_navigation"] / r["hand_actions_per_object_with_navigation"]
                       for r in mine], "s:", color=right.lines[-1].get_color(),
                   label=f"{name}: the key to the next image counted")
    right.axhline(1.0, linestyle="--", color="grey", label="drawing by hand")
    right.axhline(0.5, linestyle=":", color="grey", label="target: half")
    left.set(xlabel="images reviewed before the round", ylabel="mean best IoU (held-out images)", ylim=(0, 1))
    right.set(xlabel="images reviewed before the round", ylabel="operator actions / drawing by hand",
              ylim=(0, 1.3))
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"plot written to {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["demo", "bccd"], choices=["demo", "bccd"])
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=None, help="detector epochs per round (default: its own)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the rows here")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.datasets:
            if name == "bccd" and not BCCD.is_dir():
                print(f"skipping bccd: {BCCD} not found")
                continue
            work = Path(tmp) / name
            work.mkdir()
            folder, truth, labelled = (demo_dataset if name == "demo" else bccd_dataset)(work)
            rows += run_loop(name, folder, truth, labelled, args.batch, args.rounds, args.seed, args.epochs)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.plot and rows:
        plot(rows, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
