"""Reviewing proposals: propose from the toolbar, move from proposal to proposal and image to image, accept by
score with a stated scope, calibrate. The window builds the actions; this object holds what they do."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
)

from ..core.boxes.review_cost import SECONDS_METRIC
from ..core.editing.annotation_work import annotation_work, images_with_pending_masks
from ..core.editing.commands import Compound, UpdateBox, verifying
from ..core.editing.review_order import review_order
from ..core.store.runs import last_run
from .process_job import in_process


def proposal_job(store) -> tuple[str, str, dict]:
    """(title, function, options) of what Propose runs: U-Net masks (without boxes: the review is of masks) when the
    project's work is masks and a U-Net is trained, else boxes."""
    if annotation_work(store) == "masks" and last_run(store, "segment") is not None:
        return (QCoreApplication.translate("ReviewFlow", "Proposing masks"),
                "labelstudio_desktop.ml.propose:propose_masks", {"boxes": "none"})
    return (QCoreApplication.translate("ReviewFlow", "Proposing boxes"), "labelstudio_desktop.ml.propose:propose",
            {"multi": True})


class AcceptByScoreDialog(QDialog):
    """Minimum score and scope (this image or every image), each with the number of proposals it accepts."""

    def __init__(self, store, image_id: int | None, parent=None, minimum: float = 0.8):
        super().__init__(parent)
        self.store, self.image_id = store, image_id
        self.setWindowTitle(self.tr("Accept proposals by score"))
        self.score = QDoubleSpinBox(self)
        self.score.setRange(0.0, 1.0)
        self.score.setSingleStep(0.05)
        self.score.setDecimals(2)
        self.score.setValue(minimum)
        self.this_image = QRadioButton(self)
        self.all_images = QRadioButton(self)
        group = QButtonGroup(self)
        for button in (self.this_image, self.all_images):
            group.addButton(button)
        (self.this_image if image_id is not None else self.all_images).setChecked(True)
        self.this_image.setEnabled(image_id is not None)
        self.summary = QLabel(self)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Minimum score"), self.score)
        form.addRow(self.this_image)
        form.addRow(self.all_images)
        form.addRow(self.summary)
        form.addRow(buttons)
        self.score.valueChanged.connect(self._count)
        group.buttonToggled.connect(lambda *_: self._count())
        self._count()

    def chosen(self) -> list:
        """The pending proposals the current choice accepts."""
        minimum = self.score.value()
        image = self.image_id if self.this_image.isChecked() else None
        return [b for b in self.store.boxes(image, states=("pending",)) if (b.score or 0.0) >= minimum]

    def _count(self) -> None:
        minimum = self.score.value()
        pending = [b for b in self.store.boxes(states=("pending",)) if (b.score or 0.0) >= minimum]
        here = [b for b in pending if b.image_id == self.image_id]
        self.this_image.setText(self.tr("On this image: {0} proposals").format(len(here)))
        self.all_images.setText(self.tr("On every image: {0} proposals on {1} images").format(
            len(pending), len({b.image_id for b in pending})))
        self.summary.setText(self.tr("{0} proposals will be accepted (one undo step).").format(len(self.chosen())))


