"""The training dock: background training with live curves, resume, one-click retrain, evaluation gallery."""

from __future__ import annotations

from labelstudio_desktop.core.runs import list_runs


def _run(panel, qtbot, start, timeout=120000):
    with qtbot.waitSignal(panel.runner.sig_stopped, timeout=timeout):
        assert start()
    assert not panel.runner.busy()


def test_train_resume_retrain_and_evaluate(window, qtbot):
    window.act_train.trigger()
    panel = window.training
    panel.task.setCurrentText("classify")
    panel.size.setValue(32)
    panel.epochs.setValue(2)
    panel.augment["hflip"].setChecked(True)
    panel.snapshot_every.setValue(1)
    assert "bolt" in panel.counts.text()
    epochs_seen, shown = [], []
    panel.runner.sig_report.connect(lambda data: epochs_seen.append(data["epoch"]))
    # connected after the panel's own slots: sees what they displayed
    panel.runner.sig_progress.connect(lambda _d, _t: shown.append((panel.eta.text(), panel.status.text())))
    _run(panel, qtbot, panel.start)
    assert epochs_seen == [1, 2]
    assert any(eta.endswith(" left") for eta, _status in shown)  # the panel's ETA...
    assert not any("ETA" in status for _eta, status in shown)  # ...instead of the training process's
    assert panel.eta.text() == ""
    assert len(panel.plot.history["loss"]) == 2 and panel.progress.value() == panel.progress.maximum()
    runs = list_runs(window.store)
    assert len(runs) == 1 and runs[0].status == "finished"
    assert panel.snapshots.topLevelItemCount() == 4  # a strip per chosen image...
    assert panel.snapshots.topLevelItem(0).text(2).startswith("2: ")  # ...with epoch 2's prediction

    panel.epochs.setValue(1)
    _run(panel, qtbot, panel.resume_selected)
    assert list_runs(window.store)[0].epochs == 3

    _run(panel, qtbot, panel.retrain)
    runs = list_runs(window.store)
    assert len(runs) == 2 and runs[1].parent_id == runs[0].id
    assert "run 1 → run 2" in panel.status.text() and "val_loss" in panel.status.text()
    assert panel.plot.previous  # the previous run's curves shown for comparison

    _run(panel, qtbot, panel.evaluate_selected)
    assert panel.evaluation is not None and "accuracy" in panel.metrics.text()
    assert panel.gallery.count() == len(panel.evaluation.misclassified)
    if panel.gallery.count():
        item = panel.gallery.item(0)
        panel.gallery.itemClicked.emit(item)
        assert window.annotation.image.id == item.data(0x0100)


def test_augmentation_preview_shows_originals_and_variants(window, qtbot):
    from labelstudio_desktop.gui.augment_preview import SAMPLES, VARIANTS, AugmentPreview

    window.act_train.trigger()
    panel = window.training
    panel.size.setValue(32)
    for key in ("hflip", "rotate", "erase"):
        panel.augment[key].setChecked(True)
    dialog = AugmentPreview(window.store, panel.config(), window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.runner.busy(), timeout=120000)
    assert dialog.grid.count() == SAMPLES * (1 + VARIANTS)
    dialog.close()
