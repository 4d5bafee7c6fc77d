"""The language of the user interface: the system's by default, or the one chosen in Settings -> Language.

The choice is stored in the settings (``prefs/language``: ``""`` for the system's, ``"en"``, ``"ja"``) and applied at
once by building the main window again (the widgets set their texts when built; a rebuild translates them all, with no
retranslate method to keep in step in every widget); ``LABELSTUDIO_DESKTOP_LANGUAGE`` or ``gui --language`` overrides
it for one run (screenshots, tests). The translations are Qt's: ``resources/translations/labelstudio_desktop_<lang>.qm``
(made by ``make translations`` from the ``.ts`` sources) and Qt's own ``qtbase_<lang>.qm`` for the standard buttons and
dialogs. The command line never loads them: its output stays English.

Qt 6 gave some of its own strings a mnemonic (the file dialog's "&Look in:", "Files of &type:") that the catalogues
PySide6 ships (``qtbase_ja.qm`` among them) still translate only without it, so those labels stayed English; a last
translator, :class:`MnemonicFallback`, answers them with the catalogue's translation of the string without its ``&``,
the mnemonic put back (``アドレス(&L):``). ``qt_<lang>.qm`` is no help: it only names the ``qtbase``,
``qtmultimedia``... catalogues to load, and fails to load when any of them is missing, as in the PySide6 wheel.
"""

from __future__ import annotations

import os
import re

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QObject,
    QSettings,
    Qt,
    QTranslator,
)
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QMessageBox

from .resources import icon, translations_dir

SETTING = "prefs/language"
ENV = "LABELSTUDIO_DESKTOP_LANGUAGE"
CATALOG = "labelstudio_desktop"
#: The languages offered (code, name in that language): the names are never translated.
LANGUAGES = [("en", "English"), ("ja", "日本語")]

RESTART_NOTE = QT_TRANSLATE_NOOP("LanguageMenu", "The new language applies when labelstudio-desktop is started again.")

_installed: list[QTranslator] = []


def chosen_language(settings: QSettings | None = None, override: str | None = None) -> str:
    """The language code to use: ``override`` (``--language``), else the environment variable, else the setting;
    ``""`` means the system's."""
    for value in (override, os.environ.get(ENV)):
        if value is not None:
            return "" if value in ("", "system") else value
    settings = settings if settings is not None else QSettings()
    return str(settings.value(SETTING, "") or "")


def ui_locale(code: str) -> QLocale:
    return QLocale(code) if code else QLocale.system()


def available_languages() -> set[str]:
    """The languages with a compiled catalogue (``labelstudio_desktop_<lang>.qm``), besides English (the source)."""
    return {p.stem.removeprefix(CATALOG + "_") for p in translations_dir().glob(f"{CATALOG}_*.qm")}


def catalog_language(code: str) -> str:
    """The language the app will speak for ``code`` ("" = the system's): the first of the locale's preferred
    languages that the app has (English included), else English. A system preferring English, then Japanese, gets
    English, although only Japanese has a catalogue."""
    available = available_languages()
    for tag in ui_locale(code).uiLanguages():
        language = tag.replace("-", "_").split("_")[0].lower()
        if language == "en" or language in available:
            return language
    return "en"


def install_translators(code: str) -> str:
    """Load the translations for ``code`` ("" = the system's locale) into the application, replacing those loaded
    before; returns the language the app now speaks ("en" when no catalogue was loaded: English is the source)."""
    app = QCoreApplication.instance()
    remove_translators()
    language = catalog_language(code)
    if language == "en":
        return "en"
    ours = QTranslator(app)
    if not ours.load(f"{CATALOG}_{language}", str(translations_dir())):
        return "en"
    qt = QTranslator(app)  # Qt's own strings: OK/Cancel/Yes/No, the file dialog, the undo stack's words
    has_qt = qt.load(QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.TranslationsPath))
    # the last installed is asked first: Qt's catalogue, ours, then (when neither had the string) the fallback
    for translator in ([MnemonicFallback(qt, app)] if has_qt else []) + [ours] + ([qt] if has_qt else []):
        app.installTranslator(translator)
        _installed.append(translator)
    return language


_MNEMONIC = re.compile(r"&([^&\s])")
_TRAILING_COLON = re.compile(r"[\s\xa0]*[:：]\s*$")


