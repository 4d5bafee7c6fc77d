"""The U-Net's masks against trivial baselines, on the same held-out images in one run.

    python benchmarks/unet_quality.py [--epochs N] [--size S] [--seed 7]

The demo project is generated, its true masks imported with ``import --masks`` (the operator's masks: the same
path a user takes), the U-Net trained with the defaults of ``train --task segment`` on the train split, and its
masks (probabilities resized to the photo, threshold 0.5) scored on the test split at full resolution against the
true masks, beside two baselines scored the same way: every pixel foreground, and Otsu's threshold on the grey
image (the side with fewer pixels taken as the object). Printed: mean IoU and Dice of each, and the ratio of the
U-Net's IoU to the better baseline. No real photos with masks are available on this machine (the BCCD photos
have boxes only), so this figure is the synthetic demo's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def otsu_mask(rgb: np.ndarray) -> np.ndarray:
    """Otsu's threshold on the grey image; the object is the side with fewer pixels."""
    import cv2

    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    _t, bright = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return bright if bright.mean() <= 0.5 else 1 - bright


def main(argv: list[str] | None = None) -> int:
    import cv2

    from labelstudio_desktop.core.demo import create_demo_project
    from labelstudio_desktop.core.images import load_rgb
    from labelstudio_desktop.core.store.masks import union_mask
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder
    from labelstudio_desktop.ml.config import TrainConfig
    from labelstudio_desktop.ml.data import resize_square
    from labelstudio_desktop.ml.metrics import iou_dice
    from labelstudio_desktop.ml.train import load_model, train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default: train --task segment's")
    parser.add_argument("--size", type=int, default=None, help="default: train --task segment's")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp())
    try:
        store, _ = create_demo_project(work / "demo", seed=args.seed)
        with store:
            report = import_folder(store, masks=work / "demo" / "ground_truth" / "masks")
            db = store.db_path
        print(f"demo: masks imported with import --masks: {report.masks.masks} masks from {report.masks.files} "
              f"files, {len(report.problems)} problems")
        config = TrainConfig.for_task("segment", seed=args.seed)
        config.epochs = args.epochs or config.epochs
        config.size = args.size or config.size
        started = time.perf_counter()
        result = train(db, config)
        print(f"U-Net: {config.size} px, {result.epochs} epochs, trained in {time.perf_counter() - started:.0f} s "
              f"({os.cpu_count()} CPU cores)")
        model = load_model(result.model_path)
        truth, unet, full, otsu = [], [], [], []
        with Store.open(db) as store:
            test = [i for i in store.images(include_excluded=False, include_missing=False)
                    if i.split == "test" and not i.warnings]
            for img in test:
                mask = union_mask(store, img.id, img.width, img.height)
                if mask is None:
                    continue
                rgb = load_rgb(store.abs_path(img))
                prob = model.predict(resize_square(rgb, config.size)[None].astype(np.float32), verbose=0)[0, ..., 0]
                truth.append(mask)
                unet.append(cv2.resize(prob, (img.width, img.height), interpolation=cv2.INTER_LINEAR))
                full.append(np.ones_like(mask))
                otsu.append(otsu_mask(rgb))
        print(f"test split: {len(truth)} images with a true mask, scored at full resolution")
        scores = {}
        for name, pred in (("U-Net (threshold 0.5)", unet), ("all foreground", full), ("Otsu threshold", otsu)):
            pairs = [iou_dice(t[None], p[None]) for t, p in zip(truth, pred, strict=True)]
            iou = float(np.mean([p[0][0] for p in pairs]))
            dice = float(np.mean([p[1][0] for p in pairs]))
            scores[name] = iou
            print(f"  {name:24s} mean IoU {iou:.3f}   mean Dice {dice:.3f}")
        best = max(v for k, v in scores.items() if not k.startswith("U-Net"))
        print(f"ratio U-Net / best baseline (mean IoU): {scores['U-Net (threshold 0.5)'] / max(best, 1e-9):.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
