"""The ``mcp`` verb: the workspace as an MCP server, so an agent can search, cluster and keep
selections of the datasets the app shows.

Each tool is one call of :class:`~embedding_space.api.Explorer`, its result sent as structured
content. A mistake the agent can fix (an unknown dataset, a ``k`` out of bounds) comes back
as a tool error of one sentence; anything else as the SDK's bare "Error executing tool", its
traceback only in the server's log (standard error). The SDK is imported here only, so the
core never loads it unless the server is asked for.

Whose datasets: on a single-user machine the server is the workspace's one user, and may keep
selections of every dataset. With ``EMBEDDING_SPACE_MULTI_USER=1`` (a shared server) it is
nobody's: it sees only the shared datasets and keeps selections of none of them.
"""

# No ``from __future__ import annotations``: the SDK reads each tool's parameters from its
# annotations, which must be live objects defined inside ``build_server`` (pydantic's
# ``Field`` is imported there, so the other verbs start without it).
import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from embedding_space.analysis.parameters import SETTINGS, default_of
from embedding_space.cli.files import check_port
from embedding_space.errors import InputError
from embedding_space.store.owners import multi_user_switched_on

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from embedding_space.api import Explorer

__all__ = ["SHARED_VIEWER", "add_mcp_parser", "build_server", "run_mcp"]

SHARED_VIEWER = "mcp-server"
"""Who the server is on a shared server: an owner of nothing, so it reads shared datasets
only and changes none."""

_T = TypeVar("_T")


def _bounds(name: str) -> str:
    setting = SETTINGS[name]
    return f"{setting.help}{setting.bounds} Default {setting.default}."


def _answer(call: Callable[[], _T]) -> _T:
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        return call()
    except InputError as error:
        # The sentence is the whole message: what was wrong and what to do.
        raise ToolError(str(error)) from None


