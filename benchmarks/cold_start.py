"""Cold-start proposals (no reviewed box yet, image classes known): each lever against the fixed centre box.

    python benchmarks/cold_start.py [--dataset boards cards demo bccd-wbc] [--split folder|folds]
        [--backbone mobilenetv2 --weights imagenet | --backbone small --weights none]
        [--size 128] [--epochs 10] [--trainable-layers 0] [--learning-rate 0.001] [--seed 1]

A classifier is trained (the app's own training) on image-level classes only; proposals are made for photos it
never saw, for the photo's own class, and scored against the true boxes: mean best IoU per true box, precision and
recall at IoU 0.5, with the box over the central 70% of each photo as the baseline on the same photos, and the
ratio to it. Each dataset is reported on its own.

Class activation methods (:mod:`labelstudio_desktop.ml.gradcam`): Grad-CAM of the last convolutional layer (the
old cold start), Grad-CAM of an earlier layer, and the class activation maps of linear heads fitted on the
classifier's features (FeatureCam: one layer, the other, both: the app's default for a pretrained backbone). Levers,
one at a time from the app's defaults (:data:`~labelstudio_desktop.ml.cold_start.COLD_START`): the binarisation
threshold, one box per region (``multi``) with weak regions dropped (``keep``), the mirror image averaged in
(``flip``), GrabCut seeded by the map (``refine``), padding.

Datasets:
- ``boards``, ``cards``: the labelImg photo sets in ../shared/datasets (truth read by the app's own VOC import).
  "Classes known": a photo's class is the class of all its boxes; photos with boxes of several classes have no
  image class and are left out (counted). ``--split folder``: the classifier (and the fitted heads) learn from the
  train folder's photos, proposals are scored on the test folder's; ``--split folds``: five folds over all photos,
  each scored with a classifier trained on the other four (more photos scored: the boards' test folder holds 7).
- ``demo``: trained on the demo project, scored on a second demo generated from another seed.
- ``bccd-wbc``: 320x240 crops of the BCCD photos, each either holding a whole white blood cell somewhere (class
  ``wbc``, its human box the truth) or none (class ``background``: no proposal), placed at random; the classifier
  trains on crops of two thirds of the photos and is scored on crops of the other third.
The truth's boxes never enter the projects the models learn from: those hold class folders only.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulated_operator import Quality, centre_box  # noqa: E402

#: One box per region is what the app's Propose asks for (gui/review.py); the other levers are COLD_START's.
APP_LEVERS = {"threshold": 0.3, "multi": True}
#: Each lever changed alone from the app's defaults, measured on the app's class activation method.
LEVERS = [
    ("threshold 0.2", {"threshold": 0.2}),
    ("threshold 0.4", {"threshold": 0.4}),
    ("one box per image", {"multi": False}),
    ("every region keeps its box (keep 0)", {"keep": 0.0}),
    ("no mirror image", {"flip": False}),
    ("no GrabCut", {"refine": "none"}),
    ("GrabCut, no padding", {"padding": 0.0}),
    ("no GrabCut, no padding", {"refine": "none", "padding": 0.0}),
    ("padding 0.3", {"padding": 0.3}),
]
FOLDS = 5
PHOTO_SETS = ("boards", "cards")

BCCD = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "BCCD_Dataset" / "BCCD"
SHARED_SETS = BCCD.parents[1]
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
    from labelstudio_desktop.core.store.store import default_db_path

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
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

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


@dataclass
class Fold:
    """A project of class folders to train on, and the photos to score (never in it)."""

    db: Path
    unseen: list[Unseen]


def upright_size(path: Path) -> tuple[int, int]:
    from labelstudio_desktop.core.images import open_upright

    return open_upright(path).size


def class_folder_project(folder: Path, photos: list[Unseen]) -> Path:
    """A project of ``photos`` copied into one folder per class (no boxes): what the classifier learns from."""
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    for photo in photos:
        target = folder / photo.label / photo.path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(photo.path, target)
    with Store.create(folder) as store:
        import_folder(store)
        return store.db_path


def photo_folds(name: str, work: Path, split: str, seed: int) -> tuple[list[Fold], int]:
    """The folds of a photo set (see the module's docstring) and how many photos were left out for holding boxes
    of several classes (no image class)."""
    from review_loop import photo_dataset

    folder, truth, _ = photo_dataset(name, work)
    photos, left_out = photos_with_a_class(folder, truth)
    return [Fold(class_folder_project(work / f"fold{k}", learn), score)
            for k, (learn, score) in enumerate(split_photos(photos, split, seed))], left_out


def photos_with_a_class(folder: Path, truth: dict[str, list]) -> tuple[list[Unseen], int]:
    """The photos whose boxes all share one class (their image class), and how many hold several classes."""
    photos, left_out = [], 0
    for rel, boxes in sorted(truth.items()):
        labels = {label for label, _box in boxes}
        if len(labels) != 1:
            left_out += len(labels) > 1
            continue
        path = folder / rel
        photos.append(Unseen(path, labels.pop(), *upright_size(path), boxes))
    return photos, left_out


def split_photos(photos: list[Unseen], split: str, seed: int) -> list[tuple[list[Unseen], list[Unseen]]]:
    """(photos to learn from, photos to score) per fold: ``folder``, one fold of the train_* and the test_* copies
    (as review_loop.photo_dataset names them); ``folds``, :data:`FOLDS` folds of the shuffled photos."""
    if split == "folder":
        return [([p for p in photos if p.path.name.startswith("train_")],
                 [p for p in photos if p.path.name.startswith("test_")])]
    order = photos[:]
    random.Random(seed).shuffle(order)
    return [([p for n, p in enumerate(order) if n % FOLDS != k], order[k::FOLDS]) for k in range(FOLDS)]


def dataset_folds(name: str, work: Path, args) -> tuple[list[Fold], int]:
    if name in PHOTO_SETS:
        return photo_folds(name, work, args.split, args.seed)
    db, unseen = (demo_dataset if name == "demo" else bccd_wbc_dataset)(work, args.seed)
    return [Fold(db, unseen)], 0


@dataclass
class Scores:
    """Every row's figures over the folds of one dataset."""

    rows: dict[str, Quality] = field(default_factory=dict)
    centre: Quality = field(default_factory=Quality)
    correct: int = 0  # scored photos the classifier gave their class
    scored: int = 0
    val_accuracy: list[float] = field(default_factory=list)
    default: str = ""
    size: int = 0  # the classifier's input

    def quality(self, row: str) -> Quality:
        return self.rows.setdefault(row, Quality())


def class_activation_methods(store, run, model) -> tuple[dict[str, object], str]:
    """The methods compared, by name, and the name of the one the app uses for this classifier."""
    from labelstudio_desktop.ml.cold_start import class_maps, head_images
    from labelstudio_desktop.ml.gradcam import FeatureCam, GradCam, cam_layers
    from labelstudio_desktop.ml.models import last_conv_layer

    layers = cam_layers(model)
    app = class_maps(store, run, model, None)
    default = (f"FeatureCam {' x '.join(layers)}" if isinstance(app, FeatureCam)
               else f"Grad-CAM {last_conv_layer(model)}")
    methods = {default: app, f"Grad-CAM {last_conv_layer(model)}": GradCam(model)}
    if layers[0] != last_conv_layer(model):
        methods[f"Grad-CAM {layers[0]}"] = GradCam(model, layers[0])
    pixels, labels = head_images(store, run.params["classes"], int(run.params["size"]))
    if len(set(labels.tolist())) >= 2:
        for layer in layers:
            methods.setdefault(f"FeatureCam {layer}", FeatureCam(model, [layer]).fit(pixels, labels))
        methods.setdefault(f"FeatureCam {' x '.join(layers)}", FeatureCam(model).fit(pixels, labels))
    return methods, default


def score_fold(fold: Fold, args, scores: Scores) -> None:
    """Train the classifier of one fold and add every row's proposals on its unseen photos to ``scores``."""
    from labelstudio_desktop.core.images import load_rgb
    from labelstudio_desktop.core.store.runs import get_run
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.ml.cold_start import COLD_START, cold_start_boxes
    from labelstudio_desktop.ml.config import TrainConfig
    from labelstudio_desktop.ml.data import resize_square
    from labelstudio_desktop.ml.train import load_model, train

    given = {key: value for key, value in (("size", args.size), ("epochs", args.epochs)) if value}
    config = TrainConfig.for_task("classify", backbone=args.backbone, weights=args.weights, seed=args.seed,
                                  trainable_layers=args.trainable_layers, learning_rate=args.learning_rate, **given)
    result = train(fold.db, config)
    scores.size = config.size
    scores.val_accuracy.append(max(result.history.get("val_accuracy", [float("nan")])))
    model = load_model(result.model_path)
    with Store.open(fold.db) as store:
        run = get_run(store, result.run_id)
        methods, scores.default = class_activation_methods(store, run, model)
    classes = run.params["classes"]
    images = [u for u in fold.unseen if u.label in classes]
    pixels = np.stack([resize_square(load_rgb(u.path), config.size) for u in images])
    chosen = np.array([classes.index(u.label) for u in images])
    heat = {}
    rows = [(f"{name}: the app's defaults", name, {}) for name in methods]
    rows += [(f"{scores.default}: {lever}", scores.default, change) for lever, change in LEVERS]
    for row, method, change in rows:
        levers = {**COLD_START, **APP_LEVERS, **change}
        if (method, levers["flip"]) not in heat:
            heat[method, levers["flip"]] = methods[method](pixels, chosen, flip=levers["flip"])
        maps, probs = heat[method, levers["flip"]]
        quality = scores.quality(row)
        for n, img in enumerate(images):
            found = cold_start_boxes(maps[n], pixels[n], (img.width, img.height), levers["threshold"], levers,
                                     levers["padding"], multi=levers["multi"])
            quality.add([(img.label, box) for box, _fitted in found], img.boxes)
    scores.correct += int((np.argmax(probs, axis=1) == chosen).sum())
    scores.scored += len(images)
    for img in images:
        scores.centre.add([(img.label, centre_box(img.width, img.height))], img.boxes)


def print_scores(name: str, args, scores: Scores, folds: int, left_out: int) -> None:
    centre = scores.centre
    split = (f"{args.split} split" + (f", {folds} folds" if folds > 1 else "")) if name in PHOTO_SETS else "unseen"
    print(f"\n{name} ({split}): {scores.scored} photos scored, {centre.objects} true boxes"
          + (f"; {left_out} photos with boxes of several classes left out (no image class)" if left_out else ""))
    print(f"classifier {args.backbone} (weights {args.weights}), {scores.size} px, trainable layers "
          f"{args.trainable_layers}: validation accuracy {np.nanmean(scores.val_accuracy):.2f}, accuracy on the "
          f"scored photos {scores.correct / max(1, scores.scored):.2f} (proposals explain the known class)")
    width = max(len(row) for row in scores.rows) + 2
    print(f"{'variant':{width}s} {'mean IoU':>8s} {'vs centre':>9s} {'precision':>9s} {'recall':>7s} {'boxes':>6s}")
    print(f"{'centre box (central 70%): the baseline':{width}s} {centre.mean_best_iou:8.3f} {1:9.2f} "
          f"{centre.precision:9.3f} {centre.recall:7.3f} {centre.proposals:6d}")
    for row, q in scores.rows.items():
        mark = " *" if row == f"{scores.default}: the app's defaults" else ""
        print(f"{row + mark:{width}s} {q.mean_best_iou:8.3f} {q.mean_best_iou / max(1e-9, centre.mean_best_iou):9.2f} "
              f"{q.precision:9.3f} {q.recall:7.3f} {q.proposals:6d}")
    print("* what the app proposes with this classifier")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", nargs="+", default=list(PHOTO_SETS),
                        choices=[*PHOTO_SETS, "demo", "bccd-wbc"])
    parser.add_argument("--split", default="folder", choices=["folder", "folds"], help="photo sets only")
    parser.add_argument("--backbone", default="mobilenetv2")
    parser.add_argument("--weights", default="imagenet", help="imagenet | none | a weights file")
    parser.add_argument("--size", type=int, default=0, help="0: the classifier's default")
    parser.add_argument("--epochs", type=int, default=0, help="0: the classifier's default")
    parser.add_argument("--trainable-layers", type=int, default=0,
                        help="of a pretrained backbone: fine-tune its last N layers")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for name in args.dataset:
        missing = {"bccd-wbc": BCCD, **{s: SHARED_SETS / s for s in PHOTO_SETS}}.get(name)
        if missing is not None and not missing.is_dir():
            print(f"\nskipping {name}: {missing} not found")
            continue
        work = Path(tempfile.mkdtemp())
        try:
            folds, left_out = dataset_folds(name, work, args)
            scores = Scores()
            for fold in folds:
                score_fold(fold, args, scores)
            print_scores(name, args, scores, len(folds), left_out)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
