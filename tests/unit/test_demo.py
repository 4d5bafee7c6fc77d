"""The demo project: deterministic, realistic, with every planted problem and ground truth kept apart."""

from __future__ import annotations

import hashlib
import json

import numpy as np

from labelstudio_desktop.core.demo import generate
from labelstudio_desktop.core.images import load_rgb
from labelstudio_desktop.core.store.store import Store


def _digest(folder):
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    generate(tmp_path / "a", seed=3, per_class=12)
    generate(tmp_path / "b", seed=3, per_class=12)
    generate(tmp_path / "c", seed=4, per_class=12)
    assert _digest(tmp_path / "a" / "images") == _digest(tmp_path / "b" / "images")
    assert _digest(tmp_path / "a" / "images") != _digest(tmp_path / "c" / "images")


def test_demo_project_contents(demo):
    truth = json.loads((demo / "ground_truth" / "truth.json").read_text())
    with Store.open(demo / "images") as store:
        summary = store.summary()
        assert set(summary["classes"]) == {"nut", "bolt", "washer", "empty"}
        assert summary["boxes"]["accepted"] == 0  # ground truth is not imported as annotations
        assert set(summary["splits"]) == {"train", "val", "test"}
        images = {i.path: i for i in store.images()}
        assert set(images) == set(truth["images"])
        planted = truth["planted"]
        a, b = planted["leak"][0]
        assert (images[a].split, images[b].split) == ("train", "test")
        a, b = planted["conflict"][0]
        assert images[a].label != images[b].label
        assert (store.root / a).read_bytes() == (store.root / b).read_bytes()
        for a, b in planted["exact"]:
            assert np.array_equal(load_rgb(store.root / a), load_rgb(store.root / b))
        assert any("truncated" in w for w in images[planted["truncated"][0]].warnings)
        rot = images[planted["exif_rotated"][0]]
        assert (rot.width, rot.height) == (192, 144)
        boxed = [v for v in truth["images"].values() if v["boxes"]]
        assert len(boxed) > 80 and any(len(v["boxes"]) > 1 for v in boxed)
        for rel, info in truth["images"].items():
            if info["class"] != "empty":
                assert images[rel].value == info["value"] and 1 <= info["value"] <= 5
    assert len(list((demo / "ground_truth" / "masks").rglob("*.png"))) == len(truth["images"])


def test_true_boxes_fit_the_masks(demo):
    from PIL import Image

    truth = json.loads((demo / "ground_truth" / "truth.json").read_text())
    for rel, info in list(truth["images"].items())[:40]:
        mask = np.asarray(Image.open((demo / "ground_truth" / "masks" / rel).with_suffix(".png")))
        for x0, y0, x1, y1, _ in info["boxes"]:
            assert mask[y0:y1, x0:x1].any()
