"""Propose never gets worse by surprise, and an image's class constrains its boxes (issue 19, items 2 and 3).

The detectors here are real Keras models with fixed weights whose output does not depend on the image (a dense
layer's bias holds the whole output grid), so what they propose is known in advance; the classifier is the fixed
colour classifier of :mod:`fixed_model`, whose Grad-CAM boxes fit the squares."""

from __future__ import annotations

import math

import numpy as np
from fixed_model import CLASSES, SQUARES, squares_project

from labelstudio_desktop.core.store.store import BoxRecord, Store

SIZE = 32
GRID = SIZE // 4
CENTRED = (24, 16, 72, 48)  # the constant detector's box on a 96 x 64 square image: (0.25 .. 0.75) of each side


def constant_detector(peaks: list[tuple[int, int, float, float]], channel: int, log_size: float):
    """A detector whose output grid is fixed: heat 0.9 in class ``channel`` at each ``(row, col, dx, dy)`` of
    ``peaks`` (0.01 elsewhere), every box ``exp(log_size)`` cells wide and high. Symmetric peaks survive the
    mirror-image averaging of :func:`detector.predict` unchanged."""
    import keras
    from keras import layers

    out = np.zeros((GRID, GRID, len(CLASSES) + 4), np.float32)
    out[..., :len(CLASSES)] = 0.01
    out[..., len(CLASSES) + 2:] = log_size
    for row, col, dx, dy in peaks:
        out[row, col, channel] = 0.9
        out[row, col, len(CLASSES):len(CLASSES) + 2] = (dx, dy)
    inputs = keras.Input((SIZE, SIZE, 3), name="image")
    pooled = layers.GlobalAveragePooling2D()(inputs)
    flat = layers.Dense(out.size, kernel_initializer="zeros", name="grid")(pooled)
    model = keras.Model(inputs, layers.Reshape(out.shape)(flat))
    model.get_layer("grid").set_weights([np.zeros((3, out.size), np.float32), out.reshape(-1)])
    return model


def centred_detector(channel: int = 0):
    """One box, :data:`CENTRED`, of class ``channel`` on every image."""
    return constant_detector([(3, 3, 0.5, 0.5), (3, 4, -0.5, 0.5)], channel, math.log(4))


def corner_detector():
    """Two tiny boxes in the top corners of every image: wrong everywhere."""
    return constant_detector([(0, 0, 0.0, 0.0), (0, GRID - 1, 0.0, 0.0)], 0, 0.0)


def silent_detector():
    """Finds nothing anywhere."""
    return constant_detector([], 0, 0.0)


def add_detector(db, model) -> int:
    """Register ``model`` as a finished detect run of the project; returns its id."""
    from labelstudio_desktop.core.store.runs import create_run, run_dir, update_run

    with Store.open(db) as store:
        run = create_run(store, "detect", {"task": "detect", "size": SIZE, "classes": CLASSES, "backbone": "fixed"})
        path = run_dir(store, run) / "best.keras"
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(str(path))
        update_run(store, run, model_path=str(path), status="finished")
    return run


def review(db, rel: str, box, split: str = "val") -> None:
    """The operator's review of one image held out of training: its pending proposals gone, ``box`` accepted (with
    the image's class), the image verified and in ``split``."""
    with Store.open(db) as store:
        image = store.image_by_path(rel)
        store.conn.execute("DELETE FROM boxes WHERE image_id=?", (image.id,))
        store.conn.commit()
        store.insert_box(BoxRecord(0, image.id, image.label, *box))
        store.update_image_fields(image.id, {"status": "verified", "split": split})


def pending(db) -> set[tuple]:
    with Store.open(db) as store:
        return {(store.image(b.image_id).path, b.label, b.edges, b.method, b.run_id)
                for b in store.boxes(states=("pending",))}


def test_a_detector_measured_worse_keeps_the_pending_grad_cam_proposals(tmp_path):
    from labelstudio_desktop.ml.propose import propose

    db, classifier = squares_project(tmp_path / "squares")
    propose(db, source="gradcam")
    for rel in ("green/green_0.png", "blue/blue_0.png"):
        review(db, rel, SQUARES[rel][1][0])
    before = pending(db)
    assert before and {m for *_rest, m, _run in before} == {"exact"}
    detector = add_detector(db, corner_detector())
    report = propose(db)  # auto: the window's Propose after Retrain
    assert report.source == "gradcam" and report.other == "detector" and report.held_out == 2
    assert report.runs == {"gradcam": classifier, "detector": detector}
    assert report.scores["detector"] < report.scores["gradcam"]
    after = pending(db)
    assert {p for p in after if p[3] != "detector"} == before  # nothing lost, nothing replaced by the weaker source
    assert {p[0] for p in after if p[3] == "detector"} == {"red/red_empty.png"}  # only where Grad-CAM finds nothing
    assert report.fallback == 1 and report.kept_pending == 0
    said = report.decision()
    assert f"{report.scores['gradcam']:.2f}" in said and f"{report.scores['detector']:.2f}" in said
    assert "2 reviewed images" in said
    assert report.as_json()["scores"] == {k: round(v, 6) for k, v in report.scores.items()}


