"""Edits as commands with exact undo.

Every change a user makes to annotations goes through a :class:`Command`: ``do`` applies it to the store
in one transaction, ``undo`` restores exactly what was there before. The GUI wraps them in
``QUndoCommand``s; :class:`History` is the same stack without Qt, for the CLI and tests.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..store.store import BoxRecord, Store, StoreError
from .annotation_work import images_with_pending_masks
from .class_list import EARLIER_ORDERS, project_classes
from .mask_edits import MaskRow, remove_mask, write_mask

#: The tables whose rows carry a class label.
CLASS_TABLES = ("boxes", "masks", "images")


class Command:
    """Base class: subclasses implement :meth:`_do` and :meth:`_undo`."""

    #: The image the edit touches, so undo can show it.
    image_id: int | None = None
    text: str = "edit"

    def do(self, store: Store) -> None:
        with store.transaction():
            self._do(store)

    def undo(self, store: Store) -> None:
        with store.transaction():
            self._undo(store)

    def merge_key(self) -> tuple | None:
        """Commands with the same non-None key that follow each other merge into one undo step."""
        return None

    def merge(self, later: Command) -> bool:
        """Absorb ``later`` (same merge key) into this command; return True when merged."""
        return False

    def _do(self, store: Store) -> None:
        raise NotImplementedError

    def _undo(self, store: Store) -> None:
        raise NotImplementedError


class AddBox(Command):
    """Add a box; undo deletes it, redo restores it with the same id."""

    def __init__(self, box: BoxRecord):
        self.box = box
        self.image_id = box.image_id
        self.text = f"add box '{box.label}'"
        self.box_id: int | None = None

    def _do(self, store: Store) -> None:
        if self.box_id is None:
            self.box_id = store.insert_box(self.box)
            self.box = replace(self.box, id=self.box_id)
        else:
            store.insert_box(self.box, keep_id=True)

    def _undo(self, store: Store) -> None:
        store.delete_box(self.box_id)


class DeleteBox(Command):
    """Delete a box; undo restores every column, id included."""

    def __init__(self, store: Store, box_id: int):
        self.box = store.box(box_id)
        self.image_id = self.box.image_id
        self.text = f"delete box '{self.box.label}'"

    def _do(self, store: Store) -> None:
        store.delete_box(self.box.id)

    def _undo(self, store: Store) -> None:
        store.insert_box(self.box, keep_id=True)


class UpdateBox(Command):
    """Change any fields of a box (edges, label, state, flags).

    ``merge_id`` lets consecutive drags of the same box become one undo step: pass the same value for
    every step of one gesture series (the GUI passes the box id while the same box stays selected).
    """

    def __init__(self, store: Store, box_id: int, merge_id: Any = None, **changes: Any):
        self.before = store.box(box_id)
        self.after = replace(self.before, **changes)
        self.image_id = self.before.image_id
        self.merge_id = merge_id
        what = "move/resize" if set(changes) <= {"x0", "y0", "x1", "y1", "edited", "state"} else "edit"
        self.text = f"{what} box '{self.before.label}'"

    def _do(self, store: Store) -> None:
        store.update_box(self.after)

    def _undo(self, store: Store) -> None:
        store.update_box(self.before)

    def merge_key(self) -> tuple | None:
        return None if self.merge_id is None else ("box", self.before.id, self.merge_id)

    def merge(self, later: Command) -> bool:
        if isinstance(later, UpdateBox) and later.merge_key() == self.merge_key() is not None:
            self.after = later.after
            return True
        return False


class SetImageFields(Command):
    """Set image-level fields (class label, numeric value, split, review status, excluded)."""

    def __init__(self, store: Store, image_id: int, **values: Any):
        self.image_id = image_id
        self.after = values
        self.before = store.image_fields(image_id, tuple(values))
        self.text = "set " + ", ".join(f"{k}={v!r}" for k, v in values.items())

    def _do(self, store: Store) -> None:
        store.update_image_fields(self.image_id, self.after)

    def _undo(self, store: Store) -> None:
        store.update_image_fields(self.image_id, self.before)


class UpdateMask(Command):
    """Change a mask's state, pixels or label (accepting a proposal stores it binarised); exact undo."""

    def __init__(self, store: Store, mask_id: int, state: str | None = None, png: bytes | None = None,
                 label: str | None = None):
        row = store.mask(mask_id)
        self.mask_id = mask_id
        self.image_id = row["image_id"]
        self.before = (row["state"], bytes(row["png"]), row["label"])
        self.after = (state or row["state"], png if png is not None else bytes(row["png"]), label or row["label"])
        self.text = f"{self.after[0]} mask"

    def _do(self, store: Store) -> None:
        store.update_mask(self.mask_id, *self.after)

    def _undo(self, store: Store) -> None:
        store.update_mask(self.mask_id, *self.before)


