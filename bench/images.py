"""What an image costs on the way in: :func:`~embedding_space.io.images.prepare_image` against
the plain way (decode the whole image, turn it upright, make each rendition from the full
pixels), on the same camera-sized JPEGs and PNGs in the same run, with images per second, the
ratio, and what the workspace and the page then carry per image.

Run alone: ``python -m bench.images [--count N]``.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.embedding import processor
from embedding_space.io.images import THUMBNAIL_PX, WORKING_PX, prepare_image, thumbnail_uri


def photo(width: int, height: int, fmt: str, seed: int) -> bytes:
    """A photo-like image: smooth colour fields with grain, so it compresses like a photo."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack(
        [
            128 + 100 * np.sin(x / (width / rng.uniform(2, 6)) + rng.uniform(0, 6)),
            128 + 100 * np.cos(y / (height / rng.uniform(2, 6)) + rng.uniform(0, 6)),
            128 + 60 * np.sin((x + y) / (width / rng.uniform(1, 4))),
        ],
        axis=-1,
    )
    grain = rng.normal(0, 12, base.shape)
    pixels = np.clip(base + grain, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def plain_way(data: bytes) -> tuple[bytes, bytes]:
    """Both renditions as a first version would make them: the whole image decoded."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    made = []
    for longest, quality in ((THUMBNAIL_PX, 80), (WORKING_PX, 90)):
        small = image.copy()
        small.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, format="WEBP", quality=quality, method=4)
        made.append(out.getvalue())
    return made[0], made[1]


def rate(files: list[bytes], prepare: Callable[[bytes], object]) -> float:
    started = time.perf_counter()
    for data in files:
        prepare(data)
    return len(files) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=24, help="images of each kind")
    args = parser.parse_args()
    kinds = [
        ("JPEG 4000 × 3000", 4000, 3000, "JPEG"),
        ("JPEG 1024 × 768", 1024, 768, "JPEG"),
        ("PNG 1024 × 768", 1024, 768, "PNG"),
    ]
    print(processor())
    print(f"{'image':<18} {'ours /s':>8} {'plain /s':>9} {'ratio':>6}  thumbnail  working copy")
    for label, width, height, fmt in kinds:
        files = [photo(width, height, fmt, seed) for seed in range(args.count)]
        ours = rate(files, lambda data: prepare_image(data, "bench"))
        plain = rate(files, plain_way)
        prepared = [prepare_image(data, "bench") for data in files[:8]]
        thumb = np.mean([len(image.thumbnail) for image in prepared]) / 1024
        working = np.mean([len(image.working) for image in prepared]) / 1024
        print(
            f"{label:<18} {ours:8.1f} {plain:9.1f} {ours / plain:5.1f}x  {thumb:6.1f} KB "
            f"{working:9.1f} KB"
        )
    uri = np.mean([len(thumbnail_uri(image.thumbnail)) for image in prepared])
    print(f"A page's thumbnails for 1,000 rows as data: URIs: {uri * 1000 / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
