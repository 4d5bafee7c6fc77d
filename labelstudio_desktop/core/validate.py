"""Checks of values from outside (annotation files written by someone else, a database's columns), made before
anything is converted or allocated.

A file is data from anyone: a coordinate may be ``1e308``, ``NaN``, text, ``null`` or a list; an id a list; an RLE
may claim ten billion pixels; a JSON or YAML file may nest 100,000 deep or expand aliases a billion fold. Each check
here turns such a value into a plain :class:`Invalid` reason (a reader makes it a note naming the file and the
record, and goes on with the next record), and the loaders turn a file that cannot be read into an
:class:`AnnotationError` naming what is wrong. Limits are generous for real data and far below what would cost
memory or time. A top-level module of ``core``: the store checks its values with it, below the formats that read and
write files.
"""

from __future__ import annotations

import json
import math
import reprlib
from pathlib import Path

import yaml

#: Largest magnitude of a coordinate (pixels, or fractions of the image): anything past it is no real annotation,
#: and keeping below it keeps every product with an image size finite.
MAX_COORDINATE = 1e9
#: Largest width or height an annotation file may declare for an image.
MAX_SIDE = 1_000_000
#: Most points of one polygon.
MAX_POINTS = 100_000
#: Largest class id (YOLO lines, ``data.yaml`` names): real datasets have thousands of classes at most.
MAX_CLASS_ID = 100_000
#: Notes kept per file and image; the rest are counted.
MAX_NOTES = 50
MAX_JSON_BYTES = 500_000_000
MAX_YAML_BYTES = 2_000_000

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 2, 30, 30, 4, 3


class AnnotationError(Exception):
    """An annotation file that cannot be used at all; the message is a plain reason."""


class Invalid(ValueError):
    """A value of an annotation file that cannot be used; the message is a plain reason."""


def shown(value: object) -> str:
    """``value`` as a short text for a note, however long or deeply nested it is."""
    try:
        return _REPR.repr(value)
    except (ValueError, RecursionError):  # an integer of more digits than Python prints
        return f"a {type(value).__name__}"


def number(value: object, what: str) -> float:
    """``value`` (a number, or text holding one) as a float that is finite and within :data:`MAX_COORDINATE`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Invalid(f"{what} is not a number ({shown(value)})")
    try:
        result = float(value)
    except ValueError:
        raise Invalid(f"{what} is not a number ({shown(value)})") from None
    except OverflowError:  # an integer too large for a float
        raise Invalid(f"{what} is out of range ({shown(value)})") from None
    if not math.isfinite(result):
        raise Invalid(f"{what} is not a finite number ({shown(value)})")
    if abs(result) > MAX_COORDINATE:
        raise Invalid(f"{what} is out of range ({shown(value)})")
    return result


def numbers(value: object, count: int, what: str) -> list[float]:
    """A list of exactly ``count`` numbers (each checked by :func:`number`)."""
    if not isinstance(value, (list, tuple)) or len(value) != count:
        raise Invalid(f"{what} is not a list of {count} numbers ({shown(value)})")
    return [number(v, f"a {what} value") for v in value]


def whole(value: object, what: str, low: int = 0, high: int = MAX_SIDE) -> int:
    """``value`` (an integer, an integral float or text holding one) as an int in ``low..high``."""
    raw = value
    if isinstance(value, str):
        digits = value.strip().lstrip("+-")
        try:
            value = int(value) if digits.isdigit() and len(digits) < 30 else float(value)
        except ValueError:
            raise Invalid(f"{what} is not a whole number ({shown(raw)})") from None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{what} is not a whole number ({shown(raw)})")
    if not low <= value <= high:
        raise Invalid(f"{what} {shown(raw)} is out of range ({low}..{high})")
    return value


def side(value: object, what: str, notes: list[str]) -> int | None:
    """A width or height the file declares: a positive whole number up to :data:`MAX_SIDE`; None when absent or 0
    (what some tools write for "unknown"), None with a note when unusable."""
    if value is None:
        return None
    try:
        return whole(value, what, 0, MAX_SIDE) or None
    except Invalid as exc:
        notes.append(f"{exc}: ignored")
        return None


def identifier(value: object, what: str) -> int | str:
    """An id that records refer to each other by: a whole number or a text."""
    if isinstance(value, str):
        return value
    return whole(value, what, -2 ** 63, 2 ** 63 - 1)


def text(value: object, what: str) -> str:
    """A label or a name: text (a number is taken as its digits)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10 ** 18:
        return str(value)
    raise Invalid(f"{what} is not text ({shown(value)})")


