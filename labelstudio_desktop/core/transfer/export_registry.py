"""The export registry: each export format registers itself here, from the module that writes it, with who reads
it, the options it takes and its writer; :mod:`.export_formats` dispatches over it. A new format is one module that
calls :func:`register` (and its line in :mod:`.export_formats`' list of writer modules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExportFormat:
    key: str  # the value of --format
    title: str
    readers: str  # who reads it, in a sentence
    options: tuple[str, ...]  # the export options it takes beside include-pending and overwrite
    choices: dict[str, tuple[str, ...]]  # the values of an option that is a choice
    #: ``write(store, out, include_pending, overwrite, job, **options)`` -> ExportReport; the options are every
    #: export option by name (layout, mask_format, border, source, cutout, padding, variants, seed): each writer
    #: takes those it uses.
    write: Callable | None = field(default=None, compare=False, repr=False)


#: Every registered format by key, in the order registered (the order the command line and the dialog show).
EXPORT_FORMATS: dict[str, ExportFormat] = {}


def register(fmt: ExportFormat) -> ExportFormat:
    """Add ``fmt`` to :data:`EXPORT_FORMATS` (a key registered twice is a programming error)."""
    assert fmt.key not in EXPORT_FORMATS, f"export format {fmt.key!r} registered twice"
    EXPORT_FORMATS[fmt.key] = fmt
    return fmt
