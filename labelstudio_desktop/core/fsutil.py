"""Small file-system helpers: atomic writes, and safe file names made from labels."""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


#: Characters Windows refuses in file names, besides the path separators and control characters.
_RESERVED_CHARACTERS = '<>:"|?*'
#: Device names Windows reserves whatever the extension.
_RESERVED_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                             *(f"LPT{i}" for i in range(1, 10))})
MAX_NAME_BYTES = 200


def safe_name(text: str, fallback: str = "_") -> str:
    """One path part made from free text such as a label: never a separator, ``.`` or ``..``, never a control
    character, a reserved character or a Windows device name, at most :data:`MAX_NAME_BYTES` bytes of UTF-8.

    Letters of any script stay, so a label stays readable. Every label-derived path part goes through here.
    """
    out = []
    for ch in str(text):
        if ch in "/\\" or ch in _RESERVED_CHARACTERS or unicodedata.category(ch)[0] == "C":
            out.append("_")
        else:
            out.append(ch)
    name = "".join(out).strip().strip(".").strip()  # no leading or trailing dots: no "..", no hidden file
    if name.split(".")[0].upper() in _RESERVED_NAMES:
        name = f"_{name}"
    encoded = name.encode("utf-8")[:MAX_NAME_BYTES]
    name = encoded.decode("utf-8", "ignore").rstrip(". ")
    return name or fallback


def unique_safe_names(texts: list[str], fallback: str = "_") -> dict[str, str]:
    """:func:`safe_name` of each text, with ``_2``, ``_3``... added where two texts would share a name (also when
    they differ only in case, for case-insensitive file systems)."""
    taken: set[str] = set()
    names: dict[str, str] = {}
    for text in texts:
        if text in names:
            continue
        base = safe_name(text, fallback)
        name, n = base, 2
        while name.casefold() in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name.casefold())
        names[text] = name
    return names


def inside(folder: Path, path: Path) -> Path:
    """``path`` resolved, after checking that it lies inside ``folder``; raises ValueError otherwise."""
    resolved = Path(os.path.abspath(path))
    base = Path(os.path.abspath(folder))
    if resolved != base and base not in resolved.parents:
        raise ValueError(f"{path}: outside {folder}")
    return resolved
