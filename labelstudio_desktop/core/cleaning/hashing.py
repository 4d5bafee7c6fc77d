"""Per-file fingerprints for duplicate finding: bytes, content without metadata, perceptual hashes.

- ``sha256``: the file's bytes (exact copies).
- ``content``: the pixel-bearing part of a JPEG or PNG with metadata (EXIF, comments, text chunks) left out,
  plus the EXIF orientation; equal content means the same decoded pixels under other metadata.
- perceptual hash through ``imagehash`` (pHash, dHash, wHash, aHash) of the upright grayscale image,
  optionally of its mirror image too. A JPEG is decoded at reduced size straight from its DCT blocks
  (libjpeg's 1/2, 1/4 or 1/8 scaling through OpenCV, luminance only, EXIF orientation applied): a 32x32
  hash needs no more, and it skips most of the work of a full decode.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import imagehash
import numpy as np
import scipy.fftpack
from PIL import Image, ImageOps

from ..images import exif_orientation, jpeg_segments, to_rgb

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


def _jpeg_content(data: bytes, digest) -> bool:
    """Feed the JPEG segments that define pixels (tables, frame, scans) to ``digest``, skipping APPn and COM."""
    view = memoryview(data)
    if data[:2] != b"\xff\xd8":
        return False
    for pos, marker, end in jpeg_segments(data):
        if marker == 0xDA:  # start of scan: everything from here on is pixel data
            digest.update(view[pos:])
            return True
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            digest.update(view[pos:end])
    return False


def _png_content(data: bytes, digest) -> bool:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    view, pos = memoryview(data), 8
    while pos + 8 <= len(data):
        length = struct.unpack_from(">I", data, pos)[0]
        kind = data[pos + 4:pos + 8]
        if kind in _PNG_PIXEL_CHUNKS:
            digest.update(view[pos + 4:pos + 8 + length])
        pos += 12 + length
        if kind == b"IEND":
            break
    return True


def content_digest(data: bytes, orientation: int) -> bytes | None:
    """SHA-256 of the pixel-bearing part of a JPEG or PNG plus its orientation; None for other formats."""
    digest = hashlib.sha256()
    if not (_jpeg_content(data, digest) or _png_content(data, digest)):
        return None
    digest.update(bytes([orientation]))
    return digest.digest()


@dataclass
class Decoded:
    """What the I/O stage reads from one file: digests and the upright luminance for the hash."""

    sha256: bytes
    content: bytes | None
    gray: np.ndarray  # uint8, H x W
    format: str
    small: np.ndarray | None = None  # pHash input: the luminance resized to 4 x hash_size, as imagehash does

    @property
    def gray_digest(self) -> bytes:
        """A digest of the (reduced) luminance: files with other digests cannot hold the same pixels."""
        return hashlib.sha1(self.gray.tobytes() + str(self.gray.shape).encode()).digest()


@dataclass
class Fingerprint:
    sha256: bytes
    content: bytes | None
    phash: bytes  # the chosen perceptual hash, packed bits
    mirror: bytes | None
    format: str
    gray_digest: bytes


def _pack_bits(bits: np.ndarray) -> bytes:
    return np.packbits(np.asarray(bits, dtype=bool).reshape(-1)).tobytes()


def _hash_function(algo: str):
    return {"phash": imagehash.phash, "dhash": imagehash.dhash, "whash": imagehash.whash,
            "ahash": imagehash.average_hash}[algo]


_REDUCED_GRAY = {8: cv2.IMREAD_REDUCED_GRAYSCALE_8, 4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
                 2: cv2.IMREAD_REDUCED_GRAYSCALE_2, 1: cv2.IMREAD_GRAYSCALE}


def _reduced_jpeg(data: bytes, side: int, size: tuple[int, int] | None) -> np.ndarray | None:
    """The upright luminance of a JPEG at the smallest libjpeg scale still at least ``side`` pixels."""
    factor = 8
    if size is not None:
        while factor > 1 and min(size) // factor < side:
            factor //= 2
    return cv2.imdecode(np.frombuffer(data, np.uint8), _REDUCED_GRAY[factor])


def _upright_gray(data: bytes) -> tuple[np.ndarray, str]:
    with Image.open(io.BytesIO(data)) as im:
        fmt = im.format or "?"
        im.load()
        return np.asarray(to_rgb(ImageOps.exif_transpose(im)).convert("L")), fmt


def read_and_decode(path: Path, algo: str = "phash", hash_size: int = 8,
                    size: tuple[int, int] | None = None) -> Decoded:
    """The I/O-bound stage (run it in threads: decoding releases the GIL)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HashError(f"cannot read ({exc.strerror})") from exc
    try:
        gray = _reduced_jpeg(data, 2 * hash_size * _HASH_INPUT[algo], size) if data[:2] == b"\xff\xd8" else None
        if gray is not None:
            fmt, orientation = "JPEG", _jpeg_orientation(data)
        else:
            gray, fmt = _upright_gray(data)
            orientation = 1 if fmt != "PNG" else _png_orientation(data)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise HashError(f"cannot decode ({exc})") from exc
    small = _phash_input(gray, hash_size) if algo == "phash" else None
    return Decoded(hashlib.sha256(data).digest(), content_digest(data, orientation), gray, fmt, small)


