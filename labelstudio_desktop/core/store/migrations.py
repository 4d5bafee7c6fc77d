"""Schema of the project database and its migrations, versioned with ``PRAGMA user_version``.

Each migration takes the database from version ``n`` to ``n + 1`` inside one transaction. Never edit a
released migration: add the next one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .natural_order import fill_list_keys
from .relocate import migrate_to_relative

_V1 = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    task        TEXT NOT NULL,
    params      TEXT NOT NULL DEFAULT '{}',
    history     TEXT NOT NULL DEFAULT '{}',
    model_path  TEXT,
    status      TEXT NOT NULL DEFAULT 'running',
    parent_id   INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    started_at  REAL NOT NULL,
    finished_at REAL
);
CREATE TABLE images (
    id       INTEGER PRIMARY KEY,
    path     TEXT NOT NULL UNIQUE,
    size     INTEGER NOT NULL,
    mtime    REAL NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    label    TEXT,
    value    REAL,
    split    TEXT CHECK (split IN ('train', 'val', 'test')),
    status   TEXT NOT NULL DEFAULT 'unverified' CHECK (status IN ('unverified', 'verified')),
    excluded INTEGER NOT NULL DEFAULT 0,
    missing  INTEGER NOT NULL DEFAULT 0,
    warnings TEXT NOT NULL DEFAULT '[]',
    added_at REAL NOT NULL
);
CREATE INDEX images_label ON images(label);
CREATE INDEX images_split ON images(split);
CREATE TABLE boxes (
    id         INTEGER PRIMARY KEY,
    image_id   INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    x0 INTEGER NOT NULL, y0 INTEGER NOT NULL, x1 INTEGER NOT NULL, y1 INTEGER NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('manual', 'proposal', 'imported')),
    state      TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    run_id     INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    method     TEXT,
    score      REAL,
    difficult  INTEGER NOT NULL DEFAULT 0,
    truncated  INTEGER NOT NULL DEFAULT 0,
    pose       TEXT NOT NULL DEFAULT 'Unspecified',
    edited     INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    CHECK (x0 < x1 AND y0 < y1)
);
CREATE INDEX boxes_image ON boxes(image_id);
CREATE TABLE masks (
    id         INTEGER PRIMARY KEY,
    image_id   INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    png        BLOB NOT NULL,
    source     TEXT NOT NULL DEFAULT 'manual',
    state      TEXT NOT NULL DEFAULT 'accepted',
    run_id     INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    created_at REAL NOT NULL
);
CREATE INDEX masks_image ON masks(image_id);
CREATE TABLE hashes (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    algo     TEXT NOT NULL,
    size     INTEGER NOT NULL,
    mtime    REAL NOT NULL,
    value    BLOB NOT NULL,
    PRIMARY KEY (image_id, algo)
);
CREATE TABLE duplicate_decisions (
    id         INTEGER PRIMARY KEY,
    image_a    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    image_b    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    decision   TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (image_a, image_b)
);
CREATE TABLE import_problems (
    id       INTEGER PRIMARY KEY,
    path     TEXT NOT NULL,
    severity TEXT NOT NULL,
    reason   TEXT NOT NULL,
    seen_at  REAL NOT NULL
);
"""

_V2 = """
CREATE TABLE snapshots (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch    INTEGER NOT NULL,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    data     BLOB NOT NULL
);
CREATE INDEX snapshots_run ON snapshots(run_id, image_id, epoch);
"""

_V3 = """
ALTER TABLE boxes ADD COLUMN threshold REAL;
ALTER TABLE boxes ADD COLUMN map_iou REAL;
CREATE TABLE heatmaps (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    png      BLOB NOT NULL,
    PRIMARY KEY (image_id, run_id, kind)
);
"""

# Masks imported from files: which file each came from, so a re-import reads only changed files and never
# overwrites a mask the operator edited (its PNG no longer has the digest it was imported with, or it is marked
# edited, rejected or deleted). ``problem``: why the file gave no mask, repeated on re-import without re-reading.
_V4 = """
ALTER TABLE masks ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
CREATE TABLE mask_files (
    id         INTEGER PRIMARY KEY,
    image_id   INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    path       TEXT NOT NULL UNIQUE,
    size       INTEGER NOT NULL,
    mtime      REAL NOT NULL,
    mask_count INTEGER NOT NULL DEFAULT 0,
    problem    TEXT
);
CREATE INDEX mask_files_image ON mask_files(image_id);
CREATE TABLE imported_masks (
    mask_id INTEGER PRIMARY KEY REFERENCES masks(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES mask_files(id) ON DELETE CASCADE,
    digest  TEXT NOT NULL
);
CREATE INDEX imported_masks_file ON imported_masks(file_id);
"""

