"""The app's resources: the icon set, the app icon and the compiled translations.

They live in the top-level ``resources/`` folder of the source tree; a wheel ships them inside the package as
``labelstudio_desktop/resources`` (``setup.py`` copies them at build time). The installed copy wins, the source tree is
the fallback (an editable install, or running from a checkout).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QToolBar

APP_ID = "labelstudio-desktop"
_PACKAGE = Path(__file__).resolve().parent.parent
TOOLBAR_ICON_SIZE = QSize(20, 20)


@cache
def resources_dir() -> Path:
    """``labelstudio_desktop/resources`` when installed from a wheel, else ``resources/`` of the source tree."""
    installed = _PACKAGE / "resources"
    return installed if installed.is_dir() else _PACKAGE.parent / "resources"


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / f"{name}.svg"


def translations_dir() -> Path:
    return resources_dir() / "translations"


@cache
def icon(name: str) -> QIcon:
    """The icon ``name`` of the set (``resources/icons/<name>.svg``); a missing file is an error, not a blank icon."""
    path = icon_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"no icon {name!r} in {path.parent}")
    return QIcon(str(path))


@cache
def app_icon() -> QIcon:
    return QIcon(str(resources_dir() / f"{APP_ID}.svg"))


#: The icon of each of the main window's actions (by attribute name); the mask actions are keyed ``mask.<name>``.
ACTION_ICONS = {
    "act_open": "open", "act_import": "import", "act_import_masks": "import-masks",
    "act_import_annotations": "import-annotations", "act_duplicates": "duplicates", "act_train": "train",
    "act_retrain": "retrain", "act_propose": "propose", "act_export": "export", "act_classes": "classes",
    "act_close": "close", "act_quit": "quit", "act_undo": "undo", "act_redo": "redo", "act_draw": "draw-box",
    "act_delete": "delete-box", "act_duplicate_box": "duplicate-box", "act_relabel": "relabel",
    "act_copy_prev": "copy-boxes", "act_hide": "hide-boxes", "act_show_rejected": "show-rejected",
    "act_next": "next", "act_prev": "previous", "act_next_unverified": "next-unverified", "act_verify": "verify",
    "act_verify_reject": "verify-reject", "act_fit": "fit", "act_actual": "zoom-actual", "act_help": "help",
    "act_accept": "accept", "act_reject": "reject", "act_accept_all": "accept-all",
    "act_accept_score": "accept-score", "act_next_pending": "next-pending", "act_calibrate": "calibrate",
    "act_next_to_review": "next-to-review", "act_heatmap": "heatmap",
    "mask.brush": "brush", "mask.eraser": "eraser", "mask.polygon": "polygon", "mask.grabcut": "grabcut",
    "mask.smaller": "brush-smaller", "mask.larger": "brush-larger", "mask.outline": "outline",
    "mask.fill_holes": "fill-holes", "mask.clear": "clear-mask", "mask.accept": "accept-mask",
    "mask.reject": "reject-mask",
}


def window_actions(window) -> dict[str, QAction]:
    """The window's actions that have an icon, by their :data:`ACTION_ICONS` key (an action a version of the window
    does not have is skipped)."""
    found = {}
    masks = window.mask_actions
    for key in ACTION_ICONS:
        if key.startswith("mask."):
            name = key.removeprefix("mask.")
            action = masks.tools.get(name) if name in masks.tools else getattr(masks, name, None)
        else:
            action = getattr(window, key, None)
        if isinstance(action, QAction):
            found[key] = action
    return found


def decorate(window) -> None:
    """Icons on the window's actions, the shortcut in every action's tooltip, toolbars with text under the icons."""
    for key, action in window_actions(window).items():
        action.setIcon(icon(ACTION_ICONS[key]))
    for action in [*window.actions(), *window.canvas.actions()]:
        add_shortcut_to_tooltip(action)
    for toolbar in window.findChildren(QToolBar):
        toolbar.setToolButtonStyle(Qt.ToolButtonTextUnderIcon)
        toolbar.setIconSize(TOOLBAR_ICON_SIZE)


def shortcut_text(action: QAction) -> str:
    return ", ".join(k.toString(QKeySequence.NativeText) for k in action.shortcuts())


def add_shortcut_to_tooltip(action: QAction) -> None:
    """The tooltip names the action's keys: "Train a model in the background (Ctrl+T)" (not twice when the text
    already says them)."""
    keys = shortcut_text(action)
    tip = action.toolTip()
    if keys and f"({keys})" not in tip:
        action.setToolTip(f"{tip} ({keys})")
