"""What the proposals leave out, measured in the operator's seconds: one box per place whatever its class, and the
boxes the box classifier sees no object in (``ml/second_look.py``, ``ml/box_classes.py``), against the proposals
without them, on the same detector and the same held-out photos.

    python benchmarks/proposal_cleanup.py [--dataset boards|cards|PATH ...] [--images 20 --images 40 ...]
                                          [--keep DIR] [--json out.json]

For each dataset and number of training photos, a detector trains with the app's defaults as in
``detector_speed.py`` (its photos drawn from the train split with the same seed; with ``--keep`` a project kept there
by an earlier run of this or of ``detector_speed.py --keep`` is used again instead of training anew), then every
other photo with boxes is proposed for as the app does and reviewed by the simulated operator of
``simulated_operator.py`` at each score threshold (``calibrate.review_at_thresholds``, what the app's calibration
weighs). Three ways in the same run: the proposals as they were (every class's box at a place, boxes of no object
kept), with one box per place, and today's (one per place, and no box the classifier sees no object in but the
photo's best). Printed: seconds per object at each threshold, the cheapest threshold of each way, and the ratio of
today's to the way before, each at its cheapest threshold (what calibration would choose) and at the detector's
threshold before calibration. The box classifier is fitted once (with its "no object" class); the way before
ignores that verdict. Its detectors have no rejected proposals to learn from (nothing was reviewed): in the app they
do, from the second round on.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from detector_speed import DATASETS, dataset_folder, prepare  # noqa: E402

WAYS = ("as before", "one box per place", "today")


@contextlib.contextmanager
def proposals_as(way: str):
    """The app's proposals made ``way``: the two steps put back to what they did before, where asked."""
    from labelstudio_desktop.ml import second_look

    one_per_place, shown = second_look.one_per_place, second_look._shown

    def every_look_full(detections, looks):  # the classifier's "no object" verdict ignored
        return shown(detections, [[(edges, classed, False) for edges, classed, _empty in looked] if looked else looked
                                  for looked in looks])

    if way == "as before":
        second_look.one_per_place = lambda found: found
    if way != "today":
        second_look._shown = every_look_full
    try:
        yield
    finally:
        second_look.one_per_place, second_look._shown = one_per_place, shown


def trained_project(name: str, images: int, seed: int, keep: Path | None) -> Path:
    """A project of dataset ``name`` with a detector trained on ``images`` photos (kept from before when there)."""
    from labelstudio_desktop.core.store.runs import last_run
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.ml.config import TrainConfig
    from labelstudio_desktop.ml.train import train

    folder = (keep or Path(tempfile.mkdtemp(prefix="cleanup-bench-"))) / f"{Path(name).name}-{images}"
    db = folder / "project.db"
    if db.is_file():
        with Store.open(db) as store:
            if last_run(store, "detect") is not None:
                print(f"{name}, {images} photos: the detector kept in {folder}")
                return db
    folder.mkdir(parents=True, exist_ok=True)
    counts = prepare(dataset_folder(name), db, images, seed)
    print(f"{name}, {images} photos: {counts['train']} train, {counts['test']} held out; training", flush=True)
    result = train(db, TrainConfig.for_task("detect", seed=seed))
    print(f"  {result.status}, {result.epochs} epochs", flush=True)
    return db


def measure(db: Path) -> dict:
    """Seconds per object at each threshold of the three ways, on the project's held-out (test) photos."""
    from labelstudio_desktop.core.jobs import JobToken
    from labelstudio_desktop.core.store.runs import last_run
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.ml.calibrate import THRESHOLDS, review_at_thresholds
    from labelstudio_desktop.ml.propose import detector_threshold

    with Store.open(db) as store:
        run = last_run(store, "detect")
        photos = [i for i in store.images(include_excluded=False, include_missing=False) if i.split == "test"]
        seconds = {}
        for way in WAYS:
            with proposals_as(way):
                costs, boxes = review_at_thresholds(store, run, photos, JobToken())
            seconds[way] = (costs.sum(axis=1) / max(1, int(boxes.sum()))).tolist()
        default = detector_threshold(run, [])
    return {"photos": costs.shape[1], "boxes": int(boxes.sum()), "thresholds": list(THRESHOLDS),
            "default_threshold": default, "seconds": seconds}


def report(label: str, row: dict) -> None:
    thresholds = row["thresholds"]
    shown = [k for k, t in enumerate(thresholds) if 0.1 <= t <= 0.4]
    print(f"\n{label}: {row['photos']} held-out photos, {row['boxes']} boxes; seconds per object (drawing by hand: "
          f"7 s per box and the next image) at threshold")
    print(f"  {'':18}" + "".join(f"{thresholds[k]:>7.2f}" for k in shown) + "   cheapest")
    best = {}
    for way in WAYS:
        values = row["seconds"][way]
        k = int(np.argmin(values))
        best[way] = values[k]
        print(f"  {way:18}" + "".join(f"{values[j]:7.3f}" for j in shown)
              + f"   {values[k]:.3f} at {thresholds[k]:.2f}")
    k = thresholds.index(row["default_threshold"])
    today, before = row["seconds"]["today"][k], row["seconds"]["as before"][k]
    print(f"  today / as before, each at its cheapest threshold: {best['today'] / best['as before']:.3f}; at the "
          f"detector's threshold before calibration ({row['default_threshold']:.2f}): {today:.3f} / {before:.3f} = "
          f"{today / before:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", action="append", help=f"{' | '.join(DATASETS)} | a folder (repeat it; "
                                                           "default: boards and cards)")
    parser.add_argument("--images", type=int, action="append", help="training photos (repeat it; default 20 and 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep the projects here (and use those kept there before)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    rows = []
    for name in args.dataset or ["boards", "cards"]:
        for images in args.images or [20, 40]:
            row = {"dataset": name, "images": images, **measure(trained_project(name, images, args.seed, args.keep))}
            report(f"{name}, detector trained on {images} photos", row)
            rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
