"""The duplicates window: background search, side-by-side review, undoable resolution."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

FLAGS, LEFT, RIGHT = 2, 3, 4


@pytest.fixture
def dups(window, qtbot):
    window.show_duplicates()
    d = window.duplicates
    qtbot.waitUntil(lambda: d.result is not None, timeout=60000)
    return d


def _select(d, a, b):
    for n in range(d.pairs.topLevelItemCount()):
        item = d.pairs.topLevelItem(n)
        if {item.text(LEFT), item.text(RIGHT)} == {a, b}:
            d.pairs.setCurrentItem(item)
            return item
    raise AssertionError(f"pair {a} {b} not listed")


def test_finds_the_planted_pairs_with_badges(dups):
    listed = {frozenset((dups.pairs.topLevelItem(n).text(LEFT), dups.pairs.topLevelItem(n).text(RIGHT))):
              dups.pairs.topLevelItem(n).text(FLAGS) for n in range(dups.pairs.topLevelItemCount())}
    assert "conflict" in listed[frozenset(("bolt/bolt_007.jpg", "washer/washer_from_bolt_007.jpg"))]
    assert "leak" in listed[frozenset(("nut/nut_010.jpg", "nut/nut_010_b.jpg"))]
    assert len(listed) == 8
    distances = [int(dups.pairs.topLevelItem(n).text(1)) for n in range(dups.pairs.topLevelItemCount())]
    assert distances == sorted(distances)


def test_filters(dups):
    dups.only_conflicts.setChecked(True)
    assert dups.pairs.topLevelItemCount() == 1
    dups.only_conflicts.setChecked(False)
    dups.kind_filter.setCurrentIndex(dups.kind_filter.findData("exact"))
    assert all(dups.pairs.topLevelItem(n).text(0) == "exact" for n in range(dups.pairs.topLevelItemCount()))


def test_synchronised_zoom_flip_and_difference(dups, qtbot):
    _select(dups, "bolt/bolt_002.jpg", "bolt/bolt_002_small.jpg")
    dups.left.zoom_to(3.0, QPointF(50, 50))
    assert dups.right.scale == 3.0 and dups.right.offset == dups.left.offset
    first_left = dups.left.image.size()
    dups.flip.setChecked(True)
    assert dups.left.image.size() != first_left  # the other image (it is 80% of the size)
    dups.flip.setChecked(False)
    dups.difference.setChecked(True)
    assert dups.right.image.size() == dups.left.image.size()


def test_keep_left_then_undo(window, dups, qtbot):
    store = window.store
    item = _select(dups, "nut/nut_008.jpg", "nut/nut_008_bright.jpg")
    pair = dups.current_pair()
    dups.act("keep_left")
    assert store.image(pair.b).excluded and not store.image(pair.a).excluded
    assert item.isDisabled()
    window.act_undo.trigger()
    assert not store.image(pair.b).excluded


def test_choose_label_for_a_conflict_and_keep_both(window, dups):
    store = window.store
    _select(dups, "bolt/bolt_007.jpg", "washer/washer_from_bolt_007.jpg")
    pair = dups.current_pair()
    assert dups.actions["label"].isEnabled()
    dups.label_choice.setCurrentText("bolt")
    dups.act("label")
    assert store.image(pair.a).label == store.image(pair.b).label == "bolt"
    _select(dups, "empty/empty_005.jpg", "empty/empty_005_crop.jpg")
    dups.act("keep_both")
    dups.start()
    from PySide6.QtWidgets import QApplication

    while dups.runner.busy():
        QApplication.processEvents()
    assert dups.result.conflicts == []
    listed = {frozenset((dups.pairs.topLevelItem(n).text(LEFT), dups.pairs.topLevelItem(n).text(RIGHT)))
              for n in range(dups.pairs.topLevelItemCount())}
    assert frozenset(("empty/empty_005.jpg", "empty/empty_005_crop.jpg")) not in listed
