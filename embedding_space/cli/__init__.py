"""The command line: ``embedding-space VERB ...`` (or ``python -m embedding_space``).

Errors a user can fix print one line on stderr and exit with status 2; nothing else is caught,
so a real bug still shows its traceback.
"""

from embedding_space.cli.main import main, main_exit

__all__ = ["main", "main_exit"]
