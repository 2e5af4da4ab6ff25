"""Uploads of images made here: labelled zips of drawn shapes, the tables and vectors that go
with them, a Hugging Face style Parquet file, and the hostile zips and images of the tests.

Every builder returns bytes (or ``(file name, bytes)``); nothing is written to disk.
"""

from __future__ import annotations

import io
import json
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

SHAPES = ("circle", "square", "triangle")
COLOURS = {"red": (215, 45, 45), "green": (40, 160, 70), "blue": (45, 85, 215)}
ZIP_FOLDER = "shapes"
"""The folder every image of :func:`labelled_zip` is in."""


def draw_shape(
    shape: str,
    fill: tuple[int, int, int],
    box: tuple[int, int, int, int],
    *,
    size: int,
    background: tuple[int, int, int] = (255, 255, 255),
    outline: tuple[int, int, int] | None = None,
    fmt: str = "PNG",
) -> bytes:
    """A ``size``-pixel square image of one filled circle, square or triangle inside ``box``
    (left, top, right, bottom), as a file's bytes: the one drawing of every test of images."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    width = 3 if outline is not None else 0
    if shape == "circle":
        draw.ellipse(box, fill=fill, outline=outline, width=width)
    elif shape == "square":
        draw.rectangle(box, fill=fill, outline=outline, width=width)
    elif shape == "triangle":
        left, top, right, bottom = box
        corners = [((left + right) / 2, top), (right, bottom), (left, bottom)]
        draw.polygon(corners, fill=fill, outline=outline, width=width)
    else:
        raise ValueError(f"no shape {shape!r}")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def shape_image(
    shape: str, colour: str, index: int = 0, *, size: int = 64, fmt: str = "PNG"
) -> bytes:
    """One shape of one colour on white, a little larger or smaller and off centre by
    ``index``, so no two images of a label are the same."""
    rng = np.random.default_rng(index)
    half = int(size * rng.uniform(0.25, 0.4))
    cx, cy = (int(size / 2 + offset) for offset in rng.integers(-6, 7, size=2))
    box = (cx - half, cy - half, cx + half, cy + half)
    return draw_shape(shape, COLOURS[colour], box, size=size, fmt=fmt)


def shape_rows(count: int) -> pd.DataFrame:
    """``count`` rows cycling through every shape and colour: ``file`` (the image's path in
    :func:`labelled_zip`, ``shapes/<shape>/<nnnn>.png``), ``shape``, ``colour``."""
    shapes = [SHAPES[index % 3] for index in range(count)]
    colours = [list(COLOURS)[(index // 3) % 3] for index in range(count)]
    files = [f"{ZIP_FOLDER}/{shape}/{index:04d}.png" for index, shape in enumerate(shapes)]
    return pd.DataFrame({"file": files, "shape": shapes, "colour": colours})


def labelled_zip(count: int = 300, *, extra: Mapping[str, bytes] | None = None) -> bytes:
    """A zip of ``count`` drawn shapes in the ImageFolder layout (one folder per shape, under
    :data:`ZIP_FOLDER`), as :func:`shape_rows` lists them, plus ``extra`` entries."""
    rows = shape_rows(count)
    members = {
        file: shape_image(shape, colour, index)
        for index, (file, shape, colour) in enumerate(rows.itertuples(index=False))
    }
    return zip_of({**members, **(extra or {})})


def shape_vectors(rows: pd.DataFrame, dimensions: int = 16) -> np.ndarray:
    """Vectors that cluster by shape and colour: a centre per (shape, colour) and a little
    noise, one per row of :func:`shape_rows`, float32."""
    rng = np.random.default_rng(7)
    centres = {
        (shape, colour): rng.normal(size=dimensions) * 4 for shape in SHAPES for colour in COLOURS
    }
    noise = rng.normal(scale=0.3, size=(len(rows), dimensions))
    stacked = np.stack(
        [centres[(s, c)] for s, c in zip(rows["shape"], rows["colour"], strict=True)]
    )
    return (stacked + noise).astype(np.float32)


def npy_bytes(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def zip_of(
    members: Mapping[str, bytes] | Iterable[tuple[str, bytes]],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A zip of these entries, names written as given (``../x.png``, or one name twice)."""
    out = io.BytesIO()
    items = members.items() if isinstance(members, Mapping) else members
    with zipfile.ZipFile(out, "w", compression) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a name written twice is on purpose
        for name, data in items:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


