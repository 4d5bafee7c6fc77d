"""Resolving duplicates: every action undoable, files never deleted, quarantine reversible."""

from __future__ import annotations

from labelstudio_desktop.core.cleaning.dedup import find_duplicates
from labelstudio_desktop.core.cleaning.resolve import (
    QuarantineExcluded,
    choose_label,
    exclude_all,
    keep_both,
    keep_only,
)
from labelstudio_desktop.core.editing.commands import History
from labelstudio_desktop.core.store.store import Store

PAIR = ("nut/nut_008.jpg", "nut/nut_008_bright.jpg")


def _ids(store, *paths):
    return [store.image_by_path(p).id for p in paths]


def _found(store, a, b):
    r = find_duplicates(store)
    return any({r.images[p.a].path, r.images[p.b].path} == {a, b} for p in r.pairs)


def test_keep_left_excludes_right_reversibly(demo):
    with Store.open(demo / "images") as store:
        a, b = _ids(store, *PAIR)
        h = History(store)
        h.push(keep_only(store, a, [a, b]))
        assert store.image(b).excluded and not store.image(a).excluded
        assert (demo / "images" / PAIR[1]).is_file()
        assert not _found(store, *PAIR)
        h.undo()
        assert not store.image(b).excluded and _found(store, *PAIR)


def test_keep_both_is_remembered_and_undoable(demo):
    with Store.open(demo / "images") as store:
        a, b = _ids(store, *PAIR)
        h = History(store)
        h.push(keep_both(store, a, b))
        assert not _found(store, *PAIR)
        h.undo()
        assert _found(store, *PAIR)


def test_exclude_both_and_choose_label(demo):
    with Store.open(demo / "images") as store:
        a, b = _ids(store, "bolt/bolt_007.jpg", "washer/washer_from_bolt_007.jpg")
        h = History(store)
        h.push(choose_label(store, [a, b], "bolt"))
        assert store.image(a).label == store.image(b).label == "bolt"
        assert find_duplicates(store).conflicts == []
        h.push(exclude_all(store, [a, b]))
        assert store.image(a).excluded and store.image(b).excluded
        h.undo()
        h.undo()
        assert store.image(b).label == "washer" and not store.image(b).excluded


def test_quarantine_moves_excluded_files_and_undo_brings_them_back(demo):
    with Store.open(demo / "images") as store:
        a, b = _ids(store, *PAIR)
        h = History(store)
        h.push(keep_only(store, a, [a, b]))
        original = demo / "images" / PAIR[1]
        content = original.read_bytes()
        command = QuarantineExcluded(store)
        h.push(command)
        assert not original.exists()
        moved = command.moves[0][2]
        assert moved.read_bytes() == content and store.image(b).missing
        h.undo()
        assert original.read_bytes() == content and not moved.exists() and not store.image(b).missing
        original_target = command.target / PAIR[1]
        original_target.parent.mkdir(parents=True, exist_ok=True)
        original_target.write_bytes(b"something else already here")
        h.redo()  # never overwrites what is in the quarantine folder
        assert original_target.read_bytes() == b"something else already here"
        assert command.moves[0][2] != original_target and command.moves[0][2].read_bytes() == content