class MnemonicFallback(QTranslator):
    """Qt's strings that gained a mnemonic after the language's catalogue was last brought up to date: asked with
    ``"&Look in:"``, it answers the catalogue's translation of ``"Look in:"`` with the mnemonic put back (see
    :func:`with_mnemonic`); anything else, nothing (None: the next translator, or the source, is used)."""

    def __init__(self, catalogue: QTranslator, parent: QObject | None = None):
        super().__init__(parent)
        self.catalogue = catalogue

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's name)
        return False

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        """The translation of ``source`` without its mnemonic, with the mnemonic put back; None when there is none."""
        if "&" not in source:
            return None
        found = _MNEMONIC.search(source)
        if found is None:
            return None
        plain = source[:found.start()] + source[found.start() + 1:]
        text = self.catalogue.translate(context, plain, disambiguation, n)
        return with_mnemonic(text, found.group(1)) if text else None


def with_mnemonic(text: str, letter: str) -> str:
    """``text`` with the mnemonic ``letter``: an ``&`` before its first occurrence in the text (either case), else
    ``(&L)`` before a trailing colon or at the end, as Japanese and Chinese labels write it."""
    letter = letter.upper()
    for n, char in enumerate(text):
        if char.upper() == letter and text[n - 1:n] != "&" and text[n + 1:n + 2] != "&":
            return text[:n] + "&" + text[n:]
    colon = _TRAILING_COLON.search(text)
    at = colon.start() if colon else len(text)
    return f"{text[:at]}(&{letter}){text[at:]}"


def remove_translators() -> None:
    app = QCoreApplication.instance()
    while _installed:
        app.removeTranslator(_installed.pop())


class LanguageMenu(QObject):
    """Settings -> Language: System / English / 日本語, exclusive. A choice is stored and applied at once: the window
    is built again in the new language, in the same place with the same project and image (jobs that would stop are
    asked about first; declined, the choice applies from the next start, as a note says)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.menu = QMenu(self.tr("Language"), window)
        self.menu.setIcon(icon("language"))
        self.group = QActionGroup(self.menu)
        current = str(window.settings.value(SETTING, "") or "")
        self.actions: dict[str, QAction] = {}
        for code, name in [("", self.tr("System")), *LANGUAGES]:
            action = QAction(name, self.menu)
            action.setCheckable(True)
            action.setChecked(code == current)
            action.setData(code)
            action.triggered.connect(lambda _=False, code=code: self.choose(code))
            self.group.addAction(action)
            self.menu.addAction(action)
            self.actions[code] = action

    def choose(self, code: str) -> None:
        settings = self.window.settings
        if str(settings.value(SETTING, "") or "") == code:
            return
        settings.setValue(SETTING, code)
        settings.sync()
        if rebuild_in_language(self.window, code) is None:
            text = self.tr(RESTART_NOTE)
            said_in = restart_note_in(catalog_language(code))  # also in the language chosen
            if said_in != text:
                text += "\n\n" + said_in
            QMessageBox.information(self.window, self.tr("Language"), text)


def rebuild_in_language(window, code: str):
    """A new main window in the language of ``code`` ("" = the system's) in ``window``'s place, size and dock layout,
    on its project and image; ``window`` closes. None (nothing changed) when the user keeps running jobs, which a
    rebuild would stop."""
    version = window.state_version
    if window.running_jobs() and not window.confirm_stop_jobs(
            QCoreApplication.translate("LanguageMenu", "Changing the language now")):
        return None
    window.stop_jobs()  # agreed: the old window's close would ask again
    project = window.settings.value("last_project", "") if window.store is not None else ""
    image_id = window.annotation.image.id if window.annotation is not None and window.annotation.image else None
    geometry, state = window.saveGeometry(), window.saveState(version)
    install_translators(code)
    new = type(window)(window.settings)
    new.restoreGeometry(geometry)
    if not window.isMaximized() and not window.isFullScreen():  # restoreGeometry may fit it to a small screen
        new.setGeometry(window.geometry())
    new.restoreState(state, version)
    new.training_dock.hide()  # empty until Train opens it, as at start
    new.show()  # before the old one closes: the application never has no window
    window.setAttribute(Qt.WA_DeleteOnClose)
    window.close()
    if project and new.open_project(str(project)) and image_id is not None:
        new.browser.select_id(image_id)
    return new


def restart_note_in(language: str) -> str:
    """The restart note in ``language``, whatever the app speaks now (English: the source itself)."""
    translator = QTranslator()
    if language != "en" and translator.load(f"{CATALOG}_{language}", str(translations_dir())):
        return translator.translate("LanguageMenu", RESTART_NOTE) or RESTART_NOTE
    return RESTART_NOTE