def rotated_jpeg() -> bytes:
    """A JPEG stored 60 × 30 px, red on its left half and blue on its right, whose EXIF says
    to turn it 90° clockwise (orientation 6) and holds a description and a GPS position: shown
    upright it is 30 × 60, red above blue."""
    from PIL import Image

    image = Image.new("RGB", (60, 30), COLOURS["blue"])
    image.paste(COLOURS["red"], (0, 0, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010E] = "secret place"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, exif=exif)
    return out.getvalue()


def pixel_bomb_png(width: int = 8_000, height: int = 8_000) -> bytes:
    """A PNG of a few bytes whose header declares ``width`` × ``height`` pixels."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1, 1)).save(out, format="PNG")
    data = bytearray(out.getvalue())
    start = data.index(b"IHDR")
    data[start + 4 : start + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[start : start + 17]))
    data[start + 17 : start + 21] = struct.pack(">I", crc)
    return bytes(data)


def zip_bomb(megabytes: int = 30) -> bytes:
    """A zip of one good image and one 'image' of ``megabytes`` MB of zeros, deflated about a
    thousand times."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("ok.png", shape_image("circle", "red"))
        with archive.open("zeros.png", "w") as member:
            for _ in range(megabytes):
                member.write(bytes(2**20))
    return out.getvalue()


def symlink_zip() -> bytes:
    """A zip of one image and a symbolic link to ``/etc/passwd``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ok.png", shape_image("circle", "red"))
        link = zipfile.ZipInfo("link.png")
        link.external_attr = (0o120777 << 16) | 0x10
        archive.writestr(link, "/etc/passwd")
    return out.getvalue()


def encrypted_zip() -> bytes:
    """A zip whose second entry is marked encrypted (bit 0 of its flags, in the central
    directory, where a reader learns of it first)."""
    data = bytearray(
        zip_of(
            {"ok.png": shape_image("circle", "red"), "secret.png": shape_image("square", "blue")}
        )
    )
    second = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    flags = struct.unpack_from("<H", data, second + 8)[0]
    struct.pack_into("<H", data, second + 8, flags | 0x1)
    return bytes(data)


def zip_of_empty_entries(count: int, suffix: str = ".png") -> bytes:
    """A zip of ``count`` empty entries named like images: cheap to make, costly to list."""
    return zip_of(
        ((f"{index}{suffix}", b"") for index in range(count)), compression=zipfile.ZIP_STORED
    )


def hugging_face_parquet(rows: pd.DataFrame, *, with_vectors: np.ndarray | None = None) -> bytes:
    """The rows of :func:`shape_rows` as a Hugging Face ``datasets`` Parquet file: an
    ``image`` column of ``{bytes, path}``, the shape as a ``ClassLabel`` (numbers, their names
    in the schema's ``huggingface`` metadata), the colour as text, and optionally a column of
    vectors."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    images = [
        {"bytes": shape_image(shape, colour, index), "path": f"{index:04d}.png"}
        for index, (shape, colour) in enumerate(zip(rows["shape"], rows["colour"], strict=True))
    ]
    columns: dict[str, pa.Array] = {
        "image": pa.array(images, type=pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
        "shape": pa.array([SHAPES.index(shape) for shape in rows["shape"]], type=pa.int64()),
        "colour": pa.array(list(rows["colour"]), type=pa.string()),
    }
    if with_vectors is not None:
        columns["embedding"] = pa.array(with_vectors.tolist(), type=pa.list_(pa.float32()))
    features = {
        "image": {"_type": "Image"},
        "shape": {"_type": "ClassLabel", "names": list(SHAPES)},
        "colour": {"_type": "Value", "dtype": "string"},
    }
    table = pa.table(columns).replace_schema_metadata(
        {"huggingface": json.dumps({"info": {"features": features}})}
    )
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


# -- hostile uploads of the attack on images (issue 23) -----------------------------------------


def _local_entry(name: bytes, method: int, crc: int, body: bytes, declared: int) -> bytes:
    return (
        struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(body), declared, len(name), 0
        )
        + name
        + body
    )


