"""The Japanese UI in a real window, the language setting, the system locale as the default, and the icons.

A window built with the Japanese translations installed must show no English action, menu, toolbar or dock title (a
string extracted under one context and looked up under another shows in English: only a built window finds that).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from dialogs_helper import answer_next_message_box
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QToolBar, QToolButton
from shiboken6 import isValid

from labelstudio_desktop.gui.language import (
    ENV,
    LANGUAGES,
    SETTING,
    chosen_language,
    remove_translators,
)
from labelstudio_desktop.gui.resources import ACTION_ICONS, app_icon, icon, icon_path, resources_dir, window_actions

TS = resources_dir() / "translations" / "labelstudio_desktop_ja.ts"


def _same_in_japanese() -> set[str]:
    """Sources whose Japanese is the source itself (GrabCut, Grad-CAM, 1 px units...)."""
    root = ET.parse(TS).getroot()
    return {m.findtext("source") for m in root.iter("message") if m.findtext("translation") == m.findtext("source")}


def _english(texts) -> list[str]:
    same = _same_in_japanese() | {name for _code, name in LANGUAGES}
    return sorted({t for t in texts if t and not re.search(r"[^\x00-\x7f]", t) and t.replace("&", "") not in same
                   and t not in same})


def test_a_window_in_japanese_shows_no_english_action_menu_toolbar_or_dock(japanese, qtbot, settings):
    from labelstudio_desktop.gui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    actions = [*window.actions(), *window.canvas.actions()]
    texts = [a.text() for a in actions if a.isVisible()] + [a.toolTip() for a in actions if a.isVisible()]
    texts += [a.text() for a in window.menuBar().actions()]
    texts += [a.text() for m in window.menuBar().actions() for a in m.menu().actions() if not a.isSeparator()]
    texts += [d.windowTitle() for d in window.findChildren(QDockWidget)]
    texts += [t.windowTitle() for t in window.findChildren(QToolBar)]
    texts += [b.text() for t in window.findChildren(QToolBar) for b in t.findChildren(QToolButton) if b.isVisible()]
    assert _english(texts) == []
    assert window.menuBar().actions()[0].text() == "プロジェクト(&P)"
    window.close()


def test_the_japanese_shortcut_sheet_has_no_english_row(japanese, qtbot, settings):
    from labelstudio_desktop.gui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    keys = {k for k, _v in window.shortcut_rows()}
    assert _english([v for _k, v in window.shortcut_rows()]) == []
    assert {"Shift+矢印キー", "ホイール"} <= keys
    window.close()


def _main_windows() -> list:
    from labelstudio_desktop.gui.main_window import MainWindow

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def _choose_language(qtbot, window, name: str) -> None:
    """Settings > Language > ``name``, clicked with the mouse."""
    bar = window.menuBar()
    entry = bar.actions()[-2]  # Settings, whatever the language
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.actionGeometry(entry).center())
    menu = entry.menu()
    qtbot.waitUntil(menu.isVisible)
    language = window.language.menu
    qtbot.mouseClick(menu, Qt.LeftButton, pos=menu.actionGeometry(language.menuAction()).center())
    qtbot.waitUntil(language.isVisible)
    action = next(a for a in language.actions() if a.text() == name)
    qtbot.mouseClick(language, Qt.LeftButton, pos=language.actionGeometry(action).center())


def test_language_chosen_in_the_settings_menu_applies_at_once_on_the_same_project_and_image(qtbot, settings, demo,
                                                                                            monkeypatch):
    from labelstudio_desktop.gui.main_window import MainWindow

    monkeypatch.delenv(ENV, raising=False)
    window = MainWindow(settings)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    windows = [window]
    try:
        assert window.open_project(str(demo / "images"))
        window.browser.step(1)
        window.browser.step(1)
        image_id = window.annotation.image.id
        assert [a.text() for a in window.language.menu.actions()] == ["System", "English", "日本語"]
        assert window.language.actions[""].isChecked()  # the system's language until one is chosen

        _choose_language(qtbot, window, "日本語")
        qtbot.waitUntil(lambda: not window.isVisible())
        (japanese,) = _main_windows()
        windows.append(japanese)
        assert settings.value(SETTING) == "ja" and japanese.language.actions["ja"].isChecked()
        assert japanese.menuBar().actions()[0].text() == "プロジェクト(&P)"
        assert japanese.act_train.toolTip() == "バックグラウンドでモデルを学習 (Ctrl+T)"
        assert japanese.store is not None and japanese.annotation.image.id == image_id  # the same project and image
        assert japanese.size() == window.size()
        assert chosen_language(settings) == "ja"  # and the next start

        _choose_language(qtbot, japanese, "English")
        qtbot.waitUntil(lambda: not japanese.isVisible())
        (english,) = _main_windows()
        windows.append(english)
        assert english.menuBar().actions()[0].text() == "&Project" and english.annotation.image.id == image_id
        assert QCoreApplication.translate("MainWindow", "&Project") == "&Project"
    finally:
        remove_translators()
        for w in windows:
            if isValid(w):
                w.close()


def test_a_language_change_that_would_stop_a_job_asks_and_can_wait_for_the_next_start(qtbot, settings, demo,
                                                                                       monkeypatch):
    from labelstudio_desktop.gui.language import rebuild_in_language
    from labelstudio_desktop.gui.main_window import MainWindow

    monkeypatch.delenv(ENV, raising=False)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_project(str(demo / "images"))
    monkeypatch.setattr(window, "running_jobs", lambda: ["Training"])  # a job that a rebuild would stop
    answer_next_message_box(False)  # No: keep it running
    assert rebuild_in_language(window, "ja") is None
    assert window.isVisible() and _main_windows() == [window]
    assert QCoreApplication.translate("MainWindow", "&Project") == "&Project"
    monkeypatch.undo()  # the job is gone: closing asks nothing
    window.close()


def _start_app(lang: str, tmp_path, extra: dict | None = None) -> str:
    """In a fresh process with ``LANG=lang`` and no settings: what the app's menu and Qt's own Cancel button say."""
    code = ("from PySide6.QtCore import QCoreApplication\n"
            "from labelstudio_desktop.gui.app import make_app\n"
            "make_app([])\n"
            "print(QCoreApplication.translate('MainWindow', '&Project'))\n"
            "print(QCoreApplication.translate('QPlatformTheme', 'Cancel'))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANGUAGE", ENV)}
    env.update({"LANG": lang, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "HOME": str(tmp_path)}, **(extra or {}))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_language_follows_the_system_locale_by_default(tmp_path):
    assert _start_app("ja_JP.UTF-8", tmp_path).split() == ["プロジェクト(&P)", "キャンセル"]
    assert _start_app("en_US.UTF-8", tmp_path).split() == ["&Project", "Cancel"]
    assert _start_app("de_DE.UTF-8", tmp_path).split() == ["&Project", "Cancel"]  # no German: English, all of it
    assert _start_app("ja_JP.UTF-8", tmp_path, {ENV: "en"}).split() == ["&Project", "Cancel"]
    # the preferred languages in order (LANGUAGE): the first the app has wins, English included
    assert _start_app("ja_JP.UTF-8", tmp_path, {"LANGUAGE": "en_US:ja"}).split() == ["&Project", "Cancel"]
    assert _start_app("de_DE.UTF-8", tmp_path, {"LANGUAGE": "de:ja"}).split() == ["プロジェクト(&P)", "キャンセル"]


def test_the_command_line_stays_english_in_a_japanese_locale(tmp_path):
    env = {**os.environ, "LANG": "ja_JP.UTF-8", "LC_ALL": "ja_JP.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "info", str(tmp_path / "none")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert re.search(r"[^\x00-\x7f]", result.stdout + result.stderr) is None
    assert result.stdout + result.stderr


def test_every_action_of_the_toolbars_and_menus_has_its_icon_and_its_keys_in_the_tooltip(qtbot, settings):
    from labelstudio_desktop.gui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    found = window_actions(window)
    assert set(found) == set(ACTION_ICONS)
    for key, action in found.items():
        assert icon_path(ACTION_ICONS[key]).is_file()
        assert not action.icon().pixmap(20, 20).isNull(), key
    for toolbar in window.findChildren(QToolBar):
        assert toolbar.toolButtonStyle() == Qt.ToolButtonTextUnderIcon
        for action in toolbar.actions():
            if not action.isSeparator():
                assert not action.icon().isNull(), action.text()
    assert window.act_train.toolTip() == "Train a model in the background (Ctrl+T)"
    assert window.act_draw.toolTip() == "Draw a box (W)"  # the keys once, not twice
    assert window.act_fit.toolTip() == "Fit (F)"
    assert window.act_accept.toolTip() == "Accept proposal (Return, Enter)"
    assert not window.windowIcon().isNull() and not app_icon().isNull()
    window.close()


def test_every_icon_of_the_set_renders(qtbot):
    for path in sorted((resources_dir() / "icons").glob("*.svg")):
        image = icon(path.stem).pixmap(24, 24).toImage()
        assert not image.isNull()
        assert any(image.pixelColor(x, y).alpha() for x in range(24) for y in range(24)), path.name


def test_core_status_lines_and_image_notes_show_in_japanese(japanese):
    from labelstudio_desktop.gui.image_notes import translate_note
    from labelstudio_desktop.gui.job_status import run_status, translate_status

    assert translate_status("epoch 3/10") == "エポック 3/10"
    assert translate_status("training detect: 40 images, 20 batches per epoch") == \
        "detect を学習中: 画像 40 枚、1 エポックあたり 20 バッチ"
    assert run_status("finished") == "完了"
    assert translate_note("EXIF orientation 6: shown and exported upright") == \
        "EXIF の向き 6: 正しい向きで表示・エクスポートします"
    assert translate_note("something core says that has no pattern") == "something core says that has no pattern"
