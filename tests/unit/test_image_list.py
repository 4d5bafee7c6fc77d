"""The browser's list in SQL: the stored natural-order key sorts as the tuple key did, ids in order, filters."""

from __future__ import annotations

import random

import numpy as np
import pytest

from labelstudio_desktop.core.store.image_list import IdIndex, ListFilter, ordered_ids, passing
from labelstudio_desktop.core.store.natural_order import list_key, natural_key
from labelstudio_desktop.core.store.store import BoxRecord, Store


def _old_order(path: str) -> tuple:
    name = path.rsplit("/", 1)[-1]
    return natural_key(name), natural_key(path), path


def test_the_stored_key_sorts_as_the_natural_tuple():
    rng = random.Random(3)
    parts = ["img", "IMG", "a", "b-", "_", ".jpg", ".png", "x10", "猫", "0", "00", "7", "10", "010", "999", "1000", "/"]
    paths = {"".join(rng.choice(parts) for _ in range(rng.randint(1, 7))).strip("/") or "x" for _ in range(3000)}
    assert sorted(paths, key=list_key) == sorted(paths, key=_old_order)


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path)
    for n, name in enumerate(["b/img10.jpg", "a/img2.jpg", "img1.jpg", "a/IMG3.jpg", "c/img2.jpg"]):
        s.add_image(name, size=100 - n, mtime=float(n), width=10, height=10, channels=3,
                    label=("cat", "dog", None, "cat", "Ant")[n])
    yield s
    s.close()


def _paths(store, ids):
    return [store.image(int(i)).path for i in ids]


def test_orders_and_filters_in_sql(store):
    by_name = ordered_ids(store)
    assert _paths(store, by_name) == ["img1.jpg", "a/img2.jpg", "c/img2.jpg", "a/IMG3.jpg", "b/img10.jpg"]
    assert _paths(store, ordered_ids(store, "size")) == ["c/img2.jpg", "a/IMG3.jpg", "img1.jpg", "a/img2.jpg",
                                                         "b/img10.jpg"]
    assert _paths(store, ordered_ids(store, "date"))[0] == "b/img10.jpg"
    assert _paths(store, ordered_ids(store, "class")) == ["img1.jpg", "c/img2.jpg", "a/IMG3.jpg", "b/img10.jpg",
                                                          "a/img2.jpg"]  # none, Ant, cat, cat, dog
    placed = ordered_ids(store, places={int(by_name[4]): 0, int(by_name[2]): 1})
    assert list(placed[:2]) == [by_name[4], by_name[2]] and list(placed[2:]) == [by_name[0], by_name[1], by_name[3]]
    index = IdIndex(by_name)
    cats = passing(store, ListFilter(label="cat"), by_name, index)
    assert _paths(store, by_name[cats]) == ["a/IMG3.jpg", "b/img10.jpg"]  # positions in order, increasing
    assert _paths(store, by_name[passing(store, ListFilter(text="IMG2"), by_name, index)]) == ["a/img2.jpg",
                                                                                              "c/img2.jpg"]
    store.update_image_fields(int(by_name[0]), {"excluded": True})
    assert len(passing(store, ListFilter(), by_name, index)) == 4
    assert list(passing(store, ListFilter(flag="excluded"), by_name, index)) == [0]
    store.insert_box(BoxRecord(0, int(by_name[1]), "cat", 0, 0, 5, 5))
    assert list(passing(store, ListFilter(flag="boxes"), by_name, index)) == [1]
    assert list(passing(store, ListFilter(ids=frozenset({int(by_name[3])})), by_name, index)) == [3]
    assert index.row_of(int(by_name[3])) == 3 and index.row_of(10 ** 9) is None
    assert list(index.rows_of(np.array([by_name[2], -5]))) == [2, -1]


def test_rows_written_without_a_key_get_one(store):
    store.conn.execute("INSERT INTO images(path, size, mtime, width, height, channels, added_at) "
                       "VALUES('a/img1.jpg', 1, 1, 10, 10, 3, 0)")
    assert _paths(store, ordered_ids(store))[:2] == ["a/img1.jpg", "img1.jpg"]  # one name: by path


def test_equal_sizes_are_listed_in_name_order_and_a_size_that_is_no_number_first(store):
    store.conn.execute("UPDATE images SET size = 7")
    assert _paths(store, ordered_ids(store, "size")) == _paths(store, ordered_ids(store, "name"))
    store.conn.execute("UPDATE images SET size = 'big' WHERE path = 'b/img10.jpg'")  # not written by this program
    assert _paths(store, ordered_ids(store, "size"))[0] == "b/img10.jpg"
