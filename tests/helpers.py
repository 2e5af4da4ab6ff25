"""What several test modules share: a counting embedder and a small dataset of four topics."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Mapping, Sequence
from contextlib import chdir, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from embedding_space.cli import main
from embedding_space.embed import Embedder
from embedding_space.types import FloatMatrix

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
"""The repository root."""
APP = str(ROOT / "app.py")
"""The router, as ``AppTest.from_file`` takes it (an absolute path)."""
APP_TIMEOUT = 300
"""Seconds one AppTest run may take: the first may embed the demo and compile UMAP."""
PAGE_HEADINGS = {
    "similarity": "Similarity",
    "neighbors": "Nearest neighbours",
    "concepts": "Concepts",
    "quality": "Outliers and duplicates",
    "compare": "Compare embeddings",
    "data": "Data",
    "stories": "Stories",
}
"""The heading of each page but the map, by address (``Route.url_path``)."""


def page_heading(url_path: str, dataset_name: str) -> str:
    """What the page at ``url_path`` shows as its heading: the Map page names its dataset."""
    return PAGE_HEADINGS.get(url_path, dataset_name)


class CountingEmbedder:
    """The real model, counting how many texts actually reach it."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dimension, self.cache_key = inner.name, inner.dimension, inner.cache_key
        self.fitted_on_corpus, self.max_seq_length = False, inner.max_seq_length
        self.texts_encoded = 0
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        self.calls += 1
        self.texts_encoded += len(texts)
        return self.inner.encode(texts)

    def count_truncated(self, texts: Sequence[str]) -> int:
        return self.inner.count_truncated(texts)


# Forty texts in four topics that a sentence model tells apart easily.
TOPICS: dict[str, list[str]] = {
    "cooking": [
        "Knead the bread dough for ten minutes until it feels smooth and elastic.",
        "Preheat the oven to 200 degrees before you put the lasagne in.",
        "Fry the onions slowly in butter until they turn golden brown.",
        "This soup recipe needs fresh basil, ripe tomatoes and a pinch of salt.",
        "Let the cake cool completely before you spread the chocolate icing on top.",
        "Whisk the eggs with sugar until the mixture is pale and fluffy.",
        "Simmer the beef stew on low heat for three hours so the meat gets tender.",
        "Season the roast chicken with garlic, lemon and rosemary.",
        "Cook the pasta in plenty of salted boiling water until it is al dente.",
        "Marinate the tofu overnight in soy sauce, ginger and honey.",
    ],
    "football": [
        "The striker scored a stunning goal in the last minute of the match.",
        "Our goalkeeper saved a penalty and the fans went wild.",
        "The referee showed a red card to the defender after a reckless tackle.",
        "The home team won the league after beating their rivals three nil.",
        "The coach changed the formation at half time to press higher up the pitch.",
        "The winger crossed the ball and the captain headed it into the net.",
        "The club signed a young midfielder for a record transfer fee.",
        "The cup final went to extra time and was decided on penalties.",
        "The offside flag cancelled what would have been the winning goal.",
        "Thousands of supporters sang in the stadium before kick-off.",
    ],
    "astronomy": [
        "Jupiter is the largest planet in our solar system.",
        "The telescope captured a faint spiral galaxy millions of light years away.",
        "A total solar eclipse happens when the Moon blocks the Sun completely.",
        "Astronomers discovered an exoplanet orbiting a red dwarf star.",
        "The rings of Saturn are made of ice and rock particles.",
        "A supernova is the explosion of a massive star at the end of its life.",
        "The Milky Way contains hundreds of billions of stars.",
        "Comets grow bright tails of gas and dust as they approach the Sun.",
        "The astronauts watched the Earth rise over the lunar horizon.",
        "Black holes bend light so strongly that nothing can escape them.",
    ],
    "banking": [
        "I want to open a savings account with a better interest rate.",
        "My debit card was declined at the cash machine this morning.",
        "How long does an international bank transfer usually take?",
        "The bank charged me an overdraft fee on my current account.",
        "Please send me a copy of my monthly account statement.",
        "I need to apply for a mortgage to buy my first house.",
        "Someone made a payment with my credit card that I don't recognise.",
        "Can I increase the daily withdrawal limit on my account?",
        "The loan repayment is taken from my account on the first of each month.",
        "I forgot the PIN for my new bank card.",
    ],
}


