"""Thumbnails made in a background pool, cached on disk, and only for what the view asks for.

A JPEG is decoded at reduced size straight from its DCT blocks (PIL ``draft``), so a thumbnail of a
large photo costs a fraction of a full decode.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image, ImageOps
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from ..core.fsutil import check_read
from ..core.images import to_rgb

THUMB_SIZE = 128


def thumbnail_key(path: str, size: int, mtime: float) -> str:
    return hashlib.sha1(f"{path}\0{size}\0{mtime}\0{THUMB_SIZE}".encode()).hexdigest()


def make_thumbnail(src: Path, target: Path) -> None:
    """Write a THUMB_SIZE-bounded, EXIF-upright PNG of ``src`` to ``target``. A file of an open project read through a
    link leading out of it raises ValueError (:func:`..core.fsutil.check_read`): the links of a project are listed
    only after its first screen is painted (core/store/opening_checks.py)."""
    check_read(src)
    with Image.open(src) as im:
        if im.format == "JPEG":
            im.draft("RGB", (THUMB_SIZE * 2, THUMB_SIZE * 2))
        im.load()
        upright = ImageOps.exif_transpose(im)
        rgb = to_rgb(upright)
        rgb.thumbnail((THUMB_SIZE, THUMB_SIZE))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        rgb.save(tmp, format="PNG")
        tmp.replace(target)


class _Job(QRunnable):
    def __init__(self, loader: ThumbnailLoader, image_id: int, src: Path, target: Path):
        super().__init__()
        self.loader, self.image_id, self.src, self.target = loader, image_id, src, target

    def run(self) -> None:
        try:
            if not self.target.is_file():
                make_thumbnail(self.src, self.target)
            image = QImage(str(self.target))
        except Exception:  # noqa: BLE001 - a bad file must only lose its thumbnail
            image = QImage()
        self.loader.sig_loaded.emit(self.image_id, image)


class ThumbnailLoader(QObject):
    """Requests thumbnails by image id; emits ``sig_loaded(image_id, QImage)`` (null image on failure)."""

    sig_loaded = Signal(int, QImage)

    def __init__(self, cache_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.cache_dir = cache_dir
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(1, min(4, QThreadPool.globalInstance().maxThreadCount())))
        self._pending: set[int] = set()

    def request(self, image_id: int, src: Path, key: str) -> None:
        if image_id in self._pending:
            return
        self._pending.add(image_id)
        self.pool.start(_Job(self, image_id, src, self.cache_dir / key[:2] / f"{key}.png"))

    def done(self, image_id: int) -> None:
        self._pending.discard(image_id)

    def shutdown(self) -> None:
        self.pool.clear()
        self.pool.waitForDone()
