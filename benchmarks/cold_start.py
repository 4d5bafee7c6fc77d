"""Cold-start proposals (Grad-CAM, no reviewed boxes yet): each lever's effect, against the fixed centre box.

    python benchmarks/cold_start.py [--dataset demo|bccd-wbc] [--size 128] [--epochs 15] [--seed 1]

A classifier is trained once on image-level class labels; proposals are made for images it never saw, for the
image's own class, then scored against the true boxes, with the box over the central 70% of each image as the
baseline in the same run. Levers: the binarisation threshold, one box per region (``multi``) with weak regions
dropped (``keep``), the mirror image averaged in (``flip``), GrabCut seeded by the map (``refine``), padding.

Datasets: ``demo`` (trained on the demo project, scored on a second demo generated from another seed) and
``bccd-wbc``, real microscope photos: 320x240 crops of the BCCD photos, each either holding a whole white blood
cell somewhere (class ``wbc``, its human box the truth) or none (class ``background``: no proposal), placed at
random; the classifier trains on crops of two thirds of the photos and is scored on crops of the other third.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
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
    ("threshold 0.3, a box per region, keep >= 0.2, flip, padding 0.15", {"threshold": 0.3, "multi": True,
                                                                          "keep": 0.2, "flip": True, "padding": 0.15}),
    ("threshold 0.2, a box per region, keep >= 0.2, flip, padding 0.1", {"threshold": 0.2, "multi": True,
                                                                         "keep": 0.2, "flip": True, "padding": 0.1}),
    ("threshold 0.2, a box per region, keep >= 0.2, flip", {"threshold": 0.2, "multi": True, "keep": 0.2,
                                                            "flip": True}),
    ("threshold 0.3, a box per region, keep >= 0.2, flip, GrabCut, padding 0.15", {
        "threshold": 0.3, "multi": True, "keep": 0.2, "flip": True, "refine": "grabcut", "padding": 0.15}),
    ("threshold 0.3, a box per region, keep >= 0.2, flip, GrabCut, padding 0.1", {
        "threshold": 0.3, "multi": True, "keep": 0.2, "flip": True, "refine": "grabcut", "padding": 0.1}),
]


BCCD = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "BCCD_Dataset" / "BCCD"
CROP = (320, 240)


@dataclass
class Unseen:
    """An image the classifier never saw: its file, class, size and true boxes ``(label, box)``."""

    path: Path
    label: str
    width: int
    height: int
    boxes: list


def demo_dataset(work: Path, seed: int) -> tuple[Path, list[Unseen]]:
    """The demo project (to train on) and the labelled images of a demo from another seed (to score on)."""
    from labelstudio_desktop.core.demo import create_demo_project
    from labelstudio_desktop.core.store import default_db_path

    store, _ = create_demo_project(work / "demo")
    store.close()
    store, _ = create_demo_project(work / "unseen", seed=seed + 100)
    truth = json.loads((work / "unseen" / "ground_truth" / "truth.json").read_text())["images"]
    with store:
        unseen = [Unseen(store.abs_path(i), i.label, i.width, i.height,
                         [(b[4], tuple(b[:4])) for b in truth[i.path]["boxes"]])
                  for i in store.images(include_excluded=False, include_missing=False)
                  if i.path in truth and truth[i.path]["boxes"] and i.label and not i.warnings]
    return default_db_path(work / "demo" / "images"), unseen


def _crop_at(rng, width: int, height: int, inside=None, avoid=()) -> tuple[int, int] | None:
    """A random crop origin keeping box ``inside`` whole and touching none of ``avoid`` (20 tries)."""
    cw, ch = CROP
    for _ in range(20):
        if inside is not None:
            x0, y0, x1, y1 = inside
            if x1 - x0 > cw or y1 - y0 > ch:
                return None
            ox = int(rng.integers(max(0, x1 - cw), min(x0, width - cw) + 1))
            oy = int(rng.integers(max(0, y1 - ch), min(y0, height - ch) + 1))
        else:
            ox, oy = int(rng.integers(0, width - cw + 1)), int(rng.integers(0, height - ch + 1))
        if all(b[2] <= ox or b[0] >= ox + cw or b[3] <= oy or b[1] >= oy + ch for b in avoid):
            return ox, oy
    return None


def bccd_wbc_dataset(work: Path, seed: int) -> tuple[Path, list[Unseen]]:
    """Crops of the BCCD photos: ``wbc`` (a whole white cell inside, at a random place) or ``background`` (none);
    a project of the crops of two thirds of the photos (to train on) and the ``wbc`` crops of the rest."""
    from PIL import Image

    from labelstudio_desktop.core.formats.voc import read_voc
    from labelstudio_desktop.core.importer import import_folder
    from labelstudio_desktop.core.store import Store

    rng = np.random.default_rng(seed)
    xmls = sorted((BCCD / "Annotations").glob("*.xml"))
    rng.shuffle(xmls)
    held = set(xmls[:len(xmls) // 3])
    folder, unseen_dir = work / "crops", work / "unseen"
    unseen = []
    for xml in xmls:
        photo = BCCD / "JPEGImages" / (xml.stem + ".jpg")
        if not photo.is_file():
            continue
        image = Image.open(photo).convert("RGB")
        wbc = [(o.x0, o.y0, o.x1, o.y1) for o in read_voc(xml).objects if o.name == "WBC"]
        crops = [("wbc", _crop_at(rng, *image.size, inside=box), box) for box in wbc]
        crops.append(("background", _crop_at(rng, *image.size, avoid=wbc), None))
        for n, (label, origin, box) in enumerate(crops):
            if origin is None:
                continue
            ox, oy = origin
            if xml in held and label == "wbc":
                path = unseen_dir / f"{xml.stem}_{n}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                image.crop((ox, oy, ox + CROP[0], oy + CROP[1])).save(path)
                unseen.append(Unseen(path, label, *CROP, [(label, (box[0] - ox, box[1] - oy, box[2] - ox,
                                                                  box[3] - oy))]))
            elif xml not in held:
                path = folder / label / f"{xml.stem}_{n}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                image.crop((ox, oy, ox + CROP[0], oy + CROP[1])).save(path)
    with Store.create(folder) as store:
        import_folder(store)
        return store.db_path, unseen


def main(argv: list[str] | None = None) -> int:
    from labelstudio_desktop.core.boxes import pad_box, scale_box
    from labelstudio_desktop.core.images import load_rgb
    from labelstudio_desktop.core.runs import get_run
    from labelstudio_desktop.core.store import Store
    from labelstudio_desktop.ml.config import AugmentConfig, TrainConfig
    from labelstudio_desktop.ml.data import resize_square
    from labelstudio_desktop.ml.gradcam import GradCam
    from labelstudio_desktop.ml.propose import MAP_SIZE, heatmap_boxes
    from labelstudio_desktop.ml.train import load_model, train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="demo", choices=["demo", "bccd-wbc"])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backbone", default="small")
    parser.add_argument("--head", default="avg", choices=["max", "avg"], help="small backbone: the pooling head")
    args = parser.parse_args(argv)
    if args.dataset == "bccd-wbc" and not BCCD.is_dir():
        print(f"skipping bccd-wbc: {BCCD} not found")
        return 0
    work = Path(tempfile.mkdtemp())
    try:
        db, unseen = (demo_dataset if args.dataset == "demo" else bccd_wbc_dataset)(work, args.seed)
        result = train(db, TrainConfig(task="classify", size=args.size, epochs=args.epochs, batch=16, seed=args.seed,
                                       backbone=args.backbone, head=args.head,
                                       augment=AugmentConfig.from_names("hflip,vflip")))
        model = load_model(result.model_path)
        with Store.open(db) as store:
            classes = get_run(store, result.run_id).params["classes"]
        images = [u for u in unseen if u.label in classes]
        pixels = np.stack([resize_square(load_rgb(u.path), args.size) for u in images])
        chosen = np.array([classes.index(u.label) for u in images])
        cam = GradCam(model)
        heat = {False: cam(pixels, chosen)[0], True: cam(pixels, chosen, flip=True)[0]}
        centre = Quality()
        for img in images:
            centre.add([(img.label, centre_box(img.width, img.height))], img.boxes)
        print(f"{args.dataset}: {len(images)} unseen images with {centre.objects} true boxes; classifier "
              f"{args.backbone} ({args.head} pooling head) {args.size} px, {args.epochs} epochs, "
              f"validation accuracy {max(result.history.get('val_accuracy', [float('nan')])):.2f}")
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
                q.add([(img.label, b) for b in boxes], img.boxes)
            print(f"{name:66s} {q.mean_best_iou:8.3f} {q.mean_best_iou / max(1e-9, centre.mean_best_iou):9.2f} "
                  f"{q.precision:9.3f} {q.recall:7.3f} {q.proposals:6d}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
