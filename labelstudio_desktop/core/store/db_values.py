"""Values read back from a project's database, checked before they are used.

A database is data from someone else (a project folder passed around, a file damaged on a disk): a column meant to
hold JSON may hold anything, a process id may be text, a time may be a word. The readers here turn such a value
into a usable one and a plain note naming what was wrong with it, so the record it belongs to still works and the
note is shown with it (an image's warnings, a run's message), never a traceback.
"""

from __future__ import annotations

import json
import math
import os

from ..validate import Invalid, shown, whole

#: What a kind of JSON value is called in a note.
_KIND_NAMES = {list: "list", dict: "JSON object"}


def lenient_text(data: bytes) -> str:
    """A text column as read (SQLite's text factory of every project connection): bytes that are not UTF-8 (a crafted
    or damaged database) read as U+FFFD, where the default would fail the whole query."""
    return data.decode("utf-8", "replace")


def loaded(text: object, what: str) -> object:
    """The JSON value that a column holds; :class:`..validate.Invalid` naming ``what`` otherwise."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(f"{what}: not text ({shown(text)})") from None
    if not isinstance(text, str):
        raise Invalid(f"{what}: not JSON text ({shown(text)})")
    try:
        return json.loads(text)
    except RecursionError:
        raise Invalid(f"{what}: nested too deeply") from None
    except ValueError:
        raise Invalid(f"{what}: not JSON ({shown(text)})") from None


def stored_json(text: object, kind: type, what: str) -> tuple[object, str | None]:
    """The ``kind`` (list or dict) a JSON column holds, and None; an empty one and a note when it holds anything
    else."""
    try:
        value = loaded(text, what)
    except Invalid as exc:
        return kind(), f"{exc}: ignored"
    if not isinstance(value, kind):
        return kind(), f"{what}: not a {_KIND_NAMES[kind]} ({shown(value)}): ignored"
    return value, None


def text_list(text: object, what: str) -> list[str]:
    """A JSON list of texts (an image's warnings): anything else in it shown as text, and a column that is not such
    a list read as a one-note list saying so."""
    value, note = stored_json(text, list, what)
    if note is not None:
        return [note]
    return [v if isinstance(v, str) else shown(v) for v in value]


def series(text: object, what: str) -> tuple[dict[str, list[float]], list[str]]:
    """A JSON object of named lists of finite numbers (a run's per-epoch history), and notes on what was left out."""
    value, note = stored_json(text, dict, what)
    if note is not None:
        return {}, [note]
    out: dict[str, list[float]] = {}
    notes = []
    for key, values in value.items():
        if isinstance(values, list) and all(finite(v) for v in values):
            out[key] = [float(v) for v in values]
        else:
            notes.append(f"{what}: {shown(key)} is not a list of numbers ({shown(values)}): ignored")
    return out, notes


def seconds(value: object, what: str) -> tuple[float | None, str | None]:
    """A time stamp (seconds) as a float, or None with a note when the column holds something else."""
    if value is None or finite(value):
        return (None if value is None else float(value)), None
    return None, f"{what}: not a time ({shown(value)}): ignored"


def process_alive(value: object) -> bool:
    """Whether the process of this machine whose id a run or a journal recorded still runs (someone else's process
    counts as running); :class:`..validate.Invalid` when the value is no process id (text, 0, negative: ids
    that ``kill`` would read as a whole group of processes)."""
    pid = whole(value, "its process id", 1, 2 ** 31 - 1)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def finite(value: object) -> bool:
    """Whether ``value`` is a finite number (not a bool, not text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False
