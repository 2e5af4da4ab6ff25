"""One image in: checked, turned upright, stripped of its metadata and made small, once.

An uploaded image is bytes from anyone. :func:`prepare_image` reads its header before any
pixel is decoded and refuses a file that declares more pixels than :data:`MAX_IMAGE_PIXELS`
(a decompression bomb: a 50 KB PNG can declare a gigapixel), a JPEG of more scans than
:data:`MAX_JPEG_SCANS`, or a format other than JPEG, PNG, WebP and GIF (its first frame). What
is kept is two re-encoded WebP renditions, so EXIF, GPS and colour-profile blocks never reach
the workspace: a thumbnail for every list and hover, and a working copy large enough for any
image model (CLIP reads 224 or 336 px).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from embedding_space.errors import InputError

if TYPE_CHECKING:
    from PIL.Image import Image, Transpose

__all__ = [
    "IMAGE_FORMATS",
    "IMAGE_SUFFIXES",
    "MAX_IMAGE_FILE_BYTES",
    "MAX_IMAGE_PIXELS",
    "MAX_JPEG_SCANS",
    "MAX_WEBP_PIXELS",
    "THUMBNAIL_PX",
    "WORKING_PX",
    "PreparedImage",
    "UnreadableImageError",
    "is_thumbnail_uri",
    "open_working_copy",
    "prepare_image",
    "thumbnail_uri",
]

MAX_IMAGE_PIXELS = 40_000_000
"""An image may declare this many pixels at most (a 40-megapixel camera frame; 160 MB once
decoded), checked in its header before it is decoded."""
MAX_WEBP_PIXELS = 16_000_000
"""A WebP image may declare this many pixels at most: libwebp decodes a frame into buffers of
its own, so a 40-megapixel WebP of a few hundred bytes took 620 MB where a PNG of that size
takes 250 MB."""
MAX_JPEG_SCANS = 100
"""A JPEG may hold this many scans at most. A progressive JPEG is decoded a scan at a time, each
pass over every block of the image: cameras and editors write about ten; a 2 KB file of 3,000
scans of a 36-megapixel frame took 80 s to decode, out of reach of any deadline."""
MAX_IMAGE_FILE_BYTES = 40 * 2**20
"""One image file may hold this many bytes at most."""
THUMBNAIL_PX = 96
"""The longest side of a thumbnail, in pixels."""
WORKING_PX = 384
"""The longest side of the copy kept for embedding: more than any CLIP model reads."""
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
"""The formats read, as Pillow names them."""
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
"""File name endings taken for images."""
_JPEG_START = b"\xff\xd8\xff"
_START_OF_SCAN = b"\xff\xda"
_UNREADABLE = (
    "'{name}' could not be read as an image; it may be damaged or cut short. Replace it or "
    "leave it out."
)


class UnreadableImageError(InputError):
    """A file that is no image, or a damaged one. A reader of many files may leave it out
    and say so; the other refusals of :func:`prepare_image` (too many bytes, too many pixels)
    are budgets, which refuse the whole upload."""


@dataclass(frozen=True)
class PreparedImage:
    """An image as the workspace keeps it.

    Attributes:
        thumbnail: WebP, longest side at most :data:`THUMBNAIL_PX`.
        working: WebP, longest side at most :data:`WORKING_PX`: what a model embeds.
        width: The original's width in pixels, upright.
        height: The original's height in pixels, upright.
    """

    thumbnail: bytes
    working: bytes
    width: int
    height: int

    @property
    def key(self) -> str:
        """Identifies the pixels a model sees (a hash of :attr:`working`): two uploads of one
        image share their cached vector."""
        return "image:" + hashlib.sha256(self.working).hexdigest()


def prepare_image(data: bytes, name: str) -> PreparedImage:
    """Check one image file and make its thumbnail and working copy.

    Args:
        data: The file's bytes.
        name: Its name, for messages.

    Returns:
        The two renditions, re-encoded (no metadata survives), EXIF orientation applied.

    Raises:
        UnreadableImageError: The file is not a JPEG, PNG, WebP or GIF, or cannot be
            decoded; the sentence names the file.
        InputError: The file is too large, declares too many pixels or is a JPEG of too many
            scans; the sentence names it.
    """
    from PIL import Image

    if len(data) > MAX_IMAGE_FILE_BYTES:
        raise InputError(
            f"'{name}' holds {len(data) / 2**20:,.0f} MB; an image may hold "
            f"{MAX_IMAGE_FILE_BYTES / 2**20:,.0f} MB at most. Save it smaller."
        )
    # Each scan starts at the marker FF DA, which only a marker can hold (the coded data
    # escapes FF), so counting those bytes overstates the scans by an embedded thumbnail's.
    if data.startswith(_JPEG_START) and (scans := data.count(_START_OF_SCAN)) > MAX_JPEG_SCANS:
        raise InputError(
            f"'{name}' is a JPEG of {scans:,} scans; a JPEG may have {MAX_JPEG_SCANS} at most "
            "(cameras write about ten), since each takes as long to decode as the whole "
            "image. Save it again as an ordinary JPEG."
        )
    with warnings.catch_warnings():
        # Pillow warns (and past twice its own limit, refuses) on large images; ours is lower.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
        except Image.DecompressionBombError as error:
            raise _too_many_pixels(name, None) from error
        except Exception as error:  # Pillow raises many kinds for bytes that are no image
            raise UnreadableImageError(
                f"'{name}' is not an image Pillow can read as JPEG, PNG, WebP or GIF."
            ) from error
        width, height = image.size
        limit = MAX_WEBP_PIXELS if image.format == "WEBP" else MAX_IMAGE_PIXELS
        if width <= 0 or height <= 0 or width * height > limit:
            raise _too_many_pixels(name, (width, height), limit)
        try:
            # A JPEG decodes at 1/2, 1/4 or 1/8 scale when that still covers the working copy
            # (a 12-megapixel photo at 500 × 375): an eighth of the pixels to decode and hold.
            scale = WORKING_PX / max(width, height)
            image.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))
            image.seek(0)  # a GIF's first frame
            image.load()
            turn = _turn(image)
            working = _shrunk(image, WORKING_PX)
            if turn is not None:
                working = working.transpose(turn)
            working = _on_white(working)
        except Image.DecompressionBombError as error:
            raise _too_many_pixels(name, (width, height)) from error
        except Exception as error:  # truncated data, broken chunks, bad EXIF
            raise UnreadableImageError(_UNREADABLE.format(name=name)) from error
    thumbnail = working.copy()
    thumbnail.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX), Image.Resampling.LANCZOS)
    sideways = turn in (
        Image.Transpose.TRANSPOSE,
        Image.Transpose.TRANSVERSE,
        Image.Transpose.ROTATE_90,
        Image.Transpose.ROTATE_270,
    )
    return PreparedImage(
        thumbnail=_webp(thumbnail, quality=80),
        working=_webp(working, quality=90),
        width=height if sideways else width,
        height=width if sideways else height,
    )


def open_working_copy(working: bytes) -> Image:
    """A working copy (see :class:`PreparedImage`) decoded for a model, as RGB."""
    from PIL import Image

    image = Image.open(io.BytesIO(working), formats=("WEBP",))
    return image.convert("RGB")


def thumbnail_uri(thumbnail: bytes) -> str:
    """A thumbnail as a ``data:`` URI, for an ``<img>`` or a table's image column: the page
    gets the pixels themselves, never a link to the workspace."""
    return "data:image/webp;base64," + base64.b64encode(thumbnail).decode("ascii")


_THUMBNAIL_URI = re.compile(r"data:image/webp;base64,[A-Za-z0-9+/]+={0,2}")


def is_thumbnail_uri(text: str) -> bool:
    """Whether ``text`` is a URI as :func:`thumbnail_uri` makes them: base64 WebP and nothing
    else, so it can be neither a link nor markup, and its JSON cannot end a ``<script>``."""
    return _THUMBNAIL_URI.fullmatch(text) is not None


def _too_many_pixels(
    name: str, size: tuple[int, int] | None, limit: int = MAX_IMAGE_PIXELS
) -> InputError:
    declared = f"declares {size[0]:,} × {size[1]:,} pixels" if size else "declares too many pixels"
    kind = "a WebP image" if limit == MAX_WEBP_PIXELS else "an image"
    return InputError(
        f"'{name}' {declared}; {kind} may have {limit / 1e6:,.0f} megapixels at most. It may "
        "be a decompression bomb; if it is a real photo, save it smaller."
    )


def _turn(image: Image) -> Transpose | None:
    """What turns the image upright, as its EXIF orientation (or XMP's) says: read from the
    decoded file, before it is shrunk and laid on white (a new image, without metadata).
    ``None`` for upright, or for an orientation that is no orientation."""
    from PIL import ExifTags, Image

    orientation = image.getexif().get(ExifTags.Base.Orientation)
    turns = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }
    return turns.get(orientation) if isinstance(orientation, int) else None


def _shrunk(image: Image, longest: int) -> Image:
    """``image`` at most ``longest`` px a side, in a mode resizing averages (RGB, RGBA, L or
    LA): shrunk in place when it is in one, else converted first and the decoded original
    closed, so that a large image is held once or twice in full (a 40-megapixel image, 160 MB
    each), never four times as copy after copy did."""
    from PIL import Image

    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        transparent = image.mode == "PA" or (image.mode == "P" and "transparency" in image.info)
        converted = image.convert("RGBA" if transparent else "RGB")
        image.close()
        image = converted
    image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return image


def _on_white(image: Image) -> Image:
    """RGB, with any transparency laid on white (a thumbnail of a logo stays legible)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _webp(image: Image, *, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=quality, method=4)
    return out.getvalue()
