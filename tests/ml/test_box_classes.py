"""Box classes (ml/box_classes.py) with the shipped MobileNetV2: fitted in closed form on real pixels of boxes of two
classes, it tells the class of boxes in photos it never saw, is stored and read back as plain arrays, and the
proposals of a real detector run take its class, unless the image's class is the boxes'."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labelstudio_desktop.core.boxes.boxes import box_iou
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder
from labelstudio_desktop.ml import box_classes, refine
from labelstudio_desktop.ml.box_classes import FILE_NAME, BoxClassifier, fit_box_classes

#: Plates by class: yellow ones and blue ones.
COLOURS = {"yellow": (230, 210, 90), "blue": (60, 90, 230)}


def _photo(seed: int) -> tuple[Image.Image, tuple[float, float, float, float], str]:
    """A textured background with one plate (a bright rectangle with a dark rim) at a random place and size, yellow
    for an even seed, blue for an odd one."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(60, 120, (240, 320, 3)).astype(np.uint8)
    w, h = rng.integers(70, 150), rng.integers(60, 120)
    x0, y0 = rng.integers(10, 320 - w - 10), rng.integers(10, 240 - h - 10)
    label = "yellow" if seed % 2 == 0 else "blue"
    pixels[y0:y0 + h, x0:x0 + w] = (20, 20, 30)
    pixels[y0 + 6:y0 + h - 6, x0 + 6:x0 + w - 6] = COLOURS[label]
    return Image.fromarray(pixels), (float(x0), float(y0), float(x0 + w), float(y0 + h)), label


@pytest.fixture(scope="module")
def fitted():
    photos = [_photo(seed) for seed in range(10)]
    classifier = fit_box_classes(((image, [box], [label], []) for image, box, label in photos), total=len(photos))
    assert classifier.classes == ("blue", "yellow") and classifier.boxes == 10 and classifier.empty
    assert classifier.weights.shape == (len(classifier.mean), 3)  # the two classes, and no object
    return classifier


def _away(image, box, count=2):
    """Places of ``image`` away from its plate ``box``."""
    return box_classes.empty_cuts(image.size, [box], np.random.default_rng(7), count)


def test_it_tells_the_class_of_boxes_it_never_saw_and_is_stored_as_arrays(fitted, tmp_path):
    photos = [_photo(seed) for seed in range(100, 108)]
    seen = fitted.classify_many([(image, [box]) for image, box, _label in photos] + [(photos[0][0], [])])
    assert seen == [[(label, False)] for _image, _box, label in photos] + [[]]
    nothing = fitted.classify_many([(image, _away(image, box)) for image, box, _label in photos])
    assert all(empty for places in nothing for _label, empty in places)  # the textured desk: no plate there
    path = tmp_path / FILE_NAME
    fitted.save(path)
    loaded = BoxClassifier.load(path)
    assert loaded.classes == fitted.classes and np.array_equal(loaded.weights, fitted.weights.astype(np.float32))
    assert loaded.empty and loaded.classify_many([(image, [box]) for image, box, _label in photos[:2]]) == seen[:2]
    with np.load(path) as stored:  # fitted on another crop: not used
        arrays = {k: stored[k] for k in stored.files}
    np.savez(tmp_path / "other.npz", **{**arrays, "crop": np.int64(96)})
    assert BoxClassifier.load(tmp_path / "other.npz") is None
    del arrays["empty"]  # one fitted before the "no object" class: its classes still serve, it sees every box full
    np.savez(tmp_path / "before.npz", **{**arrays, "weights": arrays["weights"][:, :2],
                                         "target_mean": arrays["target_mean"][:2]})
    before = BoxClassifier.load(tmp_path / "before.npz")
    assert before is not None and not before.empty
    assert not any(empty for places in before.classify_many([(image, _away(image, box)) for image, box, _label
                                                              in photos[:3]]) for _label, empty in places)
    path.write_bytes(b"not numpy")
    assert BoxClassifier.load(path) is None and BoxClassifier.load(tmp_path / "missing.npz") is None


def test_one_class_or_no_box_fits_nothing_and_many_boxes_fit_at_most_max_crops(monkeypatch):
    image, box, label = _photo(0)
    assert fit_box_classes(iter([(image, [box, box], [label, label], [])]), total=2) is None
    assert fit_box_classes(iter([]), total=0) is None
    cuts: list[int] = []
    real = box_classes.predict_in_calls

    def counted(model, x, per_call):  # the real network, the cuts counted
        cuts.append(len(x))
        return real(model, x, per_call)

    monkeypatch.setattr(box_classes, "predict_in_calls", counted)
    monkeypatch.setattr(box_classes, "EMPTY_CUTS", 0)  # the boxes' cuts alone counted
    photos = [_photo(seed) for seed in range(10)]
    all_copies = fit_box_classes(((img, [b], [lab], []) for img, b, lab in photos), total=10)
    assert all_copies is not None and sum(cuts) == 10 * len(box_classes.COPIES)
    cuts.clear()
    monkeypatch.setattr(box_classes, "MAX_CROPS", 6)  # 10 boxes: one copy each, and about 6 of the boxes
    fit_box_classes(((img, [b], [lab], []) for img, b, lab in photos), total=10)
    assert 0 < sum(cuts) < 10


