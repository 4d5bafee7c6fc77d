"""Reading images safely: header facts without a full decode, and EXIF-corrected RGB pixels.

Real folders hold zero-byte files, non-images named ``.jpg``, truncated JPEGs, CMYK, 16-bit, grayscale
and alpha images, EXIF rotations and decompression bombs. :func:`probe` turns each into either usable
facts with plain warnings, or an :class:`ImageProblem` with a plain reason.
"""

from __future__ import annotations

import io
import struct
import warnings as _warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .fsutil import check_read

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif"})
#: Image formats met in real folders that this program does not read: named at import, never silently ignored.
UNSUPPORTED_IMAGE_EXTENSIONS = {".heic": "HEIC", ".heif": "HEIF", ".avif": "AVIF", ".jxl": "JPEG XL"}

#: Largest image accepted, in pixels (PIL's own decompression-bomb limit is about 179 MP).
MAX_PIXELS = 120_000_000
EXIF_ORIENTATION = 0x0112
#: EXIF orientations that swap width and height.
TRANSPOSED_ORIENTATIONS = frozenset({5, 6, 7, 8})

# A truncated file is flagged at import and then shown with its missing part grey, as other viewers do.
ImageFile.LOAD_TRUNCATED_IMAGES = True


class ImageProblem(Exception):
    """A file that cannot be used as an image; the message is a plain reason."""


@dataclass
class ImageFacts:
    width: int  # after EXIF orientation
    height: int
    channels: int  # of the decoded pixels before conversion to RGB (1 gray, 2 gray+alpha, 3, 4)
    format: str
    orientation: int = 1
    mode: str = "RGB"
    warnings: list[str] = field(default_factory=list)


def suffix_of(name: str) -> str:
    """The extension of a file name as :attr:`pathlib.PurePath.suffix` has it (none for ``.hidden`` or ``name.``),
    without making a path."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def is_image_name(path: Path | str) -> bool:
    """Whether a file (a path, or a file name) has the extension of an image this program reads."""
    return suffix_of(path if isinstance(path, str) else path.name).lower() in IMAGE_EXTENSIONS


def unsupported_image(path: Path | str) -> str | None:
    """Why ``path`` (a path, or a file name) is an image this program cannot import (by its extension), or None."""
    kind = UNSUPPORTED_IMAGE_EXTENSIONS.get(suffix_of(path if isinstance(path, str) else path.name).lower())
    return f"{kind} image: this format is not supported (convert it to JPEG or PNG to import it)" if kind else None


def _png_bit_depth(head: bytes) -> int | None:
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        return head[24]
    return None


HEADER_BYTES = 65536


#: Bytes at the end of a JPEG searched for its end-of-image marker: cameras and editors append data after it.
JPEG_TAIL_BYTES = 65536
TRUNCATED_JPEG = "truncated JPEG (no end-of-image marker): the missing part shows as grey"


def jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """The top-level segments of a JPEG's header as (offset, marker, end offset), the start of scan last (its end:
    the end of ``data``). A thumbnail inside APP1 is skipped whole, so its own markers never count. Stops early at
    bytes that are not a marker or when ``data`` ends before the start of scan."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:
            yield pos, marker, len(data)
            return
        standalone = marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7
        end = pos + 2 if standalone else pos + 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        yield pos, marker, end
        pos = end


def _jpeg_scan_start(head: bytes) -> int | None:
    """Offset of the first start-of-scan marker; None when the header bytes do not reach it."""
    return next((pos for pos, marker, _end in jpeg_segments(head) if marker == 0xDA), None)


def _jpeg_truncated(f, head: bytes, size: int) -> bool:
    """True when no end-of-image marker follows the image data. A complete JPEG with bytes after its marker (a
    camera's trailer, padding) is complete: entropy-coded data can never hold ``FF D9``, so any found after the
    start of the scan ends the image."""
    start = _jpeg_scan_start(head) or 0
    offset = max(start, size - JPEG_TAIL_BYTES)
    f.seek(offset)
    return b"\xff\xd9" not in f.read()


