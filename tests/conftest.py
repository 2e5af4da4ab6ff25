"""Shared fixtures: one real model per test session, a private workspace folder, and a small
dataset of four topics for the app tests that are not about the demo."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Every test (and every subprocess it starts) writes to a throw-away workspace, never the user's.
_SESSION_HOME = tempfile.mkdtemp(prefix="embedding-space-tests-")
os.environ["EMBEDDING_SPACE_HOME"] = _SESSION_HOME
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Every AppTest session comes from the same (no) address, and so do the servers' browsers:
# the per-address limit on new session keys is tested on its own (test_sessions_and_keys).
os.environ.setdefault("EMBEDDING_SPACE_NEW_KEYS_PER_HOUR", "100000")

from embedding_space.embed import Embedder, load_embedder  # noqa: E402
from embedding_space.store.workspace import Workspace  # noqa: E402
from tests.browser import support  # noqa: E402
from tests.helpers import CountingEmbedder, make_tiny_clip, topics_frame  # noqa: E402

try:
    import playwright  # noqa: F401

    HAS_PLAYWRIGHT = True
except ImportError:
    HAS_PLAYWRIGHT = False
# The test tools alone (requirements-test.txt, what `make test-fast` installs) have no
# Playwright, which every module in browser/ imports; those tests are all marked browser.
collect_ignore = [] if HAS_PLAYWRIGHT else ["browser"]


def pytest_report_header() -> str | None:
    return None if HAS_PLAYWRIGHT else "Playwright is not installed: tests/browser/ is left out"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Note a test without the ``browser`` or ``server`` marker before its fixtures start, so
    that starting a server or Chromium from it fails (see ``support.REAL_PROCESS_MARKERS``)."""
    marked = any(item.get_closest_marker(name) for name in support.REAL_PROCESS_MARKERS)
    support.unmarked_test = None if marked else item.nodeid


def pytest_runtest_teardown(item: pytest.Item) -> None:
    support.unmarked_test = None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium for one module's real-server tests; Playwright's ``expect`` waits
    ``support.EXPECT_TIMEOUT_MS`` meanwhile (its default again afterwards)."""
    support.require_chromium()
    from playwright.sync_api import expect

    with support.chromium() as chromium:
        expect.set_options(timeout=support.EXPECT_TIMEOUT_MS)
        try:
            yield chromium
        finally:
            expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled all-MiniLM-L6-v2, loaded once."""
    return load_embedder()


@pytest.fixture
def counting_embedder(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CLIP model built here from a small random config (``helpers.make_tiny_clip``): its
    folder, to enter as a model name."""
    return make_tiny_clip(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def topics_dataset_id(embedder: Embedder) -> str:
    """Forty texts in four topics, embedded, in the session's workspace (``text``, ``topic``)."""
    store = Workspace()
    info = store.create_dataset(topics_frame(), "text", "four topics")
    store.embeddings(info.id, embedder)
    return info.id


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)
