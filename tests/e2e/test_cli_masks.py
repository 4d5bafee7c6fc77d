"""Masks from the command line, as a user runs it: import, export, crops, the training precondition, the demo."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from helpers import write_image
from mask_files import save_grey, save_palette, square
from PIL import Image

from labelstudio_desktop.core.editing.training_needs import missing_training_data
from labelstudio_desktop.core.store.runs import get_run
from labelstudio_desktop.core.store.store import Store


def run(*args):
    return subprocess.run([sys.executable, "-m", "labelstudio_desktop", *map(str, args)], capture_output=True,
                          text=True)


def test_import_masks_then_export_a_segmentation_set_and_crops(tmp_path):
    root = tmp_path / "shots"
    for name in ("a", "b", "c"):
        write_image(root / f"{name}.jpg", seed=ord(name))
    masks = tmp_path / "masks"
    save_grey(masks / "a.png", square() * 255)
    index = np.zeros((48, 64), np.uint8)
    index[2:10, 2:10], index[30:40, 40:60] = 1, 2
    save_palette(masks / "b.png", index)
    (masks / "labelmap.txt").write_text("background:0,0,0::\nnut:128,0,0::\nbolt:0,128,0::\n")
    save_grey(masks / "c.png", square(w=32) * 255)
    first = run("import", root, "--masks", masks)
    assert first.returncode == 0, first.stderr
    assert "masks: 3 stored from 3 mask file(s)" in first.stdout and "1 file(s) not usable" in first.stdout
    assert "c.png" in first.stdout and "mask is 32x48, the image is 64x48" in first.stdout
    again = json.loads(run("import", root, "--masks", masks, "--json").stdout)
    assert again["masks"]["unchanged"] == 3 and again["masks"]["masks"] == 0

    exported = run("export", root, "--format", "masks", "--out", tmp_path / "voc")
    assert exported.returncode == 0, exported.stderr
    assert "exported 2 images, 3 objects" in exported.stdout
    assert (tmp_path / "voc" / "labelmap.txt").read_text().splitlines()[1:] == [
        "background:0,0,0::", "nut:128,0,0::", "bolt:0,128,0::", "object:128,128,0::"]
    assert Image.open(tmp_path / "voc" / "SegmentationClass" / "b.png").mode == "P"

    crops = run("export", root, "--format", "crops", "--from", "masks", "--cutout", "--padding", "0",
                "--out", tmp_path / "crops")
    assert crops.returncode == 0, crops.stderr
    assert sorted(p.relative_to(tmp_path / "crops").as_posix() for p in (tmp_path / "crops").rglob("*.png")) == [
        "bolt/b_1.png", "nut/b_0.png", "object/a_0.png"]
    assert Image.open(tmp_path / "crops" / "object" / "a_0.png").size == (20, 16)


def test_nothing_to_export_or_train_is_one_plain_line(tmp_path):
    write_image(tmp_path / "p" / "a.jpg")
    assert run("import", tmp_path / "p").returncode == 0
    exported = run("export", tmp_path / "p", "--format", "masks", "--out", tmp_path / "out")
    assert exported.returncode == 1
    assert exported.stderr.strip() == ("error: nothing exported: the project has no masks: import mask images "
                                       "(`labelstudio-desktop import FOLDER --masks DIR`) or paint masks in the app")
    for task, start in (("segment", "error: no masks to train the U-Net on"), ("detect", "error: no accepted boxes"),
                        ("classify", "error: no images with a class"), ("regress", "error: no images with a numeric")):
        refused = run("train", tmp_path / "p", "--task", task)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1 and refused.stderr.startswith(start), refused.stderr


def test_an_annotated_demo_trains_every_model_at_once(tmp_path):
    made = run("demo", tmp_path / "d", "--annotated", "0.3")
    assert made.returncode == 0, made.stderr
    assert "37 images annotated from the ground truth" in made.stdout
    with Store.open(tmp_path / "d" / "images") as store:
        assert all(missing_training_data(store, t) is None for t in ("classify", "regress", "segment", "detect"))
    trained = run("train", tmp_path / "d" / "images", "--task", "segment", "--epochs", "1", "--size", "32",
                  "--weights", "none", "--json")
    assert trained.returncode == 0, trained.stderr
    assert json.loads(trained.stdout)["status"] == "finished"
    with Store.open(tmp_path / "d" / "images") as store:  # --weights none alone: the plain U-Net from scratch
        assert get_run(store, json.loads(trained.stdout)["run"]).params["backbone"] == "small"
    assert run("demo", tmp_path / "e", "--annotated", "2").returncode == 1
