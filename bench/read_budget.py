"""What a hostile file costs to read: each kind from the attack report (issue 24), made here at
its reported size, read by a fresh process the way an upload is read, against a plain file of
the same format (10,000 rows) read in the same run. Time and peak memory growth of the
reading process are printed with their ratio to the plain file's.

A process past ``--timeout`` seconds or ``--memory-cap`` MB of growth is stopped (so that the
code before the budget can be measured without taking the machine down): its figures then
read "> limit".

Run alone: ``python -m bench.read_budget [--root CHECKOUT] [--timeout S] [--memory-cap MB]``
(``--root`` measures another checkout's readers with the same files).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.io import hostile_files as hostile  # noqa: E402

_PAGE = os.sysconf("SC_PAGE_SIZE")
_READ = """
import json, os, sys, time
path = sys.argv[1]
from embedding_space.errors import InputError
from embedding_space.io.tables import read_table
from embedding_space.io.vector_sets import read_vector_files
data = open(path, "rb").read()
name = os.path.basename(path)
print("ready", flush=True)
started = time.perf_counter()
try:
    if name.endswith(".npz"):
        outcome = f"read {read_vector_files([(name, data)]).vectors.shape[0]:,} vectors"
    else:
        outcome = f"read {len(read_table(data, file_name=name).frame):,} rows"
except InputError as error:
    outcome = f"refused: {error}"
except Exception as error:
    outcome = f"TRACEBACK {type(error).__name__}: {str(error)[:80]}"
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome}), flush=True)
"""

CASES: list[tuple[str, str, Callable[[], tuple[str, bytes]]]] = [
    ("xlsx, cells in columns A and XFD", "xlsx", lambda: hostile.xlsx_in_columns_a_and_xfd(10_000)),
    ("xlsx, 5 million styles", "xlsx", lambda: hostile.xlsx_of_many_styles(5_000_000)),
    ("xlsx, 8 million shared strings", "xlsx", lambda: hostile.xlsx_of_many_strings(8_000_000)),
    ("npz, 1.6 GB of zeros", "npz", lambda: hostile.npz_of_zeros(400_000, 1_000)),
    ("csv, 1 million columns", "csv", lambda: hostile.csv_of_many_columns(1_000_000)),
    ("txt, 99 MB of short lines", "txt", lambda: hostile.txt_of_short_lines(49_500_000)),
    ("xlsx, one cell of 1.5 GB", "xlsx", lambda: hostile.xlsx_of_one_huge_cell(1_500)),
    ("xlsx, a text of 3 million runs", "xlsx", lambda: hostile.xlsx_of_a_string_of_many_runs()),
    ("json, a 5,000-digit integer", "json", lambda: hostile.json_with_a_huge_integer(5_000)),
    ("json, a record of 10,000 keys", "json", hostile.json_of_many_keys(10_000)),
    ("jsonl, 3 records of 10,000 keys", "json", hostile.json_of_many_keys(10_000, 3, lines=True)),
    ("parquet, one text of 400 MB", "parquet", lambda: hostile.parquet_of_one_long_text()),
    (
        "parquet, forged pandas metadata",
        "parquet",
        lambda: hostile.parquet_with_pandas_metadata(hostile.FORGED_PANDAS_METADATA["a list"]),
    ),
]


def _resident(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def measure(root: Path, path: Path, timeout: float, cap_mb: float) -> tuple[str, str, str]:
    """Read ``path`` in a fresh process of ``root``'s code.

    Returns:
        Seconds, peak growth in MB (both as text, "> limit" when stopped) and the outcome.
    """
    env = {**os.environ, "PYTHONPATH": str(root), "HF_HUB_OFFLINE": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", _READ, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    assert child.stdout is not None
    child.stdout.readline()  # "ready": the interpreter, the libraries and the file are in
    base = _resident(child.pid)
    peak = base
    started = time.monotonic()
    stopped = ""
    while child.poll() is None:
        peak = max(peak, _resident(child.pid))
        if (peak - base) / 2**20 > cap_mb:
            stopped = "memory"
        elif time.monotonic() - started > timeout:
            stopped = "time"
        if stopped:
            child.kill()
            break
        time.sleep(0.02)
    output = child.stdout.read()
    child.wait()
    growth = f"{(peak - base) / 2**20:8.0f} MB"
    if stopped:
        seconds = (
            f"> {timeout:.0f} s" if stopped == "time" else f"{time.monotonic() - started:5.1f} s"
        )
        growth = f"> {cap_mb:.0f} MB" if stopped == "memory" else growth
        return seconds, growth, f"stopped by the bench ({stopped})"
    result = json.loads(output.strip().splitlines()[-1])
    return f"{result['seconds']:6.2f} s", growth, str(result["outcome"])


def _number(text: str) -> float:
    return float(text.split()[-2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose readers run")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a stop")
    parser.add_argument("--memory-cap", type=float, default=3_000.0, help="MB before a stop")
    args = parser.parse_args()
    run(args.root, args.timeout, args.memory_cap)


def run(root: Path = ROOT, timeout: float = 120.0, memory_cap: float = 3_000.0) -> None:
    """Measure every case of :data:`CASES` against its plain file, and print the figures."""
    print(f"Reading hostile files with {root}: time and peak memory growth of the reader\n")
    with tempfile.TemporaryDirectory() as folder:
        baselines: dict[str, tuple[str, str]] = {}
        for fmt in sorted({fmt for _, fmt, _ in CASES}):
            name, data = hostile.normal_file(fmt)
            path = Path(folder) / name
            path.write_bytes(data)
            seconds, growth, _ = measure(root, path, timeout, memory_cap)
            baselines[fmt] = (seconds, growth)
            path.unlink()
        for label, fmt, build in CASES:
            name, data = build()
            path = Path(folder) / name
            path.write_bytes(data)
            size = len(data)
            del data
            seconds, growth, outcome = measure(root, path, timeout, memory_cap)
            path.unlink()
            base_seconds, base_growth = baselines[fmt]
            ratio_time = _number(seconds) / max(_number(base_seconds), 0.01)
            ratio_memory = _number(growth) / max(_number(base_growth), 1.0)
            plain = f"plain .{fmt}: {base_seconds.strip():>7} {base_growth.strip():>7}"
            ratios = f"ratio {ratio_time:6.1f}x time {ratio_memory:6.1f}x memory"
            print(
                f"{label:<34} {size / 1e3:>8,.0f} KB {seconds:>9} {growth:>12}   {plain}   "
                f"{ratios}\n    {outcome[:150]}",
                flush=True,
            )


if __name__ == "__main__":
    main()
