"""A real Keras classifier with fixed weights, and a project of coloured squares that it understands.

Proposal tests assert contracts (valid boxes where the heatmap has a region, a plain reason where it has none,
provenance, what review leaves alone). A briefly trained model outputs whatever its last epoch gave, so these
tests use a model whose Grad-CAM is known in advance instead: a 1x1 convolution that passes the red, green and
blue planes through as three feature maps, global average pooling, and a dense layer where class k reads plane k.
For class k the Grad-CAM weight of plane k is positive and the others negative, so the heatmap of a pure red
square on black, for class ``red``, is the square itself; for any other class it is empty.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ["blue", "green", "red"]  # sorted, as training stores them
RGB = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255)}
IMAGE_SIZE = (96, 64)  # not square: boxes must be scaled back from the square model input

# file -> (class, [true boxes as 0-based pixel edges]); one class folder per colour
SQUARES = {
    "red/red_0.png": ("red", [(24, 16, 56, 40)]),
    "red/red_1.png": ("red", [(4, 4, 36, 28)]),
    "red/red_2.png": ("red", [(8, 8, 32, 32), (64, 32, 92, 60)]),  # two objects
    "green/green_0.png": ("green", [(40, 20, 80, 52)]),
    "green/green_1.png": ("green", [(10, 30, 40, 60)]),
    "blue/blue_0.png": ("blue", [(30, 10, 70, 50)]),
    "blue/blue_1.png": ("blue", [(50, 4, 90, 34)]),
    "red/red_empty.png": ("red", []),  # black: no evidence anywhere, so no box and a reason
}


def write_squares(folder: Path) -> dict[str, tuple[str, list]]:
    """Write the square images (class folders) under ``folder``; returns :data:`SQUARES`."""
    w, h = IMAGE_SIZE
    for rel, (label, boxes) in SQUARES.items():
        pixels = np.zeros((h, w, 3), np.uint8)
        for x0, y0, x1, y1 in boxes:
            pixels[y0:y1, x0:x1] = RGB[label]
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(path)
    return SQUARES


def colour_classifier(size: int = 32):
    """The fixed-weight classifier (0-255 RGB input of ``size`` x ``size``, softmax over :data:`CLASSES`)."""
    import keras
    from keras import layers

    inputs = keras.Input((size, size, 3), name="image")
    planes = layers.Conv2D(3, 1, use_bias=False, name="planes")(inputs)
    pooled = layers.GlobalAveragePooling2D()(planes)
    outputs = layers.Dense(len(CLASSES), activation="softmax", name="predictions")(pooled)
    model = keras.Model(inputs, outputs, name="colour_classifier")
    plane_of = {"red": 0, "green": 1, "blue": 2}
    kernel = np.zeros((1, 1, 3, 3), np.float32)
    dense = np.zeros((3, len(CLASSES)), np.float32)
    for k, name in enumerate(CLASSES):
        kernel[0, 0, plane_of[name], k] = 1 / 255.0
        dense[k, k] = 8.0
    model.get_layer("planes").set_weights([kernel])
    model.get_layer("predictions").set_weights([dense, np.zeros(len(CLASSES), np.float32)])
    return model


def squares_project(folder: Path):
    """Import the squares as a project (class folders) and register the fixed classifier as a finished
    classify run; returns (database path, run id)."""
    from labelstudio_desktop.core.store.runs import create_run, run_dir, update_run
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    write_squares(folder)
    with Store.create(folder) as store:
        import_folder(store)
        size = 32
        run_id = create_run(store, "classify", {"task": "classify", "size": size, "classes": CLASSES,
                                                "backbone": "fixed"})
        path = run_dir(store, run_id) / "best.keras"
        path.parent.mkdir(parents=True, exist_ok=True)
        colour_classifier(size).save(str(path))
        update_run(store, run_id, model_path=str(path), status="finished")
        return store.db_path, run_id


def box_record(image_id, edges, label, state="accepted", source="manual"):
    """A box to insert: accepted by the operator, or a pending proposal."""
    from labelstudio_desktop.core.store.store import BoxRecord

    return BoxRecord(0, image_id, label, *edges, source=source if state == "accepted" else "proposal", state=state)
