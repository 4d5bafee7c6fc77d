"""N and D after a filter change go on from the current image, not from the top of the list (issue 19).

The operator is on an image in the middle of the list and picks a filter (pending proposals, a status, a search) that
hides it: the next image is the next one that matches *after* it in the list's order, as if the hidden image were
still in its place.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from widgets_helper import browser_ids, click_browser_row

from labelstudio_desktop.core.store.store import BoxRecord
from labelstudio_desktop.gui.browser import SEARCH_PAUSE_MS


def _choose(qtbot, combo, data) -> None:
    """Pick the entry of ``combo`` holding ``data`` with the arrow keys, as from the keyboard."""
    combo.setFocus()
    target = combo.findData(data)
    assert target >= 0
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, Qt.Key_Down if combo.currentIndex() < target else Qt.Key_Up)


def _propose(window, image_ids) -> None:
    for image_id in image_ids:
        window.store.insert_box(BoxRecord(0, image_id, "nut", 5, 5, 40, 40, source="proposal", state="pending",
                                          score=0.5))
    window.browser.model.reload()


def _key_on_canvas(window, qtbot, key) -> None:
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, key)


@pytest.mark.parametrize("key", [Qt.Key_N, Qt.Key_D])
def test_next_after_a_filter_that_hides_the_current_image(window, qtbot, key):
    browser = window.browser
    ids = browser_ids(browser)
    assert len(ids) > 45
    _propose(window, [ids[5], ids[20], ids[40], ids[44]])
    click_browser_row(qtbot, browser, 30)  # no proposals here
    assert window.annotation.image.id == ids[30]
    _choose(qtbot, browser.flag_box, "pending")  # only the four images with proposals are listed now
    assert set(browser_ids(browser)) == {ids[5], ids[20], ids[40], ids[44]}
    _key_on_canvas(window, qtbot, key)
    assert window.annotation.image.id == ids[40]  # the next after the 31st image, not the first listed
    _key_on_canvas(window, qtbot, key)
    assert window.annotation.image.id == ids[44]


def test_previous_after_a_filter_that_hides_the_current_image(window, qtbot):
    browser = window.browser
    ids = browser_ids(browser)
    _propose(window, [ids[5], ids[20], ids[40]])
    click_browser_row(qtbot, browser, 30)
    _choose(qtbot, browser.flag_box, "pending")
    _key_on_canvas(window, qtbot, Qt.Key_A)
    assert window.annotation.image.id == ids[20]  # the one before it, not the last listed


def test_next_after_typing_a_search_that_hides_the_current_image(window, qtbot):
    browser = window.browser
    ids = browser_ids(browser)
    current = browser.model.row(browser.model.row_of(ids[30]))
    stem = current.name.split("_")[0]  # the class part of the name: every image of that class matches
    others = [i for n, i in enumerate(ids) if n > 30 and browser.model.row(browser.model.row_of(i)).name
              .startswith(stem)]
    click_browser_row(qtbot, browser, 30)
    browser.search.setFocus()
    qtbot.keyClicks(browser.search, stem + "_")
    qtbot.keyClick(browser.search, Qt.Key_Z)  # matches nothing: the list is empty once typing pauses...
    qtbot.waitUntil(lambda: browser.model.rowCount() == 0, timeout=5000)
    qtbot.keyClick(browser.search, Qt.Key_Backspace)  # ...and back: the current image must not have become the first
    qtbot.waitUntil(lambda: ids[30] in browser_ids(browser), timeout=5000)
    _key_on_canvas(window, qtbot, Qt.Key_D)
    assert window.annotation.image.id == (others[0] if others else ids[30])


def test_typing_filters_once_when_typing_pauses_and_enter_or_leaving_the_field_filters_at_once(window, qtbot):
    """A million names take a moment per filter: the list is filtered after a pause in typing, not per key."""
    browser = window.browser
    filters = []
    browser.model.modelReset.connect(lambda: filters.append(browser.model.filter.text))
    browser.search.setFocus()
    qtbot.keyClicks(browser.search, "bolt_01")
    assert filters == []  # nothing filtered while typing
    qtbot.waitUntil(lambda: filters == ["bolt_01"], timeout=5000)
    qtbot.keyClick(browser.search, Qt.Key_3)
    qtbot.keyClick(browser.search, Qt.Key_Return)  # Enter filters at once
    assert filters == ["bolt_01", "bolt_013"]
    qtbot.wait(SEARCH_PAUSE_MS * 2)
    assert filters == ["bolt_01", "bolt_013"]  # the pause that follows filters nothing again
    qtbot.keyClick(browser.search, Qt.Key_Backspace)
    window.canvas.setFocus()  # leaving the field filters at once
    assert filters == ["bolt_01", "bolt_013", "bolt_01"]