def polygon(values: object, what: str = "polygon") -> list[float]:
    """A flat ``x, y, x, y ...`` list of at least 3 and at most :data:`MAX_POINTS` points."""
    if not isinstance(values, (list, tuple)):
        raise Invalid(f"{what} is not a list of coordinates ({shown(values)})")
    if len(values) % 2:
        raise Invalid(f"{what} has an odd number of coordinates ({len(values)})")
    count = len(values) // 2
    if count < 3:
        raise Invalid(f"{what} has {count} point{'s' if count != 1 else ''}, at least 3 are needed")
    if count > MAX_POINTS:
        raise Invalid(f"{what} has {count} points, more than {MAX_POINTS}")
    return [number(v, f"a coordinate of {what}") for v in values]


def point_pairs(points: object, what: str = "points") -> list[float]:
    """``[[x, y], ...]`` (extra values of a point are ignored) as a flat list, each checked."""
    if not isinstance(points, (list, tuple)):
        raise Invalid(f"{what} is not a list of [x, y] points ({shown(points)})")
    if len(points) > MAX_POINTS:
        raise Invalid(f"{what}: {len(points)} points, more than {MAX_POINTS}")
    flat = []
    for point in points:
        if not isinstance(point, (list, tuple)) or len(point) < 2:
            raise Invalid(f"{what}: a point is not [x, y] ({shown(point)})")
        flat += [number(point[0], "a point's x"), number(point[1], "a point's y")]
    return flat


def runs(counts: object, pixels: int, what: str = "RLE") -> list[int]:
    """Run lengths that cover exactly ``pixels`` pixels: whole numbers, none negative, no more runs than pixels."""
    if not isinstance(counts, (list, tuple)):
        raise Invalid(f"{what} counts are not a list of run lengths ({shown(counts)})")
    if len(counts) > pixels + 1:
        raise Invalid(f"{what} has {len(counts)} runs for {pixels} pixels")
    out = [whole(c, f"an {what} run", 0, pixels) for c in counts]
    total = sum(out)
    if total != pixels:
        raise Invalid(f"{what} runs add up to {total} pixels, the mask has {pixels}")
    return out


def capped(notes: list[str], limit: int = MAX_NOTES) -> list[str]:
    """The first ``limit`` notes, and a count of the others."""
    if len(notes) <= limit:
        return notes
    return [*notes[:limit], f"and {len(notes) - limit} more problem(s) like these"]


# ------------------------------------------------------------------ reading whole files
def checked_size(path: Path, max_bytes: int, what: str = "file") -> int:
    """The size of an annotation file; :class:`AnnotationError` when it is unreadable, empty or too large."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AnnotationError(f"cannot read ({exc.strerror})") from exc
    if size == 0:
        raise AnnotationError(f"empty {what} (0 bytes)")
    if size > max_bytes:
        raise AnnotationError(f"{what} too large ({size} bytes)")
    return size


def load_json(path: Path) -> object:
    """A JSON file's content; :class:`AnnotationError` when it is empty, too large, too deep or not JSON."""
    checked_size(path, MAX_JSON_BYTES)
    try:
        return json.loads(path.read_bytes())
    except RecursionError:
        raise AnnotationError("nested too deeply (lists or objects inside each other hundreds of levels "
                              "down)") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise AnnotationError(f"not valid JSON ({exc})") from exc
    except OSError as exc:
        raise AnnotationError(f"cannot read ({exc.strerror})") from exc


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader (plain data only) refusing aliases."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            line = self.peek_event().start_mark.line + 1
            raise AnnotationError(f"YAML aliases (*name, line {line}) are refused: they can expand a small file "
                                  "beyond any memory")
        return super().compose_node(parent, index)


def load_yaml(path: Path) -> object:
    """A YAML file's content, read with the safe loader (no Python objects) and without aliases (``*name``, which
    can expand a small file a billion fold); :class:`AnnotationError` when it cannot be used."""
    checked_size(path, MAX_YAML_BYTES, "YAML file")
    try:
        return yaml.load(path.read_text(encoding="utf-8", errors="replace"), _NoAliasLoader)
    except RecursionError:
        raise AnnotationError("nested too deeply (lists or mappings inside each other hundreds of levels "
                              "down)") from None
    except OSError as exc:
        raise AnnotationError(f"cannot read ({exc.strerror})") from exc
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an integer of more digits than Python converts
        raise AnnotationError(f"unreadable YAML ({shown_error(exc)})") from exc


def shown_error(exc: Exception) -> str:
    """An exception's message on one line."""
    return " ".join(str(exc).split())
