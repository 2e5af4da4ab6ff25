"""The MCP server as an agent meets it: ``python -m embedding_space mcp`` started over stdio by
the SDK's own client, on a workspace holding the demo (BANKING77), every tool called once."""

from __future__ import annotations

import base64
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pandas as pd
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, ImageContent, TextContent, Tool
from PIL import Image

from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.io.images import prepare_image
from embedding_space.store.owners import MULTI_USER_VARIABLE
from embedding_space.store.workspace import Workspace
from tests.helpers import image_bytes

DEMO = DEMO_DATASET_ID
IMAGES = "colour-images"
COLOURS = [(220, 30, 30), (30, 200, 40), (30, 40, 220)]
TOOLS = {
    "list_datasets",
    "search",
    "neighbors",
    "clusters",
    "outliers",
    "duplicates",
    "keep_selection",
    "kept_selections",
    "describe_map",
    "view_image",
}


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("mcp-workspace")
    env = {**os.environ, "EMBEDDING_SPACE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "embedding_space", "demo"], env=env, check=True)
    images = [prepare_image(image_bytes(colour, size=(600, 400)), "x.png") for colour in COLOURS]
    vectors = np.eye(len(COLOURS), 8, dtype=np.float32)
    frame = pd.DataFrame({"file": [f"{index}.png" for index in range(len(COLOURS))]})
    Workspace(home).create_dataset(
        frame,
        "file",
        "colours",
        dataset_id=IMAGES,
        vectors=vectors,
        images=images,
        owner="ana@example.org",  # not shared: a shared server's agent does not see it
    )
    return home


Session = Callable[[ClientSession], Awaitable[dict[str, Any]]]


def _with_server(home: Path, talk: Session, **env: str) -> dict[str, Any]:
    """Start the server as a client would (a child process over stdio) and hold one session
    with it; what ``talk`` gathers comes back."""
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "embedding_space", "mcp"],
        env={"EMBEDDING_SPACE_HOME": str(home), "HF_HUB_OFFLINE": "1", **env},
        cwd=str(Path(__file__).resolve().parent.parent),
    )

    async def run() -> dict[str, Any]:
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return await talk(session)

    return anyio.run(run)


async def _call(session: ClientSession, tool: str, **arguments: object) -> CallToolResult:
    result = await session.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    return result


def _items(result: CallToolResult) -> Any:
    assert not result.is_error, _message(result)
    content = result.structured_content
    assert isinstance(content, dict)
    # A list comes wrapped as {"result": [...]}, an object as itself.
    return content.get("result", content)


def _message(result: CallToolResult) -> str:
    return " ".join(block.text for block in result.content if isinstance(block, TextContent))


@pytest.fixture(scope="module")
def answers(demo_home: Path) -> dict[str, Any]:
    """One session: the tools listed, each called once, and the calls that must fail."""

    async def talk(session: ClientSession) -> dict[str, Any]:
        listed = await session.list_tools()
        found: dict[str, Any] = {"tools": listed.tools}
        found["list_datasets"] = await _call(session, "list_datasets")
        found["search"] = await _call(
            session, "search", dataset=DEMO, query="my card never arrived", k=5
        )
        found["text_search"] = await _call(
            session, "search", dataset=DEMO, query="refund", mode="text", k=3
        )
        found["neighbors"] = await _call(session, "neighbors", dataset=DEMO, row=4, k=5)
        found["clusters"] = await _call(session, "clusters", dataset=DEMO)
        found["outliers"] = await _call(session, "outliers", dataset=DEMO, top=5)
        found["duplicates"] = await _call(session, "duplicates", dataset=DEMO, threshold=0.97)
        found["keep"] = await _call(
            session, "keep_selection", dataset=DEMO, name="lost cards", rows=[30, 4, 7]
        )
        found["kept"] = await _call(session, "kept_selections", dataset=DEMO)
        found["describe_map"] = await _call(session, "describe_map", dataset=DEMO)
        found["unknown"] = await _call(session, "clusters", dataset="no-such-dataset")
        found["bad_k"] = await _call(session, "neighbors", dataset=DEMO, row=4, k=5000)
        found["bad_row"] = await _call(session, "neighbors", dataset=DEMO, row=99_999)
        found["image"] = await _call(session, "view_image", dataset=IMAGES, row=1)
        found["no_image"] = await _call(session, "view_image", dataset=DEMO, row=1)
        return found

    return _with_server(demo_home, talk)


