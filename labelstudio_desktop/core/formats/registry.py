"""The registries of import and export: each format registers itself here, from its module, for what it does. To
import: its title, its place in auto-detection and (a JSON format) how to tell its files and read them
(:mod:`..transfer.annotation_sources` reads it). To export: who reads what it writes, the options it takes and its
writer (:mod:`..transfer.export_formats` dispatches over it). :mod:`.catalog` imports every format module, so that
each has registered itself; read the registries through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReaderFormat:
    key: str  # the value of ``import --format``
    title: str
    rank: int  # auto-detection takes the format of lowest rank among the files found (multi-image files first)
    #: JSON formats: whether parsed data is of this format, and ``read(path, data, index, notes)``.
    sniff_json: Callable[[object], bool] | None = None
    read_json: Callable | None = None


#: Every registered reader by key.
READERS: dict[str, ReaderFormat] = {}


def register_reader(fmt: ReaderFormat) -> ReaderFormat:
    """Add ``fmt`` to :data:`READERS` (a key registered twice is a programming error)."""
    assert fmt.key not in READERS, f"annotation format {fmt.key!r} registered twice"
    READERS[fmt.key] = fmt
    return fmt


def by_rank() -> list[ReaderFormat]:
    """The registered readers in auto-detection order."""
    return sorted(READERS.values(), key=lambda f: f.rank)


@dataclass(frozen=True)
class ExportFormat:
    key: str  # the value of export's --format
    title: str
    readers: str  # who reads it, in a sentence
    options: tuple[str, ...]  # the export options it takes beside include-pending and overwrite
    choices: dict[str, tuple[str, ...]]  # the values of an option that is a choice
    #: ``write(store, out, include_pending, overwrite, job, **options)`` -> ExportReport; the options are every
    #: export option by name (layout, mask_format, border, source, cutout, padding, variants, seed): each writer
    #: takes those it uses.
    write: Callable | None = field(default=None, compare=False, repr=False)
    rank: int = 0  # its place in the list the command line and the app's Export dialog show (lowest first)


#: Every registered export format by key, in the order of their ranks (the order the command line and the dialog
#: show).
EXPORT_FORMATS: dict[str, ExportFormat] = {}


def register_export(fmt: ExportFormat) -> ExportFormat:
    """Add ``fmt`` to :data:`EXPORT_FORMATS` in its rank's place (a key registered twice is a programming error)."""
    assert fmt.key not in EXPORT_FORMATS, f"export format {fmt.key!r} registered twice"
    ordered = sorted([*EXPORT_FORMATS.values(), fmt], key=lambda f: f.rank)
    EXPORT_FORMATS.clear()
    EXPORT_FORMATS.update((f.key, f) for f in ordered)
    return fmt