def _central_entry(
    name: bytes, method: int, crc: int, body: bytes, declared: int, offset: int
) -> bytes:
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            method,
            0,
            0,
            crc,
            len(body),
            declared,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + name
    )


def zip_lying_about_sizes(megabytes: int = 300, declared: int = 10, count: int = 1) -> bytes:
    """A zip of ``count`` entries whose directory says each unpacks to ``declared`` bytes while
    its deflated data inflates to ``megabytes`` MB of zeros (every check of declared sizes and
    ratios passes): ``ZipFile.read`` inflates all of it at once, up to 2 GB an entry."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = b"".join(deflater.compress(bytes(2**20)) for _ in range(megabytes)) + deflater.flush()
    crc = zlib.crc32(bytes(declared))
    entries, central, offset = [], b"", 0
    for index in range(count):
        name = f"z{index}.png".encode()
        entries.append(_local_entry(name, 8, crc, body, declared))
        central += _central_entry(name, 8, crc, body, declared, offset)
        offset += len(entries[-1])
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), offset, 0)
    return b"".join(entries) + central + end


def bzip2_zip() -> bytes:
    """A zip of one image and one entry compressed with bzip2 (which ``zipfile`` inflates a
    read at a time without a bound: 2 KB of it can hold 3 GB of zeros)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ok.png", shape_image("circle", "red"))
        archive.writestr("zeros.png", bytes(2**20), compress_type=zipfile.ZIP_BZIP2)
    return out.getvalue()


