"""The build copies the top-level ``resources/`` folder (icons, translations, the desktop entry, the ImageNet
MobileNetV2 weights in ``resources/weights/`` with their README and licence) into the package, so a
wheel installs it as ``labelstudio_desktop/resources``; the desktop entry and the app icon also go to ``share/`` (the
places a Linux desktop looks). Everything else is in pyproject.toml.

An editable install (``pip install -e .``) copies nothing: the app finds ``resources/`` in the source tree
(``labelstudio_desktop/gui/resources.py``, ``labelstudio_desktop/ml/backbones.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
RESOURCES = ROOT / "resources"


def resource_files() -> list[Path]:
    """Every file the wheel ships from resources/ (the .qm files are built by ``make translations``)."""
    return sorted(p for p in RESOURCES.rglob("*") if p.is_file() and not p.name.startswith("."))


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "labelstudio_desktop" / "resources"
        for path in resource_files():
            out = target / path.relative_to(RESOURCES)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out)


setup(
    cmdclass={"build_py": BuildPyWithResources},
    data_files=[
        ("share/applications", ["resources/labelstudio-desktop.desktop"]),
        ("share/icons/hicolor/scalable/apps", ["resources/labelstudio-desktop.svg"]),
    ],
)
