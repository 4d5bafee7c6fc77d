"""The first look at an image folder before an import: one walk, a folder at a time, that keeps what deciding the
layout needs and not the files themselves.

It counts the images, tells whether they lie in class folders (:class:`..formats.folders.ClassFolderTest`), names
the files that cannot be imported, and keeps only the files :func:`.annotation_sources.scan` sorts by format (XML,
JSON, YAML, YOLO txt files, and the images named as a txt file beside it, by which a txt file is told to be YOLO
labels). An import of a plain folder or of class folders then walks the folder a second time and streams its images
(:func:`plain_images`); the other layouts, whose files come with annotation files, take the full list of files
(:attr:`Survey.files`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..formats.folders import Candidate, ClassFolderTest, folder_class, walk_folders
from ..images import is_image_name, suffix_of, unsupported_image
from .mask_import import MaskFolder

#: Extensions of the files :func:`.annotation_sources.scan` reads (the rest it passes over).
SCANNED_EXTENSIONS = frozenset({".xml", ".json", ".yaml", ".yml", ".txt"})


@dataclass
class Survey:
    images: int = 0  # image files (by extension)
    class_folders: ClassFolderTest = field(default_factory=ClassFolderTest)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path shown, reason): folders or files left out
    unsupported: list[tuple[str, str]] = field(default_factory=list)  # (path shown, reason): images not readable here
    scanned: list[Path] = field(default_factory=list)  # what scan() needs to see, in the order of the walk
    files: list[Path] | None = None  # every file, when asked for


def image_folders(root: Path, mask_folders: list[MaskFolder],
                  skipped: list[tuple[str, str]] | None = None) -> Iterator[tuple[str, str, list[str]]]:
    """:func:`..formats.folders.walk_folders` of ``root`` without the mask folders (whose files are masks)."""
    masks = [os.fspath(f.masks) for f in mask_folders]
    for top, rel, names in walk_folders(root, skipped):
        if not any(top == m or top.startswith(m.rstrip(os.sep) + os.sep) for m in masks):
            yield top, rel, names


def survey(root: Path, mask_folders: list[MaskFolder], keep_files: bool) -> Survey:
    """Walk ``root`` once (:mod:`this module's docstring <.folder_survey>`); ``keep_files``: list every file too."""
    found = Survey(files=[] if keep_files else None)
    for top, rel, names in image_folders(root, mask_folders, found.skipped):
        suffixes = [suffix_of(name).lower() for name in names]
        images = [name for name in names if is_image_name(name)]
        found.images += len(images)
        if images:
            found.class_folders.add_folder(rel.split("/") if rel else [])
        texts = {os.path.splitext(n)[0] for n, s in zip(names, suffixes, strict=True) if s == ".txt"}
        for name, suffix in zip(names, suffixes, strict=True):
            reason = unsupported_image(name)
            if reason:
                found.unsupported.append((f"{rel}/{name}" if rel else name, reason))
            if suffix in SCANNED_EXTENSIONS or (texts and is_image_name(name) and os.path.splitext(name)[0] in texts):
                found.scanned.append(Path(top, name))
        if found.files is not None:
            found.files.extend(Path(top, name) for name in names)
    return found


def all_files(root: Path, mask_folders: list[MaskFolder]) -> list[Path]:
    """Every file of ``root`` outside the mask folders, in the order of the walk."""
    return [Path(top, name) for top, _rel, names in image_folders(root, mask_folders) for name in names]


def plain_images(root: Path, mask_folders: list[MaskFolder], class_folders: bool) -> Iterator[Candidate]:
    """The images of ``root`` as candidates of a plain folder or (``class_folders``) of class folders, one folder at a
    time (:func:`..formats.folders.flat_candidates`, :func:`..formats.folders.class_folder_candidates`)."""
    for _top, rel, names in image_folders(root, mask_folders):
        images = [name for name in names if is_image_name(name)]
        if not images:
            continue
        label, split, notes = folder_class(rel.split("/") if rel else []) if class_folders else (None, None, [])
        prefix = f"{rel}/" if rel else ""
        for name in images:
            yield Candidate(rel=prefix + name, label=label, split=split, notes=list(notes))
