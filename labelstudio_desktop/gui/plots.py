"""Matplotlib canvases in Qt: live loss curves (with a previous run to compare against)."""

from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure

METRIC_COLORS = {"loss": "tab:blue", "val_loss": "tab:orange"}


class CurvePlot(FigureCanvasQTAgg):
    """loss and val_loss per epoch (left axis) and the task's metric (right axis), redrawn per epoch."""

    def __init__(self, parent=None):
        self.figure = Figure(figsize=(4, 2.6), tight_layout=True)
        super().__init__(self.figure)
        self.setParent(parent)
        self.axes = self.figure.add_subplot(111)
        self.history: dict[str, list[float]] = {}
        self.previous: dict[str, list[float]] = {}
        self.previous_name = ""
        self.redraw()

    def set_history(self, history: dict[str, list[float]], previous: dict[str, list[float]] | None = None,
                    previous_name: str = "") -> None:
        self.history = {k: list(v) for k, v in history.items()}
        self.previous = previous or {}
        self.previous_name = previous_name
        self.redraw()

    def add_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        for key, value in logs.items():
            values = self.history.setdefault(key, [])
            values.extend([float("nan")] * (epoch - 1 - len(values)))
            values.append(value)
        self.redraw()

    def redraw(self) -> None:
        ax = self.axes
        ax.clear()
        for key, color in METRIC_COLORS.items():
            if self.previous.get(key):
                ax.plot(range(1, len(self.previous[key]) + 1), self.previous[key], color=color, ls=":", lw=1,
                        label=f"{key} ({self.previous_name})")
            if self.history.get(key):
                ax.plot(range(1, len(self.history[key]) + 1), self.history[key], color=color, marker="o",
                        ms=3, label=key)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        if ax.lines:
            ax.legend(fontsize=7, loc="upper right")
        ax.grid(alpha=0.3)
        self.draw_idle()
