"""Zip archives (an ``.xlsx`` workbook, an ``.npz``) looked at before anything is unpacked.

A zip says in its directory how large each part is once inflated, and Python's ``zipfile``
never returns more of a part than that size, so those sizes bound what is kept; but a read of
a whole part (``read()``) inflates all its compressed data at once, up to 2 GB, whatever the
size says (read a part by the size it declares, ``read(info.file_size)``), and a bzip2 or LZMA
part inflates without a bound, so only stored or deflated parts are opened; an XML part another
library loads whole (a workbook's shared strings and styles) first has its start tags counted
as its bytes stream by, up to a cap, and its data inflated, a piece at a time, to see that it
holds no more than it declares; and an ``.npy`` array's header (shape and type) is read
before its data. Each refusal is an :class:`~embedding_space.errors.InputError` with a sentence.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from typing import IO

from embedding_space.errors import InputError
from embedding_space.io.budget import MAX_ARRAY_BYTES, MAX_UNZIPPED_BYTES, Deadline

__all__ = [
    "MAX_PART_ELEMENTS",
    "MAX_SHARED_STRINGS",
    "check_npy_header",
    "check_workbook_parts",
    "open_zip",
]

MAX_SHARED_STRINGS = 2_000_000
"""A workbook may hold this many distinct texts (its shared strings) at most: one per cell of a
million rows of two text columns. They are counted before the workbook is opened, since the
reader loads them all at once."""
MAX_PART_ELEMENTS = 200_000
"""Any other XML part the workbook reader loads whole (styles, the list of sheets, relations)
may hold this many elements at most; Excel allows 64,000 cell formats."""
_READ_BYTES = 1 << 20
"""Bytes of a part read between two looks at the budget."""
_START_TAG = re.compile(rb"<[^/?!]")
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
"""The compression methods read: Python's ``zipfile`` inflates a bzip2 or LZMA part a read at a
time without a bound (4 KB of bzip2 can inflate to gigabytes), deflate up to what is asked."""
_METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}


def open_zip(data: bytes, what: str, damaged: str) -> zipfile.ZipFile:
    """Open a zip held in memory, refusing one whose parts declare too much.

    Args:
        data: The archive's bytes.
        what: What the archive is, for messages ("The workbook").
        damaged: The sentence for bytes that are no zip.

    Raises:
        InputError: It is no zip, a part is compressed with a method other than deflate, or
            its parts declare more than
            :data:`~embedding_space.io.budget.MAX_UNZIPPED_BYTES` in all.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise InputError(damaged) from error
    for info in archive.infolist():
        if info.compress_type not in _METHODS:
            archive.close()
            method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise InputError(
                f"{what} holds '{info.filename}' compressed with {method}, which can hide a "
                "zip bomb, so it is refused. Save it again with a standard tool (deflate)."
            )
    declared = sum(info.file_size for info in archive.infolist())
    if declared > MAX_UNZIPPED_BYTES:
        archive.close()
        raise InputError(
            f"{what} would unpack to {declared / 2**30:,.1f} GB, more than the "
            f"{MAX_UNZIPPED_BYTES / 2**30:,.0f} GB allowed. Save a smaller file."
        )
    return archive


def check_workbook_parts(data: bytes, deadline: Deadline) -> None:
    """Refuse a workbook whose parts would cost too much to open, before opening it.

    The shared strings may hold :data:`MAX_SHARED_STRINGS`; every other XML part but the
    sheets (which are read row by row) :data:`MAX_PART_ELEMENTS` elements; and none of these
    parts may inflate to more than the size the zip declares for it.

    Raises:
        InputError: The workbook is no zip, declares too much, or a part holds too much or
            more than it declares.
    """
    damaged = (
        "The file could not be read as an .xlsx workbook. Check that it is an Excel workbook "
        "saved as .xlsx (not an old .xls file) and not damaged."
    )
    with open_zip(data, "The workbook", damaged) as archive:
        for info in archive.infolist():
            name = info.filename
            lower = name.lower()
            if not _loaded_whole(lower):
                continue
            strings = lower.endswith("sharedstrings.xml")
            with archive.open(info) as part:
                counted = _count_elements(
                    part,
                    deadline,
                    tag="si" if strings else None,
                    cap=MAX_SHARED_STRINGS if strings else MAX_PART_ELEMENTS,
                )
            if counted is None:
                if _inflates_past_its_size(data, info):
                    raise InputError(
                        f"The workbook's part '{name}' holds more data than the workbook says "
                        "it does, the mark of a zip bomb, so it is refused. Save the workbook "
                        "again from Excel, or save it as .csv."
                    )
                continue
            if strings:
                raise InputError(
                    f"The workbook holds more than {MAX_SHARED_STRINGS:,} distinct texts. Save "
                    "a sample of the rows, or only the columns you need."
                )
            raise InputError(
                f"The workbook's part '{name}' holds more than {MAX_PART_ELEMENTS:,} entries "
                "(styles, names or relations); no table needs that many. Copy the table into a "
                "new workbook, or save it as .csv."
            )


