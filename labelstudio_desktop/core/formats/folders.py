"""Folder layouts: finding images, and reading class (and split) from folder names.

Layouts understood:

- flat: images anywhere below the root, no labels;
- classes: one sub-folder per class (Keras ``flow_from_directory``), optionally below split folders
  (``train/cat/1.jpg``, ``val/dog/2.jpg``; ``validation`` counts as ``val``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


def walk_folders(root: Path, skipped: list[tuple[str, str]] | None = None) -> Iterator[tuple[str, str, list[str]]]:
    """Each folder at or below ``root``, one at a time (parents first, names sorted; hidden folders, ``.labelstudio``
    among them, left out): its path, its path relative to ``root`` (forward slashes, "" for ``root``) and the sorted
    names of the files in it. Symbolic links to folders are not followed.

    What cannot be imported is left out and, when ``skipped`` is given, listed there as (path shown, reason):
    folders that cannot be read (at any depth), names that are not valid UTF-8, and symbolic links (to files or
    folders) that lead outside ``root``. Only the links are resolved, so a folder of many files costs one listing.
    """
    notes: list[tuple[str, str]] = skipped if skipped is not None else []
    real_root = os.path.realpath(root)

    def shown(path: str) -> str:
        rel = os.path.relpath(path, root)
        return readable_name(rel) if rel != "." else "."

    def outside(path: str) -> bool:
        real = os.path.realpath(path)
        return real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep)

    def kept(top: str, name: str, links: set[str], shown_suffix: str) -> bool:
        if _valid_utf8(name) and (name not in links or not outside(os.path.join(top, name))):
            return True
        reason = NOT_UTF8 if not _valid_utf8(name) else LINK_OUTSIDE
        notes.append((shown(os.path.join(top, name)) + shown_suffix, reason))
        return False

    todo = [(os.fspath(root), "")]
    while todo:
        top, rel = todo.pop()
        folders, names, links = [], [], set()  # names only: a folder of a million files holds no entry objects
        try:
            with os.scandir(top) as listing:
                for entry in listing:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_symlink():
                        links.add(entry.name)
                    (folders if _is_dir(entry) else names).append(entry.name)
        except OSError as err:
            notes.append((shown(err.filename or top) + "/", f"folder cannot be read ({err.strerror}): skipped"))
            continue
        below = [name for name in sorted(folders) if name not in SKIPPED_DIRS and kept(top, name, links, "/")]
        yield top, rel, [name for name in sorted(names) if kept(top, name, links, "")]
        todo.extend((os.path.join(top, name), f"{rel}/{name}" if rel else name)
                    for name in reversed(below) if name not in links)  # links to folders are not followed


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def walk_files(root: Path, skipped: list[tuple[str, str]] | None = None) -> list[Path]:
    """Every file below ``root``, sorted as :func:`walk_folders` lists them (what it leaves out noted in
    ``skipped``)."""
    return [Path(top, name) for top, _rel, names in walk_folders(root, skipped) for name in names]


def image_files(root: Path, files: list[Path] | None = None) -> list[Path]:
    return [p for p in (files if files is not None else walk_files(root)) if is_image_name(p)]


class ClassFolderTest:
    """Whether images lie in class folders (:func:`looks_like_class_folders`), told one folder of images at a time."""

    def __init__(self) -> None:
        self.labels: set[str] = set()
        self.images = False
        self.refuted = False  # an image at the root, or right in a split folder

    def add_folder(self, parts: list[str] | tuple[str, ...]) -> None:
        """A folder (its path parts below the root) that holds at least one image."""
        self.images = True
        split = bool(parts) and parts[0].lower() in SPLIT_FOLDER_NAMES
        if not parts or (split and len(parts) < 2):
            self.refuted = True
        else:
            self.labels.add(parts[1] if split else parts[0])

    @property
    def verdict(self) -> bool:
        return self.images and not self.refuted and len(self.labels) >= 2


def looks_like_class_folders(root: Path, images: list[Path]) -> bool:
    """True when every image sits in a sub-folder (one per class), none at the root, and there are 2+ classes."""
    test = ClassFolderTest()
    for p in images:
        test.add_folder(p.relative_to(root).parts[:-1])
    return test.verdict


def flat_candidates(root: Path, images: list[Path]) -> list[Candidate]:
    return [Candidate(rel=rel_posix(p, root)) for p in images]


def split_from_folders(rel: str) -> str | None:
    """The split a split folder anywhere in the path names (Roboflow ``valid/a.jpg``, ultralytics
    ``images/train/a.jpg``, ``train/images/a.jpg``)."""
    for part in rel.split("/")[:-1]:
        if part.lower() in SPLIT_FOLDER_NAMES:
            return SPLIT_FOLDER_NAMES[part.lower()]
    return None


def folder_class(parts: list[str] | tuple[str, ...]) -> tuple[str | None, str | None, list[str]]:
    """What class folders say about the images in a folder (its path parts below the root): the class (the first
    folder, or the second when the first names a split), the split, and a note when the name cannot be a class."""
    split = SPLIT_FOLDER_NAMES.get(parts[0].lower()) if len(parts) >= 2 else None
    label = parts[1] if split else (parts[0] if parts else None)
    problem = label_problem(label) if label else None
    notes = [f"class folder: {problem}; imported without a class"] if problem else []
    return (None if problem else label), split, notes


def class_folder_candidates(root: Path, images: list[Path]) -> list[Candidate]:
    """Class from the first folder below the root, or the second when the first names a split."""
    out = []
    for p in images:
        rel = rel_posix(p, root)
        label, split, notes = folder_class(rel.split("/")[:-1])
        out.append(Candidate(rel=rel, label=label, split=split, notes=notes))
    return out
