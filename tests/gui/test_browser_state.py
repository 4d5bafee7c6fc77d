"""The browser keeps its place over a reload (Import, Propose, duplicate decisions) and the counts follow Import."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolBar
from widgets_helper import browser_ids, click_browser_row

from labelstudio_desktop.gui.browser import ImageIdRole


def _in_view(browser, image_id: int) -> bool:
    view = browser.view
    return view.currentIndex().data(ImageIdRole) == image_id and \
        view.viewport().rect().contains(view.visualRect(view.currentIndex()))


def _toolbar_button(window, action):
    return window.findChild(QToolBar, "toolbar-main").widgetForAction(action)


def _import(window, qtbot) -> None:
    """Re-import with the toolbar button; the job runs in the background."""
    with qtbot.waitSignal(window.jobs.runner.sig_stopped, timeout=60000):
        qtbot.mouseClick(_toolbar_button(window, window.act_import), Qt.LeftButton)


def _next_image(window, qtbot) -> None:
    """D on the canvas (its keys act only while it has the focus)."""
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_D)


def _count(window, what: str) -> int:
    return int(re.search(rf"(\d+) {what}", window.counts_label.text()).group(1))


@pytest.mark.parametrize("reload", ["import", "reload"])
def test_the_current_image_survives_a_reload(window, qtbot, reload):
    browser = window.browser
    ids = browser_ids(browser)
    click_browser_row(qtbot, browser, 39)  # the 40th image
    assert window.annotation.image.id == ids[39]
    browser.view.scrollToTop()  # the reload must bring it back into view
    assert not _in_view(browser, ids[39])
    shown = []
    browser.sig_activated.connect(shown.append)
    if reload == "import":
        _import(window, qtbot)
    else:
        browser.model.reload()
    assert browser.current_id() == ids[39] and window.annotation.image.id == ids[39]
    qtbot.waitUntil(lambda: _in_view(browser, ids[39]))
    assert shown == []  # the same image: not shown again
    _next_image(window, qtbot)
    assert window.annotation.image.id == ids[40]  # D goes on from there, not from the first image
    assert shown == [ids[40]]


def test_a_sort_change_keeps_the_current_image(window, qtbot):
    browser = window.browser
    ids = browser_ids(browser)
    click_browser_row(qtbot, browser, 39)
    shown = []
    browser.sig_activated.connect(shown.append)
    browser.sort_box.setFocus()
    qtbot.keyClick(browser.sort_box, Qt.Key_Down)
    assert browser.sort_box.currentData() == "date"
    assert browser.current_id() == ids[39] and shown == []
    qtbot.waitUntil(lambda: _in_view(browser, ids[39]))


def test_an_image_gone_after_a_reload_hands_over_to_the_next(window, qtbot):
    browser = window.browser
    ids = browser_ids(browser)
    click_browser_row(qtbot, browser, 39)
    qtbot.mouseClick(window.properties.excluded_box, Qt.LeftButton)  # excluded: hidden after the next reload
    assert window.store.image(ids[39]).excluded
    shown = []
    browser.sig_activated.connect(shown.append)
    _import(window, qtbot)
    assert ids[39] not in browser_ids(browser)
    assert browser.current_id() == ids[40] and window.annotation.image.id == ids[40]
    assert shown == [ids[40]]  # a different image: shown once
    _next_image(window, qtbot)
    assert window.annotation.image.id == ids[41]


def test_import_refreshes_the_counts(window, demo, qtbot):
    unverified = _count(window, "unverified")
    Image.new("RGB", (64, 48), (200, 30, 90)).save(demo / "images" / "nut" / "nut_new.jpg")
    _import(window, qtbot)
    assert _count(window, "unverified") == unverified + 1
    assert any(window.store.image(i).path == "nut/nut_new.jpg" for i in browser_ids(window.browser))


def test_a_duplicate_decision_keeps_the_browser_in_place(window, qtbot):
    browser = window.browser
    ids = browser_ids(browser)
    click_browser_row(qtbot, browser, 39)
    window.show_duplicates()
    dups = window.duplicates
    qtbot.waitUntil(lambda: dups.result is not None, timeout=60000)
    for n in range(dups.pairs.topLevelItemCount()):
        item = dups.pairs.topLevelItem(n)
        if {item.text(3), item.text(4)} == {"nut/nut_008.jpg", "nut/nut_008_bright.jpg"}:
            dups.pairs.setCurrentItem(item)
    pair = dups.current_pair()
    assert {pair.a, pair.b}.isdisjoint(ids[39:42])
    shown = []
    browser.sig_activated.connect(shown.append)
    dups.activateWindow()
    qtbot.waitActive(dups)
    qtbot.keyClick(dups, Qt.Key_4)  # exclude both: the main window reloads the browser
    assert pair.a not in browser_ids(browser) and pair.b not in browser_ids(browser)
    assert browser.current_id() == ids[39] and shown == []
    window.windowHandle().requestActivate()  # back to the main window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    _next_image(window, qtbot)
    assert window.annotation.image.id == ids[40]
