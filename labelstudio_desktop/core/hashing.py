"""Per-file fingerprints for duplicate finding: bytes, content without metadata, perceptual hashes.

- ``sha256``: the file's bytes (exact copies).
- ``content``: the pixel-bearing part of a JPEG or PNG with metadata (EXIF, comments, text chunks) left out,
  plus the EXIF orientation; equal content means the same decoded pixels under other metadata.
- perceptual hash through ``imagehash`` (pHash, dHash, wHash, aHash) of the upright image, optionally of its
  mirror image too. A JPEG is decoded at reduced size straight from its DCT blocks (PIL ``draft``): a
  32x32 hash needs no more, and it is several times cheaper than a full decode.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageOps

from .images import exif_orientation, to_rgb

ALGORITHMS = ("phash", "dhash", "whash", "ahash")
#: Pixels the hash functions look at (imagehash resizes to hash_size * 4 for pHash).
_HASH_INPUT = {"phash": 4, "dhash": 1, "whash": 1, "ahash": 1}
_PNG_PIXEL_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT"}


class HashError(Exception):
    """A file that cannot be hashed; the message is a plain reason."""


def hash_size_for(bits: int, algo: str) -> int:
    size = math.isqrt(bits)
    if size * size != bits or size < 2:
        raise HashError(f"--bits must be a square number such as 64 or 256 (got {bits})")
    if algo == "whash" and size & (size - 1):
        raise HashError(f"wHash needs a power-of-two side: --bits 16, 64, 256 or 1024 (got {bits})")
    return size


def _jpeg_content(data: bytes) -> bytes | None:
    """JPEG segments that define pixels (tables, frame, scans), without APPn and COM segments."""
    if data[:2] != b"\xff\xd8":
        return None
    out = [data[:2]]
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker == 0xDA:  # start of scan: everything from here on is pixel data
            out.append(data[pos:])
            return b"".join(out)
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            out.append(data[pos:pos + 2 + length])
        pos += 2 + length
    return None


def _png_content(data: bytes) -> bytes | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    out, pos = [], 8
    while pos + 8 <= len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        kind = data[pos + 4:pos + 8]
        if kind in _PNG_PIXEL_CHUNKS:
            out.append(data[pos + 4:pos + 8 + length])
        pos += 12 + length
        if kind == b"IEND":
            break
    return b"".join(out)


def content_digest(data: bytes, orientation: int) -> bytes | None:
    content = _jpeg_content(data) or _png_content(data)
    if content is None:
        return None
    return hashlib.sha256(content + bytes([orientation])).digest()


@dataclass
class Fingerprint:
    sha256: bytes
    content: bytes | None
    phash: bytes  # the chosen perceptual hash, packed bits
    mirror: bytes | None
    format: str


def _pack(h: imagehash.ImageHash) -> bytes:
    return np.packbits(np.asarray(h.hash, dtype=bool).reshape(-1)).tobytes()


def _hash_function(algo: str):
    return {"phash": imagehash.phash, "dhash": imagehash.dhash, "whash": imagehash.whash,
            "ahash": imagehash.average_hash}[algo]


def fingerprint(path: Path, algo: str = "phash", hash_size: int = 8, mirror: bool = False) -> Fingerprint:
    """Read ``path`` once and compute every fingerprint of it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HashError(f"cannot read ({exc.strerror})") from exc
    try:
        with Image.open(io.BytesIO(data)) as im:
            fmt = im.format or "?"
            orientation = exif_orientation(im)
            side = hash_size * _HASH_INPUT[algo]
            if fmt == "JPEG":
                im.draft("RGB" if im.mode == "RGB" else None, (side, side))
            im.load()
            upright = to_rgb(ImageOps.exif_transpose(im))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise HashError(f"cannot decode ({exc})") from exc
    function = _hash_function(algo)
    return Fingerprint(
        sha256=hashlib.sha256(data).digest(),
        content=content_digest(data, orientation),
        phash=_pack(function(upright, hash_size=hash_size)),
        mirror=_pack(function(ImageOps.mirror(upright), hash_size=hash_size)) if mirror else None,
        format=fmt,
    )


def same_pixels(a: Path, b: Path) -> bool:
    """True when both files decode to the same upright pixels."""
    from .images import load_rgb

    try:
        pa, pb = load_rgb(a), load_rgb(b)
    except Exception:  # noqa: BLE001 - an undecodable file is simply not an exact duplicate
        return False
    return pa.shape == pb.shape and bool(np.array_equal(pa, pb))