def _phash_input(gray: np.ndarray, hash_size: int) -> np.ndarray:
    side = hash_size * 4
    return np.asarray(Image.fromarray(gray).resize((side, side), Image.LANCZOS))


def _jpeg_orientation(data: bytes) -> int:
    """EXIF orientation from the APP1 segment (cheap: only the header is parsed)."""
    if data.find(b"Exif", 0, 65536) < 0:
        return 1
    with Image.open(io.BytesIO(data)) as im:
        return exif_orientation(im)


def _png_orientation(data: bytes) -> int:
    if data.find(b"eXIf") < 0:
        return 1
    with Image.open(io.BytesIO(data)) as im:
        return exif_orientation(im)


def _batch_phash(smalls: list[np.ndarray], hash_size: int) -> list[bytes]:
    """imagehash.phash of many images at once, bit for bit: the same resize and the same scipy DCT."""
    stack = np.stack(smalls)
    dct = scipy.fftpack.dct(scipy.fftpack.dct(stack, axis=1), axis=2)
    low = dct[:, :hash_size, :hash_size].reshape(len(smalls), -1)
    bits = low > np.median(low, axis=1, keepdims=True)
    return [_pack_bits(b) for b in bits]


def perceptual_hashes(decoded: list[Decoded], algo: str = "phash", hash_size: int = 8,
                      mirror: bool = False) -> tuple[list[bytes], list[bytes] | None]:
    """The CPU-bound stage, batched: hashes of the images (and of their mirror images)."""
    if not decoded:
        return [], [] if mirror else None
    if algo == "phash":
        smalls = [d.small if d.small is not None else _phash_input(d.gray, hash_size) for d in decoded]
        # the mirror image of the resized luminance is the resized mirror image (LANCZOS is symmetric)
        flipped = [np.ascontiguousarray(s[:, ::-1]) for s in smalls] if mirror else None
        return _batch_phash(smalls, hash_size), _batch_phash(flipped, hash_size) if mirror else None
    grays = [d.gray for d in decoded]
    mirrored = [np.ascontiguousarray(g[:, ::-1]) for g in grays] if mirror else None
    function = _hash_function(algo)

    def one(g: np.ndarray) -> bytes:
        return _pack_bits(function(Image.fromarray(g), hash_size=hash_size).hash)

    return [one(g) for g in grays], [one(g) for g in mirrored] if mirror else None


def fingerprint(path: Path, algo: str = "phash", hash_size: int = 8, mirror: bool = False,
                size: tuple[int, int] | None = None) -> Fingerprint:
    """Every fingerprint of one file (the batch pipeline in :mod:`dedup` does the same for many)."""
    decoded = read_and_decode(path, algo, hash_size, size)
    hashes, mirrors = perceptual_hashes([decoded], algo, hash_size, mirror)
    return Fingerprint(decoded.sha256, decoded.content, hashes[0], mirrors[0] if mirror else None,
                       decoded.format, decoded.gray_digest)


def same_pixels(a: Path, b: Path) -> bool:
    """True when both files decode to the same upright pixels."""
    from ..images import load_rgb

    try:
        pa, pb = load_rgb(a), load_rgb(b)
    except Exception:  # noqa: BLE001 - an undecodable file is simply not an exact duplicate
        return False
    return pa.shape == pb.shape and bool(np.array_equal(pa, pb))
