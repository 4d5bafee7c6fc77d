"""Resolving duplicates as undoable commands: keep one, keep both, exclude, choose a label, quarantine.

Excluding never touches the files. Moving excluded files to a quarantine folder is a separate, explicit
command whose undo moves them back; it never overwrites a file, and moves only files inside the image folder into the
project's own quarantine folder (:mod:`.confine`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..confine import check_inside
from ..editing.commands import Command, Compound, SetImageFields
from ..store import file_moves
from ..store.relocate import QUARANTINE_DIRNAME
from ..store.store import Store
from .dedup import NOT_DUPLICATE, ordered


class SetPairDecision(Command):
    """Remember a decision about a pair (``not_duplicate``: never shown again); None forgets it."""

    def __init__(self, store: Store, a: int, b: int, decision: str | None):
        self.pair = ordered(a, b)
        self.after = decision
        row = store.conn.execute("SELECT decision FROM duplicate_decisions WHERE image_a=? AND image_b=?",
                                 self.pair).fetchone()
        self.before = row[0] if row else None
        self.image_id = a
        self.text = "keep both (not a duplicate)" if decision == NOT_DUPLICATE else "duplicate decision"

    def _set(self, store: Store, decision: str | None) -> None:
        store.conn.execute("DELETE FROM duplicate_decisions WHERE image_a=? AND image_b=?", self.pair)
        if decision is not None:
            store.conn.execute(
                "INSERT INTO duplicate_decisions(image_a, image_b, decision, created_at) VALUES(?,?,?,?)",
                (*self.pair, decision, time.time()))

    def _do(self, store: Store) -> None:
        self._set(store, self.after)

    def _undo(self, store: Store) -> None:
        self._set(store, self.before)


def keep_only(store: Store, keep: int, others: list[int]) -> Command:
    """Keep ``keep`` and exclude the others (their files stay on disk)."""
    commands = [SetImageFields(store, i, excluded=True) for i in others if i != keep]
    return Compound(f"keep {store.image(keep).path}", commands)


def keep_both(store: Store, a: int, b: int) -> Command:
    return SetPairDecision(store, a, b, NOT_DUPLICATE)


def exclude_all(store: Store, ids: list[int]) -> Command:
    return Compound("exclude both" if len(ids) == 2 else f"exclude {len(ids)} images",
                    [SetImageFields(store, i, excluded=True) for i in ids])


def choose_label(store: Store, ids: list[int], label: str) -> Command:
    """Give every member of a conflicting group the same class label."""
    return Compound(f"class '{label}' for {len(ids)} images", [SetImageFields(store, i, label=label) for i in ids])


def quarantine_dir(store: Store) -> Path:
    return store.db_path.parent / QUARANTINE_DIRNAME


class QuarantineExcluded(Command):
    """Move the files of excluded images into the project's quarantine folder (undo moves them back).

    The moves are journaled (:mod:`.file_moves`): killed part-way, the next opening of the project puts the moved
    files back, so the folder and the store always agree."""

    def __init__(self, store: Store, target: Path | None = None):
        self.target = check_inside(store.db_path.parent, Path(target) if target else quarantine_dir(store))
        rows = store.conn.execute("SELECT id, path FROM images WHERE excluded=1 AND missing=0 ORDER BY path")
        self.files = [(r[0], r[1]) for r in rows if r[0] not in store.refused_images]
        self.moves: list[tuple[int, Path, Path]] = []
        self.text = f"move {len(self.files)} excluded files to {self.target}"

    def do(self, store: Store) -> None:  # its own transactions: the journal is committed before any file moves
        self._do(store)

    def undo(self, store: Store) -> None:
        self._undo(store)

    def _do(self, store: Store) -> None:
        planned: list[tuple[int, Path, Path]] = []
        journal: list[tuple[int, str, Path]] = []
        taken: set[Path] = set()
        for image_id, rel in self.files:
            src = store.abs_path(rel)
            if src.is_file() and not src.is_symlink():
                dst = check_inside(self.target, _free_path(self.target / rel, taken))
                taken.add(dst)
                planned.append((image_id, src, dst))
                journal.append((image_id, rel, dst))
        file_moves.journal(store, journal)
        self.moves = []
        try:
            for image_id, src, dst in planned:
                file_moves.move(src, dst)
                self.moves.append((image_id, src, dst))
        except OSError:
            self._move_back()
            file_moves.finish(store, lambda: None)
            raise
        file_moves.finish(store, lambda: store.set_missing([m[0] for m in self.moves]))

    def _undo(self, store: Store) -> None:
        rel = dict(self.files)
        file_moves.journal(store, [(i, rel[i], dst) for i, _src, dst in self.moves])
        back: list[int] = []
        try:
            self._move_back(back)
        finally:  # what moved back is recorded even when a file is in the way of the next one
            file_moves.finish(store, lambda: store.set_missing(back, missing=False))

    def _move_back(self, back: list[int] | None = None) -> None:
        for image_id, src, dst in reversed(self.moves):
            if src.exists():
                if not dst.exists():  # already back (an interrupted undo, completed on opening)
                    continue
                raise FileExistsError(f"{src} exists again; {dst} was left in the quarantine folder")
            file_moves.move(dst, src)
            if back is not None:
                back.append(image_id)


def _free_path(path: Path, taken: set[Path] = frozenset()) -> Path:
    """``path``, or ``name (2).ext`` etc. when something is already there: never overwrite."""
    candidate, n = path, 2
    while os.path.lexists(candidate) or candidate in taken:
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return candidate
