"""The Training dock shows the device a run trains on (issue 20, item 5): a line under the plan from the run's report,
kept after it ends, and the Runs list's tooltip from the run's record."""

from __future__ import annotations

from labelstudio_desktop.core.store.runs import list_runs
from labelstudio_desktop.gui.run_device import DeviceLine
from labelstudio_desktop.ml.config import TrainConfig


def test_the_dock_and_the_runs_list_show_the_device(window, qtbot):
    window.act_train.trigger()
    panel = window.training
    line = panel.findChild(DeviceLine)
    assert line is not None and not line.isVisibleTo(panel)  # no run yet: nothing to say
    during = []
    # connected after the panel's own slots: sees what the dock showed when the first epoch ended
    panel.runner.sig_report.connect(lambda data: during.append(line.text()) if "epoch" in data else None)
    config = TrainConfig(task="classify", backbone="small", weights="none", size=32, epochs=1)
    with qtbot.waitSignal(panel.runner.sig_stopped, timeout=120000):
        assert panel.start(config=config)
    runs = list_runs(window.store)
    assert len(runs) == 1 and runs[0].status == "finished"
    device = runs[0].params["device"]
    assert device.startswith("CPU (")  # this machine: tensorflow-cpu
    assert during and during[0] == f"This run trains on {device}"
    assert line.text() == f"This run trains on {device}" and line.isVisibleTo(panel)  # kept after the run
    item = panel.runs.topLevelItem(0)
    assert item.toolTip(0) == f"Trained on {device}" and item.toolTip(2) == item.toolTip(0)