def _truncation_warning(f, head: bytes, tail: bytes, size: int, fmt: str) -> str | None:
    """A cheap end-of-file check that finds most truncated JPEGs and PNGs without decoding."""
    if fmt == "JPEG" and b"\xff\xd9" not in tail[-32:] and _jpeg_truncated(f, head, size):
        return TRUNCATED_JPEG
    if fmt == "PNG" and b"IEND" not in tail:
        return "truncated PNG (no IEND chunk): the missing rows show as grey"
    return None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_data_problem(f, width: int, height: int) -> str | None:
    """Damage inside a PNG that its header does not show: a chunk whose checksum is wrong, image data that zlib
    cannot inflate or that ends early. Reads the file through once, inflating in bounded steps, and stops at more
    data than a ``width`` x ``height`` image can hold (8 bytes a pixel, interlaced: a zlib bomb never runs long)."""
    f.seek(8)
    inflate = zlib.decompressobj()
    seen_data = False
    room = 2 * height * (1 + 8 * width) + 4096
    inflated = 0
    while True:
        header = f.read(8)
        if len(header) < 8:
            break
        length, kind = struct.unpack(">I4s", header)
        body = f.read(length)
        crc = f.read(4)
        if len(body) < length or len(crc) < 4:
            break  # truncated: the IEND check says so
        if zlib.crc32(body, zlib.crc32(kind)) != struct.unpack(">I", crc)[0]:
            return f"corrupt PNG (bad checksum in the {kind.decode('latin1')} chunk): damaged rows show as grey"
        if kind == b"IDAT":
            seen_data = True
            try:
                data = body
                while data and not inflate.eof:
                    inflated += len(inflate.decompress(data, 1 << 20))
                    data = inflate.unconsumed_tail
                    if inflated > room:
                        return ("corrupt PNG data (zlib: more data than the image's size holds): damaged rows show "
                                "as grey")
            except zlib.error as exc:
                return f"corrupt PNG data (zlib: {exc}): damaged rows show as grey"
        elif kind == b"IEND":
            break
    if seen_data and not inflate.eof:
        return "corrupt PNG data (the compressed image data ends early): missing rows show as grey"
    return None