class SetMask(Command):
    """Replace a mask as a whole (pixels, state, label, edited mark), add one (``before`` None) or remove one
    (``after`` None): one brush stroke, polygon, GrabCut run, fill, clear, accept or reject. Undo restores every
    column of the row; an added mask keeps its id through undo and redo."""

    def __init__(self, text: str, before: MaskRow | None, after: MaskRow | None):
        if before is None and after is None:
            raise ValueError("SetMask needs a mask before or after")
        self.text = text
        self.before, self.after = before, after
        self.image_id = (after or before).image_id

    @property
    def mask_id(self) -> int | None:
        return (self.after or self.before).id

    def _do(self, store: Store) -> None:
        if self.after is None:
            remove_mask(store, self.before.id)
        else:
            self.after = replace(self.after, id=write_mask(store, self.after))

    def _undo(self, store: Store) -> None:
        if self.before is None:
            remove_mask(store, self.after.id)
        else:
            write_mask(store, self.before)


class Compound(Command):
    """Several commands as one undo step (e.g. 'copy boxes from the previous image')."""

    def __init__(self, text: str, commands: list[Command]):
        self.text = text
        self.commands = commands
        ids = {c.image_id for c in commands}
        self.image_id = ids.pop() if len(ids) == 1 else None

    def _do(self, store: Store) -> None:
        for c in self.commands:
            c._do(store)

    def _undo(self, store: Store) -> None:
        for c in reversed(self.commands):
            c._undo(store)


class _ClassListCommand(Command):
    """Base of the class list edits: undo puts back the whole list (ids, names, places) and the older orders."""

    def __init__(self, store: Store):
        project_classes(store)  # labels in use are in the list before it changes
        self.rows = [tuple(r) for r in store.conn.execute("SELECT id, name, position FROM project_classes")]
        self.orders = {key: store.get_setting(key) for key in EARLIER_ORDERS}

    def _undo(self, store: Store) -> None:
        store.conn.execute("DELETE FROM project_classes")
        store.conn.executemany("INSERT INTO project_classes(id, name, position) VALUES(?, ?, ?)", self.rows)
        for key, order in self.orders.items():
            if order is None:
                store.conn.execute("DELETE FROM settings WHERE key=?", (key,))
            else:
                store.set_setting(key, order)


class AddClass(_ClassListCommand):
    """A new class at the end of the project's class list; redo gives it the same id."""

    def __init__(self, store: Store, name: str):
        super().__init__(store)
        self.name = name.strip()
        if not self.name or any(r[1] == self.name for r in self.rows):
            raise StoreError(f"the class list already has {self.name!r}" if self.name else "a class needs a name")
        self.class_id = max((r[0] for r in self.rows), default=0) + 1
        self.position = max((r[2] for r in self.rows), default=-1) + 1
        self.text = f"add class '{self.name}'"

    def _do(self, store: Store) -> None:
        store.conn.execute("INSERT INTO project_classes(id, name, position) VALUES(?, ?, ?)",
                           (self.class_id, self.name, self.position))


