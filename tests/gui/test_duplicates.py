"""The duplicates window: background search, side-by-side review, undoable resolution."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QToolBar

FLAGS, LEFT, RIGHT, KEEPER = 2, 3, 4, 5


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


def _undo_button(window):
    return window.findChild(QToolBar, "toolbar-main").widgetForAction(window.act_undo)


def test_an_undone_decision_makes_the_pair_reviewable_again(window, dups, qtbot):
    store = window.store
    dups.activateWindow()
    qtbot.waitActive(dups)
    item = _select(dups, "nut/nut_008.jpg", "nut/nut_008_bright.jpg")
    pair = dups.current_pair()
    qtbot.keyClick(dups, Qt.Key_1)  # keep left
    assert store.image(pair.b).excluded and item.isDisabled()
    assert dups.current_pair() is not pair  # on to the next pair
    qtbot.mouseClick(_undo_button(window), Qt.LeftButton)  # the main window's undo
    assert not store.image(pair.b).excluded
    assert not item.isDisabled() and dups.current_pair() is pair  # back on the pair, reviewable
    dups.activateWindow()
    qtbot.waitActive(dups)
    qtbot.keyClick(dups, Qt.Key_2)  # the keys act on it again: keep right this time
    assert store.image(pair.a).excluded and not store.image(pair.b).excluded and item.isDisabled()
    qtbot.keyClick(dups, Qt.Key_Z, Qt.ControlModifier)  # the window's own undo
    assert not item.isDisabled() and not store.image(pair.a).excluded
    qtbot.keyClick(dups, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # redo decides it again
    assert item.isDisabled() and store.image(pair.a).excluded


def test_a_decided_pair_ignores_the_keys(window, dups, qtbot):
    dups.activateWindow()
    qtbot.waitActive(dups)
    last = dups.pairs.topLevelItem(dups.pairs.topLevelItemCount() - 1)
    dups.pairs.setCurrentItem(last)
    pair = dups.current_pair()
    qtbot.keyClick(dups, Qt.Key_3)  # keep both: the last pair stays current, greyed out
    assert last.isDisabled() and dups.current_pair() is pair
    count = window.editor.stack.count()
    qtbot.keyClick(dups, Qt.Key_4)
    assert window.editor.stack.count() == count  # no second decision on a decided pair
    assert not window.store.image(pair.a).excluded


def test_the_suggested_keeper_is_shown(dups):
    item = _select(dups, "bolt/bolt_002.jpg", "bolt/bolt_002_small.jpg")  # the small one is 80% of the size
    big_left = item.text(LEFT) == "bolt/bolt_002.jpg"
    assert item.text(KEEPER) == ("left" if big_left else "right")
    keeper_info, other_info = (dups.left_info, dups.right_info) if big_left else (dups.right_info, dups.left_info)
    assert "suggested keeper" in keeper_info.text() and "suggested keeper" not in other_info.text()
    assert item.font(LEFT if big_left else RIGHT).bold() and not item.font(RIGHT if big_left else LEFT).bold()
    for n in range(dups.pairs.topLevelItemCount()):  # every pair names the keeper of its group
        assert dups.pairs.topLevelItem(n).text(KEEPER)


@pytest.mark.parametrize("keys", [(Qt.Key_Escape, Qt.NoModifier), (Qt.Key_W, Qt.ControlModifier)])
def test_escape_and_ctrl_w_close_the_window(dups, qtbot, keys):
    """A window of its own, without a close button where no window manager draws one: the keys close it."""
    qtbot.waitExposed(dups)
    dups.activateWindow()
    dups.pairs.setFocus()
    qtbot.keyClick(dups.pairs, *keys)
    assert not dups.isVisible()


def _burst(folder, count):
    """``count`` look-alike 64x48 JPEGs (one scene, shifted, brightened and noised a little), imported."""
    import numpy as np
    from PIL import Image

    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    rng = np.random.default_rng(5)
    scene = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(scene).resize((68, 52), Image.BICUBIC), np.float32)
    folder.mkdir(parents=True)
    for k in range(count):
        dx, dy = rng.integers(0, 3, 2)
        arr = base[dy:dy + 48, dx:dx + 64] * rng.uniform(0.9, 1.1) + rng.normal(0, 4, (48, 64, 3))
        Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(folder / f"shot_{k:03d}.jpg", quality=90)
    with Store.create(folder) as store:
        import_folder(store)
    return folder


@pytest.mark.timeout(300)
def test_the_list_pages_through_a_large_group(open_window, tmp_path, qtbot, monkeypatch):
    from widgets_helper import give_focus, settle

    from labelstudio_desktop.core.cleaning import grouping
    from labelstudio_desktop.gui import duplicates

    monkeypatch.setattr(grouping, "PAIRS_PER_GROUP", 14)  # the burst's one group lists its 14 closest pairs
    monkeypatch.setattr(duplicates, "PAGE", 5)  # a page of 5 rows
    window = open_window(_burst(tmp_path / "burst", 24))
    window.show_duplicates()
    d = window.duplicates
    qtbot.waitUntil(lambda: d.result is not None and not d.runner.busy(), timeout=120000)
    result = d.result
    assert len(result.groups) == 1 and len(result.groups[0]) == 24  # every shot in the group
    assert len(result.pairs) == 14 and result.pairs_found > 14
    assert f"{result.pairs_found} pairs (14 shown) in 1 groups" in d.status.text() and "14" in d.status.toolTip()
    assert d.pairs.topLevelItemCount() == 5 and d.more.isVisible() and "9" in d.more.text()

    qtbot.mouseClick(d.more, Qt.LeftButton)  # the next page from the button
    assert d.pairs.topLevelItemCount() == 10 and "4" in d.more.text()

    d.pairs.setFixedHeight(90)  # a short list: scrolled to its end, it lists the next page
    settle(qtbot)
    bar = d.pairs.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    assert d.pairs.topLevelItemCount() == 14 and not d.more.isVisible()
    listed = [d.pairs.topLevelItem(n).data(0, Qt.UserRole) for n in range(14)]
    assert [(p.a, p.b) for p in listed] == [(p.a, p.b) for p in result.pairs]  # closest first, each once

    d.kind_filter.setCurrentIndex(d.kind_filter.findData("near"))  # a filter starts again from the first page
    assert d.pairs.topLevelItemCount() == 5 and d.more.isVisible()
    last = d.pairs.topLevelItem(4)
    d.pairs.setCurrentItem(last)
    give_focus(qtbot, d.pairs)
    qtbot.keyClick(d.pairs, Qt.Key_3)  # keep both on the last listed pair: the next page comes, and its first pair
    assert last.isDisabled() and d.pairs.topLevelItemCount() == 10
    assert d.pairs.currentItem() is d.pairs.topLevelItem(5)
