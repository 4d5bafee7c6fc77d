"""The Export dialog: every format of ``labelstudio-desktop export``, each with only the options it takes.

The formats, who reads them and their options come from :data:`..core.transfer.export_formats.EXPORT_FORMATS`, the
list the command line shows too. The dialog gathers an :class:`ExportChoice`; :func:`run_export` hands it to the
core (in a background job, see :class:`.project_jobs.ProjectJobs`), which writes inside the chosen folder only. The
folder and the format are remembered in QSettings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from ..core.formats.masks import MASK_LAYOUTS
from ..core.formats.voc import VOC_YEAR, export_voc
from ..core.formats.writing import ExportReport
from ..core.jobs import JobToken
from ..core.store.store import Store
from ..core.transfer.export_formats import EXPORT_FORMATS, export_more

FOLDER_KEY = "export/folder/{0}"  # per project (its database path's digest): never another project's folder
FORMAT_KEY = "export/format"


@dataclass
class ExportChoice:
    """What the user chose: the core's export arguments (as ``labelstudio-desktop export`` takes them)."""

    out: Path
    fmt: str = "voc"  # voc or one of export_formats.FORMATS
    layout: str = "labelimg"  # voc: labelimg | vocdevkit; masks: flat | vocdevkit
    include_pending: bool = False
    overwrite: bool = False
    crop_source: str = "boxes"
    cutout: bool = False
    padding: float = 0.1
    border: int = 0
    variants: int = 4
    mask_format: str = "rle"  # coco: rle | polygons

    def written_to(self) -> Path:
        """The folder the files land in (the layout's sub-folder for a VOCdevkit)."""
        if self.layout == "vocdevkit" and self.fmt == "voc":
            return self.out / "VOCdevkit" / VOC_YEAR
        if self.layout == "vocdevkit" and self.fmt == "masks":
            return self.out / MASK_LAYOUTS["vocdevkit"]
        return self.out


def run_export(store: Store, choice: ExportChoice, job: JobToken | None = None) -> ExportReport:
    """Export the project as ``choice`` says (raises :class:`..core.export.ExportError` when it cannot)."""
    if choice.fmt == "voc":
        return export_voc(store, choice.out, choice.layout, choice.include_pending, choice.overwrite, job)
    return export_more(store, choice.out, choice.fmt, include_pending=choice.include_pending,
                       overwrite=choice.overwrite, variants=choice.variants, padding=choice.padding, job=job,
                       crop_source=choice.crop_source, cutout=choice.cutout, border=choice.border,
                       layout=choice.layout, mask_format=choice.mask_format)


#: The titles and reader lines of core's export formats, marked for translation here (core has no Qt, and lupdate
#: cannot read a variable); tests/gui/test_translations.py checks them against EXPORT_FORMATS.
FORMAT_TEXTS = {
    "voc": (QT_TRANSLATE_NOOP("ExportDialog", "Pascal VOC (boxes)"),
            QT_TRANSLATE_NOOP("ExportDialog", "XML per image, read by labelImg, CVAT and Datumaro (with labelmap.txt), "
                                              "TensorFlow's VOC scripts, keras-yolo3, torchvision.")),
    "yolo": (QT_TRANSLATE_NOOP("ExportDialog", "YOLO (boxes)"),
             QT_TRANSLATE_NOOP("ExportDialog", "images/{split}, labels/{split} and data.yaml that Ultralytics trains "
                                               "on; classes.txt beside the labels for labelImg and darknet.")),
    "yolov3": (QT_TRANSLATE_NOOP("ExportDialog", "YOLOv3-keras (boxes)"),
               QT_TRANSLATE_NOOP("ExportDialog", "train.txt, val.txt, test.txt of keras-yolo3 annotation lines with "
                                                 "upright JPEG copies and classes.txt.")),
    "coco": (QT_TRANSLATE_NOOP("ExportDialog", "COCO JSON (boxes and masks)"),
             QT_TRANSLATE_NOOP("ExportDialog", "annotations/instances_{split}.json and images/{split}: pycocotools, "
                                               "Detectron2, MMDetection, CVAT.")),
    "labelme": (QT_TRANSLATE_NOOP("ExportDialog", "labelme JSON (boxes and masks)"),
                QT_TRANSLATE_NOOP("ExportDialog", "A JSON and an upright JPEG per image: rectangles and polygons that "
                                                  "labelme opens.")),
    "masks": (QT_TRANSLATE_NOOP("ExportDialog", "VOC segmentation set (masks)"),
              QT_TRANSLATE_NOOP("ExportDialog", "Read by torchvision's VOCSegmentation, TensorFlow DeepLab, Datumaro "
                                                "and CVAT.")),
    "crops": (QT_TRANSLATE_NOOP("ExportDialog", "Crops (label trimming)"),
              QT_TRANSLATE_NOOP("ExportDialog", "A PNG per box or mask part, a folder per label: a classifier's "
                                                "training folders.")),
    "augmented": (QT_TRANSLATE_NOOP("ExportDialog", "Augmented copies"),
                  QT_TRANSLATE_NOOP("ExportDialog", "Transformed copies of each image with its boxes (VOC XML) and "
                                                    "masks: more training data.")),
}


