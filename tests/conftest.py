"""Shared fixtures: one real model per test session, and a private workspace folder."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Every test (and every subprocess it starts) writes to a throw-away workspace, never the user's.
_SESSION_HOME = tempfile.mkdtemp(prefix="embedding-space-tests-")
os.environ["EMBEDDING_SPACE_HOME"] = _SESSION_HOME
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from embedding_space.embedding import Embedder, load_embedder  # noqa: E402


class CountingEmbedder(Embedder):
    """The real model, counting how many texts actually reach it."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner.name, inner.model)
        self.texts_encoded = 0
        self.calls = 0

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.calls += 1
        self.texts_encoded += len(texts)
        return super().encode(texts)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled all-MiniLM-L6-v2, loaded once."""
    return load_embedder()


@pytest.fixture
def counting_embedder(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)
