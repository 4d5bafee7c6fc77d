"""The duplicate review suggests keeping the reviewed copy, and shows the work that made it the keeper (issue 19)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from labelstudio_desktop.core.store.store import BoxRecord

LEFT, RIGHT, KEEPER = 3, 4, 5
BIG, SMALL = "bolt/bolt_002.jpg", "bolt/bolt_002_small.jpg"


def _click_pair(qtbot, d, a: str, b: str):
    for n in range(d.pairs.topLevelItemCount()):
        item = d.pairs.topLevelItem(n)
        if {item.text(LEFT), item.text(RIGHT)} == {a, b}:
            d.pairs.scrollToItem(item)
            qtbot.mouseClick(d.pairs.viewport(), Qt.LeftButton, pos=d.pairs.visualItemRect(item).center())
            assert d.pairs.currentItem() is item
            return item
    raise AssertionError(f"pair {a} {b} not listed")


def test_the_reviewed_smaller_copy_is_the_suggested_keeper(window, qtbot):
    store = window.store
    small = store.image_by_path(SMALL).id
    store.insert_box(BoxRecord(0, small, "bolt", 10, 10, 60, 60))  # reviewed: one accepted box
    store.update_image_fields(small, {"status": "verified"})
    window.show_duplicates()
    d = window.duplicates
    qtbot.waitUntil(lambda: d.result is not None, timeout=60000)
    item = _click_pair(qtbot, d, BIG, SMALL)
    side = "left" if item.text(LEFT) == SMALL else "right"
    assert item.text(KEEPER) == side  # "the larger one" before the fix
    keeper_info, other_info = (d.left_info, d.right_info) if side == "left" else (d.right_info, d.left_info)
    assert "suggested keeper" in keeper_info.text() and "suggested keeper" not in other_info.text()
    assert "1 boxes" in keeper_info.text() and "verified" in keeper_info.text()
    assert "verified" not in other_info.text()
