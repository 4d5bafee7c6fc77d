"""Stored image features (core/store/features.py): float16 rows keyed by the file's size and time, current or to do."""

from __future__ import annotations

import os

import numpy as np
import pytest
from photo_project import photo_folder

from labelstudio_desktop.core.store import features
from labelstudio_desktop.core.store.features import DIM, MODEL, feature_state, load_features, save_features
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder


@pytest.fixture
def store(tmp_path):
    photo_folder(tmp_path / "photos", copies=False)
    with Store.create(tmp_path / "photos") as opened:
        import_folder(opened)
        yield opened


def _vectors(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 6, DIM), rng.uniform(0, 6, DIM)


def _save_all(store: Store) -> dict[int, np.ndarray]:
    state = feature_state(store)
    rows, views = [], {}
    for n, (img, size, mtime) in enumerate(state.todo):
        pooled, views[img.id] = _vectors(n)
        rows.append((img.id, size, mtime, pooled, views[img.id]))
    save_features(store, rows)
    return views


def test_features_are_kept_as_float16_and_are_current_until_the_file_changes(store, monkeypatch):
    images = store.images()
    assert len(feature_state(store).todo) == len(images) == 7
    views = _save_all(store)
    state = feature_state(store)
    assert not state.todo and len(state.done) == 7
    ids, matrix = load_features(store, images)
    assert matrix.shape == (7, DIM) and matrix.dtype == np.float32
    for image_id, row in zip(ids, matrix, strict=True):
        assert np.array_equal(row, views[image_id].astype(np.float16).astype(np.float32))
    monkeypatch.setattr(features, "LOAD_ROWS", 2)  # read a few rows at a time, into half the memory
    halves = load_features(store, images, dtype=np.float16)
    assert halves[0] == ids and halves[1].dtype == np.float16 and np.array_equal(halves[1], matrix)
    row = store.conn.execute("SELECT length(pooled), length(views), model FROM features LIMIT 1").fetchone()
    assert tuple(row) == (DIM * 2, DIM * 2, MODEL)

    changed = store.image_by_path("card_on_cat.jpg")
    path = store.abs_path(changed)
    path.write_bytes(path.read_bytes() + b"\0")  # another file now: its features no longer count
    os.utime(path, (1_700_000_000, 1_700_000_000))
    state = feature_state(store)
    assert [img.path for img, _size, _mtime in state.todo] == ["card_on_cat.jpg"]
    assert changed.id not in load_features(store, images)[0]


def test_a_damaged_row_counts_as_missing_and_a_row_of_another_model_is_never_used(store):
    _save_all(store)
    first, second = store.images()[:2]
    with store.transaction() as c:
        c.execute("UPDATE features SET views=? WHERE image_id=?", (b"\0" * 10, first.id))
        nan = np.full(DIM, np.nan, dtype="<f2").tobytes()
        c.execute("UPDATE features SET views=? WHERE image_id=?", (nan, second.id))
        c.execute("UPDATE features SET model='another' WHERE image_id=?", (store.images()[2].id,))
    state = feature_state(store)
    assert {img.path for img, _s, _m in state.todo} == {first.path, store.images()[2].path}
    ids, _matrix = load_features(store, store.images())
    assert len(ids) == 4 and second.id not in ids  # not a number: left out of every search
    with store.transaction() as c:  # a row of the wrong length, its size and time still current
        c.execute("UPDATE features SET pooled=? WHERE image_id=?", (b"\0" * 10, store.images()[3].id))
    ids, matrix = load_features(store, store.images(), kind="pooled")
    assert len(ids) == 4 and store.images()[3].id not in ids and matrix.shape == (4, DIM)
    with pytest.raises(ValueError):
        save_features(store, [(first.id, 1, 1.0, np.full(DIM, np.inf), np.zeros(DIM))])


def test_unreadable_files_are_problems_not_work(store):
    gone = store.images()[0]
    store.abs_path(gone).unlink()
    state = feature_state(store)
    assert state.problems == [(gone.path, "cannot read (No such file or directory)")]
    assert len(state.todo) == 6
