"""The import registry: each annotation format registers itself here, from its module, with its title, its place in
auto-detection and (a JSON format) how to tell its files and read them; :mod:`..transfer.annotation_sources` reads
it. The export side has its own registry (:mod:`..transfer.export_registry`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


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
