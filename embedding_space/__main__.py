"""``python -m embedding_space``: see :mod:`embedding_space.cli`."""

import sys

from embedding_space.cli import main

sys.exit(main())
