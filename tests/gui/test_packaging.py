"""A built wheel ships every file of resources/ (icons, translations, the desktop entry, the pretrained weights with
their licence notes) inside the package, and the
app finds them there, not in the source tree: the wheel is built from a copy of the sources in a temporary folder,
unpacked, and imported from the unpacked copy in a fresh process.

The build needs setuptools>=68 from the package index (pip's isolated build environment), as any `pip install .`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"


def _resource_files() -> list[str]:
    return sorted(str(p.relative_to(RESOURCES)) for p in RESOURCES.rglob("*") if p.is_file()
                  and not p.name.startswith("."))


def _build_wheel(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "labelstudio_desktop", src / "labelstudio_desktop", ignore=ignore)
    shutil.copytree(RESOURCES, src / "resources", ignore=ignore)
    out = tmp_path / "wheel"
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "-w", str(out), "--no-deps", "-q"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("labelstudio_desktop-*.whl")
    return wheel


def test_the_wheel_ships_the_resources_and_the_installed_app_loads_its_icons_and_japanese(tmp_path):
    files = _resource_files()
    assert {"labelstudio-desktop.svg", "labelstudio-desktop.desktop", "icons/train.svg",
            "translations/labelstudio_desktop_ja.qm", "translations/labelstudio_desktop_ja.ts",
            "weights/mobilenet_v2_1.0_224_no_top.weights.h5", "weights/README.md",
            "weights/LICENSE-mobilenet_v2_keras.txt"} <= set(files)
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in files if f"labelstudio_desktop/resources/{f}" not in names]
    assert not missing, f"not in the wheel: {missing}"
    data = {n.split(".data/data/", 1)[1] for n in names if ".data/data/" in n}
    assert data == {"share/applications/labelstudio-desktop.desktop",
                    "share/icons/hicolor/scalable/apps/labelstudio-desktop.svg"}

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # a pure-Python wheel installs as it unpacks
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "import labelstudio_desktop\n"
        "from labelstudio_desktop.gui.app import make_app\n"
        "from labelstudio_desktop.gui.resources import icon, resources_dir\n"
        "site = Path(sys.argv[1]).resolve()\n"
        "assert Path(labelstudio_desktop.__file__).resolve().is_relative_to(site), labelstudio_desktop.__file__\n"
        "assert resources_dir().resolve() == site / 'labelstudio_desktop' / 'resources', resources_dir()\n"
        "make_app([], language='ja')\n"
        "assert not icon('train').pixmap(20, 20).isNull()\n"
        "from labelstudio_desktop.ml.backbones import shipped_weights\n"
        "assert shipped_weights().resolve().is_relative_to(site / 'labelstudio_desktop' / 'resources'), "
        "shipped_weights()\n"  # the installed copy of the weights, its checksum checked
        "print(QCoreApplication.translate('MainWindow', '&Project'))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "プロジェクト(&P)"