def jpeg_of_many_scans(side: int = 2_000, scans: int = 1_000) -> bytes:
    """A progressive JPEG of ``side`` × ``side`` grey whose last scan is repeated to make
    ``scans`` more: a few KB, decoded a pass over the whole image a scan (1,000 scans of 2,000
    × 2,000 took 2 s; 3,000 of 6,000 × 6,000, 80 s)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (side, side)).save(out, format="JPEG", progressive=True, quality=50)
    data = out.getvalue()
    last = data[data.rindex(b"\xff\xda") : -2]  # the last scan, up to the end marker
    return data[:-2] + last * scans + b"\xff\xd9"


def table_naming_one_image(rows: int, path: str = "a.png") -> bytes:
    """A CSV of ``rows`` rows, each naming the image ``path`` (a zip of one image can then
    make as many rows of images as a table can have)."""
    return pd.DataFrame({"file": [path] * rows, "n": range(rows)}).to_csv(index=False).encode()


def noise_png(side: int = 600) -> bytes:
    """A PNG of grey noise, ``side`` px a side: its working copy is as large as one gets
    (about 100 KB), where a photo's is 20 to 40 KB."""
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((side, side), 80).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def parquet_of_one_huge_image_value(megabytes: int = 300) -> bytes:
    """A Parquet file of one column of bytes whose first value starts like a PNG and holds
    ``megabytes`` MB of zeros: a few hundred KB on disk (zstd), more than a Parquet file may
    declare (400 MB took 1.7 GB to tell whether the file held images)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    value = b"\x89PNG\r\n\x1a\n" + bytes(megabytes * 2**20)
    pq.write_table(pa.table({"blob": pa.array([value], pa.binary())}), out, compression="zstd")
    return out.getvalue()


def png_of_many_pixels(side: int = 6_324, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A PNG of ``side`` × ``side`` black pixels written scanline by scanline (6,324 a side
    is 40 megapixels, the most an image may have): a few hundred KB that decode to 160 MB.
    ``colour_type`` as PNG numbers them: 0 grey, 2 RGB, 3 palette, 4 grey and alpha, 6 RGBA."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    line = bytes(1 + (side * channels * bit_depth + 7) // 8)  # a filter byte, then zeros
    deflater = zlib.compressobj(9)
    data = b"".join(deflater.compress(line) for _ in range(side)) + deflater.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", side, side, bit_depth, colour_type, 0, 0, 0)
    palette = chunk(b"PLTE", bytes([0, 0, 0, 255, 255, 255])) if colour_type == 3 else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + palette
        + chunk(b"IDAT", data)
        + chunk(b"IEND", b"")
    )


def images_in_every_mode() -> dict[str, bytes]:
    """One small image in each mode the four formats decode to, by file name: a JPEG in CMYK
    and grey, a PNG of 1 bit, grey, grey and alpha, a palette with a transparent colour, 16
    bits a channel (grey, RGB, RGBA), a GIF with a transparent colour, a WebP with alpha. Each
    is black, and transparent where it can be."""
    from PIL import Image

    def saved(image: Image.Image, fmt: str, **options: object) -> bytes:
        out = io.BytesIO()
        image.save(out, format=fmt, **options)
        return out.getvalue()

    return {
        "cmyk.jpg": saved(Image.new("CMYK", (40, 30), (0, 0, 0, 255)), "JPEG"),
        "grey.jpg": saved(Image.new("L", (40, 30)), "JPEG"),
        "bits.png": saved(Image.new("1", (40, 30)), "PNG"),
        "grey.png": saved(Image.new("L", (40, 30)), "PNG"),
        "grey-alpha.png": saved(Image.new("LA", (40, 30), (0, 0)), "PNG"),
        "palette.png": saved(Image.new("P", (40, 30)), "PNG", transparency=0),
        "grey16.png": png_of_many_pixels(40, 16, 0),
        "rgb16.png": png_of_many_pixels(40, 16, 2),
        "rgba16.png": png_of_many_pixels(40, 16, 6),
        "palette.gif": saved(Image.new("P", (40, 30)), "GIF", transparency=0),
        "alpha.webp": saved(Image.new("RGBA", (40, 30), (0, 0, 0, 0)), "WEBP", lossless=True),
    }


def parquet_of_padded_images(rows: int = 1_000, padding: int = 190_000) -> bytes:
    """A Parquet file of one column of plain image bytes: ``rows`` small PNGs, each followed by
    ``padding`` random bytes (which a PNG reader ignores after its end), so the file is as
    large as a real one of photos (190 MB by default) and compresses no better."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(5)
    values = [shape_image(SHAPES[i % 3], "red", i) + rng.bytes(padding) for i in range(rows)]
    out = io.BytesIO()
    pq.write_table(pa.table({"image": pa.array(values, pa.binary())}), out)
    return out.getvalue()


def xlsx_whose_part_inflates_past_its_size(megabytes: int = 300) -> bytes:
    """A workbook of two rows whose ``[Content_Types].xml`` declares its own size while its
    deflated data inflates to ``megabytes`` MB of zeros: openpyxl reads that part with
    ``ZipFile.read``, which inflates all of it at once (2 GB took a 2 MB workbook)."""
    out = io.BytesIO()
    pd.DataFrame({"text": ["a b c", "d e f"]}).to_excel(out, index=False)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = b"".join(deflater.compress(bytes(2**20)) for _ in range(megabytes)) + deflater.flush()
    entries, central, offset = [], b"", 0
    for info in source.infolist():
        raw = source.read(info)
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = (
            bomb
            if info.filename == "[Content_Types].xml"
            else packer.compress(raw) + packer.flush()
        )
        name, crc = info.filename.encode(), zlib.crc32(raw)
        entries.append(_local_entry(name, 8, crc, body, len(raw)))
        central += _central_entry(name, 8, crc, body, len(raw), offset)
        offset += len(entries[-1])
    count = len(entries)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), offset, 0)
    return b"".join(entries) + central + end
