"""The main window: assembles the docks, the canvas, the actions and the status bar, and binds signals."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from ..core.store.opening_checks import later_opening_checks
from ..core.store.store import Store
from .annotation import AnnotationController
from .box_tools import BoxTools
from .browser import BrowserPanel
from .canvas import Canvas
from .class_list_dialog import show_class_list
from .dataset_map import DatasetMapDock
from .dialogs import CANVAS_GESTURES, ShortcutsDialog, is_text_entry
from .feature_jobs import FeatureJobs
from .import_dialog import import_annotations_dialog
from .labels import ElidedLabel
from .language import LanguageMenu
from .mask_actions import MaskActions
from .mistakes import MistakesDock
from .project_jobs import ProjectJobs
from .properties import PropertiesPanel
from .resources import app_icon, decorate
from .review import ReviewFlow
from .start_page import StartPage
from .status_counts import CountsLabel
from .thumbnails import ThumbnailLoader
from .undo import Editor
from .workers import JobRunner

if TYPE_CHECKING:  # imported when first shown: their plots and searches (matplotlib, scipy) slow the first paint
    from .duplicates import DuplicatesWindow
    from .training import TrainingPanel

MAX_RECENT = 8
WINDOW_STATE_VERSION = 1  # 1: the mask toolbar on a row of its own (an older saved layout is not restored)


class MainWindow(BoxTools, QMainWindow):
    #: The version its saved dock and toolbar layout is stored under (read by a rebuild in another language).
    state_version = WINDOW_STATE_VERSION

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        self.store: Store | None = None
        self.editor: Editor | None = None
        self.browser: BrowserPanel | None = None
        self.annotation: AnnotationController | None = None
        self.loader: ThumbnailLoader | None = None
        self.duplicates: DuplicatesWindow | None = None
        self.training: TrainingPanel | None = None
        self.setWindowTitle(self.tr("labelstudio-desktop"))
        self.resize(1280, 800)
        self.setWindowIcon(app_icon())

        self.canvas = Canvas(self)
        self.start_page = StartPage(self.recent_projects(), self)
        self.start_page.sig_open.connect(self.open_project)
        self.start_page.sig_open_folder.connect(self.choose_folder)
        self.start_page.sig_open_demo.connect(lambda: self.jobs.open_demo())
        self.center = QStackedWidget(self)
        self.center.addWidget(self.start_page)
        self.center.addWidget(self.canvas)
        self.setCentralWidget(self.center)

        self.properties = PropertiesPanel(self)
        self.browser_dock = self._dock(self.tr("Images"), "images", Qt.LeftDockWidgetArea, QWidget(self))
        self.properties_dock = self._dock(self.tr("Image and objects"), "properties", Qt.RightDockWidgetArea,
                                          self.properties)
        self.training_dock = self._dock(self.tr("Training"), "training", Qt.RightDockWidgetArea, QWidget(self))
        self.tabifyDockWidget(self.properties_dock, self.training_dock)
        self.properties_dock.raise_()
        self.resizeDocks([self.browser_dock, self.properties_dock], [330, 300], Qt.Horizontal)
        self.jobs = ProjectJobs(self)
        self.review = ReviewFlow(self)
        self._build_status_bar()
        self.features = FeatureJobs(self)  # after the status bar, to the right of the project jobs' progress
        self.opening_checks = JobRunner(self)  # what Store.open leaves for after the first paint (opening_checks.py)
        self.opening_checks.sig_done.connect(self._opening_checked)
        self.opening_checks.sig_failed.connect(lambda _title, message: self.statusBar().showMessage(
            self.tr("The check of the project's folders for links failed: {0}").format(message)))
        self.map = DatasetMapDock(self)
        self.mistakes = MistakesDock(self)
        self._build_actions()
        self._set_project_actions_enabled(False)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state, WINDOW_STATE_VERSION)
        self.training_dock.hide()  # empty until Train or Retrain opens it

    # ---------------------------------------------------------------- building
    def _dock(self, title: str, name: str, area, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _status_message_changed(self, text: str) -> None:
        """While a message shows, the counts beside it give way (an eighth of the window) and the status bar's
        tooltip holds the whole message; after it, the counts take their width back."""
        self.statusBar().setToolTip(text)
        self.counts_label.give_way(text, self.width())

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.counts_label = CountsLabel(self)
        self.cursor_label = QLabel(self)
        self.zoom_label = QLabel(self)
        self.job_label = ElidedLabel(self)
        self.save_error_label = ElidedLabel(self, max_width=600)
        self.save_error_label.setStyleSheet("color: white; background: #b3261e; padding: 1px 6px;")
        self.save_error_label.setVisible(False)
        bar.insertPermanentWidget(0, self.save_error_label)  # stays until the next save, past other messages
        self.job_progress = QProgressBar(self)
        self.job_progress.setMaximumWidth(180)
        self.job_cancel = QToolButton(self)
        self.job_cancel.setText(self.tr("Cancel"))
        self.job_cancel.clicked.connect(self.jobs.cancel)
        for w in (self.job_label, self.job_progress, self.job_cancel):
            w.setVisible(False)
        for w in (self.counts_label, self.cursor_label, self.zoom_label, self.job_label, self.job_progress,
                  self.job_cancel):
            bar.addPermanentWidget(w)
        bar.messageChanged.connect(self._status_message_changed)
        self.canvas.sig_cursor.connect(
            lambda x, y: self.cursor_label.setText(f"x {x}  y {y}" if x >= 0 else ""))
        self.canvas.sig_zoom_changed.connect(lambda s: self.zoom_label.setText(f"{s * 100:.0f}%"))

    def _action(self, text: str, slot, shortcut=None, tip: str = "", project: bool = True,
                canvas: bool = False) -> QAction:
        """An action of the window; with ``canvas`` its keys act only while the canvas has the focus (so typing in
        a field never labels, moves or switches images)."""
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        if canvas:
            action.setShortcutContext(Qt.WidgetShortcut)
            self.canvas.addAction(action)
        else:
            self.addAction(action)
        if project:
            self._project_actions.append(action)
        return action

    def _build_actions(self) -> None:
        self._project_actions: list[QAction] = [self.mistakes.action]
        a = self._action
        self.act_open = a(self.tr("Open"), self.choose_folder, QKeySequence.Open,
                          self.tr("Open a folder of images as a project"), project=False)
        self.act_import = a(self.tr("Import"), lambda: self.jobs.reimport(),
                            tip=self.tr("Re-import the project folder: new files in, changed ones refreshed"))
        self.act_duplicates = a(self.tr("Find duplicates"), self.show_duplicates, "Ctrl+Shift+D",
                                self.tr("Find exact and near duplicates, label conflicts and split leaks"))
        self.act_train = a(self.tr("Train"), self.show_training, "Ctrl+T", self.tr("Train a model in the background"))
        self.act_retrain = a(self.tr("Retrain"), self.retrain, "Ctrl+R",
                             self.tr("One click: retrain the last task from its model on the reviewed annotations"))
        self.act_propose = a(self.tr("Propose"), self.review.propose, "Ctrl+P",
                             self.tr("Proposals for review: masks from the U-Net when the project's work is masks; "
                                     "boxes from the detector once one is trained, from Grad-CAM before"))
        self.act_accept = a(self.tr("Accept proposal"), lambda: self.annotation.accept_selected(),
                            [Qt.Key_Return, Qt.Key_Enter], canvas=True)
        self.act_reject = a(self.tr("Reject proposal"), lambda: self.annotation.reject_selected(), "X", canvas=True)
        self.act_accept_all = a(self.tr("Accept all proposals on this image"), lambda: self.annotation.accept_all(),
                                ["Ctrl+Return", "Ctrl+Enter"], canvas=True)
        self.act_accept_score = a(self.tr("Accept all with score ≥ …"), self.review.accept_by_score)
        self.act_next_pending = a(self.tr("Next image with proposals"), self.review.next_pending, "N",
                                  canvas=True)
        self.act_next_to_review = a(self.tr("Next image to review"), self.review.next_to_review, "Shift+N",
                                    self.tr("The image the model is least sure about, least like those reviewed "
                                            "(Shift+N)"), canvas=True)
        self.act_calibrate = a(self.tr("Calibrate proposals from review"), self.review.calibrate,
                               tip=self.tr("Tune threshold, padding and layer on the boxes reviewed so far"))
        self.act_heatmap = a(self.tr("Heatmap"), self.review.toggle_heatmap, "G",
                             self.tr("Show the Grad-CAM heatmap (G)"), canvas=True)
        self.act_heatmap.setCheckable(True)
        self.act_import_masks = a(self.tr("Import masks…"), lambda: self.jobs.import_masks_dialog(),
                                  tip=self.tr("Import mask images from a folder, matched to the images by file name"))
        self.act_import_annotations = a(self.tr("Import annotations…"), lambda: import_annotations_dialog(self),
                                        tip=self.tr("Read boxes and masks from annotation files of another folder "
                                                    "or a file (VOC, YOLO, COCO, labelme, CVAT, Label Studio, "
                                                    "CreateML)"))
        self.act_export = a(self.tr("Export…"), lambda: self.jobs.export_dialog(), "Ctrl+E",
                            self.tr("Export: Pascal VOC, YOLO, a VOC segmentation set of the masks, crops, "
                                    "augmented copies"))
        self.act_classes = a(self.tr("Classes…"), lambda: show_class_list(self),
                             tip=self.tr("The project's classes in export order: add, rename, merge, reorder"))
        self.act_close = a(self.tr("Close project"), self.close_project, "Ctrl+W")
        self.act_quit = a(self.tr("Quit"), self.close, "Ctrl+Q", project=False)
        self.act_undo = a(self.tr("Undo"), lambda: self.editor and self.editor.undo(), QKeySequence.Undo)
        self.act_redo = a(self.tr("Redo"), lambda: self.editor and self.editor.redo(),
                          ["Ctrl+Shift+Z", "Ctrl+Y"])
        self.act_draw = a(self.tr("Draw box"), self._toggle_draw, "W", self.tr("Draw a box (W)"), canvas=True)
        self.act_draw.setCheckable(True)
        self.act_keep_drawing = a(self.tr("Stay in draw mode after a box"), self._set_keep_drawing, project=False,
                                  tip=self.tr("When off, the tool returns to selecting after each new box"))
        self.act_keep_drawing.setCheckable(True)
        self.act_keep_drawing.setChecked(self.settings.value("prefs/keep_drawing", False, type=bool))
        self.act_delete = a(self.tr("Delete box"), lambda: self.annotation.delete_selected(),
                            [QKeySequence.Delete, "Backspace"], canvas=True)
        self.act_duplicate_box = a(self.tr("Duplicate box"), lambda: self.annotation.duplicate_selected(), "Ctrl+D",
                                   canvas=True)
        self.act_relabel = a(self.tr("Change label"), lambda: self.annotation.relabel_selected(), "L", canvas=True)
        self.act_copy_prev = a(self.tr("Copy boxes from previous image"), self.copy_previous_boxes, "Ctrl+V",
                               canvas=True)
        self.act_hide = a(self.tr("Hide boxes"), self._toggle_boxes, "H", canvas=True)
        self.act_hide.setCheckable(True)
        self.act_show_rejected = a(self.tr("Show rejected proposals"), self._toggle_rejected)
        self.act_show_rejected.setCheckable(True)
        self.act_next = a(self.tr("Next image"), lambda: self.browser.step(1), "D", canvas=True)
        self.act_prev = a(self.tr("Previous image"), lambda: self.browser.step(-1), "A", canvas=True)
        self.act_next_unverified = a(self.tr("Next unverified image"), self.next_unverified, "Shift+D", canvas=True)
        self.act_verify = a(self.tr("Verify and next (keep proposals)"), self.verify_and_next,
                            tip=self.tr("Space on the canvas: pending proposals are accepted"))
        self.act_verify_reject = a(self.tr("Verify and next (reject proposals)"),
                                   lambda: self.verify_and_next(keep_proposals=False),
                                   tip=self.tr("Shift+Space on the canvas: pending proposals are rejected"))
        self.act_fit = a(self.tr("Fit"), self.canvas.fit, "F", canvas=True)
        self.act_actual = a(self.tr("1:1"), lambda: self.canvas.zoom_to(1.0), "Ctrl+0")
        self.act_help = a(self.tr("Shortcuts"), lambda: ShortcutsDialog(self.shortcut_rows(), self).exec(), "F1",
                          project=False)
        self.act_ask_label = a(self.tr("Ask for a label for each new box"), self._set_ask_label, project=False,
                               tip=self.tr("When off, new boxes get the image's class, else the last label "
                                           "used"))
        self.act_ask_label.setCheckable(True)
        self.act_ask_label.setChecked(self.settings.value("prefs/ask_label", True, type=bool))
        self.act_ask_always = a(self.tr("Ask for a label even when the image's class gives it"),
                                lambda on: self.settings.setValue("prefs/ask_label_always", bool(on)), project=False,
                                tip=self.tr("When off, a box drawn on an image whose class is a known label takes "
                                            "that label without a dialog"))
        self.act_ask_always.setCheckable(True)
        self.act_ask_always.setChecked(self.settings.value("prefs/ask_label_always", False, type=bool))
        self.class_actions = [a(self.tr("Class {0}").format(n), lambda _=False, n=n: self.set_nth_class(n), str(n),
                                canvas=True) for n in range(1, 10)]
        self.mask_actions = MaskActions(self)
        self.language = LanguageMenu(self)
        self.canvas.sig_space_tapped.connect(lambda shift: self.verify_and_next(keep_proposals=not shift))
        self.canvas.sig_box_drawn.connect(self._box_drawn)
        self.properties.add_box_actions([self.act_accept, self.act_reject, self.act_relabel, self.act_delete])

        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("toolbar-main")
        self.act_next_to_review.setIconText(self.tr("Next to review"))
        for action in (self.act_open, self.act_import, self.act_duplicates, self.act_train, self.act_retrain,
                       self.act_propose, self.act_next_to_review, self.act_export, None,
                       self.act_undo, self.act_redo, None,
                       self.act_draw, self.act_hide, self.act_heatmap, self.act_fit, self.act_actual, None,
                       self.act_help):
            toolbar.addSeparator() if action is None else toolbar.addAction(action)
        self.addToolBarBreak()
        self.mask_actions.add_toolbar()
        decorate(self)  # icons, keys in the tooltips, text under the icons
        menu = self.menuBar()
        for title, actions in (
            (self.tr("&Project"), [self.act_open, self.act_import, self.act_import_masks,
                                   self.act_import_annotations, self.act_duplicates,
                                   self.act_train, self.act_retrain, self.act_propose, self.act_export,
                                   self.act_classes, None, self.act_close, self.act_quit]),
            (self.tr("&Edit"), [self.act_undo, self.act_redo, None, self.act_draw, self.act_delete,
                                self.act_duplicate_box, self.act_relabel, self.act_copy_prev]),
            (self.tr("&Mask"), self.mask_actions.menu()),
            (self.tr("&Class"), self.class_actions),
            (self.tr("&Review"), [self.act_accept, self.act_reject, self.act_accept_all, self.act_accept_score,
                                  None, self.act_verify, self.act_verify_reject, None, self.act_next_pending,
                                  self.act_next_to_review, self.act_calibrate, None, self.mistakes.action]),
            (self.tr("&View"), [self.act_next, self.act_prev, self.act_next_unverified, None,
                                self.act_fit, self.act_actual, self.act_hide, self.act_show_rejected,
                                self.act_heatmap, None, self.map.action]),
            (self.tr("&Settings"), [self.act_ask_label, self.act_ask_always, self.act_keep_drawing, None,
                                    self.language.menu.menuAction()]),
            (self.tr("&Help"), [self.act_help]),
        ):
            m = menu.addMenu(title)
            for action in actions:
                m.addSeparator() if action is None else m.addAction(action)

    def _set_project_actions_enabled(self, on: bool) -> None:
        for action in self._project_actions:
            action.setEnabled(on)

    # ----------------------------------------------------------------- project
    def recent_projects(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _remember_project(self, path: str) -> None:
        recent = [p for p in self.recent_projects() if p != path]
        self.settings.setValue("recent", [path, *recent][:MAX_RECENT])
        self.settings.setValue("last_project", path)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a folder of images"))
        if folder:
            self.open_project(folder)

    def running_jobs(self) -> list[str]:
        """Titles of the background jobs running now (project jobs, training, duplicate search)."""
        runners = [self.jobs.runner]
        if self.training is not None:
            runners.append(self.training.runner)
        if self.duplicates is not None:
            runners.append(self.duplicates.runner)
        return [r.title or self.tr("a background job") for r in runners if r.busy()]

    def confirm_stop_jobs(self, action: str) -> bool:
        """Ask before ``action`` stops running jobs; True when nothing runs or the user agrees."""
        running = self.running_jobs()
        if not running:
            return True
        answer = QMessageBox.question(
            self, self.tr("Stop running jobs?"),
            self.tr("{0} is still running. {1} stops it; what it has not finished is lost.\n\nStop it and go on?")
            .format(", ".join(running), action), QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def stop_jobs(self) -> None:
        """Stop every background job of the window and wait for it (after :meth:`confirm_stop_jobs`)."""
        self.jobs.stop()
        self.features.stop()
        self.opening_checks.stop()
        if self.map.panel is not None:
            self.map.panel.stop()
        if self.mistakes.panel is not None:
            self.mistakes.panel.stop()
        for owner in (self.training, self.duplicates):
            if owner is not None:
                owner.runner.stop()

    def close_project(self) -> bool:
        """Close the project (after asking if a job runs) and show the start page."""
        if self.store is None or not self.confirm_stop_jobs(self.tr("Closing the project")):
            return False
        self._close_project()
        self.canvas.set_image(None, [])
        self.properties.show_image(None, [])
        self.browser_dock.setWidget(QWidget(self))
        self.browser = None
        self.start_page.set_recent(self.recent_projects())
        self.center.setCurrentWidget(self.start_page)
        self.setWindowTitle(self.tr("labelstudio-desktop"))
        self._set_project_actions_enabled(False)
        self._refresh_class_keys()
        for label in (self.counts_label, self.zoom_label, self.cursor_label, self.save_error_label):
            label.setText("")
        return True

    def open_project(self, folder: str, db: str | None = None) -> bool:
        """Open the project of ``folder``; a folder without one is imported first (in the background)."""
        if self.store is not None and not self.confirm_stop_jobs(self.tr("Opening another project")):
            return False
        self.stop_jobs()
        if Store.find_db(folder, db) is None:
            self.jobs.import_new(folder, db)
            return False
        try:
            store = Store.open(folder, db, checks_later=True)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            QMessageBox.warning(self, self.tr("Cannot open project"), str(exc))
            return False
        self._close_project()
        self.store = store
        self.editor = Editor(store, self)
        self.editor.stack.canUndoChanged.connect(self.act_undo.setEnabled)
        self.editor.stack.canRedoChanged.connect(self.act_redo.setEnabled)
        self.loader = ThumbnailLoader(store.db_path.parent / "thumbnails", self)
        self.browser = BrowserPanel(store, self.loader, self)
        self.browser_dock.setWidget(self.browser)
        self.annotation = AnnotationController(self.editor, self.canvas, self.properties, self.ask_label,
                                               lambda: self.act_ask_always.isChecked() and
                                               self.act_ask_label.isChecked())
        self.annotation.sig_message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.annotation.sig_image_reviewed.connect(self.review.image_reviewed)
        self.annotation.masks.sig_tool_changed.connect(self.mask_actions.show_tool)
        self.editor.sig_failed.connect(self._save_failed)
        self.browser.sig_activated.connect(self._show_image)
        self.editor.sig_changed.connect(self._store_changed)
        self.editor.sig_revisited.connect(self._revisit)
        self.center.setCurrentWidget(self.canvas)
        self.setWindowTitle(self.tr("{0} — labelstudio-desktop").format(Path(store.root).name))
        self._set_project_actions_enabled(True)
        self.act_undo.setEnabled(False)
        self.act_redo.setEnabled(False)
        self._remember_project(folder if db is None else str(store.db_path))
        QTimer.singleShot(0, self._update_counts)  # after the first paint
        self.map.project_opened()
        if not self.browser.step(1):
            self.annotation.show(-1)
        self._show_refusals()
        backup = not store.readonly
        self.opening_checks.start("opening checks", lambda job: later_opening_checks(store.db_path, store.root,
                                                                                       backup, job))
        return True

    def _show_refusals(self) -> None:
        if self.store.refusals:  # a crafted or damaged project: said until the next message (core/confine.py)
            self.statusBar().showMessage(self.tr(
                "{0} record(s) of this project refused: they point outside the project folder and are not used "
                "(labelstudio-desktop info lists them)").format(len(self.store.refusals)))

    def _opening_checked(self, _title: str, links) -> None:
        """The images found leading out through links after the first paint: refused, said, their rows redrawn."""
        if self.store is not None and self.store.refuse_links(links):
            self._show_refusals()
            self.browser.view.viewport().update()

    def show_training(self) -> None:
        if self.training is None:
            from .training import TrainingPanel

            self.training = TrainingPanel(self.store, self)
            self.training.sig_show_image.connect(self.browser.select_id)
            self.training_dock.setWidget(self.training)
            wide = min(self.training.wanted_width(), self.width() // 3)  # the image keeps most of the window
            if self.training_dock.width() < wide:
                self.resizeDocks([self.training_dock], [wide], Qt.Horizontal)
        self.training_dock.show()
        self.training_dock.raise_()

    def retrain(self) -> None:
        self.show_training()
        self.training.retrain()

    def show_duplicates(self) -> None:
        if self.duplicates is None:
            from .duplicates import DuplicatesWindow

            self.duplicates = DuplicatesWindow(self.editor, self)
            self.duplicates.sig_show_image.connect(self.browser.select_id)
        self.duplicates.show()
        self.duplicates.raise_()
        if self.duplicates.result is None and not self.duplicates.runner.busy():
            self.duplicates.start()

    def _close_project(self) -> None:
        self.stop_jobs()  # the user agreed (confirm_stop_jobs) or nothing runs
        if self.training is not None:
            self.training.deleteLater()
            self.training = None
        self.training_dock.setWidget(QWidget(self))
        self.training_dock.hide()  # never an empty dock over half the window
        if self.duplicates is not None:
            self.duplicates.close()
            self.duplicates.deleteLater()
            self.duplicates = None
        self.map.project_closed()
        self.mistakes.project_closed()
        if self.loader is not None:
            self.loader.shutdown()
        if self.browser is not None:
            self.browser.project_closed()
        if self.annotation is not None:
            self.annotation.detach()
            self.mask_actions.show_tool("")
        if self.store is not None:
            self.store.close()
        self.store = self.editor = self.annotation = self.loader = None

    # ------------------------------------------------------------- navigation
    def _show_image(self, image_id: int) -> None:
        self.annotation.show(image_id)
        self._refresh_class_keys()
        if not is_text_entry(QApplication.focusWidget()):  # never take the keys from a field the user types in
            self.canvas.setFocus()

    def _refresh_class_keys(self) -> None:
        """The Class menu and the panel's legend say which class each digit key sets."""
        classes = self.store.class_keys()[:len(self.class_actions)] if self.store else []
        for n, action in enumerate(self.class_actions):
            action.setText(self.tr("Class {0}: {1}").format(n + 1, classes[n]) if n < len(classes) else
                           self.tr("Class {0}").format(n + 1))
            action.setVisible(n < len(classes))
        self.properties.show_class_keys(classes)

    def _save_failed(self, text: str) -> None:
        self.save_error_label.setText(text)
        self.save_error_label.setToolTip(text)
        self.save_error_label.setVisible(True)

    def _store_changed(self, image_id: int) -> None:
        """After any edit, undo or redo: refresh that row, the counts and the class keys."""
        self.save_error_label.setVisible(False)
        self._refresh_class_keys()
        if image_id >= 0:
            self.browser.model.refresh(image_id)
        else:
            self.browser.model.reload()
            self.browser.refresh_classes()  # e.g. a class renamed or merged
        self._update_counts()

    def _revisit(self, image_id: int) -> None:
        """Undo and redo show the image they touched."""
        if image_id >= 0 and (self.annotation.image is None or self.annotation.image.id != image_id):
            self.browser.select_id(image_id)

    def _update_counts(self) -> None:
        if self.store is not None:
            self.counts_label.show_counts(self.store)

    def next_unverified(self) -> None:
        if not self.browser.step(1, lambda r: r.status != "verified"):
            self.statusBar().showMessage(self.tr("No unverified image after this one"), 4000)

    def verify_and_next(self, keep_proposals: bool = True) -> None:
        """Space: the image is right as shown (its proposals kept); Shift+Space: its proposals rejected."""
        if self.annotation is None or self.annotation.image is None:
            return
        decided = self.annotation.verify(keep_proposals)
        if decided < 0:
            return
        if decided:
            message = (self.tr("Verified with {0} proposals accepted") if keep_proposals
                       else self.tr("Verified with {0} proposals rejected")).format(decided)
            self.statusBar().showMessage(message, 4000)
        self.browser.step(1)

    def set_nth_class(self, n: int) -> None:
        classes = self.store.class_keys() if self.store else []
        if self.annotation is not None and 0 < n <= len(classes):
            self.annotation.set_class(classes[n - 1])

    def copy_previous_boxes(self) -> None:
        index = self.browser.view.currentIndex()
        if not index.isValid() or index.row() == 0:
            return
        previous = self.browser.model.id_at(index.row() - 1)
        count = self.annotation.copy_boxes_from(previous)
        self.statusBar().showMessage(self.tr("Copied {0} boxes").format(count), 4000)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every key of the window (from its actions, as they are bound now) and the canvas's mouse gestures."""
        rows = []
        for action in [*self.actions(), *self.canvas.actions()]:
            keys = ", ".join(k.toString(QKeySequence.NativeText) for k in action.shortcuts())
            if keys and action.isVisible():
                rows.append((keys, action.text().replace("&", "")))
        return rows + [(QCoreApplication.translate("Shortcuts", k), QCoreApplication.translate("Shortcuts", v))
                       for k, v in CANVAS_GESTURES]

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_stop_jobs(self.tr("Quitting")):
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(WINDOW_STATE_VERSION))
        self.settings.sync()
        self._close_project()
        super().closeEvent(event)

    def wait_idle(self, timeout_ms: int = 10000) -> None:
        """Let pending thumbnails finish (used by --screenshot)."""
        if self.loader is not None:
            self.loader.pool.waitForDone(timeout_ms)
