from __future__ import annotations

import sqlite3

import pytest

from labelstudio_desktop.core.store.migrations import SCHEMA_VERSION
from labelstudio_desktop.core.store.store import BoxRecord, Store, StoreError, default_db_path


@pytest.fixture
def store(tmp_path):
    (tmp_path / "imgs").mkdir()
    s = Store.create(tmp_path / "imgs")
    yield s
    s.close()


def _image(store: Store, path="a.jpg") -> int:
    return store.add_image(path, 10, 1.0, 100, 80, 3, label="cat")


def test_database_in_default_place_with_wal_foreign_keys_and_version(store, tmp_path):
    assert store.db_path == default_db_path(tmp_path / "imgs").resolve()
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.schema_version == SCHEMA_VERSION


def test_db_elsewhere_records_the_image_root(tmp_path):
    (tmp_path / "ro").mkdir()
    db = tmp_path / "elsewhere" / "p.db"
    Store.create(tmp_path / "ro", db).close()
    assert not (tmp_path / "ro" / ".labelstudio").exists()
    with Store.open(tmp_path / "anything", db) as s:
        assert s.root == (tmp_path / "ro").resolve()
    with Store.open(db) as s:  # the .db file itself also opens the project
        assert s.root == (tmp_path / "ro").resolve()


def test_open_without_project_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="import"):
        Store.open(tmp_path)


def test_not_a_database_is_a_clear_error(tmp_path):
    db = tmp_path / "x.db"
    db.write_bytes(b"this is no sqlite file at all" * 100)
    with pytest.raises(StoreError, match="damaged .file is not a database.*recover"):
        Store.open(db)


def test_newer_schema_is_refused(store, tmp_path):
    store.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    store.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(tmp_path / "imgs")


def test_edits_survive_a_crash_without_close(tmp_path):
    (tmp_path / "imgs").mkdir()
    s = Store.create(tmp_path / "imgs")
    image_id = _image(s)
    s.insert_box(BoxRecord(0, image_id, "dog", 1, 2, 30, 40))
    # no close(): a second connection sees every committed edit
    with Store.open(tmp_path / "imgs") as other:
        assert [b.edges for b in other.boxes(image_id)] == [(1, 2, 30, 40)]
    s.close()


def test_failed_transaction_leaves_nothing(store):
    image_id = _image(store)
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_box(BoxRecord(0, image_id, "dog", 1, 2, 30, 40))
        raise RuntimeError("boom")
    assert store.boxes(image_id) == []


def test_invalid_boxes_and_fields_are_refused(store):
    image_id = _image(store)
    with pytest.raises(StoreError, match="empty box"):
        store.insert_box(BoxRecord(0, image_id, "dog", 5, 5, 5, 9))
    with pytest.raises(StoreError, match="label"):
        store.insert_box(BoxRecord(0, image_id, "", 0, 0, 5, 9))
    with pytest.raises(StoreError, match="split"):
        store.update_image_fields(image_id, {"split": "holdout"})
    with pytest.raises(StoreError, match="cannot be edited"):
        store.update_image_fields(image_id, {"path": "b.jpg"})


def test_deleting_an_image_removes_its_boxes(store):
    image_id = _image(store)
    store.insert_box(BoxRecord(0, image_id, "dog", 1, 2, 30, 40))
    with store.transaction() as c:
        c.execute("DELETE FROM images WHERE id=?", (image_id,))
    assert store.boxes() == []


def test_sql_check_constraint_backs_up_the_python_check(store):
    image_id = _image(store)
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as c:
        c.execute("INSERT INTO boxes(image_id,label,x0,y0,x1,y1,source,state,created_at) "
                  "VALUES(?, 'x', 5, 5, 2, 9, 'manual', 'accepted', 0)", (image_id,))


def test_summary_counts(store):
    a = _image(store, "a.jpg")
    _image(store, "b.jpg")
    store.update_image_fields(a, {"split": "train", "status": "verified"})
    store.insert_box(BoxRecord(0, a, "dog", 1, 2, 30, 40))
    store.insert_box(BoxRecord(0, a, "dog", 1, 2, 30, 40, source="proposal", state="pending"))
    s = store.summary()
    assert s["images"] == 2
    assert s["classes"] == {"cat": 2}
    assert s["splits"] == {"": 1, "train": 1}
    assert s["status"] == {"unverified": 1, "verified": 1}
    assert s["boxes"] == {"pending": 1, "accepted": 1, "rejected": 0}
    store.insert_box(BoxRecord(0, a, "dog", 3, 3, 9, 9, source="proposal", state="accepted", edited=True))
    assert store.review_counts() == {"unverified": 1, "verified": 1, "pending": 1, "accepted": 2, "rejected": 0,
                                     "edited": 1, "reviewed": 1, "to_review": 1}
    b = _image(store, "c.jpg")
    store.insert_box(BoxRecord(0, b, "dog", 3, 3, 9, 9))  # an accepted box: reviewed, though not verified
    store.insert_box(BoxRecord(0, b, "dog", 13, 13, 19, 19, source="proposal", state="pending"))
    counts = store.review_counts()
    assert (counts["reviewed"], counts["to_review"]) == (2, 2)
    masked, proposed = _image(store, "d.jpg"), _image(store, "e.jpg")  # mask work counts like box work
    store.add_mask(masked, "dog", b"png")
    store.add_mask(proposed, "dog", b"png", source="proposal", state="pending")
    counts = store.review_counts()
    assert (counts["reviewed"], counts["to_review"]) == (3, 3)
    store.update_image_fields(b, {"excluded": True})  # an excluded image is neither reviewed nor to review
    store.update_image_fields(a, {"excluded": True})
    counts = store.review_counts()
    assert (counts["reviewed"], counts["to_review"], counts["verified"]) == (1, 1, 1)
