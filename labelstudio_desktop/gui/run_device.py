"""The device a training run uses, in the Training dock: a line under the plan while a run trains (from the job's
``{"device": ...}`` report, kept after it ends) and the Runs list's tooltip (from the run's params)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QTreeWidgetItem

from .labels import FlowLabel


class DeviceLine(FlowLabel):
    """``This run trains on CPU (2 cores)``; hidden until a run says where it trains."""

    def __init__(self, panel):
        super().__init__("", panel)
        self.device = ""  # what the last run reported
        self.setVisible(False)
        panel.runner.sig_report.connect(self._report)
        panel.runner.sig_started.connect(lambda _title: self._show(""))

    def _report(self, data) -> None:
        if isinstance(data, dict) and data.get("device"):
            self._show(str(data["device"]))

    def _show(self, device: str) -> None:
        self.device = device
        self.setText(self.tr("This run trains on {0}").format(device) if device else "")
        self.setVisible(bool(device))


def device_tooltip(item: QTreeWidgetItem, run) -> None:
    """The Runs list's row of ``run`` says the device it trained on (runs from before the device was kept: none)."""
    device = run.params.get("device")
    if not device:
        return
    text = QCoreApplication.translate("DeviceLine", "Trained on {0}").format(device)
    for col in range(item.columnCount()):
        item.setToolTip(col, text)
