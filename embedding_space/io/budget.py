"""How much work reading one file may take: a deadline, and the most rows it may yield.

A small file can ask for a lot of work (a workbook that declares a million rows, a zip that
inflates a thousandfold); readers check the budget as they go and stop with a sentence the
user can act on, rather than hold a core for half an hour.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from embedding_space.errors import InputError

__all__ = ["MAX_READ_SECONDS", "MAX_ROWS", "Deadline"]

MAX_READ_SECONDS = 60.0
"""Reading one file may take this long at most."""
MAX_ROWS = 1_000_000
"""A table may have this many rows at most (Excel itself stops at 1,048,576)."""


@dataclass
class Deadline:
    """A point in time after which a reader gives up.

    Args:
        seconds: How long from now.
    """

    seconds: float = MAX_READ_SECONDS
    _ends: float = field(init=False)

    def __post_init__(self) -> None:
        self._ends = time.monotonic() + self.seconds

    def check(self, doing: str) -> None:
        """Raise an :class:`InputError` when the time is up.

        Args:
            doing: What was being done, for the message ("reading the sheet 'Data'").
        """
        if time.monotonic() > self._ends:
            raise InputError(
                f"The file took longer than {self.seconds:.0f} seconds to read ({doing}) and was "
                "stopped. Save a smaller file, or only the sheet and columns you need."
            )
