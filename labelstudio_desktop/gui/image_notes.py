"""What core says about an image (its warnings, why it could not be imported: core/images.py; why its path is not used:
core/confine.py) or a refused label (core/labels_rule.py), in the UI's language.

core stays English (the command line prints the same text, and the warnings are stored in the project), so the app
translates what it shows: each known text is a pattern of the English and a translatable template with the pattern's
groups as ``{0}``, ``{1}``... Other text (an annotation file's notes, a system error) is shown as it is.
``tests/gui/test_translations.py`` checks that every warning and problem of core/images.py has a pattern here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

IMAGE_NOTES = [
    (r"EXIF orientation (\d+): shown and exported upright",
     QT_TRANSLATE_NOOP("ImageNotes", "EXIF orientation {0}: shown and exported upright")),
    (r"CMYK colour: converted to RGB", QT_TRANSLATE_NOOP("ImageNotes", "CMYK colour: converted to RGB")),
    (r"16-bit samples: scaled to 8 bits", QT_TRANSLATE_NOOP("ImageNotes", "16-bit samples: scaled to 8 bits")),
    (r"alpha channel: composited on white", QT_TRANSLATE_NOOP("ImageNotes", "alpha channel: composited on white")),
    (r"truncated JPEG \(no end-of-image marker\): the missing part shows as grey",
     QT_TRANSLATE_NOOP("ImageNotes", "truncated JPEG (no end-of-image marker): the missing part shows as grey")),
    (r"truncated PNG \(no IEND chunk\): the missing rows show as grey",
     QT_TRANSLATE_NOOP("ImageNotes", "truncated PNG (no IEND chunk): the missing rows show as grey")),
    (r"corrupt PNG \(bad checksum in the (.+) chunk\): damaged rows show as grey",
     QT_TRANSLATE_NOOP("ImageNotes", "corrupt PNG (bad checksum in the {0} chunk): damaged rows show as grey")),
    (r"corrupt PNG data \(zlib: (.*)\): damaged rows show as grey",
     QT_TRANSLATE_NOOP("ImageNotes", "corrupt PNG data (zlib: {0}): damaged rows show as grey")),
    (r"corrupt PNG data \(the compressed image data ends early\): missing rows show as grey",
     QT_TRANSLATE_NOOP("ImageNotes", "corrupt PNG data (the compressed image data ends early): missing rows show as "
                                     "grey")),
    (r"(.+) image: this format is not supported \(convert it to JPEG or PNG to import it\)",
     QT_TRANSLATE_NOOP("ImageNotes", "{0} image: this format is not supported (convert it to JPEG or PNG to import "
                                     "it)")),
    (r"empty file \(0 bytes\)", QT_TRANSLATE_NOOP("ImageNotes", "empty file (0 bytes)")),
    (r"cannot read the file \((.*)\)", QT_TRANSLATE_NOOP("ImageNotes", "cannot read the file ({0})")),
    (r"absurd dimensions (\d+)x(\d+) \((\d+) megapixels, limit (\d+)\): refused as a possible decompression bomb",
     QT_TRANSLATE_NOOP("ImageNotes", "absurd dimensions {0}x{1} ({2} megapixels, limit {3}): refused as a possible "
                                     "decompression bomb")),
    (r"absurd dimensions, refused as a possible decompression bomb \((.*)\)",
     QT_TRANSLATE_NOOP("ImageNotes", "absurd dimensions, refused as a possible decompression bomb ({0})")),
    (r"not an image \(the content is not a format this program can read\)",
     QT_TRANSLATE_NOOP("ImageNotes", "not an image (the content is not a format this program can read)")),
    (r"unreadable image header \((.*)\)", QT_TRANSLATE_NOOP("ImageNotes", "unreadable image header ({0})")),
    (r"(.+): cannot decode \((.*)\)", QT_TRANSLATE_NOOP("ImageNotes", "{0}: cannot decode ({1})")),
    # core/labels_rule.py: why a typed or imported label is refused
    (r"the label (.+) has a line break: a label is one line",
     QT_TRANSLATE_NOOP("ImageNotes", "the label {0} has a line break: a label is one line")),
    (r"the label (.+) has a control character \((U\+[0-9A-F]+)\): a label is printable text",
     QT_TRANSLATE_NOOP("ImageNotes", "the label {0} has a control character ({1}): a label is printable text")),
    (r"the label (.+) has a character that is not valid Unicode \((U\+[0-9A-F]+)\)",
     QT_TRANSLATE_NOOP("ImageNotes", "the label {0} has a character that is not valid Unicode ({1})")),
    # core/confine.py: why a path a project's database holds is not used (a received project, crafted or damaged)
    (r"leads outside the project folder: not used",
     QT_TRANSLATE_NOOP("ImageNotes", "leads outside the project folder: not used")),
    (r"an absolute path: not used \(paths are kept relative to the project\)",
     QT_TRANSLATE_NOOP("ImageNotes", "an absolute path: not used (paths are kept relative to the project)")),
    (r"leads out of its folder with '\.\.': not used",
     QT_TRANSLATE_NOOP("ImageNotes", "leads out of its folder with '..': not used")),
    (r"a link leading outside the project folder: not read",
     QT_TRANSLATE_NOOP("ImageNotes", "a link leading outside the project folder: not read")),
    (r"an empty or unreadable path: not used",
     QT_TRANSLATE_NOOP("ImageNotes", "an empty or unreadable path: not used")),
]
_NOTES = [(re.compile(pattern, re.DOTALL), template) for pattern, template in IMAGE_NOTES]


def translate_by_patterns(patterns: list[tuple[re.Pattern, str]], text: str, translate: Callable[[str], str]) -> str:
    """``text`` (English from core or ml) in the UI's language: the template of the first pattern matching all of
    it, passed through ``translate`` and filled with the matched parts; ``text`` itself when none matches."""
    for pattern, template in patterns:
        found = pattern.fullmatch(text)
        if found:
            return translate(template).format(*found.groups())
    return text


def translate_note(text: str) -> str:
    """``text`` (an image's English warning or problem from core) in the UI's language."""
    return translate_by_patterns(_NOTES, text, lambda template: QCoreApplication.translate("ImageNotes", template))
