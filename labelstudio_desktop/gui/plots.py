"""Matplotlib canvases in Qt: live loss curves (with a previous run to compare against).

Lines are created once and updated with ``set_data`` (no axes clear), so a redraw stays cheap enough for the GUI
thread while a model trains. The margins are fitted to the tick and axis labels (a tight layout) whenever the
canvas is resized or new values may change the tick labels' width, so no label is cut at the dock's edge.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from matplotlib import font_manager, rcParams
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure

METRIC_COLORS = {"loss": "tab:blue", "val_loss": "tab:orange"}
# Fonts with Japanese glyphs, tried after matplotlib's own for translated labels when one is installed (none is
# required: without one, Japanese labels show as boxes and the curves are unaffected).
CJK_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic", "TakaoGothic", "VL Gothic",
             "Source Han Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", "MS Gothic")
CJK_FILES = re.compile(r"notosanscjk|notosansjp|ipaexg|ipag|takaogothic|vlgothic|sourcehansans|hiragino|yugoth|meiryo|"
                       r"msgothic", re.IGNORECASE)  # file names without "-" and "_"
_cjk_checked = False


def use_cjk_font() -> None:
    """Let matplotlib fall back to an installed Japanese font (once per process). Its font cache may predate the
    font's installation, so the system's font files are looked at too."""
    global _cjk_checked
    if _cjk_checked:
        return
    _cjk_checked = True
    known = {f.name for f in font_manager.fontManager.ttflist}
    if not known.intersection(CJK_FONTS):
        for path in font_manager.findSystemFonts():
            if CJK_FILES.search(Path(path).name.replace("-", "").replace("_", "")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # an unreadable font file: not ours to fix
                    continue
        known = {f.name for f in font_manager.fontManager.ttflist}
    extra = [name for name in CJK_FONTS if name in known and name not in rcParams["font.family"]]
    if extra:  # matplotlib falls back glyph by glyph along font.family (not within its generic sans-serif)
        rcParams["font.family"] = [*rcParams["font.family"], extra[0]]


class CurvePlot(FigureCanvasQTAgg):
    """loss and val_loss per epoch; a previous run's curves dotted, for comparison."""

    def __init__(self, parent=None):
        self.figure = Figure(figsize=(4, 2.6))
        super().__init__(self.figure)
        self.setParent(parent)
        self.axes = self.figure.add_subplot(111)
        xlabel, ylabel = self.tr("epoch"), self.tr("loss")
        if not (xlabel + ylabel).isascii():  # a translated UI: the axes were made with the fonts of before
            use_cjk_font()
            for label in (self.axes.xaxis.label, self.axes.yaxis.label):
                label.set_fontfamily(rcParams["font.family"])
        self.axes.set_xlabel(xlabel)
        self.axes.set_ylabel(ylabel)
        self.axes.grid(alpha=0.3)
        self.lines = {key: self.axes.plot([], [], color=c, marker="o", ms=3, label=key)[0]
                      for key, c in METRIC_COLORS.items()}
        self.previous_lines = {key: self.axes.plot([], [], color=c, ls=":", lw=1,
                                                   label=self.tr("{0} (previous)").format(key))[0]
                               for key, c in METRIC_COLORS.items()}
        self.history: dict[str, list[float]] = {}
        self.previous: dict[str, list[float]] = {}
        self.redraw()

    def set_history(self, history: dict[str, list[float]], previous: dict[str, list[float]] | None = None,
                    previous_name: str = "") -> None:
        self.history = {k: list(v) for k, v in history.items()}
        self.previous = previous or {}
        for key, line in self.previous_lines.items():
            line.set_label(f"{key} ({previous_name})" if previous_name else self.tr("{0} (previous)").format(key))
        self.redraw()

    def add_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        for key, value in logs.items():
            values = self.history.setdefault(key, [])
            values.extend([float("nan")] * (epoch - 1 - len(values)))
            values.append(value)
        self.redraw()

    def redraw(self) -> None:
        for key in METRIC_COLORS:
            values = self.history.get(key, [])
            self.lines[key].set_data(range(1, len(values) + 1), values)
            old = self.previous.get(key, [])
            self.previous_lines[key].set_data(range(1, len(old) + 1), old)
        visible = [line for line in (*self.lines.values(), *self.previous_lines.values()) if len(line.get_xdata())]
        self.axes.relim()
        self.axes.autoscale_view()
        legend = self.axes.get_legend()
        if legend is not None:
            legend.remove()
        if visible:
            self.axes.legend(handles=visible, fontsize=7, loc="upper right")
        self.fit_margins()
        self.draw_idle()

    def fit_margins(self) -> None:
        """Margins that keep the axis labels and tick labels inside the canvas at its current size."""
        width, height = self.figure.get_size_inches() * self.figure.dpi
        if width < 60 or height < 40:  # not laid out yet (a hidden dock): nothing sensible to fit
            return
        with warnings.catch_warnings():  # a canvas too small for any layout keeps the previous margins
            warnings.simplefilter("ignore", UserWarning)
            self.figure.tight_layout(pad=0.3)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_margins()
