"""Fixtures the browser tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from embedding_space.embed import Embedder
from tests.browser import support

TWELVE = [
    "My card was charged twice for one coffee.",
    "I was billed two times for the same purchase.",
    "How do I reset my online banking password?",
    "I forgot the password to my account.",
    "What is the exchange rate for euros today?",
    "Can I get a refund for a cancelled order?",
    "My new card has not arrived yet.",
    "Where can I find my IBAN?",
    "The ATM kept my card.",
    "Why was my transfer declined?",
    "Can I change my PIN at a cash machine?",
    "How long does a top-up take?",
]


@pytest.fixture(scope="module")
def twelve_rows(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("twelve")
    frame = pd.DataFrame({"text": TWELVE})
    with support.served_dataset(folder, frame, "twelve questions", [embedder]) as served:
        yield served