def topics_frame() -> pd.DataFrame:
    """The forty texts as a table: ``text``, ``topic``."""
    return pd.DataFrame(
        [(text, topic) for topic, texts in TOPICS.items() for text in texts],
        columns=["text", "topic"],
    )


def write_topics_csv(path: Path) -> dict[str, str]:
    """Write the forty texts as ``text,topic`` and return ``{text: topic}``."""
    topic_of = {text: topic for topic, texts in TOPICS.items() for text in texts}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "topic"])
        writer.writerows(topic_of.items())
    return topic_of


def xlsx_bytes(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """An Excel workbook of these sheets, in order, each a list of rows (an empty row stays
    empty), as a file's bytes."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.worksheets[0])
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plotly_values(encoded: object) -> np.ndarray:
    """A plotly array as a figure's JSON holds it: ``{"dtype", "bdata"}`` (base64) or a list."""
    if isinstance(encoded, dict) and "bdata" in encoded:
        return np.frombuffer(base64.b64decode(encoded["bdata"]), dtype=encoded["dtype"])
    return np.asarray(encoded).ravel()


def new_app() -> AppTest:
    """The app (its router) in AppTest, not run yet."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(APP, default_timeout=APP_TIMEOUT)


def open_app(dataset_id: str, page: str | None = None, /, **session: object) -> AppTest:
    """Run the app in AppTest on a dataset, then switch to ``page`` (a script path) if given;
    fails on any exception shown.

    ``session`` sets session-state keys before the first run. The map is PCA unless it says
    otherwise; a key given as ``None`` is left unset (``method=None``: the app chooses).
    """
    app = new_app()
    app.session_state["dataset_id"] = dataset_id
    for key, value in {"method": "pca", **session}.items():
        if value is not None:
            app.session_state[key] = value
    app.run()
    if page is not None:
        app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def plotly_figures(app: AppTest) -> list[dict[str, Any]]:
    """Every plotly chart on the page, as the figure (JSON) sent to the browser."""
    return [dict(json.loads(chart.proto.spec)) for chart in app.get("plotly_chart")]


def plotly_figure(app: AppTest) -> dict[str, Any]:
    """The page's first plotly chart; fails when the page has none."""
    figures = plotly_figures(app)
    assert figures, "no plotly chart on the page"
    return figures[0]


@dataclass(frozen=True)
class Run:
    """What a command-line run gave: its exit status and its two streams."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> Run:
    """Run one verb in this process, as ``python -m embedding_space`` would."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), chdir(cwd or ROOT):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's own errors
            code = int(exit_.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class DemoRows:
    """The demo's rows and the vectors the real model gave them, as shipped with the package
    (``tests/test_demo.py`` recomputes a sample with the model so they cannot go stale)."""

    texts: list[str]
    labels: np.ndarray
    vectors: FloatMatrix
    model_name: str
    model_key: str


def demo_rows() -> DemoRows:
    """The demo's texts, their BANKING77 intents (``category``) and their vectors, in the
    order the vectors were made in."""
    from embedding_space.analysis.methods import data_fingerprint
    from embedding_space.demo import DEMO_CSV
    from embedding_space.demo.assets import packaged_spaces

    packaged = packaged_spaces()[0]
    frame = pd.read_csv(DEMO_CSV, dtype={"text": "string", "category": "string"})
    texts = [str(text) for text in frame["text"]]
    assert data_fingerprint(texts) == packaged.texts_fingerprint, "the vectors are of other rows"
    vectors = packaged.arrays()["vectors"].astype(np.float32)
    labels = frame["category"].astype(str).to_numpy()
    return DemoRows(texts, labels, vectors, packaged.model_name, packaged.model_key)


def flip_labels(labels: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``labels`` with ``share`` of them, drawn at random, changed to another label drawn at
    random; and the rows changed, ascending."""
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    flipped = np.sort(rng.choice(len(labels), size=round(share * len(labels)), replace=False))
    noisy = labels.copy()
    for row in flipped:
        noisy[row] = rng.choice(classes[classes != labels[row]])
    return noisy, flipped


SIX_INTENTS = (
    "age_limit",
    "atm_support",
    "exchange_rate",
    "lost_or_stolen_phone",
    "terminate_account",
    "visa_or_mastercard",
)
"""Six demo intents far enough apart that none of their 240 rows' labels looks wrong (measured
at k = 10: 0 flagged), so that rows flipped among them are the only ones a check flags."""


@dataclass(frozen=True)
class FlippedIntents:
    """The demo's rows of :data:`SIX_INTENTS` (``text``, ``category``) with four intents
    flipped, one in each of four intents, to an intent three further on."""

    frame: pd.DataFrame
    truth: list[str]
    flipped: dict[int, str]


def flipped_intents() -> FlippedIntents:
    """The rows of :data:`SIX_INTENTS` with four labels flipped (see :class:`FlippedIntents`);
    measured at k = 10: exactly those four flagged, first, each with its true label suggested."""
    demo = demo_rows()
    rows = np.flatnonzero(np.isin(demo.labels, SIX_INTENTS))
    truth = [str(label) for label in demo.labels[rows]]
    flipped = {}
    for position, intent in enumerate(SIX_INTENTS[:4]):
        row = [i for i, label in enumerate(truth) if label == intent][3]
        flipped[row] = SIX_INTENTS[(position + 3) % len(SIX_INTENTS)]
    noisy = [flipped.get(i, label) for i, label in enumerate(truth)]
    frame = pd.DataFrame({"text": [demo.texts[i] for i in rows], "category": noisy})
    return FlippedIntents(frame, truth, flipped)


def sqlite_without_room(monkeypatch: Any) -> None:
    """Make every SQLite database opened from now on refuse to grow past the pages it has: a
    real "database or disk is full" from SQLite itself, not a raised stand-in."""
    import sqlite3

    real_connect = sqlite3.connect

    def capped(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = real_connect(*args, **kwargs)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(sqlite3, "connect", capped)


def make_tiny_clip(folder: Path) -> Path:
    """A CLIP model small enough to build in a test (two layers of 32, 16-dimensional vectors,
    random weights, a byte-level tokenizer), saved as a sentence-transformers folder. No CLIP
    weights can be downloaded here; this one proves the loading, image-and-text embedding and
    search path end to end, though what it finds means nothing.

    Returns:
        The folder, to enter as a model name.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import (  # type: ignore[attr-defined]  # CLIPTokenizerFast: lazy
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
        CLIPProcessor,
        CLIPTokenizerFast,
    )

    torch.manual_seed(0)
    vocab = {char: index for index, char in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    start, end = "<|startoftext|>", "<|endoftext|>"
    vocab |= {start: len(vocab), end: len(vocab) + 1}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{start} $A {end}", special_tokens=[(start, vocab[start]), (end, vocab[end])]
    )
    fast = CLIPTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=start,
        eos_token=end,
        unk_token=end,
        pad_token=end,
        model_max_length=32,
    )
    text = {
        "vocab_size": len(vocab),
        "max_position_embeddings": 32,
        "bos_token_id": vocab[start],
        "eos_token_id": vocab[end],
        "pad_token_id": vocab[end],
    }
    small = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2}
    config = CLIPConfig(
        text_config=text | small | {"num_attention_heads": 2},
        vision_config=small | {"num_attention_heads": 2, "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )
    raw = folder / "clip-raw"
    CLIPModel(config).save_pretrained(raw)
    pixels = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    processor = CLIPProcessor(image_processor=pixels, tokenizer=fast)  # type: ignore[no-untyped-call]
    processor.save_pretrained(raw)
    saved = folder / "tiny-clip"
    SentenceTransformer(str(raw), device="cpu").save(str(saved))
    return saved


def image_bytes(
    color: tuple[int, int, int], *, size: tuple[int, int] = (64, 48), fmt: str = "PNG"
) -> bytes:
    """A small image of one colour with a darker square in it, as a file's bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle((8, 8, 24, 24), fill=tuple(value // 2 for value in color))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()
