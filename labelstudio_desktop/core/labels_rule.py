"""The one rule a label must meet wherever it enters a project (typed in the app, read by an import): a single line
of text without control characters.

A line break in a label shifts every line-based list written from it (YOLO's ``classes.txt``, ``labelmap.txt``);
control characters cannot be written in XML and hide in file names. Such a label is refused with a message that
names it; the rest of the work goes on.
"""

from __future__ import annotations

import unicodedata

_LINE_BREAKS = {"\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}


def label_problem(text: str) -> str | None:
    """Why ``text`` cannot be a label (a line break, a control character), or None when it can."""
    for ch in str(text):
        if ch in _LINE_BREAKS:
            return f"the label {text!r} has a line break: a label is one line"
        category = unicodedata.category(ch)
        if category == "Cc":
            return f"the label {text!r} has a control character (U+{ord(ch):04X}): a label is printable text"
        if category == "Cs":
            return f"the label {text!r} has a character that is not valid Unicode (U+{ord(ch):04X})"
    return None
