"""A zip of images, looked at whole before one image is unpacked, and read in memory.

A zip is a list of names and sizes anyone can write. :func:`open_image_zip` refuses the whole
archive, with a sentence naming the entry, for an entry that could point outside a folder it
is unpacked into (``../x.png``, ``/etc/x.png``, ``C:\\x.png``, a backslash), a symbolic link,
an encrypted entry, one that declares more than an image or a table may hold or inflates more
than :data:`MAX_COMPRESSION_RATIO` times, or more than :data:`MAX_IMAGES` images; nothing is
ever written to disk. macOS's ``__MACOSX/`` folder and dot files are ignored.

:meth:`ImageZip.find` matches a path a table gives to an image of the zip: as written first
(case-sensitive), then normalised (backslashes as ``/``, ``./`` and a leading ``/`` dropped),
relative to the table's own folder in the zip, or to the folder every image shares.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from embedding_space.errors import InputError
from embedding_space.io.archives import open_zip
from embedding_space.io.budget import Deadline
from embedding_space.io.images import (
    IMAGE_SUFFIXES,
    MAX_IMAGE_FILE_BYTES,
    PreparedImage,
    UnreadableImageError,
    prepare_image,
)

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_IMAGES",
    "MAX_IMAGE_READ_SECONDS",
    "MAX_TABLE_IN_ZIP_BYTES",
    "MAX_ZIP_ENTRIES",
    "TABLE_SUFFIXES",
    "ImageZip",
    "image_deadline",
    "listed",
    "open_image_zip",
]

MAX_IMAGES = 10_000
"""A zip may hold this many images at most: each takes 10–150 ms to check and shrink, so the
most takes a few minutes, within :data:`MAX_IMAGE_READ_SECONDS`. An upload may have this many
rows of images too, however few images they name, since each row keeps its own copy."""
MAX_ZIP_ENTRIES = 50_000
"""A zip may list this many entries at most (folders, macOS copies and other files included),
counted in its bytes before Python builds an object for each."""
MAX_COMPRESSION_RATIO = 100
"""An entry of more than 1 MB may inflate this many times at most: images are compressed
already (a zip gains a few percent on them), text tables about ten times; a zip bomb a
thousand times or more."""
MAX_TABLE_IN_ZIP_BYTES = 100 * 2**20
"""A table inside the zip may unpack to this many bytes at most."""
MAX_IMAGE_READ_SECONDS = 300.0
"""Reading one upload of images may take this long at most (five minutes)."""
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".xlsx", ".parquet")
"""Entries taken for the table that describes the images."""
_RATIO_FROM_BYTES = 2**20
_CENTRAL_ENTRY = b"PK\x01\x02"
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_SYMLINK = 0o120000


def image_deadline() -> Deadline:
    """The budget of one upload of images: :data:`MAX_IMAGE_READ_SECONDS`, and the memory any
    read may take."""
    return Deadline(
        seconds=MAX_IMAGE_READ_SECONDS,
        advice="Split the images into smaller zips, or save them smaller.",
    )


def listed(names: list[str], shown: int = 3) -> str:
    """``'a.png', 'b.png' and 4 more``: a few names of a long list, quoted."""
    quoted = [f"'{name}'" for name in names[:shown]]
    rest = len(names) - len(quoted)
    if rest:
        return ", ".join(quoted) + f" and {rest:,} more"
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


@dataclass
class ImageZip:
    """The images (and tables) of a zip whose entries were checked, read on demand.

    Attributes:
        name: The zip's file name, quoted, for messages.
        archive: The open zip.
        deadline: The upload's budget, looked at before each entry is unpacked.
        images: The images' paths in the zip, sorted (the order rows take without a table).
        tables: The paths of tables in the zip.
        others: Entries that are neither (left out, and named in what is skipped).
        repeated: Paths the zip lists more than once (the first entry is read).
        top_folder: The folder every image is in (``"photos/"``), or ``""``.
    """

    name: str
    archive: zipfile.ZipFile
    deadline: Deadline
    images: list[str]
    tables: list[str]
    others: list[str]
    repeated: list[str]
    top_folder: str
    _entries: dict[str, zipfile.ZipInfo]
    _image_set: frozenset[str] = frozenset()
    _prepared: dict[str, PreparedImage] = field(default_factory=dict)

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> ImageZip:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def read(self, path: str) -> bytes:
        """An entry's bytes, within the deadline.

        Raises:
            UnreadableImageError: The entry is damaged (its data is not what its header says).
            InputError: The time or memory of the read is up.
        """
        self.deadline.check(f"unpacking '{path}'")
        info = self._entries[path]
        try:
            # By its declared size: read() would inflate all of its data at once, up to 2 GB,
            # when the directory says 10 bytes and the data holds a bomb.
            with self.archive.open(info) as member:
                return member.read(info.file_size)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
            raise UnreadableImageError(
                f"'{path}' could not be unpacked from {self.name}; the zip may be damaged."
            ) from None

    def prepare(self, path: str) -> PreparedImage:
        """The image at ``path`` checked and made small (once, however many rows name it).

        Raises:
            UnreadableImageError: It is damaged or no image.
            InputError: It is an image no upload may hold (too many pixels), or time is up.
        """
        if path not in self._prepared:
            self._prepared[path] = prepare_image(self.read(path), path)
        return self._prepared[path]

    def find(self, value: str, table_folder: str = "") -> str | None:
        """The image a table's cell names, or ``None`` (see the module's note)."""
        if value in self._image_set:
            return value
        cleaned = posixpath.normpath(value.strip().replace("\\", "/").lstrip("/"))
        for candidate in (
            cleaned,
            posixpath.join(table_folder, cleaned),
            self.top_folder + cleaned,
        ):
            if candidate in self._image_set:
                return candidate
        return None

    def folder_columns(self, paths: list[str]) -> dict[str, list[str | None]]:
        """Labels from the folders the images are in, below :attr:`top_folder` (the
        ImageFolder layout, ``cats/1.jpg``): ``label``, the folder an image is in, and when
        some are nested deeper, ``folder``, its whole path (``train/cats``); no column when
        the images share one folder."""
        folders = [posixpath.dirname(path[len(self.top_folder) :]) for path in paths]
        if not any(folders):
            return {}
        columns: dict[str, list[str | None]] = {
            "label": [posixpath.basename(folder) or None for folder in folders]
        }
        if any("/" in folder for folder in folders):
            columns["folder"] = [folder or None for folder in folders]
        return columns


def open_image_zip(data: bytes, name: str, deadline: Deadline) -> ImageZip:
    """Open a zip of images held in memory, after checking every entry.

    Args:
        data: The zip's bytes.
        name: Its file name, for messages.
        deadline: The upload's budget (see :func:`image_deadline`).

    Returns:
        The zip, open; close it (or use it in a ``with`` block).

    Raises:
        InputError: The bytes are no zip, or an entry is refused (see the module's note); the
            sentence names the entry.
    """
    if data.count(_CENTRAL_ENTRY) > MAX_ZIP_ENTRIES:
        raise InputError(
            f"{name} lists more than {MAX_ZIP_ENTRIES:,} files; at most {MAX_IMAGES:,} images "
            "can be loaded at once. Split it into smaller zips."
        )
    archive = open_zip(
        data,
        name,
        f"{name} could not be read as a zip; it may be damaged or cut short. Zip the images again.",
    )
    try:
        found = _sort_entries(archive, name)
    except InputError:
        archive.close()
        raise
    images, tables, others, repeated, entries = found
    shared = posixpath.commonpath(sorted({posixpath.dirname(path) for path in images}))
    return ImageZip(
        name,
        archive,
        deadline,
        images,
        tables,
        others,
        repeated,
        top_folder=shared + "/" if shared else "",
        _entries=entries,
        _image_set=frozenset(images),
    )


def _sort_entries(
    archive: zipfile.ZipFile, name: str
) -> tuple[list[str], list[str], list[str], list[str], dict[str, zipfile.ZipInfo]]:
    entries: dict[str, zipfile.ZipInfo] = {}
    repeated: list[str] = []
    images: list[str] = []
    tables: list[str] = []
    others: list[str] = []
    for info in archive.infolist():
        path = info.filename
        _check_entry(info, name)
        parts = path.rstrip("/").split("/")
        if info.is_dir() or parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts):
            continue
        if path in entries:
            repeated.append(path)
            continue
        entries[path] = info
        suffix = posixpath.splitext(path)[1].lower()
        if suffix in IMAGE_SUFFIXES:
            _check_size(info, name, MAX_IMAGE_FILE_BYTES, "an image")
            images.append(path)
        elif suffix in TABLE_SUFFIXES:
            _check_size(info, name, MAX_TABLE_IN_ZIP_BYTES, "a table")
            tables.append(path)
        else:
            others.append(path)
    if len(images) > MAX_IMAGES:
        raise InputError(
            f"{name} holds {len(images):,} images; at most {MAX_IMAGES:,} can be loaded at once. "
            "Split it into smaller zips, or zip a sample."
        )
    if not images:
        raise InputError(
            f"{name} holds no images (JPEG, PNG, WebP or GIF files). Zip a folder of images."
        )
    return sorted(images), tables, others, repeated, entries


def _check_entry(info: zipfile.ZipInfo, name: str) -> None:
    """Refuse an entry no folder should be unpacked with, whether or not it is read."""
    path = info.filename
    if "\\" in path or path.startswith("/") or _DRIVE_RE.match(path) or ".." in path.split("/"):
        raise InputError(
            f"{name} holds the entry '{path}', a path that leads out of the folder it would be "
            "unpacked into ('..', a leading '/', a drive letter or backslashes), so the zip is "
            "refused. Zip the images again with a standard tool."
        )
    if (info.external_attr >> 16) & 0o170000 == _SYMLINK:
        raise InputError(
            f"{name} holds '{path}', a symbolic link; links are refused. Zip the images themselves."
        )
    if info.flag_bits & 0x1:
        raise InputError(
            f"'{path}' in {name} is encrypted. Zip the images again without a password."
        )
    if info.file_size > _RATIO_FROM_BYTES and (
        info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
    ):
        ratio = info.file_size / max(info.compress_size, 1)
        raise InputError(
            f"'{path}' in {name} would inflate {ratio:,.0f} times, from "
            f"{info.compress_size / 2**10:,.0f} KB to {info.file_size / 2**20:,.0f} MB; more "
            f"than {MAX_COMPRESSION_RATIO} times is the mark of a zip bomb, so the zip is refused."
        )


def _check_size(info: zipfile.ZipInfo, name: str, most: int, what: str) -> None:
    if info.file_size > most:
        raise InputError(
            f"'{info.filename}' in {name} would unpack to {info.file_size / 2**20:,.0f} MB; "
            f"{what} may hold {most / 2**20:,.0f} MB at most. Save it smaller."
        )
