"""The Python API on a workspace holding the demo: the app's answers as plain values, the
app's bounds as one-sentence errors, and the README's notebook examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.api import TEXT_CHARS, Explorer, open_workspace
from embedding_space.demo import DEMO_DATASET_ID, ensure_demo
from embedding_space.embed.images import IMAGES_SUFFIX
from embedding_space.embed.models import load_model
from embedding_space.errors import InputError
from embedding_space.io.images import prepare_image
from embedding_space.store.workspace import Workspace
from tests.helpers import ROOT, image_bytes
from tests.image_files import labelled_zip

DEMO = DEMO_DATASET_ID


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("api-workspace")
    ensure_demo(Workspace(folder))
    return folder


@pytest.fixture(scope="module")
def ws(home: Path) -> Explorer:
    return open_workspace(home)


def test_the_demo_is_listed_with_its_rows_columns_and_embedding(ws: Explorer) -> None:
    demo = next(dataset for dataset in ws.datasets() if dataset.id == DEMO)
    assert (demo.id, demo.rows, demo.text_column) == (DEMO, 3080, "text")
    assert demo.columns == ["text", "category"]
    assert demo.models and demo.shared


def test_a_search_by_meaning_finds_card_delivery_first(ws: Explorer) -> None:
    best = ws.search(DEMO, "my card never arrived", k=3)
    assert len(best) == 3
    assert best[0].text == "My card has not arrived yet."
    assert best[0].score > best[2].score


def test_a_regex_search_finds_only_matching_rows(ws: Explorer) -> None:
    found = ws.search(DEMO, r"^how long", mode="regex", k=500)
    assert found and all(match.text.lower().startswith("how long") for match in found)


def test_the_neighbours_of_a_row_are_its_paraphrases_not_itself(ws: Explorer) -> None:
    near = ws.neighbors(DEMO, 4, k=5)
    assert near[0].row == 30  # "My card hasn't arrived yet."
    assert 4 not in [n.row for n in near]


def test_clusters_carry_the_name_given_in_the_app(ws: Explorer, home: Path) -> None:
    before = ws.clusters(DEMO)
    assert sum(cluster.size for cluster in before) == 3080
    card = next(cluster for cluster in before if "card" in cluster.label)
    # What the app's rename does: the name is kept with the default clustering.
    workspace = Workspace(home)
    space = workspace.space(DEMO, workspace.embedded_models(DEMO)[0])
    space.rename_cluster(ClusterParams(), card.cluster, "Card deliveries")
    after = {cluster.cluster: cluster.label for cluster in ws.clusters(DEMO)}
    assert after[card.cluster] == "Card deliveries"


def test_a_selection_kept_here_is_the_one_the_app_reads(ws: Explorer, home: Path) -> None:
    kept = ws.keep_selection(DEMO, "  late   cards ", [30, 4, 4, 7])
    assert (kept.name, kept.rows) == ("late cards", [4, 7, 30])
    workspace = Workspace(home)
    space = workspace.space(DEMO, workspace.embedded_models(DEMO)[0])
    assert space.selections.kept()["late cards"] == [4, 7, 30]
    assert {k.name: k.rows for k in ws.kept_selections(DEMO)}["late cards"] == [4, 7, 30]


def test_outliers_and_duplicates_follow_their_settings(ws: Explorer) -> None:
    strange = ws.outliers(DEMO, k=10, top=4)
    assert len(strange) == 4 and strange[0].score >= strange[-1].score
    strict = ws.duplicates(DEMO, threshold=0.99)
    loose = ws.duplicates(DEMO, threshold=0.9)
    assert sum(len(g.rows) for g in strict) < sum(len(g.rows) for g in loose)


def test_describe_map_gives_the_methods_card_and_trust(ws: Explorer) -> None:
    described = ws.describe_map(DEMO)
    assert re.fullmatch(r"Data: 3,080 rows, fingerprint [0-9a-f]{12}", described.methods[0])
    assert described.projection["method"] == "umap" and described.trust_k == 10
    assert 0.9 < described.trustworthiness <= 1.0


def test_project_gives_each_row_the_point_the_app_stores(ws: Explorer, home: Path) -> None:
    flat = ws.project(DEMO, method="pca", dims=3)
    assert (flat.method, len(flat.coordinates)) == ("pca", 3080)
    assert {len(point) for point in flat.coordinates} == {3}
    workspace = Workspace(home)
    space = workspace.space(DEMO, workspace.embedded_models(DEMO)[0])
    stored = space.projection(ProjectionParams(method="pca", n_components=3))
    assert np.allclose(np.asarray(flat.coordinates), stored.coordinates)
    assert ws.project(DEMO).coordinates == ws.project(DEMO, "umap", 2).coordinates


def test_compare_with_tfidf_agrees_more_than_chance_and_less_than_fully(ws: Explorer) -> None:
    compared = ws.compare(DEMO, "tfidf", k=10, label_column="category")
    assert compared.model_b.startswith("tfidf") and compared.rows == 3080
    assert compared.chance_agreement < compared.knn_agreement < 1
    assert 0 < compared.cka < 1 and 0 < compared.similarity_spearman < 1
    # MiniLM was trained for meaning; word counts predict the intent less well.
    assert compared.labels["knn_accuracy_a"] > compared.labels["knn_accuracy_b"]
    assert "tfidf" in " ".join(next(d for d in ws.datasets() if d.id == DEMO).models)


def test_drift_between_two_intents_is_found(ws: Explorer) -> None:
    found = ws.drift(DEMO, "category", "card_arrival", ["exchange_rate"])
    assert found.drifted and found.verdict.startswith("drift (p < 0.001)")
    assert (found.reference_rows, found.batch_rows) == (40, 40)
    assert found.novel and "exchange rate" in found.novel[0].text.lower()


def test_no_drift_between_two_halves_of_one_shuffle(home: Path, tmp_path: Path) -> None:
    ws = open_workspace(home)
    texts = [match.text for match in ws.search(DEMO, "card", mode="text", k=120)]
    halves = np.random.default_rng(7).permutation(np.arange(len(texts)) % 2)
    file = tmp_path / "halves.csv"
    pd.DataFrame({"text": texts, "half": ["ab"[h] for h in halves]}).to_csv(file, index=False)
    added = ws.add_file(file, text_column="text")
    same = ws.drift(added.id, "half", "a", "b")
    assert not same.drifted and same.verdict.startswith("no drift detected")
    assert same.reference_rows + same.batch_rows == len(texts)


def test_tags_put_on_here_are_the_app_s_and_come_off_again(ws: Explorer, home: Path) -> None:
    tagged = ws.tag(DEMO, [9, 3, 3], "  to   check ")
    assert (tagged.name, tagged.rows) == ("to check", [3, 9])
    assert Workspace(home).tags(DEMO).rows_of("to check") == [3, 9]
    assert {t.name: t.rows for t in ws.tags(DEMO)}["to check"] == [3, 9]
    assert ws.tag(DEMO, [3], "TO CHECK", remove=True).rows == [9]
    assert ws.tag(DEMO, [9], "to check", remove=True).rows == []
    assert "to check" not in {t.name for t in ws.tags(DEMO)}


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (lambda ws: ws.clusters("nope"), "There is no dataset with id 'nope'"),
        (lambda ws: ws.search(DEMO, "card", mode="fuzzy"), "mode must be one of text, regex"),
        (lambda ws: ws.search(DEMO, "card", k=0), "k must be between 1 and 500, not 0."),
        (lambda ws: ws.neighbors(DEMO, "4"), "A row is a whole number"),
        (lambda ws: ws.neighbors(DEMO, 4, metric="manhattan"), "metric must be one of"),
        (lambda ws: ws.duplicates(DEMO, threshold=0.2), "threshold must be between 0.5 and 1"),
        (lambda ws: ws.keep_selection(DEMO, "", [1]), "A selection name needs 1 to 60"),
        (lambda ws: ws.keep_selection(DEMO, "x", [5000]), "outside 0 to 3079"),
        (lambda ws: ws.project(DEMO, method="mds"), "method must be one of umap, tsne, pca"),
        (lambda ws: ws.project(DEMO, dims=5), "dims must be 2 or 3, not 5."),
        (lambda ws: ws.compare(DEMO, "tfidf", k=0), "k must be between"),
        (lambda ws: ws.compare("nope", "tfidf"), "There is no dataset with id 'nope'"),
        (lambda ws: ws.drift(DEMO, "colour", "a", "b"), "There is no column 'colour'"),
        (lambda ws: ws.drift(DEMO, "category", "top_up_failed", "top_up_failed"), "in both"),
        (lambda ws: ws.tag(DEMO, [], "x"), "No rows are chosen"),
        (lambda ws: ws.tag(DEMO, [1], "a;b"), "cannot hold ';'"),
        (lambda ws: ws.tag(DEMO, [1], "never put on", remove=True), "There is no tag"),
    ],
)
def test_a_bad_argument_is_one_sentence_naming_it(ws: Explorer, call: object, said: str) -> None:
    with pytest.raises(InputError, match=re.escape(said)):
        call(ws)  # type: ignore[operator]


def test_a_file_added_is_embedded_listed_and_searchable(home: Path, tmp_path: Path) -> None:
    long_text = "The parcel was lost in transit. " * 100
    file = tmp_path / "tickets.csv"
    pd.DataFrame(
        {"body": ["My parcel never came", "Refund my order please", long_text], "n": [1, 2, 3]}
    ).to_csv(file, index=False)
    ws = open_workspace(home)
    added = ws.add_file(file, text_column="body", name="Tickets")
    assert (added.name, added.rows, added.text_column) == ("Tickets", 3, "body")
    assert added.models, "embedded, so the app opens it without waiting"
    assert added.id in {dataset.id for dataset in open_workspace(home).datasets()}
    best = ws.search(added.id, "I want my money back", k=1)
    assert best[0].text == "Refund my order please"
    clipped = ws.search(added.id, "lost in transit", mode="text", k=1)[0].text
    assert len(clipped) == TEXT_CHARS and clipped.endswith("…")


def test_on_a_shared_server_a_person_changes_only_their_own(home: Path, tmp_path: Path) -> None:
    alice = open_workspace(home, viewer="alice")
    with pytest.raises(InputError, match="Only the owner of"):
        alice.keep_selection(DEMO, "mine", [1])
    with pytest.raises(InputError, match="Only the owner of"):
        alice.tag(DEMO, [1], "mine")
    file = tmp_path / "notes.txt"
    file.write_text("buy milk\nwater the plants\ncall the bank\n")
    own = alice.add_file(file)
    assert alice.keep_selection(own.id, "errands", [0, 2]).rows == [0, 2]
    assert alice.tag(own.id, [1], "garden").rows == [1]
    with pytest.raises(InputError, match="There is no dataset"):
        open_workspace(home, viewer="bob").clusters(own.id)


def _notebook_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## In a notebook\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_notebook_examples_run_as_written(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EMBEDDING_SPACE_HOME", str(home))
    blocks = _notebook_blocks()
    assert len(blocks) == 3
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "demo-banking77" in printed and "My card has not arrived yet." in printed
    assert "Projection: UMAP" in printed
    assert "odd ones" in printed
    assert "drift (p < 0.001)" in printed and "check later" in printed


def test_a_clip_model_explores_a_dataset_of_images_by_its_images(
    tmp_path: Path, tiny_clip: Path
) -> None:
    colours = [(220, 30, 30), (30, 200, 40), (30, 40, 220), (240, 220, 20)]
    images = [prepare_image(image_bytes(colour), f"{n}.png") for n, colour in enumerate(colours)]
    frame = pd.DataFrame({"file": [f"{n}.png" for n in range(len(colours))]})
    store = Workspace(tmp_path)
    info = store.create_dataset(frame, "file", "colours", images=images)
    explorer = Explorer(store, model=str(tiny_clip))
    with pytest.raises(InputError, match="not embedded"):
        explorer.space(info.id)
    clip = load_model(str(tiny_clip))
    vectors = store.embeddings(info.id, clip)
    (summary,) = explorer.datasets()
    assert summary.images and summary.models == [clip.cache_key + IMAGES_SUFFIX]
    # A typed text finds images: ranked by cosine to the text's vector in the CLIP space.
    query = clip.encode(["a green square"])[0]
    found = explorer.search(info.id, "a green square", "semantic", k=4)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # bf16: near unit length
    assert [match.row for match in found] == np.argsort(-(unit @ query)).tolist()
    assert explorer.image(info.id, 2) == images[2].working
    with pytest.raises(InputError, match="between 0 and 3, not 4"):
        explorer.image(info.id, 4)


def test_add_file_takes_a_zip_of_images_and_a_text_model_needs_their_captions(
    tmp_path: Path, tiny_clip: Path
) -> None:
    source = tmp_path / "shapes.zip"
    source.write_bytes(labelled_zip(20))
    explorer = Explorer(Workspace(tmp_path / "workspace"), model=str(tiny_clip))
    added = explorer.add_file(source)
    assert added.images and added.rows == 20
    assert added.models == [load_model(str(tiny_clip)).cache_key + IMAGES_SUFFIX]
    with pytest.raises(InputError, match="reads texts only"):
        Explorer(explorer.workspace).add_file(source)
    assert len(explorer.datasets()) == 1


def test_an_image_dataset_is_explored_by_its_images_embedding_whatever_the_model(
    tmp_path: Path, tiny_clip: Path
) -> None:
    source = tmp_path / "shapes.zip"
    source.write_bytes(labelled_zip(12))
    home = tmp_path / "workspace"
    added = open_workspace(home, model=str(tiny_clip)).add_file(source)
    # An agent's server explores with the default text model: the images' embedding is used.
    explorer = open_workspace(home)
    space = explorer.space(added.id)
    assert space.model_key.endswith(IMAGES_SUFFIX)
    unit = space.vectors / np.linalg.norm(space.vectors, axis=1, keepdims=True)
    cosines = unit @ unit[0]
    cosines[0] = -np.inf  # the row itself is left out
    nearest = [match.score for match in explorer.neighbors(added.id, 0, k=3)]
    assert nearest == pytest.approx(np.sort(cosines)[::-1][:3], abs=1e-5)