def build_server(explorer: "Explorer") -> "MCPServer":
    """The MCP server of the workspace ``explorer`` reads, its tools registered."""
    from mcp.server.mcpserver import Image, MCPServer
    from pydantic import Field

    from embedding_space.api import (
        ClusterSummary,
        DatasetSummary,
        DuplicateGroup,
        KeptSelection,
        MapDescription,
        OutlierRow,
        RowMatch,
    )

    # A type, named as one, though local: the tools below need it as a live annotation.
    DatasetId = Annotated[  # noqa: N806
        str, Field(description="The dataset's id, as list_datasets gives it.")
    ]

    server: MCPServer = MCPServer(
        "embedding-space",
        instructions=(
            "The datasets of an Embedding Space Explorer workspace: texts embedded with a "
            "sentence model, or images with a CLIP model. Start with list_datasets; every other "
            "tool takes a dataset id. Rows are named by their id (0-based), as search, "
            "neighbors and clusters give them; view_image shows a row's image."
        ),
    )

    @server.tool()
    def list_datasets() -> list[DatasetSummary]:
        """The datasets of the workspace, newest first: id, name, rows, the embeddings it
        has (models), its columns and which one holds the text."""
        return _answer(explorer.datasets)

    @server.tool()
    def search(
        dataset: DatasetId,
        query: Annotated[str, Field(description="What to look for.")],
        mode: Annotated[
            str,
            Field(
                description="semantic: nearest in meaning; text: rows containing the query "
                "(any case); regex: rows a Python regular expression matches."
            ),
        ] = "semantic",
        k: Annotated[int, Field(description=_bounds("search_k"))] = default_of("search_k", int),
    ) -> list[RowMatch]:
        """Find rows of a dataset by meaning, by text or by pattern, best first: each with its
        row id, a score (cosine similarity for semantic) and its text."""
        return _answer(lambda: explorer.search(dataset, query, mode, k))

    @server.tool()
    def neighbors(
        dataset: DatasetId,
        row: Annotated[int, Field(description="The row id whose neighbours to find.")],
        k: Annotated[int, Field(description=_bounds("neighbor_k"))] = default_of("neighbor_k", int),
        metric: Annotated[str, Field(description=_bounds("neighbor_metric"))] = default_of(
            "neighbor_metric", str
        ),
    ) -> list[RowMatch]:
        """The rows nearest one row in the full embedding space (the row itself left out),
        nearest first: often its paraphrases."""
        return _answer(lambda: explorer.neighbors(dataset, row, k, metric))

    @server.tool()
    def clusters(dataset: DatasetId) -> list[ClusterSummary]:
        """The clusters the app's map shows (its default clustering of the full space),
        largest first: id, label (keywords, or the name a person gave it), size and a few
        texts. Sizes add up to the dataset's rows."""
        return _answer(lambda: explorer.clusters(dataset))

    @server.tool()
    def outliers(
        dataset: DatasetId,
        k: Annotated[int, Field(description=_bounds("outlier_k"))] = default_of("outlier_k", int),
        top: Annotated[int, Field(description=_bounds("outlier_top"))] = default_of(
            "outlier_top", int
        ),
    ) -> list[OutlierRow]:
        """The rows furthest from their nearest rows, strangest first, each with the row
        nearest it: typos, off-topic texts, rare intents."""
        return _answer(lambda: explorer.outliers(dataset, k, top))

    @server.tool()
    def duplicates(
        dataset: DatasetId,
        threshold: Annotated[float, Field(description=_bounds("duplicate_threshold"))] = default_of(
            "duplicate_threshold", float
        ),
    ) -> list[DuplicateGroup]:
        """Groups of rows that say nearly the same thing, largest group first."""
        return _answer(lambda: explorer.duplicates(dataset, threshold))

    @server.tool()
    def keep_selection(
        dataset: DatasetId,
        name: Annotated[str, Field(description="The selection's name (1 to 60 characters).")],
        rows: Annotated[list[int], Field(description="The row ids to keep.")],
    ) -> KeptSelection:
        """Keep rows under a name (replacing a selection of that name), so a person finds
        them in the app's Kept tab and can show, export or tag them."""
        return _answer(lambda: explorer.keep_selection(dataset, name, rows))

    @server.tool()
    def kept_selections(dataset: DatasetId) -> list[KeptSelection]:
        """The selections kept of a dataset, in the app or with keep_selection, by name."""
        return _answer(lambda: explorer.kept_selections(dataset))

    @server.tool()
    def view_image(
        dataset: DatasetId,
        row: Annotated[int, Field(description="The row id whose image to see.")],
    ) -> Image:
        """A row's image (WebP, at most 384 px a side), for a dataset whose rows have images
        (list_datasets says which): look at what a search, a cluster or an outlier found."""
        return _answer(lambda: Image(data=explorer.image(dataset, row), format="webp"))

    @server.tool()
    def describe_map(dataset: DatasetId) -> MapDescription:
        """How the app's default map of a dataset was made (the methods card: data, model,
        projection and its parameters, clustering) and how far it can be trusted
        (trustworthiness and kNN recall of the map against the full space)."""
        return _answer(lambda: explorer.describe_map(dataset))

    return server


def add_mcp_parser(verbs: Any) -> None:
    """Add the ``mcp`` verb to the command's verbs (argparse's ``_SubParsersAction``)."""
    mcp = verbs.add_parser(
        "mcp", help="serve the workspace to an MCP client (an agent), over stdio by default"
    )
    mcp.add_argument(
        "--http",
        action="store_true",
        help="serve streamable HTTP on 127.0.0.1 (this machine only) instead of stdio",
    )
    mcp.add_argument("--port", type=int, default=8765, help="the port for --http (default 8765)")


def run_mcp(args: argparse.Namespace) -> None:
    from embedding_space.api import open_workspace

    check_port(args.port)
    shared = multi_user_switched_on()
    server = build_server(open_workspace(viewer=SHARED_VIEWER if shared else None))
    if args.http:
        # Bound to the loopback only: the server has no sign-in of its own.
        server.run("streamable-http", host="127.0.0.1", port=args.port)
    else:
        server.run("stdio")
