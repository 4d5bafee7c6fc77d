"""Folder layouts: finding images, and reading class (and split) from folder names.

Layouts understood:

- flat: images anywhere below the root, no labels;
- classes: one sub-folder per class (Keras ``flow_from_directory``), optionally below split folders
  (``train/cat/1.jpg``, ``val/dog/2.jpg``; ``validation`` counts as ``val``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..images import is_image_name
from ..labels_rule import label_problem

SPLIT_FOLDER_NAMES = {"train": "train", "training": "train", "val": "val", "valid": "val",
                      "validation": "val", "test": "test", "testing": "test"}
SKIPPED_DIRS = {"__MACOSX"}


@dataclass
class Candidate:
    """A file to import with what its layout says about it."""

    rel: str  # relative to the project root, forward slashes
    label: str | None = None
    split: str | None = None
    annotation: Path | None = None  # a VOC XML to read
    sources: list = field(default_factory=list)  # ImageAnnotation records of other formats, read already
    notes: list[str] = field(default_factory=list)


def rel_posix(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (forward slashes) when it is inside, else as it is."""
    try:
        return rel_posix(path, root)
    except ValueError:
        return str(path)


def readable_name(name: str) -> str:
    """A file name as text that can be shown and stored: bytes that are not UTF-8 written as ``\\xff``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _valid_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes come back from the OS as lone surrogates
        return False
    return True


NOT_UTF8 = "the name is not valid UTF-8: skipped (rename it to import it)"
LINK_OUTSIDE = "links outside the project: skipped (a symbolic link leading outside the image folder is not read)"


def walk_files(root: Path, skipped: list[tuple[str, str]] | None = None) -> list[Path]:
    """Every file below ``root``, sorted, skipping hidden folders (``.labelstudio`` among them).

    What cannot be imported is left out and, when ``skipped`` is given, listed there as (path shown, reason):
    folders that cannot be read (at any depth), names that are not valid UTF-8, and symbolic links (to files or
    folders) that lead outside ``root``.
    """
    found: list[Path] = []
    notes: list[tuple[str, str]] = skipped if skipped is not None else []
    real_root = os.path.realpath(root)

    def shown(path: str) -> str:
        rel = os.path.relpath(path, root)
        return readable_name(rel) if rel != "." else "."

    def unreadable(err: OSError) -> None:
        notes.append((shown(err.filename) + "/", f"folder cannot be read ({err.strerror}): skipped"))

    def outside(path: str) -> bool:
        real = os.path.realpath(path)
        return real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep)

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        kept = []
        for d in sorted(dirnames):
            if d.startswith(".") or d in SKIPPED_DIRS:
                continue
            full = os.path.join(dirpath, d)
            if not _valid_utf8(d):
                notes.append((shown(full) + "/", NOT_UTF8))
            elif os.path.islink(full) and outside(full):
                notes.append((shown(full) + "/", LINK_OUTSIDE))
            else:
                kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            if not _valid_utf8(name):
                notes.append((shown(full), NOT_UTF8))
            elif os.path.islink(full) and outside(full):
                notes.append((shown(full), LINK_OUTSIDE))
            else:
                found.append(Path(full))
    return found


def image_files(root: Path, files: list[Path] | None = None) -> list[Path]:
    return [p for p in (files if files is not None else walk_files(root)) if is_image_name(p)]


def looks_like_class_folders(root: Path, images: list[Path]) -> bool:
    """True when every image sits in a sub-folder (one per class), none at the root, and there are 2+ classes."""
    if not images:
        return False
    labels = set()
    for p in images:
        parts = p.relative_to(root).parts
        if len(parts) < 2:
            return False
        first = parts[0].lower()
        if first in SPLIT_FOLDER_NAMES:
            if len(parts) < 3:
                return False
            labels.add(parts[1])
        else:
            labels.add(parts[0])
    return len(labels) >= 2


def flat_candidates(root: Path, images: list[Path]) -> list[Candidate]:
    return [Candidate(rel=rel_posix(p, root)) for p in images]


def split_from_folders(rel: str) -> str | None:
    """The split a split folder anywhere in the path names (Roboflow ``valid/a.jpg``, ultralytics
    ``images/train/a.jpg``, ``train/images/a.jpg``)."""
    for part in rel.split("/")[:-1]:
        if part.lower() in SPLIT_FOLDER_NAMES:
            return SPLIT_FOLDER_NAMES[part.lower()]
    return None


def class_folder_candidates(root: Path, images: list[Path]) -> list[Candidate]:
    """Class from the first folder below the root, or the second when the first names a split."""
    out = []
    for p in images:
        parts = p.relative_to(root).parts
        split = SPLIT_FOLDER_NAMES.get(parts[0].lower()) if len(parts) >= 3 else None
        label = parts[1] if split else (parts[0] if len(parts) >= 2 else None)
        problem = label_problem(label) if label else None
        notes = [f"class folder: {problem}; imported without a class"] if problem else []
        out.append(Candidate(rel=rel_posix(p, root), label=None if problem else label, split=split, notes=notes))
    return out
