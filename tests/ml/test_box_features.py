"""Box crop features and the likely-mistakes job on real photos with the shipped weights (ml/box_features.py,
ml/mistakes.py, ``labelstudio-desktop mistakes``)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from photo_project import labelled_photo_project
from PIL import Image

from labelstudio_desktop import cli
from labelstudio_desktop.core.mistakes import judged_boxes
from labelstudio_desktop.core.store.records import BoxRecord
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.ml.box_features import CROP_SIZE, box_features, crops
from labelstudio_desktop.ml.mistakes import find_mistakes


@pytest.fixture
def project(tmp_path):
    return labelled_photo_project(tmp_path / "photos")


def test_crops_are_cut_with_their_margin_and_an_empty_cut_stays_black():
    image = Image.new("RGB", (100, 80), (10, 200, 30))
    image.paste((250, 0, 0), (40, 40, 60, 60))
    boxes = [BoxRecord(1, 1, "x", 40, 40, 60, 60), BoxRecord(2, 1, "x", 99, 79, 100, 80)]
    cut = crops(image, boxes, size=32, context=0.0)
    assert cut.shape == (2, 32, 32, 3)
    assert (cut[0] == (250, 0, 0)).all()  # the red square exactly
    with_margin = crops(image, boxes[:1], size=32, context=0.5)[0]
    assert tuple(with_margin[0, 0]) == (10, 200, 30) and tuple(with_margin[16, 16]) == (250, 0, 0)


def test_every_box_gets_features_and_an_unreadable_image_is_named(project):
    (project / "blood_smear.jpg").write_bytes(b"not a jpeg any more")
    with Store.open(project) as store:
        boxes = judged_boxes(store)
        found = box_features(store, boxes)
    assert found.problems == [("blood_smear.jpg", found.problems[0][1])]
    assert found.problems[0][1].startswith("cannot decode")
    assert len(found.ids) == len(boxes) - 2 and found.vectors.shape == (len(boxes) - 2, 1280)
    assert np.isfinite(found.vectors).all() and CROP_SIZE == 160


def test_the_mistakes_job_judges_image_and_box_classes(project):
    with Store.open(project) as store:
        db = str(store.db_path)
    result = find_mistakes(db)
    assert result["images"]["judged"] == 10 and result["boxes"]["judged"] == 20
    assert result["images"]["classes"] == ["cards", "other"] and result["problems"] == []
    for doubt in result["images"]["likely"] + result["boxes"]["likely"]:
        assert doubt["p_label"] < 0.5 and doubt["suggested"] != doubt["label"]


def test_mistakes_on_the_command_line(project, capsys):
    assert cli.main(["mistakes", str(project), "--kind", "images", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"images"} and data["images"]["judged"] == 10 and data["images"]["folds"] == 5
    assert cli.main(["mistakes", str(project), "--kind", "boxes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("box classes: ") and "among 20 judged" in out
