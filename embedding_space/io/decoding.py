"""From bytes to text: reading a source, spotting binary files, and finding the encoding.

Every text format the loader reads (:mod:`~embedding_space.io.tables`, the Projector TSVs of
:mod:`~embedding_space.io.vectors`) goes through :func:`decode_text`, so a file reads the same
whichever door it comes in by.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from embedding_space.errors import InputError

__all__ = [
    "SNIFF_CHARS",
    "Source",
    "check_not_binary_bytes",
    "check_not_binary_text",
    "decode_text",
    "normalise_newlines",
    "read_source",
]

Source = str | os.PathLike[str] | bytes
"""A path, or the raw bytes of an upload."""

SNIFF_CHARS = 64_000
"""How much of a file is looked at to guess its encoding, binary-ness or delimiter."""
_BINARY_SHARE = 0.05
_BINARY_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "it starts like a PNG image"),
    (b"\xff\xd8\xff", "it starts like a JPEG image"),
    (b"GIF8", "it starts like a GIF image"),
    (b"%PDF", "it starts like a PDF document"),
    (b"PK\x03\x04", "it starts like a zip archive, such as an .xlsx workbook"),
    (b"\x1f\x8b", "it starts like a gzip archive"),
    (b"PAR1", "it starts like a Parquet file"),
    (b"\x93NUMPY", "it starts like a NumPy .npy array"),
    (b"SQLite format 3\x00", "it starts like an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "it starts like an old Office document, such as an .xls workbook"),
    (b"7z\xbc\xaf", "it starts like a 7z archive"),
    (b"\x7fELF", "it starts like a program"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_source(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str | None]:
    """Return the bytes of ``source`` and, for a path, the file's name."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    path = Path(source)
    try:
        return path.read_bytes(), path.name
    except FileNotFoundError as error:
        raise InputError(f"The file '{path}' does not exist. Check the path.") from error
    except IsADirectoryError as error:
        raise InputError(f"'{path}' is a folder, not a file. Give the path of a file.") from error
    except OSError as error:
        raise InputError(
            f"The file '{path}' could not be read ({error.strerror or error}). "
            "Check that it exists and that you may read it."
        ) from error


def check_not_binary_bytes(data: bytes, fmt: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(
                f"The file looks like a binary file, not text ({what}). "
                f"Upload a .{fmt} file saved as text, or give the file its real suffix."
            )


def check_not_binary_text(text: str, fmt: str) -> None:
    sample = text[:SNIFF_CHARS]
    controls = len(_BINARY_CONTROL_RE.findall(sample))
    if controls >= 8 and controls > _BINARY_SHARE * len(sample):
        raise InputError(
            "The file looks like a binary file, not text (it is full of control characters). "
            f"Upload a .{fmt} file saved as text."
        )


def decode_text(data: bytes, encoding: str | None) -> tuple[str, str, bool]:
    """Decode the bytes of a text file.

    Tries, in order: the given encoding, a byte-order mark (UTF-8, UTF-16, UTF-32), UTF-16
    without a mark, strict UTF-8, cp1252 for Western text, charset-normalizer's guess, and
    latin-1 (which never fails).

    Returns:
        The text, the encoding's canonical name, and whether the encoding was a guess.

    Raises:
        InputError: The given encoding is unknown or does not fit the bytes, or the bytes
            are no text in any encoding.
    """
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError as error:
            raise InputError(
                f"'{encoding}' is not an encoding Python knows. "
                "Use a name such as utf-8, utf-16 or cp1252, or let the app detect it."
            ) from error
        try:
            return data.decode(name), name, False
        except UnicodeDecodeError as error:
            raise InputError(
                f"The file could not be read as {name} (byte {error.start} does not fit). "
                "Pick another encoding, or let the app detect it."
            ) from error
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name, False
            except UnicodeDecodeError as error:
                raise InputError(
                    f"The file starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {error.start} does not fit). Save it again as UTF-8."
                ) from error
    utf16 = _utf16_without_bom(data[:SNIFF_CHARS])
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16, False
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    western: str | None
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _looks_western(western):
        return western, "cp1252", True
    guess = _charset_normalizer_guess(data)
    if guess is not None:
        try:
            return data.decode(guess), guess, True
        except (UnicodeDecodeError, LookupError):
            pass
    if western is not None:
        return western, "cp1252", True
    return data.decode("latin-1"), "iso8859-1", True


def _utf16_without_bom(sample: bytes) -> str | None:
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0 : 2 * pairs : 2].count(0)
    odd_nuls = sample[1 : 2 * pairs : 2].count(0)
    if odd_nuls > 0.4 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.4 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def _looks_western(text: str) -> bool:
    """Whether cp1252-decoded text reads like a Western language (mostly ASCII letters).

    Cyrillic or Greek bytes decoded as cp1252 come out as runs of accented letters, which
    Western text almost never has.
    """
    sample = text[:SNIFF_CHARS]
    letters = sum(1 for char in sample if char.isalpha())
    accented = sum(1 for char in sample if char.isalpha() and not char.isascii())
    return letters == 0 or accented <= 0.3 * letters


def _charset_normalizer_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 4 * SNIFF_CHARS]).best()
    if best is None:
        return None
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return None


def normalise_newlines(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")