class RenameClass(_ClassListCommand):
    """Rename a class on every box, mask and image that has it (as :func:`.class_list.rename_class`); onto an
    existing class the two merge. Undo gives exactly those rows their old label back."""

    def __init__(self, store: Store, old: str, new: str):
        super().__init__(store)
        self.old, self.new = old, new.strip()
        if not self.new:
            raise StoreError("a class needs a name")
        if not any(r[1] == old for r in self.rows):
            raise StoreError(f"no class named {old!r}")
        self.merges = self.new != old and any(r[1] == self.new for r in self.rows)
        self.ids = {table: [r[0] for r in store.conn.execute(f"SELECT id FROM {table} WHERE label=?", (old,))]
                    for table in CLASS_TABLES}
        self.text = f"{'merge' if self.merges else 'rename'} class '{old}' into '{self.new}'"

    def _relabel(self, store: Store, label: str) -> None:
        for table, ids in self.ids.items():
            store.conn.executemany(f"UPDATE {table} SET label=? WHERE id=?", [(label, i) for i in ids])

    def _do(self, store: Store) -> None:
        self._relabel(store, self.new)
        if self.merges:
            store.conn.execute("DELETE FROM project_classes WHERE name=?", (self.old,))
        else:
            store.conn.execute("UPDATE project_classes SET name=? WHERE name=?", (self.new, self.old))
        for key, order in self.orders.items():  # digit keys and mask indices keep their class
            if order and self.old in order:
                store.set_setting(key, list(dict.fromkeys(self.new if n == self.old else n for n in order)))

    def _undo(self, store: Store) -> None:
        self._relabel(store, self.old)
        super()._undo(store)


class ReorderClasses(_ClassListCommand):
    """Put the classes in the order of ``names`` (every class exactly once)."""

    def __init__(self, store: Store, names: list[str]):
        super().__init__(store)
        if sorted(names) != sorted(r[1] for r in self.rows) or len(set(names)) != len(names):
            raise StoreError("the new order must name every class exactly once")
        self.names = list(names)
        self.text = "reorder classes"

    def _do(self, store: Store) -> None:
        store.conn.executemany("UPDATE project_classes SET position=? WHERE name=?", list(enumerate(self.names)))


class History:
    """An unlimited undo/redo stack over a store (the GUI uses QUndoStack with the same commands)."""

    def __init__(self, store: Store):
        self.store = store
        self.done: list[Command] = []
        self.undone: list[Command] = []

    def push(self, command: Command) -> Command:
        command.do(self.store)
        self.undone.clear()
        if self.done and command.merge_key() is not None and self.done[-1].merge(command):
            return self.done[-1]
        self.done.append(command)
        return command

    def undo(self) -> Command | None:
        if not self.done:
            return None
        command = self.done.pop()
        command.undo(self.store)
        self.undone.append(command)
        return command

    def redo(self) -> Command | None:
        if not self.undone:
            return None
        command = self.undone.pop()
        command.do(self.store)
        self.done.append(command)
        return command


def verifying(store: Store, decisions: list[UpdateBox]) -> list[Command]:
    """``decisions`` on box proposals followed by the verified mark of each image they finish: an image whose last
    pending proposal (box or mask) they decide and that keeps at least one accepted box is reviewed, so the next
    Propose leaves it alone. Push the result as one undo step."""
    after = {d.before.id: d.after.state for d in decisions}
    masks_pending = images_with_pending_masks(store)
    commands: list[Command] = list(decisions)
    for image_id in dict.fromkeys(d.image_id for d in decisions):
        states = [after.get(b.id, b.state) for b in store.boxes(image_id)]
        if ("pending" not in states and "accepted" in states and image_id not in masks_pending
                and store.image_fields(image_id, ("status",))["status"] != "verified"):
            commands.append(SetImageFields(store, image_id, status="verified"))
    return commands
