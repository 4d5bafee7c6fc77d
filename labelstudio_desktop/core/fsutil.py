"""Small file-system helpers: atomic writes, and safe file names made from labels."""

from __future__ import annotations

import errno
import os
import tempfile
import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path

from .confine import LINK, open_root_of, resolves_inside
from .durability import fsync_dir

#: While an export runs, where its writes go instead (:mod:`.formats.staging` sets it): a path of the chosen folder ->
#: the same path in the export's staging folder. None outside an export.
WRITE_REDIRECT: ContextVar[Callable[[Path], Path] | None] = ContextVar("write_redirect", default=None)
#: While an export runs, the project folder its image reads must stay inside (no link leading outside is read).
READ_ROOT: ContextVar[Path | None] = ContextVar("read_root", default=None)
#: While one image's files of an export are written (:func:`.formats.writing.each_file`), the files written so far, as
#: written (in the staging folder): removed again when the file system refuses the name of the next one.
WRITTEN: ContextVar[list[Path] | None] = ContextVar("written", default=None)
#: What the file system says when it refuses a file's name: too long, a byte sequence or a character it cannot hold
#: (a FAT or NTFS drive, a file system that only takes UTF-8).
REFUSED_NAME_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL})
#: Bytes of the target's name kept in a temporary name: with the random part and ``.tmp`` it stays far below the
#: 255 bytes file systems allow, whatever the target's name.
TEMP_NAME_BYTES = 120


def file_mode() -> int:
    """The mode a new file gets from the process's umask (``open`` would give it; ``mkstemp`` gives 0600)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: read the umask by setting it, and put it back at once
    os.umask(mask)
    return 0o666 & ~mask


def temp_prefix(name: str) -> str:
    """The start of a temporary file's name for ``name``: hidden, and short enough for any ``name``."""
    return "." + name.encode("utf-8", "surrogateescape")[:TEMP_NAME_BYTES].decode("utf-8", "ignore") + "."


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so a crash never leaves half a file.

    The file gets the umask's mode. During an export the write lands in the export's staging folder
    (:data:`WRITE_REDIRECT`), which the export renames into place when it is complete.
    """
    target = Path(path)
    redirect = WRITE_REDIRECT.get()
    if redirect is not None:
        path = redirect(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), suffix=".tmp", dir=path.parent)
    except OSError as exc:  # named by the file asked for, not by a temporary or staging name
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            os.chmod(tmp, file_mode())
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)  # the rename itself survives a power loss
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise
    written = WRITTEN.get()
    if written is not None:
        written.append(path)


def name_refused(exc: OSError) -> bool:
    """Whether the file system refused a file's name (:data:`REFUSED_NAME_ERRNOS`)."""
    return exc.errno in REFUSED_NAME_ERRNOS


def link_outside(root: Path, path: Path) -> bool:
    """True when ``path`` (inside ``root``) is, or goes through, a symbolic link that leads outside ``root``."""
    return not resolves_inside(root, path)


def check_read(path: Path) -> None:
    """Raise ValueError when ``path`` lies in the project an export reads (:data:`READ_ROOT`), or in the image folder
    of a project open in this process (:func:`.confine.open_root_of`), and leads outside it through a link."""
    root = READ_ROOT.get() or open_root_of(path)
    if root is not None and link_outside(root, path):
        raise ValueError(LINK)


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
