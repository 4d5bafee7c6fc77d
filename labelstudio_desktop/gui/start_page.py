"""The page shown without a project: open a folder, a recent project, or the demo."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget


class StartPage(QWidget):
    sig_open = Signal(str)
    sig_open_folder = Signal()
    sig_open_demo = Signal()

    def __init__(self, recent: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        title = QLabel(self.tr("<h2>labelstudio-desktop</h2>Clean, annotate, train on and export image datasets."),
                       self)
        title.setAlignment(Qt.AlignCenter)
        open_folder = QPushButton(self.tr("Open a folder of images…"), self)
        open_folder.clicked.connect(self.sig_open_folder)
        open_demo = QPushButton(self.tr("Open the demo project"), self)
        open_demo.clicked.connect(self.sig_open_demo)
        self.recent = QListWidget(self)
        self.set_recent(recent)
        self.recent.itemActivated.connect(lambda item: self.sig_open.emit(item.text()))
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        for w in (open_folder, open_demo):
            layout.addWidget(w, 0, Qt.AlignHCenter)
        layout.addWidget(QLabel(self.tr("Recent projects"), self), 0, Qt.AlignHCenter)
        layout.addWidget(self.recent, 1)
        layout.addStretch(1)

    def set_recent(self, recent: list[str]) -> None:
        self.recent.clear()
        self.recent.addItems(recent)