class ExportDialog(QDialog):
    """Format (with who reads it), its options, and the output folder."""

    def __init__(self, settings: QSettings, root: Path, db_path: Path, parent: QWidget | None = None):
        """A dialog for the project of image folder ``root`` and database ``db_path``: the folder first offered is
        ``<root>-export`` beside ``root``, then the last one this project exported into."""
        super().__init__(parent)
        self.settings = settings
        self.folder_key = FOLDER_KEY.format(hashlib.sha1(str(db_path).encode()).hexdigest()[:16])
        default_folder = root.parent / f"{root.name}-export"
        self.setWindowTitle(self.tr("Export"))
        self.setMinimumWidth(680)
        self.format = QComboBox(self)
        for fmt in EXPORT_FORMATS.values():
            title, readers = FORMAT_TEXTS.get(fmt.key, (fmt.title, fmt.readers))
            self.format.addItem(self.tr(title), fmt.key)
            self.format.setItemData(self.format.count() - 1, self.tr(readers), Qt.ToolTipRole)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.layout_box = QComboBox(self)
        self.border = QSpinBox(self)
        self.border.setRange(0, 64)
        self.border.setSuffix(self.tr(" px"))
        self.border.setSpecialValueText(self.tr("none"))
        self.border.setToolTip(self.tr("Pixels within this distance of a region's edge get index 255 ('void'), "
                                       "which VOC trainers ignore"))
        self.source = QComboBox(self)
        self.source.addItem(self.tr("Boxes: each box's region"), "boxes")
        self.source.addItem(self.tr("Masks: each connected part of each mask"), "masks")
        self.cutout = QCheckBox(self.tr("Cut out: transparent background (PNG with alpha from the mask)"), self)
        self.padding = QSpinBox(self)
        self.padding.setRange(0, 200)
        self.padding.setSingleStep(5)
        self.padding.setValue(10)
        self.padding.setSuffix(self.tr(" % of its size on each side"))
        self.variants = QSpinBox(self)
        self.variants.setRange(1, 50)
        self.variants.setValue(4)
        self.variants.setSuffix(self.tr(" per image"))
        self.mask_format = QComboBox(self)
        self.mask_format.addItem(self.tr("Run-length encoding (exact)"), "rle")
        self.mask_format.addItem(self.tr("Polygons (outlines: holes are lost)"), "polygons")
        self.pending = QCheckBox(self.tr("Include pending proposals"), self)
        self.overwrite = QCheckBox(self.tr("Replace files that already exist"), self)
        self.folder = QLineEdit(str(settings.value(self.folder_key, str(default_folder))), self)
        self.folder.setPlaceholderText(self.tr("The folder to write into"))
        browse = QToolButton(self)
        browse.setText(self.tr("Browse…"))
        browse.clicked.connect(self.browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.hint = QLabel(self)
        self.hint.setStyleSheet("color: #b3261e;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.buttons.button(QDialogButtonBox.Ok).setText(self.tr("Export"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout(self)
        self.form.addRow(self.tr("Format"), self.format)
        self.form.addRow(self.description)
        self.rows = {"layout": self.layout_box, "border": self.border, "source": self.source,
                     "cutout": self.cutout, "padding": self.padding, "variants": self.variants,
                     "mask_format": self.mask_format}
        for name, title in (("layout", self.tr("Layout")), ("border", self.tr("Border band")),
                            ("source", self.tr("Crop")), ("cutout", ""), ("padding", self.tr("Padding")),
                            ("variants", self.tr("Copies")), ("mask_format", self.tr("Masks as"))):
            self.form.addRow(title, self.rows[name]) if title else self.form.addRow(self.rows[name])
        self.form.addRow(self.pending)
        self.form.addRow(self.overwrite)
        self.form.addRow(self.tr("Into folder"), folder_row)
        self.form.addRow(self.hint)
        self.form.addRow(self.buttons)

        self.format.currentIndexChanged.connect(self._format_changed)
        self.source.currentIndexChanged.connect(self._source_changed)
        self.folder.textChanged.connect(self._check_folder)
        remembered = self.format.findData(settings.value(FORMAT_KEY, "voc"))
        self.format.setCurrentIndex(max(remembered, 0))
        self._format_changed()
        self._source_changed()
        self._check_folder()

    def _layout_title(self, fmt: str, key: str) -> str:
        titles = {("voc", "labelimg"): self.tr("labelImg: an XML per image, in a copy of the folder tree"),
                  ("voc", "vocdevkit"): self.tr("VOCdevkit/{0}: Annotations, JPEGImages, ImageSets").format(VOC_YEAR),
                  ("masks", "flat"): self.tr("Into the folder itself (as Datumaro and CVAT write it)"),
                  ("masks", "vocdevkit"): self.tr("{0} (where torchvision's VOCSegmentation looks)").format(
                      MASK_LAYOUTS["vocdevkit"])}
        return titles.get((fmt, key), key)

    # ------------------------------------------------------------------ state
    def fmt(self) -> str:
        return self.format.currentData()

    def _format_changed(self) -> None:
        fmt = self.fmt()
        self.description.setText(self.format.itemData(self.format.currentIndex(), Qt.ToolTipRole))
        for name, widget in self.rows.items():
            self.form.setRowVisible(widget, name in EXPORT_FORMATS[fmt].options)
        current = self.layout_box.currentData()
        self.layout_box.clear()
        for key in EXPORT_FORMATS[fmt].choices.get("layout", ()):
            self.layout_box.addItem(self._layout_title(fmt, key), key)
        self.layout_box.setCurrentIndex(max(self.layout_box.findData(current), 0))
        self.adjustSize()

    def _source_changed(self) -> None:
        """A box has no outline to cut along: cut-out needs masks."""
        masks = self.source.currentData() == "masks"
        self.cutout.setEnabled(masks)
        if not masks:
            self.cutout.setChecked(False)
        self.cutout.setToolTip("" if masks else self.tr("Crops from masks only: a box has no outline to cut along"))

    def _check_folder(self) -> None:
        text = self.folder.text().strip()
        path = Path(text).expanduser()
        problem = ""
        if not text:
            problem = self.tr("Choose the folder to write into.")
        elif not path.is_absolute():
            problem = self.tr("Give the folder's full path (or choose it with Browse…).")
        elif path.exists() and not path.is_dir():
            problem = self.tr("{0} is a file, not a folder.").format(path)
        self.hint.setText(problem)
        self.hint.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(not problem)

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export into folder"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def choice(self) -> ExportChoice:
        fmt = self.fmt()
        return ExportChoice(
            out=Path(self.folder.text().strip()).expanduser(), fmt=fmt,
            layout=self.layout_box.currentData() or ("labelimg" if fmt == "voc" else "flat"),
            include_pending=self.pending.isChecked(), overwrite=self.overwrite.isChecked(),
            crop_source=self.source.currentData(), cutout=self.cutout.isChecked() and self.cutout.isEnabled(),
            padding=self.padding.value() / 100, border=self.border.value(), variants=self.variants.value(),
            mask_format=self.mask_format.currentData())

    def accept(self) -> None:
        if not self.buttons.button(QDialogButtonBox.Ok).isEnabled():
            return  # Enter in the folder field with no usable folder
        self.settings.setValue(self.folder_key, str(self.choice().out))
        self.settings.setValue(FORMAT_KEY, self.fmt())
        super().accept()


#: The CLI's words in core messages, as the dialog says them (the core speaks to the command line).
APP_WORDS = (
    ("pass --include-pending", QT_TRANSLATE_NOOP("ExportDialog", "tick \u201cInclude pending proposals\u201d")),
    ("pass --overwrite", QT_TRANSLATE_NOOP("ExportDialog", "tick \u201cReplace files that already exist\u201d")),
    ("import mask images (`labelstudio-desktop import FOLDER --masks DIR`)",
     QT_TRANSLATE_NOOP("ExportDialog", "import mask images (Project > Import masks\u2026)")),
)


def app_wording(message: str) -> str:
    """A core export message with the command line's options replaced by the dialog's."""
    for cli, app in APP_WORDS:
        message = message.replace(cli, QCoreApplication.translate("ExportDialog", app))
    return message
