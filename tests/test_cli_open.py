"""``open`` and ``app`` without a server: the file stored, embedded and mapped as the app would
(from whatever folder it is named in), the address of its map, and the errors that stop the
command before a server starts. ``tests/browser/test_open_file.py`` runs the real command."""

from __future__ import annotations

import argparse
import json
import socket
from pathlib import Path

import pandas as pd
import pytest

from embedding_space.analysis.projection import Projection, ProjectionParams
from embedding_space.cli import opening
from embedding_space.embed.images import IMAGES_SUFFIX
from embedding_space.embed.models import load_model
from embedding_space.embed.sentence import DEFAULT_MODEL
from embedding_space.errors import InputError
from embedding_space.store.embedding_files import CUSTOM_VECTORS
from embedding_space.store.workspace import Workspace
from embedding_space.views import View
from tests.helpers import ROOT, TOPICS, run_cli, xlsx_bytes
from tests.image_files import labelled_zip

TEXTS = [text for texts in TOPICS.values() for text in texts][:24]
TOPIC_OF = {text: topic for topic, texts in TOPICS.items() for text in texts}


def _write(path: Path) -> Path:
    """The 24 texts (with their topic) in the format ``path``'s suffix names."""
    frame = pd.DataFrame({"text": TEXTS, "topic": [TOPIC_OF[text] for text in TEXTS]})
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == ".txt":
        path.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif suffix == ".json":
        path.write_text(json.dumps(frame.to_dict(orient="records")), encoding="utf-8")
    elif suffix == ".parquet":
        frame.to_parquet(path)
    elif suffix == ".xlsx":
        path.write_bytes(xlsx_bytes({"Sheet1": [list(frame.columns), *frame.values.tolist()]}))
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("open-workspace"))


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt", ".jsonl", ".json", ".parquet", ".xlsx"])
def test_open_stores_embeds_and_maps_a_file_named_from_the_callers_folder(
    suffix: str, tmp_path: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "their folder"
    folder.mkdir()
    _write(folder / f"notes{suffix}")
    monkeypatch.chdir(folder)
    opened = opening.prepare(f"notes{suffix}", workspace=workspace)

    info = workspace.get(opened.dataset_id)
    assert (opened.rows, info.rows, info.name) == (24, 24, "notes")
    assert workspace.texts(opened.dataset_id) == TEXTS
    assert info.owner == opening.LOCAL_OWNER  # the local user of the app may rename it
    key = load_model(DEFAULT_MODEL).cache_key
    assert workspace.embedded_models(opened.dataset_id) == [key]
    # The map the link opens is stored: the Map page draws it without computing.
    space = workspace.space(opened.dataset_id, key)
    stored = space.results.load(space.projection_name(ProjectionParams()), Projection)
    assert stored is not None and stored.coordinates.shape == (24, 2)


def test_opening_the_same_content_again_reuses_its_dataset(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "workspace")
    first = opening.prepare(_write(tmp_path / "a.csv"), workspace=workspace, name="first")
    (tmp_path / "elsewhere").mkdir()
    copy = tmp_path / "elsewhere" / "renamed.csv"
    copy.write_bytes((tmp_path / "a.csv").read_bytes())
    again = opening.prepare(copy, workspace=workspace)
    assert (again.dataset_id, again.reused, again.name) == (first.dataset_id, True, "first")

    other_column = opening.prepare(copy, workspace=workspace, text_column="topic")
    assert other_column.dataset_id != first.dataset_id and not other_column.reused
    changed = tmp_path / "changed.csv"
    changed.write_text((tmp_path / "a.csv").read_text() + "One more line of text,x\n")
    grown = opening.prepare(changed, workspace=workspace)
    assert grown.dataset_id != first.dataset_id and grown.rows == 25


def test_a_file_that_embed_wrote_keeps_its_vectors(tmp_path: Path) -> None:
    source = _write(tmp_path / "texts.csv")
    embedded = tmp_path / "embedded.parquet"
    assert run_cli("embed", str(source), "--output", str(embedded)).returncode == 0
    store = Workspace(tmp_path / "workspace")
    opened = opening.prepare(embedded, workspace=store)
    info = store.get(opened.dataset_id)
    assert (info.vectors_model, info.query_model) == (CUSTOM_VECTORS, DEFAULT_MODEL)
    assert store.texts(opened.dataset_id) == TEXTS
    assert "embedding" not in info.columns and "topic" in info.columns
    assert opened.model is None
    assert store.embedded_models(opened.dataset_id) == [CUSTOM_VECTORS]


def test_the_address_opens_the_datasets_map_with_the_map_computed(
    tmp_path: Path, workspace: Workspace
) -> None:
    opened = opening.prepare(_write(tmp_path / "m.csv"), workspace=workspace, model="preview")
    url = opening.map_url("127.0.0.1", 8663, opened)
    assert url.startswith("http://127.0.0.1:8663/map?")
    view = View.from_link(url)
    assert (view.dataset, view.page, view.projection) == (
        opened.dataset_id,
        "map",
        ProjectionParams(),
    )
    assert view.model == opened.model and opened.model is not None
    assert opening.map_url("0.0.0.0", 8501) == "http://127.0.0.1:8501/"


def test_the_app_is_found_beside_the_package_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    script = opening.app_script()
    assert script == ROOT / "app.py"
    command = opening.server_command(script, "127.0.0.1", 8663)
    assert command[command.index("run") + 1] == str(ROOT / "app.py")
    assert command[command.index("--server.port") + 1] == "8663"


def test_an_installation_without_the_app_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "__file__", str(tmp_path / "embedding_space/cli/opening.py"))
    result = run_cli("app", "--no-browser", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: The app is not installed beside the package")
    assert result.stderr.count("\n") == 1 and result.stdout == ""


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "There is no file"),
        (b"\x00\x01\x02binary\xff" * 50, [], "error:"),
        (b"text\nhello\n", ["--text-column", "nope"], "nope"),
        (b"text\nhello\n", ["--port", "70000"], "--port must be between 1 and 65535"),
    ],
)
def test_what_cannot_be_opened_exits_2_with_one_line_and_stores_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes | None,
    args: list[str],
    message: str,
) -> None:
    home = tmp_path / "workspace"
    monkeypatch.setenv("EMBEDDING_SPACE_HOME", str(home))
    if content is not None:
        (tmp_path / "data.csv").write_bytes(content)
    result = run_cli("open", "data.csv", "--no-browser", "--port", "8663", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert Workspace(home).list_datasets() == []


def test_a_busy_port_is_refused_before_anything_is_embedded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "workspace"
    monkeypatch.setenv("EMBEDDING_SPACE_HOME", str(home))
    _write(tmp_path / "data.csv")
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = run_cli("open", "data.csv", "--port", str(port), "--no-browser", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: Cannot serve on 127.0.0.1:{port}")
    assert "--port" in result.stderr
    assert Workspace(home).list_datasets() == []


def test_open_and_app_take_a_port_a_host_and_the_files_options() -> None:
    parser = argparse.ArgumentParser()
    opening.add_app_parsers(parser.add_subparsers(dest="verb"))
    args = parser.parse_args(["open", "d.csv"])
    assert (args.port, args.host, args.model, args.text_column, args.name, args.no_browser) == (
        opening.DEFAULT_PORT,
        "127.0.0.1",
        DEFAULT_MODEL,
        None,
        None,
        False,
    )
    typed = "open d.csv --port 9000 --model tfidf --text-column body --name Mine --no-browser"
    chosen = parser.parse_args([*typed.split(), "--host", "0.0.0.0"])
    assert (chosen.port, chosen.model, chosen.text_column, chosen.name) == (
        9000,
        "tfidf",
        "body",
        "Mine",
    )
    assert chosen.no_browser and chosen.host == "0.0.0.0"
    app = parser.parse_args(["app", "--port", "9001"])
    assert (app.port, app.no_browser) == (9001, False)


def test_a_zip_of_images_opens_embedded_by_a_clip_model(tmp_path: Path, tiny_clip: Path) -> None:
    source = tmp_path / "shapes.zip"
    source.write_bytes(labelled_zip(30))
    store = Workspace(tmp_path / "workspace")
    opened = opening.prepare(source, workspace=store, model=str(tiny_clip))
    info = store.get(opened.dataset_id)
    assert info.images and info.rows == 30 and "label" in info.columns
    key = load_model(str(tiny_clip)).cache_key + IMAGES_SUFFIX
    assert store.embedded_models(opened.dataset_id) == [key]
    stored = store.space(opened.dataset_id, key)
    assert stored.results.load(stored.projection_name(ProjectionParams()), Projection) is not None


def test_a_zip_of_images_without_captions_is_refused_by_a_text_model(tmp_path: Path) -> None:
    source = tmp_path / "shapes.zip"
    source.write_bytes(labelled_zip(12))
    store = Workspace(tmp_path / "workspace")
    with pytest.raises(InputError, match=r"reads texts only, .*no captions.*clip-ViT-B-32"):
        opening.prepare(source, workspace=store)
    assert store.list_datasets() == []
