"""Likely mistakes: planted class flips in real photo sets, found by the out-of-fold ranking, beside a random one.

Two kinds, each reported per dataset (``/work/shared/datasets``):

- **image classes** (boards and cards: the photos whose boxes all share one class, that class being the photo's;
  BCCD has no image classes): the photos imported into one folder per class, their whole-image features computed
  (``embed``), ranked by ``class_mistakes``; then the same photos **with their true boxes** accepted (drawn before
  the class is checked, as in an object project), judged by their boxes' crop features (the boxes' positions only:
  ``class_mistakes`` never reads a box's class);
- **box classes** (boards, cards and BCCD, every true box as an accepted box): the boxes' crop features computed
  once (``ml/box_features.py``), ranked by ``box_mistakes``.

Round after round, each with its own seed, :data:`FLIP_SHARE` of the photos (boxes) get another class at random:
the planted mistakes, recorded apart and never shown to the ranking; each round undoes its flips before the next.
Prints per round the share of the planted flips in the top 10% of the ranking (ours, and a random ranking of the
same items), the share whose suggested class is the true one, and how many items the app would list as likely
mistakes (class probability under 0.5 out of fold). Target (issue 23): at least 80% of the planted errors in the top
10%.

``--places`` measures the boxes' places instead (one round per dataset: it trains three detectors): with every true box
accepted and every photo verified (reviewed), :data:`FLIP_SHARE` of the boxes are dropped and as many others shifted by
half their size (their width and height times half the cosine and sine of a random angle, kept inside the photo);
``ml/out_of_fold.py`` trains a detector per fold, ``core/box_places.py`` ranks the likely missing and misplaced boxes. A
dropped box counts as found when a "missing" row overlaps it at IoU 0.5 or more, a shifted one when its "misplaced" row
is listed; the top 10% is as many rows as a tenth of the boxes. The random ranking shuffles every box (any may be
misplaced) with every "missing" row. Also printed: whether the suggested fix is right (IoU >= 0.5 with the true box),
and the "missing" rows that match no dropped box (the photo sets' own unboxed objects, or the detector's mistakes).

    python benchmarks/likely_mistakes.py [--datasets boards,cards,bccd] [--rounds 5] [--work DIR]
                                         [--places [--detections DIR]]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labelstudio_desktop.core.editing.commands import SetImageFields  # noqa: E402
from labelstudio_desktop.core.mistakes import box_mistakes, class_mistakes, judged_boxes  # noqa: E402
from labelstudio_desktop.core.store.store import Store  # noqa: E402

FLIP_SHARE = 0.05
TOP_SHARE = 0.10


def project_of(name: str, work: Path, boxed: bool = False) -> Path:
    """The photo set's photos with one class, imported into class folders, features computed; with ``boxed`` their
    true boxes accepted too; the folder."""
    from cold_start import class_folder_project, photos_with_a_class
    from review_loop import photo_dataset

    from labelstudio_desktop.core.store.records import BoxRecord
    from labelstudio_desktop.ml.features import compute_features

    suffix = "-boxed" if boxed else ""
    folder = work / f"{name}-classes{suffix}"
    if not (folder / ".labelstudio" / "project.db").is_file():
        source = work / f"{name}-source{suffix}"
        shutil.rmtree(source, ignore_errors=True)
        source.mkdir()
        photos_folder, truth, _ = photo_dataset(name, source)
        photos, left_out = photos_with_a_class(photos_folder, truth)
        print(f"{name}: {len(photos)} photos with one class ({left_out} with several left out)")
        class_folder_project(folder, photos)
        with Store.open(folder) as store:
            for photo in photos if boxed else ():
                image_id = store.image_by_path(f"{photo.label}/{photo.path.name}").id
                for label, (x0, y0, x1, y1) in photo.boxes:
                    store.insert_box(BoxRecord(0, image_id, label, int(x0), int(y0), int(x1), int(y1)))
    with Store.open(folder) as store:
        report = compute_features(store)
        print(f"  features: {report.done} computed, {report.skipped} stored before ({report.seconds:.0f} s)")
    return folder


def true_box_project(name: str, source: Path, verified: bool = False) -> Path:
    """A fresh project of the dataset's photos (copied into ``source``) with every true box accepted, and with
    ``verified`` every photo marked reviewed; its folder."""
    from review_loop import load_dataset

    from labelstudio_desktop.core.store.records import BoxRecord
    from labelstudio_desktop.core.transfer.importer import import_folder

    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    folder, truth, _ = load_dataset(name, source)
    with Store.create(folder) as store:
        import_folder(store)
        for img in store.images(include_excluded=False):
            for label, (x0, y0, x1, y1) in truth.get(img.path, []):
                store.insert_box(BoxRecord(0, img.id, label, int(x0), int(y0), int(x1), int(y1)))
            if verified:
                store.update_image_fields(img.id, {"status": "verified"})
    return folder


def box_project_of(name: str, work: Path) -> tuple[Path, list[int], object]:
    """The dataset's photos with every true box accepted, and the boxes' crop features (ids, vectors)."""
    folder = true_box_project(name, work / f"{name}-boxes-source")  # crop features are not stored: made afresh
    return (folder, *crops_of(name, folder))


def crops_of(name: str, folder: Path) -> tuple[list[int], object]:
    """The crop features (ids, vectors) of the accepted boxes of the project in ``folder``."""
    from labelstudio_desktop.ml.box_features import box_features

    with Store.open(folder) as store:
        found = box_features(store, judged_boxes(store))
        print(f"{name}: {len(found.ids)} boxes, crop features in {found.seconds:.0f} s "
              f"({1000 * found.seconds / max(1, len(found.ids)):.0f} ms a box); {len(found.problems)} not cut")
    return found.ids, found.vectors


def _flip_images(store: Store, rng: random.Random):
    images = [img for img in store.images(include_excluded=False) if img.label]
    classes = sorted({img.label for img in images})
    flips = {img.id: img.label for img in rng.sample(images, max(1, round(FLIP_SHARE * len(images))))}
    for image_id, label in flips.items():
        SetImageFields(store, image_id, label=rng.choice([c for c in classes if c != label])).do(store)

    def undo() -> None:
        for image_id, label in flips.items():
            SetImageFields(store, image_id, label=label).do(store)
    return flips, undo


def _flip_boxes(store: Store, rng: random.Random):
    boxes = judged_boxes(store)
    classes = sorted({box.label for box in boxes})
    chosen = rng.sample(boxes, max(1, round(FLIP_SHARE * len(boxes))))
    flips = {box.id: box.label for box in chosen}
    for box in chosen:
        box.label = rng.choice([c for c in classes if c != box.label])
        store.update_box(box)

    def undo() -> None:
        for box in chosen:
            box.label = flips[box.id]
            store.update_box(box)
    return flips, undo


def one_round(store: Store, seed: int, boxes=None, crops=None) -> dict:
    """One round of planted flips: image classes (judged by their boxes' ``crops``, ids and vectors, when given), or
    box classes when ``boxes`` (ids, vectors) is given."""
    rng = random.Random(seed)
    flips, undo = (_flip_boxes if boxes else _flip_images)(store, rng)
    try:
        report = box_mistakes(store, *boxes, seed=seed) if boxes else class_mistakes(store, seed=seed, boxes=crops)
    finally:
        undo()
    key = (lambda d: d.box_id) if boxes else (lambda d: d.image_id)
    ranking = [key(d) for d in report.scored]
    top = max(1, round(TOP_SHARE * len(ranking)))
    random_ranking = ranking[:]
    rng.shuffle(random_ranking)
    judged = [i for i in flips if i in set(ranking)]
    fixes = {key(d): d.suggested for d in report.scored}
    likely = {key(d) for d in report.likely}
    return {"items": len(ranking), "planted": len(judged), "top": top,
            "ours": sum(i in set(ranking[:top]) for i in judged) / max(1, len(judged)),
            "random": sum(i in set(random_ranking[:top]) for i in judged) / max(1, len(judged)),
            "fixed": sum(fixes.get(i) == flips[i] for i in judged) / max(1, len(judged)),
            "likely": len(likely), "likely_planted": len(likely & set(judged)), "too_few": report.too_few}


def rounds(label: str, folder: Path, count: int, boxes=None, crops=None) -> bool:
    """Run ``count`` rounds on the project of ``folder``, print them and the summary; whether the target is met."""
    rows = []
    with Store.open(folder) as store:
        for seed in range(count):
            started = time.perf_counter()
            row = one_round(store, seed, boxes, crops)
            rows.append(row)
            print(f"  round {seed}: {row['planted']} flips among {row['items']}; in the top {row['top']}: ours "
                  f"{row['ours']:.0%}, random {row['random']:.0%}; suggested class right {row['fixed']:.0%}; listed "
                  f"as likely {row['likely']} ({row['likely_planted']} planted) "
                  f"[{time.perf_counter() - started:.1f} s]" +
                  (f"; too few to judge: {row['too_few']}" if row["too_few"] else ""))
    planted = sum(r["planted"] for r in rows)
    ours, chance, fixed = (sum(r[k] * r["planted"] for r in rows) / max(1, planted) for k in ("ours", "random",
                                                                                                "fixed"))
    print(f"{label}: {planted} planted flips over {len(rows)} rounds: {ours:.0%} in the top 10% (random ranking "
          f"{chance:.0%}, ratio {ours / max(chance, 1e-9):.1f}x); suggested class right {fixed:.0%}")
    return ours >= 0.8


def _plant_places(store: Store, rng: random.Random) -> tuple[dict, dict]:
    """Drop :data:`FLIP_SHARE` of the accepted boxes and shift as many others by half their size; the dropped
    (box id -> (image id, edges)) and the shifted (box id -> true edges)."""
    boxes = judged_boxes(store)
    count = max(1, round(FLIP_SHARE * len(boxes)))
    chosen = rng.sample(boxes, 2 * count)
    dropped = {box.id: (box.image_id, box.edges) for box in chosen[:count]}
    for box_id in dropped:
        store.delete_box(box_id)
    sizes = {img.id: (img.width, img.height) for img in store.images()}
    shifted = {}
    for box in chosen[count:]:
        x0, y0, x1, y1 = box.edges
        w, h = sizes[box.image_id]
        angle = rng.uniform(0, 2 * math.pi)
        dx = max(-x0, min(w - x1, round((x1 - x0) / 2 * math.cos(angle))))
        dy = max(-y0, min(h - y1, round((y1 - y0) / 2 * math.sin(angle))))
        shifted[box.id] = box.edges
        box.x0, box.y0, box.x1, box.y1 = x0 + dx, y0 + dy, x1 + dx, y1 + dy
        store.update_box(box)
    return dropped, shifted


def _found_planted(rows, dropped: dict, shifted: dict) -> tuple[set, set]:
    """The planted drops and shifts that ``rows`` find: place doubts, or box ids (a random pick of any box)."""
    from labelstudio_desktop.core.boxes.boxes import box_iou

    drops, shifts = set(), set()
    for row in rows:
        if isinstance(row, int) or row.kind == "misplaced":
            box_id = row if isinstance(row, int) else row.box_id
            if box_id in shifted:
                shifts.add(box_id)
            continue
        drops |= {box_id for box_id, (image_id, edges) in dropped.items()
                  if image_id == row.image_id and box_iou(row.edges, edges) >= 0.5}
    return drops, shifts


def places_round(name: str, work: Path, seed: int = 0, saved: Path | None = None) -> bool:
    """Plant dropped and shifted boxes in a fresh copy of the dataset, find them out of fold, print the figures;
    whether at least 80% of them are in the top 10%. With ``saved``, the detections are kept in that file, or read
    from it when it exists (the ranking scored again without training)."""
    import pickle

    if saved is not None and saved.is_file():
        found, dropped, shifted, seconds = pickle.loads(saved.read_bytes())
    else:
        found, dropped, shifted, seconds = _detect_planted(name, work, seed)
        if saved is not None:
            saved.write_bytes(pickle.dumps((found, dropped, shifted, seconds)))
    return score_places(name, found, dropped, shifted, seconds, random.Random(seed))


def _detect_planted(name: str, work: Path, seed: int):
    """The dataset with planted drops and shifts, and the out-of-fold detections on it."""
    from labelstudio_desktop.ml.out_of_fold import out_of_fold_detections

    # every photo reviewed: a dropped box leaves its photo reviewed (with fewer boxes), as a forgotten box would
    folder = true_box_project(name, work / f"{name}-places-source", verified=True)
    with Store.open(folder) as store:
        dropped, shifted = _plant_places(store, random.Random(seed))
        started = time.perf_counter()
        found = out_of_fold_detections(store, seed=seed)
        return found, dropped, shifted, time.perf_counter() - started


def score_places(name: str, found, dropped: dict, shifted: dict, seconds: float, rng: random.Random) -> bool:
    """Print how many planted drops and shifts the top 10% of the ranking holds, beside a random ranking."""
    from labelstudio_desktop.core.boxes.boxes import box_iou
    from labelstudio_desktop.ml.out_of_fold import place_report

    report = place_report(found)
    top = max(1, round(TOP_SHARE * report.boxes))
    ours = _found_planted(report.doubts[:top], dropped, shifted)
    pool = [box_id for rows in found.recorded.values() for box_id, _label, _edges in rows]
    pool += [d for d in report.doubts if d.kind == "missing"]
    rng.shuffle(pool)
    chance = _found_planted(pool[:top], dropped, shifted)
    anywhere = _found_planted(report.doubts, dropped, shifted)
    planted = len(dropped) + len(shifted)
    share = (len(ours[0]) + len(ours[1])) / planted
    random_share = (len(chance[0]) + len(chance[1])) / planted
    moved = [d for d in report.doubts if d.kind == "misplaced" and d.box_id in shifted]
    placed_right = sum(box_iou(d.edges, shifted[d.box_id]) >= 0.5 for d in moved)
    unplanted = [d for d in report.doubts if d.kind == "missing" and not _found_planted([d], dropped, shifted)[0]]
    print(f"{name} places: {report.boxes} boxes on {report.images} photos after planting {len(dropped)} dropped and "
          f"{len(shifted)} shifted; {found.folds} detectors trained in {seconds:.0f} s; they confirm "
          f"{report.agreement:.0%} of the boxes")
    print(f"  in the top {top} of {len(report.doubts)} rows: dropped {len(ours[0])}/{len(dropped)}, shifted "
          f"{len(ours[1])}/{len(shifted)}: {share:.0%} (random ranking {random_share:.0%}, ratio "
          f"{share / max(random_share, 1e-9):.1f}x); anywhere in the list: dropped {len(anywhere[0])}, shifted "
          f"{len(anywhere[1])}")
    print(f"  shifted boxes whose suggested place is right (IoU >= 0.5 with the true box): {placed_right}/"
          f"{len(moved)}; 'missing' rows on no dropped box: {len(unplanted)} (the photos' own unboxed objects, or "
          "the detectors' mistakes)")
    return share >= 0.8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="boards,cards,bccd")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, help="keep the projects here (a later run reuses them)")
    parser.add_argument("--places", action="store_true", help="dropped and shifted boxes instead of classes")
    parser.add_argument("--detections", type=Path, help="with --places: keep each dataset's detections in this "
                                                        "folder, or score again those kept there before")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPU cores, load {os.getloadavg()[0]:.1f}; flips {FLIP_SHARE:.0%} of the photos per "
          f"round, top {TOP_SHARE:.0%} of the ranking")
    met = ({"box places": True} if args.places else
           {"image classes": True, "image classes, boxes drawn": True, "box classes": True})
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for name in args.datasets.split(",") if args.places else ():
            saved = args.detections / f"{name}-places.pickle" if args.detections else None
            met["box places"] &= places_round(name, work, saved=saved)
        for name in args.datasets.split(",") if not args.places else ():
            if name != "bccd":
                met["image classes"] &= rounds(f"{name} image classes", project_of(name, work), args.rounds)
                boxed = project_of(name, work, boxed=True)
                met["image classes, boxes drawn"] &= rounds(f"{name} image classes, boxes drawn", boxed,
                                                            args.rounds, crops=crops_of(name, boxed))
            folder, ids, vectors = box_project_of(name, work)
            met["box classes"] &= rounds(f"{name} box classes", folder, args.rounds, (ids, vectors))
    for kind, ok in met.items():
        print(f"target for {kind} (>= 80% of planted flips in the top 10%, each dataset): "
              f"{'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