def _project(tmp_path: Path, photos: list) -> Store:
    """A project of ``photos`` saved as photo0.png, photo1.png, ... and imported (a ``with`` block closes it)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for n, photo in enumerate(photos):
        photo.save(folder / f"photo{n}.png")
    store = Store.create(folder)
    import_folder(store)
    return store


def _with_disc(seed: int):
    """A plate photo with a green disc on the desk beside the plate: what a detector might propose wrongly."""
    from PIL import ImageDraw

    image, box, label = _photo(seed)
    x, y = (20, 20) if box[0] > 100 else (250, 170)
    ImageDraw.Draw(image).ellipse((x, y, x + 50, y + 50), fill=(40, 200, 60))
    return image, box, label, (float(x), float(y), float(x + 50), float(y + 50))


def test_the_places_the_operator_rejected_are_no_object_to_it(tmp_path, monkeypatch):
    """Photos with a plate and a green disc beside it, the disc's box rejected in review: the classifier fitted for
    a run (``fit_for_run``, what training does) sees no object in a disc of photos it never saw, and the plates'
    classes; a rejected box over a plate (a poor box of it) is not taken for an empty place. (Only the rejected
    places teach it "no object" here: no random empty cuts.)"""
    monkeypatch.setattr(box_classes, "EMPTY_CUTS", 0)
    with _project(tmp_path, [_with_disc(seed)[0] for seed in range(10)]) as store:
        images = store.images()
        for img in images:
            _image, box, label, disc = _with_disc(int(img.path[5:-4]))
            store.insert_box(BoxRecord(0, img.id, label, *(int(v) for v in box)))
            store.insert_box(BoxRecord(0, img.id, "blue", *(int(v) for v in disc), state="rejected"))
            x0, y0, x1, y1 = (int(v) for v in box)
            store.insert_box(BoxRecord(0, img.id, "blue", x0 + 4, y0 + 4, x1 - 4, y1 - 4, state="rejected"))
        classifier = box_classes.fit_for_run(store, [img.id for img in images], tmp_path / FILE_NAME)
        far = images[0].id  # a received project's rejected box a million pixels wide: cut at the photo's reach
        store.insert_box(BoxRecord(0, far, "blue", -1_000_000, -1_000_000, 1_000_000, 1_000_000, state="rejected"))
        assert box_classes.fit_for_run(store, [far, images[1].id], tmp_path / "far.npz") is not None
    unseen = [_with_disc(seed) for seed in range(200, 206)]
    seen = classifier.classify_many([(image, [box, disc]) for image, box, _label, disc in unseen])
    assert seen == [[(label, False), (seen_disc[1][0], True)] for (_i, _b, label, _d), seen_disc in
                    zip(unseen, seen, strict=True)]


def test_the_second_look_takes_the_class_it_sees_and_proposals_keep_a_known_image_class(tmp_path):
    """A real detector trained briefly on plate photos of both colours: the second look (``ml/second_look.py``, what
    the proposals do) gives each detection on a photo of few the class the box classifier sees (the plate's colour)
    whatever the detector's class said, keeps the better scored of two that then share a class at one place, and
    refines the edges; with the image's class as the boxes' class (``use_labels``), every proposal takes the
    image's class."""
    from labelstudio_desktop.ml.propose import propose
    from labelstudio_desktop.ml.second_look import SecondLook
    from labelstudio_desktop.ml.train import TrainConfig, train

    folder, truth = tmp_path / "plates", {}
    folder.mkdir()
    for seed in range(12):
        image, box, label = _photo(seed)
        image.save(folder / f"plate{seed:02d}.png")
        truth[f"plate{seed:02d}.png"] = (tuple(int(v) for v in box), label)
    with Store.create(folder) as store:
        import_folder(store)
        for img in store.images():
            (x0, y0, x1, y1), label = truth[img.path]
            store.insert_box(BoxRecord(0, img.id, label, x0, y0, x1, y1))
        db = store.db_path
    result = train(db, TrainConfig(task="detect", size=64, epochs=1, batch=8))
    look = SecondLook.of_run(Path(result.model_path).parent)
    assert result.status == "finished" and look.classifier.classes == ("blue", "yellow") and look.refiner
    classes = ["blue", "yellow"]  # the run's, by index

    def normalised(name):
        x0, y0, x1, y1 = truth[name][0]
        return (x0 / 320, y0 / 240, x1 / 320, y1 / 240)

    photos = [(folder / name, (320, 240)) for name in ("plate00.png", "plate01.png")]
    on_yellow, on_blue = normalised("plate00.png"), normalised("plate01.png")
    edges, classed = look.apply(classes, photos, [[(on_yellow, 0, 0.9), (on_yellow, 1, 0.4)], [(on_blue, 1, 0.8)]])
    assert [(c, s) for _b, c, s in classed[0]] == [(1, 0.9)]  # one yellow plate, the better score
    assert [c for _b, c, _s in classed[1]] == [0]  # blue
    assert [c for _b, c, _s in edges[1]] == [1]  # the edges alone keep the detector's class
    assert box_iou(classed[1][0][0], on_blue) > 0.6 and classed[1][0][0] == edges[1][0][0]
    with Store.open(db) as store:
        for img in store.images():  # every image's class given, the yellow plates called blue
            store.update_image_fields(img.id, {"label": "blue"})
    propose(db, run_id=result.run_id, source="detector", threshold=0.0, max_boxes=3, use_labels=True)
    with Store.open(db) as store:
        pending = store.boxes(states=("pending",))
        assert pending and {b.label for b in pending} == {"blue"}


def test_a_run_of_photos_of_many_boxes_fits_none(tmp_path):
    """Blood-cell-like photos (more boxes than the proposals look at again) keep the detector's classes; photos of
    few boxes of two classes get a classifier stored beside the run."""
    with _project(tmp_path, [_photo(seed)[0] for seed in range(2)]) as store:
        images = store.images()
        for n, img in enumerate(images):
            _image, (x0, y0, x1, y1), label = _photo(n)
            store.insert_box(BoxRecord(0, img.id, label, int(x0), int(y0), int(x1), int(y1)))
        ids = [img.id for img in images]
        assert box_classes.fit_for_run(store, ids, tmp_path / "few.npz") is not None
        assert (tmp_path / "few.npz").is_file()
        for img in images:
            for k in range(refine.AT_MOST):
                label, at = ("blue" if k % 2 else "yellow"), 4 * k
                store.insert_box(BoxRecord(0, img.id, label, at, at, at + 20, at + 20))
        assert box_classes.fit_for_run(store, ids, tmp_path / "many.npz") is None
    assert not (tmp_path / "many.npz").exists()


def test_what_calibration_reviews_at_each_threshold_is_what_the_second_look_gives_that_threshold(fitted, tmp_path):
    """``SecondLook.at_thresholds`` looks at each box once, yet gives at each threshold what ``apply`` gives the
    detections the proposals keep there: an image's best guess, the look on images of few detections, none on an
    image of more than the look takes until a higher threshold leaves few."""
    from labelstudio_desktop.ml.second_look import SecondLook, sure_or_best

    plates = [_photo(seed) for seed in range(20, 23)]
    look = SecondLook(refine.fit_refiner(((image, [box]) for image, box, _label in plates), total=3), fitted)
    photos = []
    for n, (image, _box, _label) in enumerate(plates):
        image.save(tmp_path / f"plate{n}.png")
        photos.append((tmp_path / f"plate{n}.png", (320, 240)))

    def normalised(box, dx=0.0):
        x0, y0, x1, y1 = box
        return (x0 / 320 + dx, y0 / 240, x1 / 320 + dx, y1 / 240)

    many = [((0.05 * k, 0.1, 0.05 * k + 0.3, 0.5), k % 2, 0.6 - 0.05 * k) for k in range(refine.AT_MOST + 2)]
    found = [[(normalised(plates[0][1]), 0, 0.9), (normalised(plates[0][1], 0.02), 1, 0.5),
              (normalised(plates[0][1], 0.3), 0, 0.2)],
             [(normalised(plates[1][1]), 1, 0.25)],
             many,
             []]
    photos.append(photos[0])
    thresholds = (0.1, 0.3, 0.45, 0.7)
    views = look.at_thresholds(["blue", "yellow"], photos, found, thresholds)
    shown = {t: classed for t, (_edges, classed) in views.items()}
    assert len(shown[0.1][2]) == len(many) and shown[0.1][2] == many  # too many to look at
    for t in thresholds:
        alone = look.apply(["blue", "yellow"], photos, [sure_or_best(f, t) for f in found])
        for mine, theirs in zip(views[t], alone, strict=True):  # the refined edges, then the classed boxes
            assert [[(c, s) for _b, c, s in image] for image in mine] == [[(c, s) for _b, c, s in image]
                                                                          for image in theirs]
            for image, other in zip(mine, theirs, strict=True):
                for (box, _c, _s), (same, _c2, _s2) in zip(image, other, strict=True):
                    assert box == pytest.approx(same, abs=1e-4)
    assert [c for _b, c, _s in shown[0.7][0]] == [1]  # the yellow plate seen as yellow, whatever the detector said
    assert len(shown[0.3][2]) <= refine.AT_MOST and shown[0.3][2] != many[:len(shown[0.3][2])]  # looked at
