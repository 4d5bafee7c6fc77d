"""What a training task needs from the project, checked before TensorFlow is loaded: one plain sentence naming
what is missing and how to add it (the CLI prints it as one line; the app can show it as it is)."""

from __future__ import annotations

from .store import Store

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
