"""Cold-start proposals (Grad-CAM, no reviewed boxes yet): each lever's effect, against the fixed centre box.

    python benchmarks/cold_start.py [--size 128] [--epochs 15] [--seed 1]

The demo project's classifier is trained once on its class labels; proposals are made for the images of a second
demo generated from another seed (never trained on), for the image's own class, then scored against the true
boxes, with the box over the central 70% of each image as the baseline in the same run. Levers: the binarisation
threshold, one box per region (``multi``) with weak regions dropped (``keep``), the mirror image
averaged in (``flip``), GrabCut seeded by the map (``refine``), padding.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulated_operator import Quality, centre_box  # noqa: E402

VARIANTS = [
    ("threshold 0.3, one box (the old default)", {"threshold": 0.3}),
    ("threshold 0.1, one box", {"threshold": 0.1}),
    ("threshold 0.5, one box", {"threshold": 0.5}),
    ("threshold 0.3, a box per region", {"threshold": 0.3, "multi": True}),
    ("threshold 0.3, a box per region, keep >= 0.2 of the strongest", {"threshold": 0.3, "multi": True,
                                                                       "keep": 0.2}),
    ("threshold 0.5, a box per region, keep >= 0.2", {"threshold": 0.5, "multi": True, "keep": 0.2}),
    ("threshold 0.3, one box, mirror image averaged", {"threshold": 0.3, "flip": True}),
    ("threshold 0.3, a box per region, keep >= 0.2, flip", {"threshold": 0.3, "multi": True, "keep": 0.2,
                                                            "flip": True}),
    ("threshold 0.3, one box, GrabCut", {"threshold": 0.3, "refine": "grabcut"}),
    ("threshold 0.3, a box per region, keep >= 0.2, GrabCut", {"threshold": 0.3, "multi": True, "keep": 0.2,
                                                               "refine": "grabcut"}),
    ("threshold 0.3, a box per region, keep >= 0.2, flip, GrabCut", {"threshold": 0.3, "multi": True, "keep": 0.2,
                                                                     "flip": True, "refine": "grabcut"}),
    ("threshold 0.2, a box per region, keep >= 0.2, flip, GrabCut", {"threshold": 0.2, "multi": True, "keep": 0.2,
                                                                     "flip": True, "refine": "grabcut"}),
    ("threshold 0.3, a box per region, keep >= 0.1, flip, GrabCut", {"threshold": 0.3, "multi": True, "keep": 0.1,
                                                                     "flip": True, "refine": "grabcut"}),
    ("threshold 0.3, a box per region, keep >= 0.2, padding 0.15", {"threshold": 0.3, "multi": True, "keep": 0.2,
                                                                    "padding": 0.15}),
]


def main(argv: list[str] | None = None) -> int:
    import json

    from labelstudio_desktop.core.boxes import pad_box, scale_box
    from labelstudio_desktop.core.demo import create_demo_project
    from labelstudio_desktop.core.images import load_rgb
    from labelstudio_desktop.core.store import Store
    from labelstudio_desktop.ml.config import AugmentConfig, TrainConfig
    from labelstudio_desktop.ml.data import resize_square
    from labelstudio_desktop.ml.gradcam import GradCam
    from labelstudio_desktop.ml.propose import MAP_SIZE, heatmap_boxes
    from labelstudio_desktop.ml.train import load_model, train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backbone", default="small")
    parser.add_argument("--head", default="avg", choices=["max", "avg"], help="small backbone: the pooling head")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp())
    try:
        store, _ = create_demo_project(work / "demo")
        store.close()
        db = work / "demo" / "images" / ".labelstudio" / "project.db"
        result = train(db, TrainConfig(task="classify", size=args.size, epochs=args.epochs, batch=16, seed=args.seed,
                                       backbone=args.backbone, head=args.head,
                                       augment=AugmentConfig.from_names("hflip,vflip")))
        model = load_model(result.model_path)
        with Store.open(db) as store:
            classes = json.loads(store.conn.execute("SELECT params FROM runs WHERE id=?",
                                                    (result.run_id,)).fetchone()[0])["classes"]
        store, _ = create_demo_project(work / "unseen", seed=args.seed + 100)
        truth = json.loads((work / "unseen" / "ground_truth" / "truth.json").read_text())["images"]
        with store:
            images = [i for i in store.images(include_excluded=False, include_missing=False)
                      if i.path in truth and truth[i.path]["boxes"] and i.label in classes and not i.warnings]
            pixels = np.stack([resize_square(load_rgb(store.abs_path(i)), args.size) for i in images])
        chosen = np.array([classes.index(i.label) for i in images])
        cam = GradCam(model)
        heat = {False: cam(pixels, chosen)[0], True: cam(pixels, chosen, flip=True)[0]}
        boxes_of = {i.path: [(b[4], tuple(b[:4])) for b in truth[i.path]["boxes"]] for i in images}
        centre = Quality()
        for img in images:
            centre.add([(img.label, centre_box(img.width, img.height))], boxes_of[img.path])
        print(f"demo: {len(images)} unseen images with {centre.objects} true boxes; classifier "
              f"{args.backbone} ({args.head} pooling head) {args.size} px, {args.epochs} epochs")
        print(f"{'variant':66s} {'mean IoU':>8s} {'vs centre':>9s} {'precision':>9s} {'recall':>7s} {'boxes':>6s}")
        print(f"{'centre box (central 70%): the baseline':66s} {centre.mean_best_iou:8.3f} {1:9.2f} "
              f"{centre.precision:9.3f} {centre.recall:7.3f} {centre.proposals:6d}")
        for name, v in VARIANTS:
            q = Quality()
            for n, img in enumerate(images):
                found = heatmap_boxes(heat[v.get("flip", False)][n], pixels[n], v["threshold"],
                                      multi=v.get("multi", False), keep=v.get("keep", 0.0),
                                      refine=v.get("refine", "none"))
                boxes = [scale_box(f.box, (MAP_SIZE, MAP_SIZE), (img.width, img.height)) for f in found]
                if v.get("padding"):
                    boxes = [pad_box(b, v["padding"], (img.width, img.height)) for b in boxes]
                q.add([(img.label, b) for b in boxes], boxes_of[img.path])
            print(f"{name:66s} {q.mean_best_iou:8.3f} {q.mean_best_iou / max(1e-9, centre.mean_best_iou):9.2f} "
                  f"{q.precision:9.3f} {q.recall:7.3f} {q.proposals:6d}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