def test_every_tool_is_listed_with_a_description_and_an_input_schema(
    answers: dict[str, Any],
) -> None:
    tools: list[Tool] = answers["tools"]
    assert {tool.name for tool in tools} == TOOLS
    for tool in tools:
        assert tool.description and len(tool.description) > 30, tool.name
        assert tool.input_schema["type"] == "object"
        if tool.name != "view_image":  # an image is content, not structure
            assert tool.output_schema is not None, f"{tool.name} gives no structured result"
    search = next(tool for tool in tools if tool.name == "search")
    assert set(search.input_schema["properties"]) == {"dataset", "query", "mode", "k"}
    assert search.input_schema["required"] == ["dataset", "query"]


def test_list_datasets_names_the_demo_with_its_rows_model_and_columns(
    answers: dict[str, Any],
) -> None:
    listed = {dataset["id"]: dataset for dataset in _items(answers["list_datasets"])}
    assert set(listed) == {DEMO, IMAGES}
    demo = listed[DEMO]
    assert demo["rows"] == 3080 and not demo["images"]
    assert demo["columns"] == ["text", "category"] and demo["text_column"] == "text"
    assert demo["models"][0].startswith("sentence-transformers/all-MiniLM-L6-v2")
    assert listed[IMAGES]["images"] and listed[IMAGES]["rows"] == len(COLOURS)


def test_a_search_by_meaning_finds_a_card_that_never_arrived_first(
    answers: dict[str, Any],
) -> None:
    matches = _items(answers["search"])
    assert len(matches) == 5
    assert "card" in matches[0]["text"].lower()
    assert "arrive" in matches[0]["text"].lower() or "received" in matches[0]["text"].lower()
    scores = [match["score"] for match in matches]
    assert scores == sorted(scores, reverse=True)


def test_a_text_search_returns_rows_containing_the_word(answers: dict[str, Any]) -> None:
    matches = _items(answers["text_search"])
    assert len(matches) == 3
    assert all("refund" in match["text"].lower() for match in matches)


def test_the_neighbours_of_a_row_are_its_paraphrases(answers: dict[str, Any]) -> None:
    # Row 4 is "My card has not arrived yet."; row 30 says the same with "hasn't".
    neighbours = _items(answers["neighbors"])
    rows = [neighbour["row"] for neighbour in neighbours]
    assert 4 not in rows, "a row is not its own neighbour"
    assert 30 in rows[:2]
    assert all("card" in neighbour["text"].lower() for neighbour in neighbours)


def test_clusters_have_labels_and_sizes_that_add_up_to_the_rows(answers: dict[str, Any]) -> None:
    clusters = _items(answers["clusters"])
    assert len(clusters) == 8, "the app's default: KMeans with 8 clusters"
    assert sum(cluster["size"] for cluster in clusters) == 3080
    assert all(cluster["label"] and cluster["sample"] for cluster in clusters)
    sizes = [cluster["size"] for cluster in clusters]
    assert sizes == sorted(sizes, reverse=True)
    assert any("card" in cluster["label"] for cluster in clusters)


def test_outliers_come_strangest_first_with_their_nearest_row(answers: dict[str, Any]) -> None:
    outliers = _items(answers["outliers"])
    assert len(outliers) == 5
    scores = [outlier["score"] for outlier in outliers]
    assert scores == sorted(scores, reverse=True)
    assert all(outlier["nearest"] != outlier["row"] for outlier in outliers)