def _inflates_past_its_size(data: bytes, info: zipfile.ZipInfo) -> bool:
    """Whether a deflated part's data inflates to more than the size the zip's directory
    declares. ``zipfile`` stops at that size, but ``ZipFile.read``, as openpyxl reads the parts
    it loads whole, first inflates all of the data, up to 2 GB: a 2 MB workbook took 2 GB.
    Inflated here :data:`_READ_BYTES` at a time and thrown away; a part whose data cannot be
    found or inflated is left to the reader, whose message says it is damaged."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return False
    start = info.header_offset
    if data[start : start + 4] != b"PK\x03\x04" or len(data) < start + 30:
        return False
    name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
    begin = start + 30 + name_length + extra_length
    end = min(begin + info.compress_size, len(data))
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    try:
        for piece in range(begin, end, _READ_BYTES):
            pending = data[piece : min(piece + _READ_BYTES, end)]
            while pending and not inflater.eof:
                inflated = len(inflater.decompress(pending, _READ_BYTES))
                produced += inflated
                if produced > info.file_size:
                    return True
                if not inflated and len(inflater.unconsumed_tail) == len(pending):
                    return False  # no progress: not deflate data the reader could read either
                pending = inflater.unconsumed_tail
    except zlib.error:
        return False
    return False


def _loaded_whole(name: str) -> bool:
    """Whether openpyxl (read-only) parses this part whole when it opens a workbook; sheets
    are read row by row, and pivot caches, drawings or comments are not read at all."""
    whole = ("[content_types].xml", "workbook.xml", "styles.xml", "sharedstrings.xml")
    parsed = ("docprops/", "/chartsheets/", "/externallinks/")
    return name.endswith((".rels", *whole)) or any(folder in name for folder in parsed)


def _count_elements(
    part: IO[bytes], deadline: Deadline, *, tag: str | None, cap: int
) -> int | None:
    """Count the start tags of an XML part (named ``tag`` when given) as its bytes stream
    by, without parsing it; ``None`` when there are at most ``cap``, else the count reached.
    A tag is never split between two reads: each read is cut at its last ``<``."""
    pattern = (
        _START_TAG if tag is None else re.compile(rb"<(?:[\w.-]+:)?" + tag.encode() + rb"[\s/>]")
    )
    count = 0
    carry = b""
    try:
        while chunk := part.read(_READ_BYTES):
            chunk = carry + chunk
            cut = chunk.rfind(b"<")
            if cut > 0 and len(chunk) - cut < 4_096:
                chunk, carry = chunk[:cut], chunk[cut:]
            else:
                carry = b""
            count += len(pattern.findall(chunk))
            if count > cap:
                return count
            deadline.check("counting the workbook's parts")
        count += len(pattern.findall(carry))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None  # a damaged part: the reader's own message says so
    return count if count > cap else None


def check_npy_header(stream: IO[bytes], where: str) -> None:
    """Read an ``.npy`` header and refuse an array too large to load, before loading it.

    Args:
        stream: The array's bytes, positioned at its start.
        where: What holds it, for messages ("The .npy file").

    Raises:
        InputError: The header is damaged, or the array would hold more than
            :data:`~embedding_space.io.budget.MAX_ARRAY_BYTES`.
    """
    import numpy as np

    damaged = (
        f"{where} could not be read; it may be cut short or damaged. Save it again with "
        "numpy.save(path, array)."
    )
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            header = np.lib.format.read_array_header_1_0(stream, max_header_size=10_000)
        else:
            header = np.lib.format.read_array_header_2_0(stream, max_header_size=10_000)
        shape, _, dtype = header
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as error:
        raise InputError(damaged) from error
    if not all(isinstance(size, int) and size >= 0 for size in shape):
        raise InputError(damaged)
    total = dtype.itemsize
    for size in shape:
        total *= size
    if total > MAX_ARRAY_BYTES:
        described = " x ".join(f"{size:,}" for size in shape)
        raise InputError(
            f"{where} declares an array of {described} {dtype} values ({total / 2**20:,.0f} MB); "
            f"at most {MAX_ARRAY_BYTES / 2**20:,.0f} MB can be loaded. Save fewer rows, or the "
            "vectors as float32."
        )