def probe(path: Path, check_data: bool = False, link_checked: bool = False) -> ImageFacts:
    """Read an image's size, channels and orientation from its header, without decoding the pixels.

    ``check_data`` (import) also reads a PNG's compressed data through, to flag damage its header hides.
    ``link_checked``: the caller has made sure that ``path`` does not lead out of its project through a link (as
    :func:`.fsutil.check_read` does), for many files at less cost than one resolve each.
    """
    if not link_checked:
        _check_read(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageProblem(f"cannot read the file ({exc.strerror})") from exc
    if size == 0:
        raise ImageProblem("empty file (0 bytes)")
    try:
        with open(path, "rb") as f:  # one open: the header for PIL, the last bytes for the truncation check
            head = f.read(HEADER_BYTES)
            if size > len(head):
                f.seek(max(0, size - 64))
                tail = f.read()
            else:
                tail = head[-64:]
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with _open_header(f, path, head, size) as im:
                    fmt = im.format or "?"
                    width, height = im.size
                    mode = im.mode
                    if width * height > MAX_PIXELS:
                        raise ImageProblem(
                            f"absurd dimensions {width}x{height} ({width * height / 1e6:.0f} megapixels, limit "
                            f"{MAX_PIXELS / 1e6:.0f}): refused as a possible decompression bomb"
                        )
                    orientation = exif_orientation(im)
                    has_transparency = "transparency" in im.info
            truncated = _truncation_warning(f, head, tail, size, fmt)
            damaged = png_data_problem(f, width, height) if check_data and fmt == "PNG" and not truncated else None
    except ImageProblem:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageProblem(f"absurd dimensions, refused as a possible decompression bomb ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise ImageProblem("not an image (the content is not a format this program can read)") from exc
    except PermissionError as exc:
        raise ImageProblem(f"cannot read the file ({exc.strerror})") from exc
    except (OSError, SyntaxError, ValueError, struct.error) as exc:
        raise ImageProblem(f"unreadable image header ({exc})") from exc

    notes: list[str] = []
    if orientation in TRANSPOSED_ORIENTATIONS:
        width, height = height, width
    if orientation != 1:
        notes.append(f"EXIF orientation {orientation}: shown and exported upright")
    if mode == "CMYK":
        notes.append("CMYK colour: converted to RGB")
    bit_depth = _png_bit_depth(head)
    if mode.startswith("I;16") or mode in ("I", "F") or (bit_depth is not None and bit_depth > 8):
        notes.append("16-bit samples: scaled to 8 bits")
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and has_transparency):
        notes.append("alpha channel: composited on white")
    notes += [w for w in (truncated, damaged) if w]
    return ImageFacts(width=width, height=height, channels=_channels(mode), format=fmt,
                      orientation=orientation, mode=mode, warnings=notes)


def _check_read(path: Path) -> None:
    try:
        check_read(path)
    except ValueError as exc:
        raise ImageProblem(str(exc)) from exc


def _open_header(f, path: Path, head: bytes, size: int) -> Image.Image:
    """Open from the bytes already read when they hold the whole header, else from the file. A JPEG is never handed
    to PIL whole: PIL skips bytes that are not a marker one at a time, so a large file of a JPEG start and anything
    else would be read through before "not an image". Its header is read segment by segment instead, each
    segment's length telling where the next begins (:func:`_jpeg_header`)."""
    if len(head) < size:
        try:
            im = Image.open(io.BytesIO(head))
            im.getexif()  # the EXIF block must be inside the bytes read, too
            return im
        except (OSError, SyntaxError, ValueError, struct.error):
            pass
        if head[:3] == b"\xff\xd8\xff":
            header = _jpeg_header(f, head, size)
            if header is None:
                raise UnidentifiedImageError("a JPEG start followed by bytes that are not a JPEG header")
            return Image.open(io.BytesIO(header))
        return Image.open(path)
    return Image.open(io.BytesIO(head))  # the whole file is read already: not opened again


#: Most bytes of a JPEG header (its segments before the image data) read to find its size: cameras and editors
#: write a few megabytes at most (EXIF, ICC profiles, previews).
MAX_JPEG_HEADER_BYTES = 64 << 20


def _jpeg_header(f, head: bytes, size: int) -> bytes | None:
    """A JPEG's bytes up to its start of scan, read segment by segment (at most :data:`MAX_JPEG_HEADER_BYTES`); None
    when bytes that are not a marker come first, or the header ends or grows past the limit before the scan."""
    data = head
    while True:
        end = 2
        for _pos, marker, segment_end in jpeg_segments(data):
            if marker == 0xDA:
                return data
            end = segment_end
        if end + 4 <= len(data) or len(data) >= size or end > MAX_JPEG_HEADER_BYTES:
            return None  # junk where a marker belongs, or no scan in the whole file, or a header past any camera's
        f.seek(0)
        data = f.read(min(size, end + HEADER_BYTES))


def exif_orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(EXIF_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not make the image unusable
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _channels(mode: str) -> int:
    if mode in ("1", "L", "P", "I", "I;16", "I;16B", "I;16L", "F"):
        return 1
    if mode in ("LA", "PA"):
        return 2
    if mode in ("RGBA", "CMYK"):
        return 4
    return 3


def to_rgb(im: Image.Image) -> Image.Image:
    """Any PIL image as 8-bit RGB: 16-bit scaled, CMYK converted, alpha composited on white."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") or arr.max() > 255 else 255.0
        arr = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(arr, "L").convert("RGB")
    if im.mode == "P":
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA"):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return im.convert("RGB") if im.mode != "RGB" else im


def open_upright(path: Path, reduce: int = 1) -> Image.Image:
    """Decode ``path`` fully, EXIF orientation applied, as 8-bit RGB. Truncated files load partially. With ``reduce``
    above 1 a JPEG may be decoded at a half, a quarter or an eighth of its size, never below 1 / ``reduce`` (much
    faster: a phone photo in a few milliseconds); other formats decode whole."""
    _check_read(path)
    try:
        with Image.open(path) as im:
            if reduce > 1:
                im.draft("RGB", (max(1, im.width // reduce), max(1, im.height // reduce)))
            im.load()
            upright = ImageOps.exif_transpose(im)
            return to_rgb(upright)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageProblem(f"{path.name}: cannot decode ({exc})") from exc


#: EXIF orientation -> the PIL transposition that turns the raw frame upright (as ImageOps.exif_transpose).
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
           5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}


def upright_array(raw: np.ndarray, orientation: int) -> np.ndarray:
    """A 2-D array of the raw frame (a mask) turned upright as the photo of this EXIF orientation is."""
    if orientation not in UPRIGHT:
        return raw
    return np.asarray(Image.fromarray(raw).transpose(UPRIGHT[orientation]))


def upright_point(x: float, y: float, orientation: int, raw_width: int, raw_height: int) -> tuple[float, float]:
    """A point of the raw frame (pixel-edge coordinates) in the upright frame of the photo."""
    w, h = raw_width, raw_height
    return {1: (x, y), 2: (w - x, y), 3: (w - x, h - y), 4: (x, h - y), 5: (y, x), 6: (h - y, x),
            7: (h - y, w - x), 8: (y, w - x)}.get(orientation, (x, y))


def raw_point(x: float, y: float, orientation: int, raw_width: int, raw_height: int) -> tuple[float, float]:
    """A point of the upright frame in the raw frame (the inverse of :func:`upright_point`)."""
    w, h = raw_width, raw_height
    return {1: (x, y), 2: (w - x, y), 3: (w - x, h - y), 4: (x, h - y), 5: (y, x), 6: (y, h - x),
            7: (w - y, h - x), 8: (w - y, x)}.get(orientation, (x, y))


def load_rgb(path: Path) -> np.ndarray:
    """The EXIF-corrected pixels of ``path`` as an ``H x W x 3`` uint8 array."""
    return np.asarray(open_upright(path))