def test_duplicates_are_groups_of_texts_saying_the_same(answers: dict[str, Any]) -> None:
    groups = _items(answers["duplicates"])
    assert groups, "BANKING77 has near-identical queries"
    assert all(len(group["rows"]) >= 2 and group["score"] >= 0.97 for group in groups)
    assert all(len(group["texts"]) == len(group["rows"]) for group in groups)


def test_a_kept_selection_is_listed_with_its_rows(answers: dict[str, Any]) -> None:
    assert _items(answers["keep"]) == {"name": "lost cards", "rows": [4, 7, 30]}
    assert _items(answers["kept"]) == [{"name": "lost cards", "rows": [4, 7, 30]}]


def test_describe_map_gives_the_methods_card_and_the_trust_figures(
    answers: dict[str, Any],
) -> None:
    described = _items(answers["describe_map"])
    assert described["projection"]["method"] == "umap"
    assert any(line.startswith("Model: all-MiniLM-L6-v2") for line in described["methods"])
    assert 0.9 < described["trustworthiness"] <= 1.0
    assert 0.0 < described["knn_recall"] <= 1.0


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (
            "unknown",
            "clusters: There is no dataset with id 'no-such-dataset'; list_datasets gives them.",
        ),
        ("bad_k", "neighbors: k must be between 1 and 50, not 5000."),
        ("bad_row", "neighbors: The row must be between 0 and 3079, not 99999."),
        (
            "no_image",
            "view_image: 'Demo: BANKING77 customer queries' has no images; its rows are texts.",
        ),
    ],
)
def test_a_mistake_comes_back_as_a_tool_error_of_one_sentence(
    answers: dict[str, Any], call: str, said: str
) -> None:
    result: CallToolResult = answers[call]
    assert result.is_error
    # The SDK names the tool before the sentence; nothing else (no traceback) follows it.
    assert _message(result) == f"Error executing tool {said}"


def test_view_image_shows_the_rows_image_small_and_as_webp(answers: dict[str, Any]) -> None:
    result: CallToolResult = answers["image"]
    assert not result.is_error, _message(result)
    (block,) = result.content
    assert isinstance(block, ImageContent) and block.mime_type == "image/webp"
    image = Image.open(io.BytesIO(base64.b64decode(block.data)))
    assert image.size == (384, 256)  # the 600 × 400 upload, at most 384 px a side
    assert image.convert("RGB").getpixel((300, 200)) == pytest.approx(COLOURS[1], abs=12)


def test_on_a_shared_server_it_reads_shared_datasets_and_keeps_no_selection(
    demo_home: Path,
) -> None:
    async def talk(session: ClientSession) -> dict[str, Any]:
        return {
            "datasets": await _call(session, "list_datasets"),
            "keep": await _call(session, "keep_selection", dataset=DEMO, name="x", rows=[1]),
        }

    found = _with_server(demo_home, talk, **{MULTI_USER_VARIABLE: "1"})
    assert [dataset["id"] for dataset in _items(found["datasets"])] == [DEMO]
    assert found["keep"].is_error
    assert "Only the owner of" in _message(found["keep"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(server: subprocess.Popen[str], port: int) -> None:
    for _ in range(300):
        assert server.poll() is None, "the HTTP server stopped before it listened"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def test_over_http_it_serves_the_same_tools_on_the_loopback_only(demo_home: Path) -> None:
    port = _free_port()
    env = {**os.environ, "EMBEDDING_SPACE_HOME": str(demo_home), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "embedding_space", "mcp", "--http", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)

    async def talk() -> CallToolResult:
        async with (
            streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write, *_),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await _call(session, "list_datasets")

    try:
        _wait_for_port(server, port)
        listed = anyio.run(talk)
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[1]
    assert {dataset["id"] for dataset in _items(listed)} == {DEMO, IMAGES}
    assert f"running on http://127.0.0.1:{port}" in log