class ReviewFlow(QObject):
    """What the review actions of the window do; ``window`` gives the store, editor, browser and annotation."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def propose(self) -> bool:
        """Proposals for every unverified image, in a child process, then review: masks from the U-Net when the
        project's work is masks and a U-Net is trained; else boxes (Grad-CAM, one box per region, before there is a
        detector; then whichever of the two is measured better on reviewed images the detector did not train on,
        the other where it finds nothing, pending proposals kept unless their source is measured worse). With one
        class per image, the image's class labels its boxes."""
        w = self.window
        title, target, options = proposal_job(w.store)
        return w.jobs.start(title, in_process(target, db_path=str(w.store.db_path), **options), self._proposed)

    def _proposed(self, report) -> None:
        w = self.window
        w.browser.model.reload()
        if w.annotation.image is not None:
            w.annotation.show(w.annotation.image.id)
        w._update_counts()
        if report.source == "unet":
            pending = len(images_with_pending_masks(w.store))
            w.statusBar().showMessage(self.tr(
                "Mask proposals from the U-Net on {0} of {1} images: Shift+Enter accepts, Shift+X rejects, the brush "
                "corrects. N: next image with proposals.").format(pending, report.images), 30000)
            return
        names = {"detector": self.tr("the detector"), "gradcam": self.tr("Grad-CAM")}
        source = names.get(report.source, report.source)
        with_boxes = len({p.image for p in report.proposals})
        parts = [self.tr("{0} proposals on {1} of {2} images, from {3}").format(
            len(report.proposals), with_boxes, report.images, source) + self.source_choice(report, names)]
        if report.fallback:
            parts.append(self.tr("{0} images from {1}, where {2} found nothing").format(
                report.fallback, names.get(report.other, report.other), source))
        if report.kept_pending:
            parts.append(self.tr("pending proposals kept on {0} images").format(report.kept_pending))
        parts.append(self.tr("N: next image with proposals"))
        if report.without_box:
            path, reason = report.without_box[0]
            parts.append(self.tr("{0} without: e.g. {1}: {2}").format(len(report.without_box), path, reason))
        w.statusBar().showMessage(" · ".join(parts), 30000)  # the most telling first: the tooltip has it all

    def source_choice(self, report, names: dict[str, str]) -> str:
        """Why the report's source proposed, with the figures (empty with one source)."""
        if not getattr(report, "other", ""):
            return ""
        other = names.get(report.other, report.other)
        if report.scores:
            return " " + self.tr("(F1 {0:.2f} against {1}'s {2:.2f} on {3} reviewed images the detector did not train "
                                 "on)").format(report.scores[report.source], other, report.scores[report.other],
                                               report.held_out)
        return " " + self.tr("(not compared with {0} yet: no reviewed image the detector did not train on)").format(
            other)

    def calibrate(self) -> bool:
        w = self.window
        job = in_process("labelstudio_desktop.ml.calibrate:calibrate", db_path=str(w.store.db_path))
        return w.jobs.start(self.tr("Calibrating proposals"), job, self._calibrated)

    def _calibrated(self, result) -> None:
        p = result.params
        if "layer_name" in p:  # Grad-CAM
            then = self.tr("The next proposals use threshold {0:.2f}, padding {1:.2f}, layer {2}.").format(
                p["threshold"], p["padding"], p["layer_name"])
        else:
            then = self.tr("The next proposals keep detections scoring {0:.2f} or more.").format(p["threshold"])
        metric = {SECONDS_METRIC: self.tr("your seconds per box, lower is better")}.get(result.metric,
                                                                                       self.tr("mean best IoU"))
        if result.metric != SECONDS_METRIC:
            scope = ""
        elif result.unseen:
            scope = "\n" + self.tr("Measured on {0} reviewed images the detector did not train on.").format(
                result.images)
        else:
            scope = "\n" + self.tr("Measured on {0} reviewed images, some of which the detector trained on: the "
                                   "figures lean optimistic.").format(result.images)
        QMessageBox.information(self.window, self.tr("Calibration"), self.tr(
            "Proposals against your reviewed boxes ({0}): {1:.3f} before, {2:.3f} after (cross-validated).").format(
            metric, result.before, result.after) + scope + "\n" + then)

    def next_pending(self) -> bool:
        """The next image with pending box or mask proposals."""
        w = self.window
        masks = images_with_pending_masks(w.store)
        if not w.browser.step(1, lambda r: r.pending > 0 or r.id in masks):
            w.statusBar().showMessage(self.tr("No image with pending proposals after this one"), 4000)
            return False
        return True

    def next_to_review(self) -> bool:
        """Among the images still to review that the browser lists, the one the model is least sure about and least
        like those reviewed (core.editing.review_order), other than the one shown."""
        w = self.window
        shown = w.annotation.image.id if w.annotation is not None and w.annotation.image is not None else None
        for image_id in review_order(w.store).ids:
            if image_id != shown and w.browser.listed(image_id):
                return w.browser.select_id(image_id)
        w.statusBar().showMessage(self.tr("No other image to review in the list"), 4000)
        return False

    def image_reviewed(self) -> None:
        """The last proposal of the image was decided: on to the next image with proposals."""
        self.next_pending()

    def accept_by_score(self) -> int:
        w = self.window
        image = w.annotation.image.id if w.annotation.image is not None else None
        dialog = AcceptByScoreDialog(w.store, image, w)
        if not dialog.exec():
            return 0
        chosen = dialog.chosen()
        if chosen:
            w.editor.push(Compound(self.tr("accept {0} proposals").format(len(chosen)),  # finished images: verified
                                   verifying(w.store, [UpdateBox(w.store, b.id, state="accepted") for b in chosen])))
            w.browser.model.reload()
        w.statusBar().showMessage(self.tr("{0} proposals accepted").format(len(chosen)), 6000)
        return len(chosen)

    def toggle_heatmap(self, on: bool) -> None:
        w = self.window
        w.canvas.overlay_visible = on
        if w.annotation is not None:
            w.annotation.refresh_overlay()
