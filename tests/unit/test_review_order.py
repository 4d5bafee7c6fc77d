"""The order to review images in: least sure first, balanced with what is reviewed already (issue 23 item 2).

A real project on disk (real image files, a real SQLite file); the feature vectors are written as the embed job writes
them (current for each file's size and mtime), chosen so that which images look alike is known."""

from __future__ import annotations

import pytest
from feature_vectors import write_kind_features
from helpers import write_image

from labelstudio_desktop.core.editing.review_order import UNKNOWN_DOUBT, box_doubt, review_order
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder

KINDS = 4  # four kinds of photo (tests/feature_vectors.py)


@pytest.fixture
def project(tmp_path):
    names = [f"{n:02d}.jpg" for n in range(8)]
    for n, name in enumerate(names):
        write_image(tmp_path / name, seed=n)
    store = Store.create(tmp_path)
    import_folder(store)
    yield store, {img.path: img for img in store.images()}
    store.close()


def _propose(store, image_id: int, score: float, threshold: float = 0.4) -> None:
    store.insert_box(BoxRecord(0, image_id, "cat", 1, 1, 20, 20, source="proposal", state="pending", score=score,
                               threshold=threshold))


def test_a_box_is_most_doubted_at_its_threshold():
    assert box_doubt(0.4, 0.4) == 1.0
    assert box_doubt(1.0, 0.4) == 0.0 and box_doubt(0.0, 0.4) == 0.0
    assert box_doubt(0.7, 0.4) == pytest.approx(0.5) and box_doubt(0.2, 0.4) == pytest.approx(0.5)


def test_doubtful_images_of_kinds_never_reviewed_come_first(project):
    store, images = project
    # 00 reviewed (kind 0); 01 a look-alike of it; 02 and 03 of kind 1, 04 of kind 2, 05 of kind 3; 06, 07 no features
    write_kind_features(store, {"00.jpg": 0, "01.jpg": 0, "02.jpg": 1, "03.jpg": 1, "04.jpg": 2, "05.jpg": 3})
    store.insert_box(BoxRecord(0, images["00.jpg"].id, "cat", 1, 1, 20, 20))  # accepted: reviewed
    for name, score in (("01.jpg", 0.40), ("02.jpg", 0.41), ("03.jpg", 0.45), ("04.jpg", 0.95), ("05.jpg", 0.6),
                        ("07.jpg", 0.41)):
        _propose(store, images[name].id, score)
    order = review_order(store)
    names = [store.image(i).path for i in order.ids]
    assert "00.jpg" not in names and order.reviewed == 1
    assert names[0] == "02.jpg"  # the most doubted of a kind never reviewed
    assert names[1] == "05.jpg"  # 03 is doubted more, but it is a look-alike of 02, placed before it
    assert names.index("04.jpg") < names.index("03.jpg")  # hardly doubted, but of a kind never seen
    assert order.doubt[images["01.jpg"].id] == 1.0 and order.novelty[images["01.jpg"].id] < 0.05
    assert names.index("01.jpg") > names.index("04.jpg")  # the most doubted, but a look-alike of the reviewed one
    assert names[-2:] == ["07.jpg", "06.jpg"]  # no features yet: last, by doubt (07 has a proposal near 0.4)
    assert order.doubt[images["06.jpg"].id] == UNKNOWN_DOUBT


def test_the_order_follows_the_project(project):
    store, images = project
    write_kind_features(store, {f"0{n}.jpg": n % KINDS for n in range(8)})
    first = review_order(store).ids[0]
    store.update_image_fields(first, {"status": "verified"})
    again = review_order(store)
    assert first not in again.ids and len(again.ids) == 7 and again.reviewed == 1
    # the verified image's look-alike (same kind) goes behind the kinds not reviewed yet
    twin = next(img.id for img in images.values() if img.id != first and
                int(img.path[1]) % KINDS == int(store.image(first).path[1]) % KINDS)
    assert again.ids.index(twin) >= KINDS - 1
    assert review_order(store, candidates=[twin]).ids == [twin]
