"""The browser's tiles: a thumbnail (or a neutral tile) with the file name, elided so that names differing only in
their numbers stay distinct, and badges (verified, warnings, pending proposals, excluded or missing)."""

from __future__ import annotations

import re

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

TILE_WIDTH = 96
ELLIPSIS = "\u2026"
END_FIRST = 4  # characters of the end of a name kept before any of its start
_DIGITS = re.compile(r"(\d+)")


def split_name(name: str) -> tuple[str, str]:
    """``raccoon-10.jpg`` -> (``raccoon-10``, ``.jpg``); a name without an extension keeps it all as the stem."""
    dot = name.rfind(".")
    return (name[:dot], name[dot:]) if dot > 0 else (name, "")


def elide_name(name: str, metrics: QFontMetrics, width: int) -> str:
    """``name`` shortened to ``width`` pixels so that names which differ stay apart.

    Qt's middle elision turns ``raccoon-100.jpg`` and ``raccoon-200.jpg`` into the same ``rac…00.jpg``. Here
    the extension and the end of the stem from its last number on are kept whole (``…n-100.jpg``), and what
    precedes is elided; when that is too long, the number and the extension are kept and the text around the
    number is elided (``…0001…ion.png``); when not even that fits, the end of the name (Qt's left elision).
    """
    def fits(text: str) -> bool:
        return metrics.horizontalAdvance(text) <= width

    if fits(name):
        return name
    stem, ext = split_name(name)
    numbers = list(_DIGITS.finditer(stem))
    start, end = numbers[-1].span() if numbers else (len(stem), len(stem))
    if fits(ELLIPSIS + stem[start:] + ext):
        return _elide_inside("", stem[:start], stem[start:] + ext, fits)
    if numbers and fits(ELLIPSIS + stem[start:end] + ELLIPSIS + ext):
        return _elide_inside(ELLIPSIS + stem[start:end], stem[end:], ext, fits)
    return metrics.elidedText(name, Qt.ElideLeft, width)


def _elide_inside(lead: str, middle: str, trail: str, fits) -> str:
    """``lead + middle + trail`` with the middle of ``middle`` elided (``lead + ELLIPSIS + trail`` must fit):
    the last few characters of ``middle`` first (they tell ``…_left`` from ``…_right``), then its start and its
    end in turn, as much as fits."""
    head, tail = 0, len(middle)  # shown: lead + middle[:head] + ELLIPSIS + middle[tail:] + trail
    while tail > max(0, len(middle) - END_FIRST) and fits(lead + ELLIPSIS + middle[tail - 1:] + trail):
        tail -= 1
    grow_tail = False
    while head < tail:
        choices = ((head, tail - 1), (head + 1, tail))
        for h, t in choices if grow_tail else choices[::-1]:
            if fits(lead + middle[:h] + ELLIPSIS + middle[t:] + trail):
                head, tail = h, t
                break
        else:
            break
        grow_tail = not grow_tail
    return lead + middle[:head] + ELLIPSIS + middle[tail:] + trail


class BadgeDelegate(QStyledItemDelegate):
    """Thumbnail (or a neutral tile) with the file name and badges: verified, warnings, pending, boxes."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        row = index.model().row(index.row())
        painter.save()
        if option.state & QStyle.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        rect = option.rect.adjusted(4, 4, -4, -4)
        icon_mode = option.decorationSize.width() >= 48
        tile = QRect(rect.left(), rect.top(), rect.width(), rect.height() - 18) if icon_mode else \
            QRect(rect.left(), rect.top(), 0, rect.height())
        pix = index.data(Qt.DecorationRole)
        if icon_mode:
            painter.fillRect(tile, QColor(70, 70, 76))
            if isinstance(pix, QPixmap) and not pix.isNull():
                scaled = pix.scaled(tile.size(), Qt.KeepAspectRatio, Qt.SmoothTransformation)
                painter.drawPixmap(tile.center().x() - scaled.width() // 2,
                                   tile.center().y() - scaled.height() // 2, scaled)
        text_rect = QRect(rect.left(), tile.bottom() + 2, rect.width(), 16) if icon_mode else \
            QRect(rect.left() + 4, rect.top(), rect.width() - 60, rect.height())
        painter.setPen(option.palette.highlightedText().color() if option.state & QStyle.State_Selected
                       else option.palette.text().color())
        name = elide_name(row.name, painter.fontMetrics(), text_rect.width())
        painter.drawText(text_rect, Qt.AlignVCenter | (Qt.AlignHCenter if icon_mode else Qt.AlignLeft), name)
        badges = []
        if row.status == "verified":
            badges.append(("✓", QColor(40, 170, 80)))
        if row.warnings:
            badges.append(("!", QColor(220, 140, 20)))
        if row.pending:
            badges.append((str(row.pending), QColor(60, 120, 220)))
        if row.excluded or row.missing:
            badges.append(("✗", QColor(200, 50, 50)))
        x = (tile.right() - 2) if icon_mode else rect.right()
        y = (tile.top() + 2) if icon_mode else rect.top() + (rect.height() - 16) // 2
        for text, color in badges:
            w = max(16, painter.fontMetrics().horizontalAdvance(text) + 6)
            badge = QRect(x - w, y, w, 16)
            painter.setPen(Qt.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(badge, 7, 7)
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(badge, Qt.AlignCenter, text)
            x -= w + 3
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        if option.decorationSize.width() >= 48:
            return QSize(TILE_WIDTH + 8, TILE_WIDTH * 3 // 4 + 26)
        return QSize(200, 22)
