"""The training dock: background training with live curves, resume, one-click retrain, evaluation gallery."""

from __future__ import annotations

from labelstudio_desktop.core.store.runs import list_runs


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
    panel.runner.sig_report.connect(lambda data: epochs_seen.extend([data["epoch"]] if "epoch" in data else []))
    plans = []
    panel.runner.sig_report.connect(lambda data: plans.append(panel.plan.text()) if "plan" in data else None)
    # connected after the panel's own slots: sees what they displayed
    panel.runner.sig_progress.connect(lambda _d, _t: shown.append((panel.eta.text(), panel.status.text())))
    _run(panel, qtbot, panel.start)
    assert epochs_seen == [1, 2]
    assert len(plans) == 1 and plans[0].startswith("This run: 2 epochs (batches per epoch: ")  # from the process
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
    view = panel.evaluation_view
    assert panel.evaluation is not None and view.table.item(0, 0).text() == "Accuracy"
    assert view.summary.text().startswith("Run 2 on the ") and view.classes.rowCount() == len(panel.evaluation.classes)
    assert view.warning.isVisible() == (panel.evaluation.images < 20)
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


def test_retrain_trains_the_detector_once_there_are_reviewed_boxes(window):
    from labelstudio_desktop.core.store.runs import create_run, update_run
    from labelstudio_desktop.core.store.store import BoxRecord
    from labelstudio_desktop.gui.training import retrain_plan

    db = window.store.db_path
    assert retrain_plan(db) == (None, None)  # nothing trained, nothing reviewed
    classify = create_run(window.store, "classify", {"task": "classify", "size": 32, "epochs": 2})
    update_run(window.store, classify, model_path=str(db), status="finished")  # any existing file stands in
    start, config = retrain_plan(db)
    assert start == classify and config.task == "classify"
    window.store.insert_box(BoxRecord(0, window.annotation.image.id, "bolt", 1, 1, 20, 20))
    start, config = retrain_plan(db)  # reviewed boxes: the detector's turn, with its defaults
    assert start is None and (config.task, config.size, config.epochs) == ("detect", 160, 40)
    assert config.augment.hflip and config.augment.zoom
    detect = create_run(window.store, "detect", {"task": "detect", "size": 64, "epochs": 3})
    update_run(window.store, detect, model_path=str(db), status="finished")
    start, config = retrain_plan(db)
    assert start == detect and (config.task, config.size) == ("detect", 64)


def test_detect_task_has_its_own_defaults(window, qtbot):
    window.act_train.trigger()
    panel = window.training
    panel.task.setCurrentText("detect")
    assert (panel.size.value(), panel.epochs.value()) == (160, 40)
    assert {k for k, b in panel.augment.items() if b.isChecked()} == {"hflip", "shift", "zoom"}
    panel.task.setCurrentText("classify")
    assert (panel.size.value(), panel.epochs.value()) == (128, 10)


def test_the_form_shows_what_retrain_trains(window):
    from labelstudio_desktop.ml.config import TrainConfig

    window.act_train.trigger()
    panel = window.training
    assert panel.task.currentText() == "classify"
    panel.show_config(TrainConfig.for_task("detect", epochs=7))
    assert (panel.task.currentText(), panel.size.value(), panel.epochs.value()) == ("detect", 160, 7)
    assert {k for k, b in panel.augment.items() if b.isChecked()} == {"hflip", "shift", "zoom"}


def test_retrain_of_a_detector_carries_the_threshold_calibrated_on_the_photos_reviewed_since(window, panel, qtbot):
    from labelstudio_desktop.core.store.runs import THRESHOLD_FROM, get_run
    from labelstudio_desktop.core.store.store import BoxRecord
    from labelstudio_desktop.ml.config import TrainConfig
    from labelstudio_desktop.ml.train import train

    def review(images) -> None:
        for img in images:
            window.store.insert_box(BoxRecord(0, img.id, img.label, 2, 2, img.width // 2, img.height // 2))

    images = [img for img in window.store.images() if img.label][:12]
    review(images[:6])
    first = train(window.store.db_path, TrainConfig(task="detect", epochs=1, size=32, batch=4, backbone="small"))
    review(images[6:])  # six photos reviewed since the detector trained: what it is calibrated on
    lines: list[str] = []
    panel.runner.sig_status.connect(lines.append)
    with qtbot.waitSignal(panel.runner.sig_stopped, timeout=300000):
        window.act_retrain.trigger()
    runs = list_runs(window.store)
    new = get_run(window.store, runs[-1].id)
    assert len(runs) == 2 and new.parent_id == first.run_id and new.status == "finished"
    threshold = new.params["proposal_params"]["threshold"]
    assert new.params[THRESHOLD_FROM]["run"] == first.run_id and new.params[THRESHOLD_FROM]["images"] >= 6
    assert f"next proposals: score threshold {threshold:.2f}" in lines
    images = new.params[THRESHOLD_FROM]["images"]  # and when it has finished, the dock still says it:
    assert (f"The next proposals keep detections scoring {threshold:.2f} or more: run {first.run_id}'s threshold, "
            f"calibrated on the {images} reviewed images it did not train on.") in panel.status.text()
    assert not any(line.endswith(": ") for line in panel.status.text().split("\n"))  # no comparison without figures


def test_the_dock_says_a_carried_threshold_only_from_values_a_run_writes(panel):
    from labelstudio_desktop.core.store.runs import THRESHOLD_FROM, Run

    def said(source, tuned) -> str:
        params = {THRESHOLD_FROM: source, "proposal_params": tuned}
        return panel.carried_threshold(Run(2, "detect", params, {}, None, "finished", 1, 0.0, None))

    assert said({"run": 1, "images": 6, "calibrated": 0.15}, {"threshold": 0.2}) == (
        "The next proposals keep detections scoring 0.20 or more: run 1's threshold, calibrated on the 6 reviewed "
        "images it did not train on.")
    assert said({"run": 1, "images": 0}, {"threshold": 0.45}).endswith("0.45 or more: run 1's calibrated threshold.")
    for source, tuned in (({"run": 1, "images": 6}, {"threshold": "0.2"}),
                          ({"run": -1, "images": 6}, {"threshold": 0.2}),
                          ({"run": 1, "images": 1.5}, {"threshold": 0.2}), ([1, 6], {"threshold": 0.2}),
                          ({"run": 1, "images": 6}, None), ({"run": True, "images": 6}, {"threshold": float("nan")})):
        assert said(source, tuned) == ""


def test_the_training_dock_opens_wide_enough_for_its_form(window, qtbot):
    from widgets_helper import settle

    window.resize(1600, 900)
    settle(qtbot)
    window.act_train.trigger()
    settle(qtbot)
    wanted = window.training.wanted_width()
    assert 300 < wanted < window.width() // 3  # the form, four augmentation boxes a row, three buttons
    assert window.training_dock.width() >= wanted - 2
    assert window.training.setup.width() >= window.training.setup.sizeHint().width()  # nothing of it cut off
