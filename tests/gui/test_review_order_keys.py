"""The review order in the app (issue 23 item 2): Shift+N on the canvas goes to the image the model is least sure
about among those least like the reviewed ones; the browser's *To review first* lists them in that order."""

from __future__ import annotations

import pytest
from feature_vectors import write_kind_features
from helpers import write_image
from PySide6.QtCore import Qt

from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder
from labelstudio_desktop.gui.browser import TO_REVIEW

# 0 reviewed; 1 its look-alike, doubted most; 2 (doubted) and 3 of another kind; 4 and 5 of two more kinds
KINDS = {"0.jpg": 0, "1.jpg": 0, "2.jpg": 1, "3.jpg": 1, "4.jpg": 2, "5.jpg": 3}
SCORES = {"1.jpg": 0.40, "2.jpg": 0.42, "3.jpg": 0.9, "4.jpg": 0.6, "5.jpg": 0.95}


@pytest.fixture
def project(tmp_path):
    for n in range(len(KINDS)):
        write_image(tmp_path / f"{n}.jpg", w=160, h=120, seed=n)
    with Store.create(tmp_path) as store:
        import_folder(store)
        write_kind_features(store, KINDS)
        ids = {img.path: img.id for img in store.images()}
        store.insert_box(BoxRecord(0, ids["0.jpg"], "cat", 10, 10, 60, 60))  # accepted: reviewed
        for name, score in SCORES.items():
            store.insert_box(BoxRecord(0, ids[name], "cat", 10, 10, 60, 60, source="proposal", state="pending",
                                       score=score, threshold=0.4))
    return tmp_path, ids


def _listed(browser) -> list[int]:
    return [browser.model.index(n, 0).data(Qt.UserRole + 1) for n in range(browser.model.rowCount())]


def test_shift_n_goes_to_the_next_image_to_review_and_the_browser_sorts_by_it(open_window, project, qtbot):
    folder, ids = project
    window = open_window(folder)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # keys reach the canvas of the active window
    browser = window.browser
    browser.select_id(ids["0.jpg"])
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_N, Qt.ShiftModifier)
    assert browser.current_id() == ids["2.jpg"]  # the most doubted of a kind never reviewed (1 looks like 0)
    qtbot.keyClick(window.canvas, Qt.Key_N, Qt.ShiftModifier)  # the one shown is skipped: the next in the order
    assert browser.current_id() == ids["4.jpg"]

    browser.sort_box.setCurrentIndex(browser.sort_box.findData(TO_REVIEW))
    order = _listed(browser)
    assert order[:2] == [ids["2.jpg"], ids["4.jpg"]] and order[-1] == ids["0.jpg"]  # reviewed ones last
    assert order.index(ids["5.jpg"]) < order.index(ids["3.jpg"])  # a new kind before a look-alike of 2

    browser.search.setFocus()
    qtbot.keyClicks(browser.search, "0.jpg")  # only the reviewed image is listed: nothing to go to
    window.canvas.setFocus()  # leaving the field filters the list at once
    qtbot.keyClick(window.canvas, Qt.Key_N, Qt.ShiftModifier)
    assert "No other image to review" in window.statusBar().currentMessage()


def test_the_toolbar_button_goes_to_the_next_image_to_review(open_window, project, qtbot):
    from PySide6.QtWidgets import QToolBar

    folder, ids = project
    window = open_window(folder)
    window.browser.select_id(ids["0.jpg"])
    toolbar = window.findChild(QToolBar, "toolbar-main")
    button = toolbar.widgetForAction(window.act_next_to_review)
    assert button is not None and button.isVisible() and button.text() == "Next to review"
    qtbot.mouseClick(button, Qt.LeftButton)
    assert window.browser.current_id() == ids["2.jpg"]
