"""Qt's own folder and file dialogs speak Japanese with the Japanese UI (issue 19).

Qt's dialog asks for "&Look in:" and "Files of &type:" (mnemonics added in Qt 6), while the ``qtbase_ja.qm`` that
PySide6 ships still translates only "Look in:" and "Files of type:", so the labels stayed English.
"""

from __future__ import annotations

import re

from dialogs_helper import answer_next_modal, click_menu_action
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QLabel

from labelstudio_desktop.gui.language import with_mnemonic


def _japanese(text: str) -> bool:
    return re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) is not None


def test_the_open_folder_dialog_labels_are_japanese(japanese, qtbot, settings):
    from labelstudio_desktop.gui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    seen: dict[str, str] = {}

    def read_and_cancel(dialog: QFileDialog) -> None:
        seen.update({label.objectName(): label.text() for label in dialog.findChildren(QLabel)})
        dialog.reject()

    answer_next_modal(QFileDialog, read_and_cancel)
    project_menu = window.menuBar().actions()[0].text()
    assert project_menu == "プロジェクト(&P)"
    click_menu_action(qtbot, window, project_menu, window.act_open)  # Qt's own dialog: offscreen has no native one
    assert {"lookInLabel", "fileNameLabel"} <= set(seen)
    assert _japanese(seen["lookInLabel"]), seen  # "&Look in:" before the fix
    assert _japanese(seen["fileNameLabel"]), seen
    window.close()


def test_a_file_dialog_with_types_has_japanese_labels_and_keeps_their_mnemonics(japanese, qtbot):
    dialog = QFileDialog(None, "x", "", "Images (*.png *.jpg)")
    dialog.setOption(QFileDialog.DontUseNativeDialog)
    dialog.setFileMode(QFileDialog.ExistingFile)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = {label.objectName(): label for label in dialog.findChildren(QLabel)}
    for name, letter in (("lookInLabel", "L"), ("fileTypeLabel", "T"), ("fileNameLabel", "N")):
        text = labels[name].text()
        assert _japanese(text) and f"(&{letter})" in text, (name, text)  # Alt+letter still reaches the field
    dialog.reject()


def test_qt_strings_the_catalogue_has_are_untouched_and_others_stay_english(japanese):
    translate = QCoreApplication.translate
    assert translate("QFileDialog", "File &name:") == "ファイル名(&N):"  # from qtbase_ja.qm itself
    assert translate("QFileDialog", "&No such thing here:") == "&No such thing here:"
    assert translate("NoContext", "Plain") == "Plain"


def test_with_mnemonic():
    assert with_mnemonic("アドレス:", "L") == "アドレス(&L):"
    assert with_mnemonic("ファイルの種類：", "t") == "ファイルの種類(&T)："
    assert with_mnemonic("Voir dans\xa0:", "L") == "Voir dans(&L)\xa0:"
    assert with_mnemonic("Fichiers de type\xa0:", "t") == "Fichiers de &type\xa0:"
    assert with_mnemonic("Rock && roll", "R") == "&Rock && roll"
    assert with_mnemonic("詳細", "D") == "詳細(&D)"
