"""Likely mistakes (core/mistakes.py): the out-of-fold judge, on a real project with stored features."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from labelstudio_desktop.core import mistakes as m
from labelstudio_desktop.core.editing.commands import SetImageFields
from labelstudio_desktop.core.store.features import DIM, save_features
from labelstudio_desktop.core.store.records import BoxRecord
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder

CLASSES = ("bolt", "nut", "washer")


def _cluster_vectors(labels: list[str], seed: int = 0) -> np.ndarray:
    """Vectors near one centre per class, strongly correlated across dimensions (as pooled features are)."""
    rng = np.random.default_rng(seed)
    centres = {c: rng.gamma(1.0, 1.0, DIM) for c in sorted(set(labels))}
    shared = rng.normal(0, 1, (len(labels), 1)) * rng.normal(0, 1, DIM)  # one common factor across dimensions
    return np.stack([centres[c] + 0.3 * rng.normal(0, 1, DIM) for c in labels]).astype(np.float32) + 3 * shared


def test_folds_are_stratified_and_even():
    labels = np.array([0] * 10 + [1] * 7 + [2] * 3)
    fold = m.stratified_folds(labels, 3, seed=1)
    for cls in range(3):
        counts = np.bincount(fold[labels == cls], minlength=3)
        assert counts.max() - counts.min() <= 1
    assert np.bincount(fold).max() - np.bincount(fold).min() <= 1


def test_the_fit_converges_on_correlated_features_and_never_diverges():
    labels = [c for c in CLASSES for _ in range(40)]
    x = _cluster_vectors(labels) * 50  # large, correlated features: a fixed step would diverge here
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = np.array([CLASSES.index(c) for c in labels])
    w, b = m.fit_softmax(x, y, 3)
    p = m.softmax(x @ w + b)
    assert np.isfinite(w).all() and (p.argmax(axis=1) == y).mean() == 1.0


def test_a_flipped_class_is_the_most_doubted_and_its_true_class_suggested():
    labels = [c for c in CLASSES for _ in range(12)]
    x = _cluster_vectors(labels)
    items = [(n, None, f"{n}.jpg", c) for n, c in enumerate(labels)]
    items[5] = (5, None, "5.jpg", "washer")  # a bolt labelled washer
    report = m.judge(items, x)
    first = report.scored[0]
    assert (first.image_id, first.label, first.suggested) == (5, "washer", "bolt")
    assert first.p_label < 0.2 and first.doubt > 0.8
    assert report.likely[0].image_id == 5 and len(report.likely) <= 3
    assert len(report.scored) == 36 and report.classes == list(CLASSES)
    agreed = sum(d.suggested == d.label for d in report.scored)
    assert report.agreement == agreed / 36 and 33 <= agreed <= 35  # not the flipped one
    assert report.as_dict()["agreement"] == round(agreed / 36, 4)
    assert report.as_dict()["likely"][0] == {"image": 5, "box": None, "path": "5.jpg", "label": "washer",
                                            "suggested": "bolt", "p_label": round(first.p_label, 4),
                                            "p_suggested": round(first.p_suggested, 4),
                                            "doubt": round(first.doubt, 4)}


def test_classes_too_small_to_judge_are_named_and_one_class_judges_nothing():
    labels = ["bolt"] * 10 + ["nut"] * 10 + ["washer"] * 2
    report = m.judge([(n, None, f"{n}.jpg", c) for n, c in enumerate(labels)], _cluster_vectors(labels))
    assert report.too_few == {"washer": 2} and report.classes == ["bolt", "nut"] and len(report.scored) == 20
    alone = m.judge([(n, None, f"{n}.jpg", "bolt") for n in range(5)], _cluster_vectors(["bolt"] * 5))
    assert alone.scored == [] and alone.classes == ["bolt"] and alone.agreement is None


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "images"
    for cls in CLASSES:
        (folder / cls).mkdir(parents=True)
        for n in range(6):
            Image.new("RGB", (40, 30), (20 * n, 40 * CLASSES.index(cls), 90)).save(folder / cls / f"{n}.png")
    with Store.create(folder) as store:
        import_folder(store)
    return folder


def test_image_classes_of_a_project_are_judged_from_their_stored_views_features(project):
    with Store.open(project) as store:
        images = store.images()
        vectors = _cluster_vectors([img.label for img in images])
        upright = np.random.default_rng(3).random((len(images), DIM)).astype(np.float32)  # says nothing of classes
        save_features(store, [(img.id, *_file_facts(store, img), upright[k], vectors[k])
                              for k, img in enumerate(images) if img.path != "nut/5.png"])
        flipped = store.image_by_path("bolt/2.png").id
        SetImageFields(store, flipped, label="nut").do(store)
        report = m.class_mistakes(store)
        assert report.without_features == 1 and len(report.scored) == 17
        assert report.scored[0].image_id == flipped and report.scored[0].suggested == "bolt"


def test_images_with_boxes_are_judged_by_their_crops_never_by_the_boxes_classes(project):
    with Store.open(project) as store:
        images = store.images()
        noise = np.random.default_rng(3).normal(0, 1, (len(images), DIM)).astype(np.float32)
        save_features(store, [(img.id, *_file_facts(store, img), noise[k], noise[k]) for k, img in enumerate(images)])
        boxed = [img for img in images if img.path != "washer/0.png"]  # one image without boxes
        boxes = []
        for img in boxed:
            for k in range(1 + img.id % 2):  # one or two boxes; their class is wrong on purpose: it is not read
                boxes.append(BoxRecord(0, img.id, "nut", k, k, 20 + k, 20 + k))
                boxes[-1].id = store.insert_box(boxes[-1])
        owner_class = {img.id: img.label for img in boxed}
        vectors = _cluster_vectors([owner_class[b.image_id] for b in boxes])
        flipped = store.image_by_path("bolt/2.png").id
        SetImageFields(store, flipped, label="nut").do(store)
        report = m.class_mistakes(store, boxes=([b.id for b in boxes], vectors))
        assert report.by_objects == len(boxed) and len(report.scored) == len(boxed)  # the unboxed one: too few
        assert report.too_few == {"washer": 1}
        assert report.scored[0].image_id == flipped and report.scored[0].suggested == "bolt"
        assert report.as_dict()["by_objects"] == len(boxed)
        partial = m.class_mistakes(store, boxes=([b.id for b in boxes[1:]], vectors[1:]))
        assert partial.by_objects == len(boxed) - 1  # an image missing a crop's features is not judged by it
        whole = m.class_mistakes(store)
        assert whole.by_objects == 0 and len(whole.scored) == len(images)


def test_box_classes_are_judged_from_their_crop_features(project):
    with Store.open(project) as store:
        boxes = []
        for img in store.images():
            for k in range(2):
                box = BoxRecord(0, img.id, img.label, k, k, 20 + k, 20 + k)
                box.id = store.insert_box(box)
                boxes.append(box)
        store.insert_box(BoxRecord(0, boxes[0].image_id, "bolt", 1, 1, 9, 9, source="proposal", state="pending"))
        vectors = _cluster_vectors([b.label for b in boxes])
        wrong = boxes[7]
        wrong.label = "washer" if wrong.label != "washer" else "bolt"
        store.update_box(wrong)
        assert len(m.judged_boxes(store)) == len(boxes)  # pending proposals are not judged
        report = m.box_mistakes(store, [b.id for b in boxes], vectors)
        first = report.scored[0]
        assert (first.box_id, first.image_id, first.label) == (wrong.id, wrong.image_id, wrong.label)
        assert first.suggested == store.images()[[i.id for i in store.images()].index(wrong.image_id)].label
        without = m.box_mistakes(store, [b.id for b in boxes[1:]], vectors[1:])
        assert without.without_features == 1


def _file_facts(store: Store, img) -> tuple[int, float]:
    stat = store.abs_path(img).stat()
    return stat.st_size, stat.st_mtime


def test_each_flagged_image_takes_the_kind_of_its_most_doubted_row():
    rows = [{"image": 1, "box": None, "doubt": 0.6}, {"image": 1, "box": 7, "doubt": 0.9},
            {"image": 2, "kind": "missing", "box": None, "doubt": 0.4},
            {"image": 3, "kind": "misplaced", "box": 9, "doubt": 0.5}, {"image": 3, "box": None, "doubt": 0.2}]
    assert m.flagged_images(rows) == {1: "box class", 2: "missing box", 3: "misplaced box"}
    assert m.flagged_images([]) == {} and m.mistake_kind(rows[0]) == "image class"
    assert set(m.flagged_images(rows).values()) <= set(m.MISTAKE_KINDS)
