"""Look-alike duplicates in the app: image features computed in the background after an import (status-bar progress),
and the duplicates window listing a look-alike pair, or saying how many images its search left out."""

from __future__ import annotations

import pytest
from photo_project import photo_project

from labelstudio_desktop.core.store.features import feature_state
from labelstudio_desktop.core.store.store import Store

KIND, LEFT, RIGHT = 0, 3, 4


@pytest.fixture
def photos(tmp_path):
    return photo_project(tmp_path / "photos")


def _listed(d) -> dict[frozenset, str]:
    items = [d.pairs.topLevelItem(n) for n in range(d.pairs.topLevelItemCount())]
    return {frozenset((item.text(LEFT), item.text(RIGHT))): item.text(KIND) for item in items}


def test_the_duplicates_window_shows_look_alikes_once_features_are_computed(open_window, photos, qtbot):
    from labelstudio_desktop.ml.features import compute_features

    folder, planted = photos
    window = open_window(folder)
    window.show_duplicates()
    d = window.duplicates
    qtbot.waitUntil(lambda: d.result is not None, timeout=60000)
    assert _listed(d) == {} and d.similar.isChecked()
    assert "10 images left out of the look-alike search" in d.status.text()

    with Store.open(folder) as store:
        compute_features(store)
    d.find_button.click()
    qtbot.waitUntil(lambda: d.result is not None and not d.runner.busy(), timeout=60000)
    assert _listed(d) == {frozenset(pair): "look-alike" for pair in planted.items()}
    assert "left out" not in d.status.text()
    d.kind_filter.setCurrentIndex(d.kind_filter.findData("similar"))
    assert d.pairs.topLevelItemCount() == len(planted)
    item = d.pairs.currentItem()
    assert float(item.text(1)) >= d.similar_threshold.value() and "look-alike score" in item.toolTip(1)
    assert d.left.image is not None and d.right.image is not None  # the pair side by side
    pair = d.current_pair()
    d.act("keep_both")
    assert (pair.a, pair.b) in d.resolved


def test_features_are_computed_in_the_background_after_an_import(open_window, photos, qtbot):
    folder, _planted = photos
    window = open_window(folder)
    features = window.features
    assert not features.busy()
    with qtbot.waitSignal(window.jobs.runner.sig_stopped, timeout=60000):
        window.act_import.trigger()
    assert features.busy() and features.progress.isVisible() and features.cancel_button.isVisible()
    assert window.running_jobs() == []  # stopping it loses nothing: closing does not ask
    with qtbot.waitSignal(features.runner.sig_stopped, timeout=300000):
        pass
    assert not features.progress.isVisible()
    with Store.open(folder) as store:
        state = feature_state(store)
    assert len(state.done) == 10 and not state.todo
    assert "Image features: 10 computed" in window.statusBar().currentMessage()
