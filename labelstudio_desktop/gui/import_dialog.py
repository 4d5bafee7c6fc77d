"""Project > Import annotations…: read annotation files from another folder (or one file) into the open project.

The operator picks a folder or a file and a format (found automatically, or one of :data:`..core.importer.FORMATS`);
the import runs in the background (:meth:`.project_jobs.ProjectJobs.import_annotations`) as a re-import of the
project's images with those files: boxes and masks of images nobody has worked on are added or refreshed, the
operator's work is never overwritten (a conflict is reported), and every problem is listed by file at the end.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.transfer.importer import FORMATS

CONTEXT = "ImportAnnotationsDialog"
#: A readable title for every ``import --format`` value, in the order the list shows them.
FORMAT_TITLES = {
    "auto": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "Find the format automatically"),
    "voc": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "Pascal VOC XML (labelImg, CVAT, Datumaro)"),
    "yolo": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "YOLO txt (darknet, labelImg, Ultralytics data.yaml)"),
    "coco": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "COCO JSON (boxes, polygons, RLE masks)"),
    "labelme": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "labelme JSON (rectangles, polygons)"),
    "cvat": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "CVAT for images XML"),
    "labelstudio": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "Label Studio JSON"),
    "createml": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "CreateML JSON"),
    "vocdevkit": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "VOCdevkit (VOC2007/VOC2012 folders)"),
    "cifar": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "CIFAR python batches"),
    "classes": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "One folder per class (image classes)"),
    "flat": QT_TRANSLATE_NOOP("ImportAnnotationsDialog", "Images only, no annotations"),
}


def format_title(key: str) -> str:
    return QCoreApplication.translate(CONTEXT, FORMAT_TITLES.get(key, key))


class ImportAnnotationsDialog(QDialog):
    """Where the annotations are (a folder or a file) and their format."""

    def __init__(self, start: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import annotations"))
        self.start = start
        self.path = QLineEdit(self)
        self.path.setPlaceholderText(self.tr("A folder of annotation files, or one file"))
        self.path.textChanged.connect(self._update)
        self.folder_button = QPushButton(self.tr("Folder…"), self)
        self.file_button = QPushButton(self.tr("File…"), self)
        self.folder_button.clicked.connect(self.choose_folder)
        self.file_button.clicked.connect(self.choose_file)
        for button in (self.folder_button, self.file_button):
            button.setAutoDefault(False)
        self.format = QComboBox(self)
        for key in sorted(FORMATS, key=lambda k: list(FORMAT_TITLES).index(k) if k in FORMAT_TITLES else 99):
            self.format.addItem(format_title(key), key)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.buttons.button(QDialogButtonBox.Ok).setText(self.tr("Import"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.folder_button)
        row.addWidget(self.file_button)
        form = QFormLayout()
        form.addRow(self.tr("Annotations:"), row)
        form.addRow(self.tr("Format:"), self.format)
        layout = QVBoxLayout(self)
        self.description = QLabel(self.tr(
            "Boxes and masks these files give the project's images are added, or refreshed where nobody has worked "
            "on the image yet; verified images and edited annotations are kept and reported as conflicts. "
            "Pascal VOC and YOLO read a folder; the JSON and CVAT formats read a folder or one file."), self)
        self.description.setWordWrap(True)  # one long line made the dialog about 1750 px wide
        layout.addWidget(self.description)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(620, 220)
        self._update()

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder of annotation files"),
                                                  self.path.text() or self.start)
        if folder:
            self.path.setText(folder)

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Annotation file"), self.path.text() or self.start,
                                              self.tr("Annotation files (*.json *.xml *.txt *.yaml *.yml);;"
                                                      "All files (*)"))
        if name:
            self.path.setText(name)

    def choice(self) -> tuple[str, str]:
        """(the folder or file, the format key)."""
        return self.path.text().strip(), self.format.currentData()

    def _update(self) -> None:
        text = self.path.text().strip()
        ok = bool(text) and Path(text).exists()
        self.message.setText("" if ok or not text else self.tr("{0} does not exist").format(text))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)


def import_annotations_dialog(window) -> ImportAnnotationsDialog | None:
    """Ask where and what, then run the import on ``window``'s project (modal, so the project stays open)."""
    if window.store is None:
        return None
    start = window.settings.value("import/annotations", str(window.store.root.parent))
    dialog = ImportAnnotationsDialog(start, window)

    def accepted():
        path, fmt = dialog.choice()
        window.settings.setValue("import/annotations", path)
        window.jobs.import_annotations(path, fmt)

    dialog.accepted.connect(accepted)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.open()
    return dialog