def test_where_the_detector_finds_nothing_grad_cam_proposes(tmp_path):
    from labelstudio_desktop.ml.propose import propose

    db, classifier = squares_project(tmp_path / "squares")
    add_detector(db, silent_detector())
    report = propose(db)  # nothing reviewed to measure on, nothing pending: the detector leads
    assert report.source == "detector" and report.scores == {} and report.other == "gradcam"
    with_boxes = {rel for rel, (_label, boxes) in SQUARES.items() if boxes}
    assert {p.image for p in report.proposals} == with_boxes and report.fallback == len(with_boxes)
    assert {(m, r) for *_rest, m, r in pending(db)} == {("exact", classifier)}
    assert {w[0] for w in report.without_box} == {"red/red_empty.png"}  # neither source found anything there
    assert len(report.without_box) == 2  # each source's reason
    assert "not measured" in report.decision() and f"on {len(with_boxes)} images where" in report.decision()
    again = propose(db)  # not measured yet: the source of the pending proposals leads, and they stay
    assert again.source == "gradcam" and {(m, r) for *_rest, m, r in pending(db)} == {("exact", classifier)}
    before = pending(db)
    asked = propose(db, source="detector")  # asked for by name: still, finding nothing deletes nothing
    assert asked.proposals == [] and asked.kept_pending == len(with_boxes) and pending(db) == before


def test_a_detector_measured_better_replaces_the_pending_proposals(tmp_path):
    from labelstudio_desktop.ml.propose import propose

    db, _classifier = squares_project(tmp_path / "squares")
    propose(db, source="gradcam")
    for rel in ("red/red_1.png", "green/green_1.png"):  # the operator's boxes: where the detector puts them
        review(db, rel, CENTRED)
    detector = add_detector(db, centred_detector())
    report = propose(db)
    assert report.source == "detector" and report.scores["detector"] > report.scores["gradcam"]
    after = pending(db)
    assert {(m, r) for *_rest, m, r in after} == {("detector", detector)}
    assert {p for p, *_rest in after} == {p.image for p in report.proposals}


def test_the_image_class_labels_the_detector_proposals(tmp_path):
    from labelstudio_desktop.ml.propose import propose

    db, _classifier = squares_project(tmp_path / "squares")
    add_detector(db, centred_detector(channel=CLASSES.index("blue")))  # every box found in the blue channel
    report = propose(db, source="detector")
    assert len(report.proposals) == len(SQUARES)
    assert all(p.label == SQUARES[p.image][0] for p in report.proposals)  # each image's own class
    raw = propose(db, source="detector", use_labels=False)  # the prior off: the detector's own classes
    assert {p.label for p in raw.proposals} == {"blue"}


def test_detector_training_targets_take_the_image_class(tmp_path):
    from labelstudio_desktop.ml.data import class_per_image, collect, ensure_split

    db, _classifier = squares_project(tmp_path / "squares")
    with Store.open(db) as store:
        for rel, (label, truth) in SQUARES.items():
            image = store.image_by_path(rel)
            for box in truth:  # one box accepted with the wrong class: the detector's mislabel, not corrected
                store.insert_box(BoxRecord(0, image.id, "blue" if rel == "red/red_0.png" else label, *box))
        assert class_per_image(store)
        ensure_split(store)
        data = collect(store, "detect", SIZE)
        red_0 = store.image_by_path("red/red_0.png").id
        for split in data.ids:
            for image_id, item in zip(data.ids[split], data.y[split], strict=True):
                image = store.image(image_id)
                assert [data.classes[k] for k in item.labels] == [image.label] * len(SQUARES[image.path][1])
        assert any(red_0 in ids for ids in data.ids.values())
        for image in store.images():  # many boxes against their image's class: not one class per image
            store.conn.execute("UPDATE boxes SET label='blue' WHERE image_id=?", (image.id,))
        store.conn.commit()
        assert not class_per_image(store)