# Box annotation files (VOC, YOLO, COCO, labelme, CVAT, Label Studio, CreateML) as masks files are tracked in v4:
# each file's facts, what it gave each image (counts, so a deletion in the app shows), and the digest of each box
# and mask it gave, so a re-import reads changed files only and never replaces what the operator touched. One file
# may describe many images (COCO, CVAT). ``project_classes``: the project's class list, ordered, with stable ids,
# which every export numbers its classes by.
_V5 = """
CREATE TABLE annotation_files (
    id     INTEGER PRIMARY KEY,
    path   TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    size   INTEGER NOT NULL,
    mtime  REAL NOT NULL
);
CREATE TABLE annotation_links (
    file_id    INTEGER NOT NULL REFERENCES annotation_files(id) ON DELETE CASCADE,
    image_id   INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    box_count  INTEGER NOT NULL DEFAULT 0,
    mask_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (file_id, image_id)
);
CREATE INDEX annotation_links_image ON annotation_links(image_id);
CREATE TABLE imported_boxes (
    box_id  INTEGER PRIMARY KEY REFERENCES boxes(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES annotation_files(id) ON DELETE CASCADE,
    digest  TEXT NOT NULL
);
CREATE INDEX imported_boxes_file ON imported_boxes(file_id);
CREATE TABLE imported_region_masks (
    mask_id INTEGER PRIMARY KEY REFERENCES masks(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES annotation_files(id) ON DELETE CASCADE,
    digest  TEXT NOT NULL
);
CREATE INDEX imported_region_masks_file ON imported_region_masks(file_id);
CREATE TABLE project_classes (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL
);
"""

# File moves of quarantine (and of its undo), journaled before the files move and deleted in the transaction that
# records their result: a move found here on the next opening was interrupted, and is put back
# (core/store/file_moves.py).
# ``src``: the image's path relative to the image root; ``dst``: where it goes (relative to the database's folder
# when inside it).
_V6 = """
CREATE TABLE file_moves (
    id       INTEGER PRIMARY KEY,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    src      TEXT NOT NULL,
    dst      TEXT NOT NULL
);
"""

# Image features (core/store/features.py): per image and model, two float16 vectors (the pooled output of the upright
# image, and the mean over eight views of it: four quarter turns of the whole and of its centre) and the file's size
# and mtime when they were computed.
_V8 = """
CREATE TABLE features (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    model    TEXT NOT NULL,
    size     INTEGER NOT NULL,
    mtime    REAL NOT NULL,
    pooled   BLOB NOT NULL,
    views    BLOB NOT NULL,
    PRIMARY KEY (image_id, model)
);
"""



def add_list_order(conn: sqlite3.Connection) -> None:
    """v9: the browser's natural order as an indexed key per image (:mod:`.image_list`), so that a million images
    are listed in name order by an index scan; ``excluded`` in the index lists the default view without the table."""
    conn.execute("ALTER TABLE images ADD COLUMN list_key TEXT")
    fill_list_keys(conn)
    conn.execute("CREATE INDEX images_list_order ON images(list_key, excluded)")


# v10: the status bar's counts read indexes, not every image: images by status (and whether excluded), the images
# with boxes or masks in a review state (core/store/store.py review_counts).
_V10 = """
CREATE INDEX images_status ON images(status, excluded);
CREATE INDEX boxes_state ON boxes(state, image_id);
CREATE INDEX masks_state ON masks(state, image_id);
"""

#: MIGRATIONS[n] takes a database at version n to version n + 1: an SQL script, or a function run in the
#: migration's transaction. v7: the image root and model paths stored relative to the project (core/store/relocate.py).
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [_V1, _V2, _V3, _V4, _V5, _V6, migrate_to_relative,
                                                                _V8, add_list_order, _V10]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring ``conn`` up to :data:`SCHEMA_VERSION`; refuse a database from a newer version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"schema version {version} is newer than this program understands ({SCHEMA_VERSION}); "
            "update labelstudio-desktop"
        )
    for target in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            step = MIGRATIONS[target]
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={target + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
