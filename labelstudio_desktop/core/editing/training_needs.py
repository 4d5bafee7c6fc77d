"""What a training task needs from the project, checked before TensorFlow is loaded: one plain sentence naming
what is missing and how to add it (the CLI prints it as one line; the app can show it as it is)."""

from __future__ import annotations

from dataclasses import dataclass

from ..store.store import Store

USABLE = "i.excluded = 0 AND i.missing = 0"


def missing_training_data(store: Store, task: str) -> str | None:
    """Why ``task`` (classify, segment, regress, detect) cannot train on this project, or None when it can start.

    Only what the store can tell at once is checked (annotations on usable images); how they fall into the
    splits is checked when the data is loaded.
    """
    c = store.conn
    if task == "classify":
        classes = [r[0] for r in c.execute(
            f"SELECT DISTINCT i.label FROM images i WHERE i.label IS NOT NULL AND {USABLE} ORDER BY 1")]
        if not classes:
            return ("no images with a class to train a classifier on: import one folder per class, or set the "
                    "images' classes in the app")
        if len(classes) < 2:
            return (f"classification needs images of at least two classes (found only '{classes[0]}'): set other "
                    "images' classes in the app, or import a folder per class")
    elif task == "regress":
        if not c.execute(f"SELECT 1 FROM images i WHERE i.value IS NOT NULL AND {USABLE} LIMIT 1").fetchone():
            return "no images with a numeric value to train a regressor on: set the images' values in the app"
    elif task == "segment":
        states = dict(c.execute(f"SELECT m.state, COUNT(*) FROM masks m JOIN images i ON i.id = m.image_id "
                                f"WHERE {USABLE} GROUP BY m.state").fetchall())
        if not states.get("accepted"):
            if states.get("pending"):
                return (f"no accepted masks to train the U-Net on, only {states['pending']} pending mask "
                        "proposal(s): accept or correct them in the app first")
            return ("no masks to train the U-Net on: import mask images (labelstudio-desktop import FOLDER "
                    "--masks DIR) or paint masks in the app")
    elif task == "detect":
        if not c.execute(f"SELECT 1 FROM boxes b JOIN images i ON i.id = b.image_id WHERE b.state = 'accepted' "
                         f"AND {USABLE} LIMIT 1").fetchone():
            return ("no accepted boxes to learn from: draw boxes or accept proposals in the app, or import "
                    "Pascal VOC boxes (labelstudio-desktop import FOLDER --annotations DIR)")
    return None


@dataclass(frozen=True)
class TrainCounts:
    """What a new run of a task would train on, as the store holds it now.

    ``per_class``: train images per class (classify) or accepted boxes per label in train images (detect), empty
    for the other tasks; ``images``: the images of the train split that train (classify: with a class, regress: with
    a value, segment: with an accepted mask, detect: reviewed); ``split``: False while no usable image has a split
    yet (training makes one, 8:1:1): ``per_class`` then counts every usable image, and ``images`` estimates the
    train share of them.
    """

    per_class: dict[str, int]
    images: int
    split: bool


#: The share of images a new split puts in train (the 8:1:1 default of core.cleaning.split).
TRAIN_SHARE = 0.8


def _annotated(task: str) -> str:
    """SQL over images ``i``: those a run of ``task`` trains on."""
    if task == "classify":
        return "i.label IS NOT NULL"
    if task == "regress":
        return "i.value IS NOT NULL"
    if task == "segment":
        return "EXISTS (SELECT 1 FROM masks m WHERE m.image_id = i.id AND m.state = 'accepted')"
    return ("(i.status = 'verified' OR EXISTS (SELECT 1 FROM boxes b WHERE b.image_id = i.id "
            "AND b.state = 'accepted'))")


def train_counts(store: Store, task: str) -> TrainCounts:
    """What ``task`` would train on now (see :class:`TrainCounts`); cheap enough to refresh after every edit."""
    c = store.conn
    split = bool(c.execute(f"SELECT 1 FROM images i WHERE i.split IS NOT NULL AND {USABLE} LIMIT 1").fetchone())
    where = f"{USABLE} AND {_annotated(task)}" + (" AND i.split = 'train'" if split else "")
    images = c.execute(f"SELECT COUNT(*) FROM images i WHERE {where}").fetchone()[0]
    per_class: dict[str, int] = {}
    if task == "classify":
        per_class = dict(c.execute(f"SELECT i.label, COUNT(*) FROM images i WHERE {where} "
                                   "GROUP BY i.label ORDER BY i.label").fetchall())
    elif task == "detect":
        per_class = dict(c.execute(f"SELECT b.label, COUNT(*) FROM boxes b JOIN images i ON i.id = b.image_id "
                                   f"WHERE b.state = 'accepted' AND {where} GROUP BY b.label "
                                   "ORDER BY b.label").fetchall())
    if not split:
        images = round(images * TRAIN_SHARE)
    return TrainCounts(per_class, images, split)
