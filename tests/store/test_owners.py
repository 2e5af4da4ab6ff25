"""Several people on one server: private caches, results of their own, limits, expiry, keys."""

from __future__ import annotations

import json
import secrets
import sqlite3
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import EmbeddingCache, hash_text
from embedding_space.errors import InputError
from embedding_space.store import datasets
from embedding_space.store.owners import (
    NEW_KEYS_PER_HOUR,
    KeyIssueLimit,
    Limits,
    SessionKeys,
    cache_scope,
)
from embedding_space.store.workspace import Workspace
from tests.helpers import CountingEmbedder

ALICE, BOB = "session:alice-key", "user:bob"
TEXTS = ["the zebra crossing is closed", "my parcel never came", "rates went up again"]


def _frame(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"text": texts})


def test_nobody_gets_cache_hits_from_texts_someone_else_embedded(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    store = Workspace(tmp_path)
    alice = store.create_dataset(_frame(TEXTS), "text", "alice's", owner=ALICE)
    store.embeddings(alice.id, counting_embedder)
    assert counting_embedder.texts_encoded == 3

    seen: list[tuple[int, int]] = []
    bob = store.create_dataset(_frame(TEXTS), "text", "bob's", owner=BOB)
    store.embeddings(
        bob.id, counting_embedder, progress=lambda done, total: seen.append((done, total))
    )
    assert counting_embedder.texts_encoded == 6, "Bob's texts ran through the model"
    assert seen[0] == (0, 3), "his progress starts at nothing, saying nothing about Alice"

    again = store.create_dataset(_frame(TEXTS[:2]), "text", "alice's again", owner=ALICE)
    store.embeddings(again.id, counting_embedder)
    assert counting_embedder.texts_encoded == 6, "Alice's own texts come from her cache"


def test_deleting_a_dataset_forgets_the_vectors_only_it_used(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    store = Workspace(tmp_path)
    first = store.create_dataset(_frame(TEXTS), "text", "first", owner=ALICE)
    second = store.create_dataset(_frame(TEXTS[:1]), "text", "second", owner=ALICE)
    for info in (first, second):
        store.embeddings(info.id, counting_embedder)
    scope = cache_scope(ALICE)
    assert store.cache.count(scope=scope) == 3
    store.delete(first.id, user=ALICE)
    kept = store.cache.get_many(
        counting_embedder.cache_key, [hash_text(t) for t in TEXTS], scope=scope
    )
    assert set(kept) == {hash_text(TEXTS[0])}, "the text the second dataset holds stays"
    store.delete(second.id, user=ALICE)
    assert store.cache.count(scope=scope) == 0


def test_results_on_a_dataset_someone_else_owns_go_to_the_viewers_own_folder(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    store = Workspace(tmp_path)
    shared = store.create_dataset(_frame([f"shared text {i}" for i in range(12)]), "text", "demo")
    before = sorted(p.name for p in (tmp_path / "datasets" / shared.id).rglob("*"))
    owner = store.results_owner(shared.id, BOB)
    assert owner == BOB
    vectors = store.embeddings(shared.id, counting_embedder, viewer=owner)
    space = store.space(shared.id, counting_embedder.cache_key, owner)
    space.projection(ProjectionParams(method="pca", random_state=7))
    space.selections.keep("mine", [0, 1])
    after = sorted(p.name for p in (tmp_path / "datasets" / shared.id).rglob("*"))
    assert after == before, "a visitor adds nothing to a shared dataset's folder"
    assert store.owner_bytes(BOB) > vectors.nbytes
    key = counting_embedder.cache_key
    assert store.space(shared.id, key, BOB).has_vectors()
    assert list(store.space(shared.id, key, BOB).selections.kept()) == ["mine"]
    assert not store.space(shared.id, key, "user:carol").has_vectors()
    assert store.space(shared.id, key, "user:carol").selections.kept() == {}
    # What the operator prepares in the dataset's folder serves everyone.
    store.embeddings(shared.id, counting_embedder)
    assert store.space(shared.id, key, "user:carol").has_vectors()
    store.delete(shared.id)
    assert store.owner_bytes(BOB) == 0, "deleting the dataset removes every viewer's results"


def test_a_person_is_held_to_their_number_of_datasets_and_megabytes(tmp_path: Path) -> None:
    store = Workspace(tmp_path, limits=Limits(max_datasets=2, max_megabytes=0.05))
    for index in range(2):
        store.create_dataset(_frame([f"text {index}"]), "text", f"small {index}", owner=ALICE)
    with pytest.raises(InputError, match="You have 2 datasets, the most this server keeps"):
        store.create_dataset(_frame(["one more"]), "text", "third", owner=ALICE)
    big = _frame([secrets.token_hex(250) for _ in range(400)])  # 200 kB that do not compress
    with pytest.raises(InputError, match=r"past 0\.05 MB \(it holds 0\.0 MB\)"):
        store.create_dataset(big, "text", "big", owner=BOB)
    store.create_dataset(big, "text", "the operator's", owner=None)  # no limits for the operator
    store.create_dataset(big, "text", "on my own machine", owner="local")


def test_anonymous_datasets_expire_and_say_when(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Workspace(tmp_path, limits=Limits(expire_days=7))
    anonymous = store.create_dataset(_frame(["gone soon"]), "text", "mine", owner=ALICE)
    signed_in = store.create_dataset(_frame(["kept"]), "text", "bob's", owner=BOB)
    assert anonymous.expires is not None and signed_in.expires is None
    assert anonymous.expires[:10] == (datasets._now() + timedelta(days=7)).isoformat()[:10]
    assert store.purge_expired() == []
    later = datasets._now() + timedelta(days=8)
    monkeypatch.setattr(datasets, "_now", lambda: later)
    assert store.purge_expired() == [anonymous.id]
    assert [info.id for info in store.list_datasets()] == [signed_in.id]


def test_only_keys_this_server_issued_are_taken(tmp_path: Path) -> None:
    keys = SessionKeys(tmp_path)
    key = keys.issue()
    assert len(key) == 44 and keys.valid(key)
    assert not keys.valid("a" * 16) and not keys.valid("a" * 44)
    assert not keys.valid(key[:-1] + ("A" if key[-1] != "A" else "B")), "a changed key"
    assert not SessionKeys(tmp_path / "another-server").valid(key)
    assert SessionKeys(tmp_path).valid(key), "the secret survives a restart"
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0, "only its owner reads it"


def test_a_cache_from_before_scopes_keeps_its_vectors_for_the_single_user(tmp_path: Path) -> None:
    vector = np.arange(4, dtype=np.float32)
    with sqlite3.connect(tmp_path / "embeddings.sqlite3") as connection:
        connection.execute(
            "CREATE TABLE embedding (model TEXT, text_hash TEXT, vector BLOB,"
            " PRIMARY KEY (model, text_hash)) WITHOUT ROWID"
        )
        connection.execute("INSERT INTO embedding VALUES ('m', 'h', ?)", (vector.tobytes(),))
    cache = EmbeddingCache(tmp_path)
    np.testing.assert_array_equal(cache.get_many("m", ["h"])["h"], vector)
    assert cache.get_many("m", ["h"], scope=ALICE) == {}


def test_a_persons_own_embeddings_results_and_cache_count_against_their_megabytes(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    frame = _frame([f"note number {index} about parcels and rates" for index in range(60)])
    vector_bytes = 60 * counting_embedder.dimension * 4
    tight = Workspace(tmp_path, limits=Limits(max_megabytes=0.1))
    info = tight.create_dataset(frame, "text", "small table, big vectors", owner=ALICE)
    assert tight.owner_bytes(ALICE) < 0.1e6, "the table alone fits"
    with pytest.raises(InputError, match=r"past 0\.1 MB"):
        tight.embeddings(info.id, counting_embedder)
    assert counting_embedder.texts_encoded == 0, "refused before the model ran"

    roomy = Workspace(tmp_path, limits=Limits(max_megabytes=1))
    roomy.embeddings(info.id, counting_embedder)
    assert roomy.cache.scope_bytes(cache_scope(ALICE)) >= vector_bytes
    assert roomy.owner_bytes(ALICE) >= 2 * vector_bytes, "the vectors file and the cache"

    full = Workspace(tmp_path, limits=Limits(max_megabytes=2 * vector_bytes / 1e6))
    space = full.space(info.id, counting_embedder.cache_key, ALICE)
    with pytest.raises(InputError, match="This would take your workspace past"):
        space.projection(ProjectionParams(method="pca", random_state=7))
    assert not list((tmp_path / "datasets" / info.id).glob("projections/*")), "nothing written"


def test_an_expired_dataset_is_neither_listed_nor_kept_once_anyone_lists(tmp_path: Path) -> None:
    store = Workspace(tmp_path, limits=Limits(expire_days=7))
    mine = store.create_dataset(_frame(["gone soon"]), "text", "mine", owner=ALICE)
    other = store.create_dataset(_frame(["kept"]), "text", "kept", owner=ALICE)
    manifest = tmp_path / "datasets" / mine.id / "manifest.json"
    values = json.loads(manifest.read_text())
    values["expires"] = (datasets._now() - timedelta(minutes=1)).isoformat(timespec="seconds")
    manifest.write_text(json.dumps(values))

    assert [info.id for info in store.list_datasets(ALICE)] == [other.id]
    assert not (tmp_path / "datasets" / mine.id).exists(), "deleted as it was found"
    with pytest.raises(InputError, match="There is no dataset"):
        store.get(mine.id)


def test_one_address_gets_a_few_new_keys_an_hour_and_then_none() -> None:
    now = [1000.0]
    limit = KeyIssueLimit(per_hour=3, clock=lambda: now[0])
    assert [limit.allow("203.0.113.9") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("198.51.100.7"), "another address has its own count"
    now[0] += 3599
    assert not limit.allow("203.0.113.9"), "still within the hour of the first key"
    now[0] += 2
    assert limit.allow("203.0.113.9"), "an hour after the first key, one more"
    assert NEW_KEYS_PER_HOUR >= 5, "a household behind one address is not stopped"


def test_a_batch_whose_vectors_would_not_fit_is_refused_before_anything_changes(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    store = Workspace(tmp_path)
    info = store.create_dataset(_frame(TEXTS), "text", "growing", owner=ALICE)
    store.embeddings(info.id, counting_embedder)
    used = store.owner_bytes(ALICE)
    # Room for 40 more rows in the table, not for their vectors (61 kB, and as much cached).
    tight = Workspace(tmp_path, limits=Limits(max_megabytes=(used + 20_000) / 1e6))
    batch = _frame([f"another parcel story {index}" for index in range(40)])
    with pytest.raises(InputError, match="This would take your workspace past"):
        tight.add_batch(info.id, batch, user=ALICE, models=lambda name: counting_embedder)
    assert tight.get(info.id).rows == 3 and tight.owner_bytes(ALICE) == used
