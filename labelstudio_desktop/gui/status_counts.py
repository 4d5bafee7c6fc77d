"""The status bar's counts: images reviewed and still to review, verified and not, boxes and masks by state (read
from indexes: :mod:`..core.store.counts`). They give way to a message while one shows."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..core.editing.annotation_work import mask_counts
from ..core.store.store import Store
from .labels import ElidedLabel

COUNTS_WIDTH = 900  # the counts at most (elided in the middle; the whole text is their tooltip)


class CountsLabel(ElidedLabel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, max_width=COUNTS_WIDTH)
        self.setStyleSheet("padding-left: 8px; border-left: 1px solid palette(mid);")

    def show_counts(self, store: Store) -> None:
        c = store.review_counts()
        self.setText(self.tr(
            "images: {0} reviewed, {1} with proposals to review · {2} verified, {3} unverified · boxes: {4} pending, "
            "{5} accepted, {6} rejected, {7} edited").format(
            c["reviewed"], c["to_review"], c["verified"], c["unverified"], c["pending"], c["accepted"], c["rejected"],
            c["edited"]) + self._mask_counts_text(store))

    def _mask_counts_text(self, store: Store) -> str:
        m = mask_counts(store)
        if not any(m.values()):
            return ""
        return self.tr(" · masks: {0} pending, {1} accepted, {2} rejected, {3} edited").format(
            m["pending"], m["accepted"], m["rejected"], m["edited"])

    def give_way(self, message: str, window_width: int) -> None:
        """While a message shows, an eighth of the window at most; after it, their own width back."""
        self.setMaximumWidth(max(120, window_width // 8) if message else COUNTS_WIDTH)
