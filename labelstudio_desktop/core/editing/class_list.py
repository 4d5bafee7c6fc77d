"""The project's class list: ordered, stored with the project, each class with a stable id.

Every export numbers classes by their place in this list (YOLO ids, COCO category ids, keras-yolo3 class ids,
``classes.txt``, ``labelmap.txt``), so ids no longer change when a class loses its last box or when pending boxes are
included. Import records the class lists it finds (``data.yaml``, ``classes.txt``, COCO categories, CVAT labels) in
their order; labels in use that the list lacks are appended, alphabetically, the first time the list is read.

Image classes and object classes: a class given only to whole images (a classifier's class, a folder-per-class
import) is no object class, and box and mask exports leave it out (:func:`object_class_names`), as the converters of
ultralytics and pycocotools users list only the classes objects can have. Object classes are those of any box or
mask (any state) and of an annotation file's class list, recorded with the project so that a class keeps its export
id when it loses its last box; a class no image has (one added in the app) counts as one too. Image classes are
those of images and of the digit keys (:meth:`.store.Store.class_keys`, recorded too). Export ids are places among
the object classes in the project's order (YOLO id k, COCO category id and mask index k + 1), so every box and mask
export of a project agrees.

Editing (for the app): :func:`add_class`, :func:`rename_class` (renames the label on every box, mask and image too),
:func:`reorder_classes`. A class keeps its id through renames and moves.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..store.records import NAMED
from ..store.store import Store, StoreError

OBJECT_CLASSES = "object_classes"
#: Settings that hold class names and follow renames: the orders recorded before the class list existed (the mask
#: classes' and the digit keys'), and the recorded object classes.
EARLIER_ORDERS = ("mask_classes", "class_keys", OBJECT_CLASSES)


@dataclass(frozen=True)
class ProjectClass:
    id: int  # stable: kept through renames and moves
    name: str
    position: int  # 0-based: the id exports give it


def classes_in_use(store: Store) -> list[str]:
    rows = store.conn.execute(f"SELECT label FROM boxes WHERE {NAMED} UNION SELECT label FROM masks WHERE {NAMED} "
                              f"UNION SELECT label FROM images WHERE {NAMED} ORDER BY 1")
    return [r[0] for r in rows]


def project_classes(store: Store) -> list[ProjectClass]:
    """The class list, every label in use included (appended alphabetically and recorded when new)."""
    rows = list(store.conn.execute("SELECT id, name, position FROM project_classes ORDER BY position, id"))
    names = {r["name"] for r in rows}
    earlier = [n for key in EARLIER_ORDERS for n in store.get_names(key)] if not rows else []
    new = [n for n in dict.fromkeys(earlier + classes_in_use(store)) if n not in names]
    if new:
        try:
            record_classes(store, new, objects=False)
        except sqlite3.Error:  # locked or read-only: the list holds for this export and is recorded next time
            start = len(rows)
            return [ProjectClass(r["id"], r["name"], k) for k, r in enumerate(rows)] + \
                [ProjectClass(0, n, start + k) for k, n in enumerate(new)]
        rows = list(store.conn.execute("SELECT id, name, position FROM project_classes ORDER BY position, id"))
    return [ProjectClass(r["id"], r["name"], k) for k, r in enumerate(rows)]


def class_names(store: Store) -> list[str]:
    """The class names in the project's order: index k is the class id every export writes."""
    return [c.name for c in project_classes(store)]


def object_class_names(store: Store) -> list[str]:
    """The object classes (see the module's docstring) in the project's order: index k is the YOLO class id, k + 1
    the COCO category id and the mask index every box and mask export writes. Image-only classes are left out."""
    names = class_names(store)
    recorded = store.get_names(OBJECT_CLASSES)
    used = [r[0] for r in store.conn.execute(f"SELECT label FROM boxes WHERE {NAMED} UNION SELECT label FROM masks "
                                             f"WHERE {NAMED} ORDER BY 1")]
    new = [n for n in used if n not in recorded]
    if new:
        try:
            store.set_setting(OBJECT_CLASSES, recorded + new)
        except sqlite3.Error:  # locked or read-only: holds for this export, recorded next time
            pass
    objects = set(recorded) | set(used)
    image = set(store.class_keys())
    return [n for n in names if n in objects or n not in image]


def record_classes(store: Store, names: list[str], objects: bool = True) -> None:
    """Append ``names`` (in their order) that the list does not hold yet; with ``objects`` (an annotation file's
    class list, a class added in the app) they are object classes too."""
    with store.transaction() as c:
        if objects:
            recorded = store.get_names(OBJECT_CLASSES)
            new = [n for n in dict.fromkeys(names) if n and n not in recorded]
            if new:
                store.set_setting(OBJECT_CLASSES, recorded + new)
        have = {r[0] for r in c.execute("SELECT name FROM project_classes")}
        end = c.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM project_classes").fetchone()[0]
        for name in dict.fromkeys(names):
            if name and name not in have:
                c.execute("INSERT INTO project_classes(name, position) VALUES(?, ?)", (name, end))
                end += 1


def add_class(store: Store, name: str) -> ProjectClass:
    """A new class at the end of the list (or the existing one of that name)."""
    name = name.strip()
    if not name:
        raise StoreError("a class needs a name")
    record_classes(store, [name])
    return next(c for c in project_classes(store) if c.name == name)


def rename_class(store: Store, old: str, new: str) -> None:
    """Rename a class everywhere (boxes, masks, image classes). Renaming onto an existing class merges the two:
    the class keeps the place of ``new``."""
    new = new.strip()
    if not new:
        raise StoreError("a class needs a name")
    if old == new:
        return
    project_classes(store)  # labels in use are in the list before it changes
    with store.transaction() as c:
        if c.execute("SELECT 1 FROM project_classes WHERE name=?", (old,)).fetchone() is None:
            raise StoreError(f"no class named {old!r}")
        for table in ("boxes", "masks", "images"):
            c.execute(f"UPDATE {table} SET label=? WHERE label=?", (new, old))
        if c.execute("SELECT 1 FROM project_classes WHERE name=?", (new,)).fetchone():
            c.execute("DELETE FROM project_classes WHERE name=?", (old,))
        else:
            c.execute("UPDATE project_classes SET name=? WHERE name=?", (new, old))
        for key in EARLIER_ORDERS:  # the older orders follow, so digit keys and mask indices keep their class
            order = store.get_names(key)
            if old in order:
                store.set_setting(key, list(dict.fromkeys(new if n == old else n for n in order)))


def reorder_classes(store: Store, names: list[str]) -> None:
    """Put the classes in the order of ``names`` (every class exactly once)."""
    current = class_names(store)
    if sorted(names) != sorted(current) or len(set(names)) != len(names):
        raise StoreError("the new order must name every class exactly once")
    with store.transaction() as c:
        c.executemany("UPDATE project_classes SET position=? WHERE name=?", list(enumerate(names)))
