"""TensorFlow tests: tiny inputs, few epochs, weights=None; the demo project as data."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from fixed_model import SQUARES, box_record, write_squares
from PIL import Image

from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder


@pytest.fixture(scope="session", autouse=True)
def deterministic_ops():
    """Same seed, same result: TensorFlow's ops made deterministic for the tests."""
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()


@pytest.fixture
def demo_db(demo):
    return demo / "images" / ".labelstudio" / "project.db"


@pytest.fixture
def demo_with_masks(demo, demo_db):
    """The demo with its true masks added as accepted annotations (as an operator would have drawn them)."""
    truth = json.loads((demo / "ground_truth" / "truth.json").read_text())
    with Store.open(demo_db) as store:
        for rel in truth["images"]:
            image = store.image_by_path(rel)
            mask = np.asarray(Image.open((demo / "ground_truth" / "masks" / rel).with_suffix(".png")))
            buf = io.BytesIO()
            Image.fromarray(mask).save(buf, "PNG")
            store.add_mask(image.id, truth["images"][rel]["class"], buf.getvalue())
    return demo_db


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network, as on a machine without a route out: socket connections fail and Keras' cache is empty."""
    import socket

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))

    def refuse(*args, **kwargs):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def squares(tmp_path) -> Path:
    """The coloured squares as a project of class folders, no box yet."""
    folder = tmp_path / "squares"
    write_squares(folder)
    with Store.create(folder) as store:
        import_folder(store)
        return store.db_path


@pytest.fixture
def boxed(squares) -> Path:
    """Every square as an accepted box (the empty image verified), split over train/val/test."""
    splits = {"red_0": "train", "red_1": "train", "green_0": "train", "blue_0": "train", "red_2": "val",
              "green_1": "val", "blue_1": "test", "red_empty": "test"}
    with Store.open(squares) as store:
        for img in store.images():
            store.update_image_fields(img.id, {"split": splits[Path(img.path).stem]})
            for edges in SQUARES[img.path][1]:
                store.insert_box(box_record(img.id, edges, SQUARES[img.path][0], source="imported"))
        store.update_image_fields(store.image_by_path("red/red_empty.png").id, {"status": "verified"})
    return squares
