"""How much work reading one file may take: time, memory, rows, columns and unpacked bytes.

A small file can ask for a lot of work (a workbook that declares a million rows, a zip that
inflates a thousandfold, a header of a million columns); readers check the budget as they go,
inside their loops and before they allocate what a file declares, and stop with a sentence the
user can act on, rather than hold a core for half an hour or the server's memory.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

from embedding_space.errors import InputError

__all__ = [
    "MAX_ARRAY_BYTES",
    "MAX_COLUMNS",
    "MAX_PARQUET_BYTES",
    "MAX_READ_MEMORY",
    "MAX_READ_SECONDS",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "Deadline",
    "resident_bytes",
]

MAX_READ_SECONDS = 60.0
"""Reading one file may take this long at most."""
MAX_READ_MEMORY = 800 * 2**20
"""Reading one file may grow the process's resident memory by this much at most (800 MiB),
so that a read and what it leaves stay under 1 GB even between two checks."""
MAX_ROWS = 1_000_000
"""A table may have this many rows at most (Excel itself stops at 1,048,576)."""
MAX_COLUMNS = 2_000
"""A table may have this many columns at most: a header wider than this is refused before a
row is parsed (a 10 MB line can name a million columns)."""
MAX_UNZIPPED_BYTES = 2 * 2**30
"""The parts of a zip (a workbook, an ``.npz``) may declare this many bytes in all (2 GiB)."""
MAX_ARRAY_BYTES = 400 * 2**20
"""An ``.npy`` array (or the one in an ``.npz``) may hold this many bytes at most (400 MiB:
about 270,000 vectors of 384 float32 numbers), checked in its header before it is loaded."""

MAX_PARQUET_BYTES = 200 * 2**20
"""A Parquet file's columns may declare this many bytes once uncompressed (200 MiB), checked in
its footer before a row is read: Arrow's table and pandas' copies of it take three to four times
that, which keeps the read under :data:`MAX_READ_MEMORY` (a 13 KB file can hold a 400 MB text)."""

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int:
    """The process's resident memory now (``/proc/self/statm``); where there is no
    ``/proc``, the peak so far (``getrusage``), which only overstates growth."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak) * (1 if sys.platform == "darwin" else 1024)


@dataclass
class Deadline:
    """A point in time after which a reader gives up, and how much memory it may take.

    Memory is the growth of the process's resident memory since the budget was made, so work
    done at the same time by other threads of a server counts too: the ceiling is set well
    above what any one legitimate read needs.

    Args:
        seconds: How long from now.
        memory: How many bytes the process may grow by (``None``: no ceiling).
        advice: What the user can do, ending the message when the time or memory is up.
    """

    seconds: float = MAX_READ_SECONDS
    memory: int | None = MAX_READ_MEMORY
    advice: str = "Save a smaller file, or only the sheet and columns you need."
    _ends: float = field(init=False)
    _base: int = field(init=False)

    def __post_init__(self) -> None:
        self._ends = time.monotonic() + self.seconds
        self._base = resident_bytes()

    def check(self, doing: str) -> None:
        """Raise an :class:`InputError` when the time or the memory is up.

        Args:
            doing: What was being done, for the message ("reading the sheet 'Data'").
        """
        if time.monotonic() > self._ends:
            raise InputError(
                f"The file took longer than {self.seconds:.0f} seconds to read ({doing}) and was "
                f"stopped. {self.advice}"
            )
        if self.memory is not None and resident_bytes() - self._base > self.memory:
            raise InputError(
                f"The file took more than {self.memory / 2**20:,.0f} MB of memory to read "
                f"({doing}) and was stopped. {self.advice}"
            )
