"""The ``story`` verb: ``story render STORY.json --output story.html [--png-dir DIR]`` draws
each slide's view from the workspace and writes one HTML page that plays offline, the story's
JSON beside it (so it can be rendered again) and, if asked, a PNG of each slide."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from embedding_space.cli.files import progress_bar, say
from embedding_space.errors import InputError
from embedding_space.store.space import Space
from embedding_space.views.story import MAX_STORY_BYTES, Story
from embedding_space.views.view import View

__all__ = ["add_story_parser", "render_story_file", "run_story"]

"""Layout pixels across a slide's PNG (its height is the map's, with the title and caption)."""


def add_story_parser(verbs: Any) -> None:
    """Add ``story`` and its ``render`` action to the command's verbs (argparse's
    ``_SubParsersAction``, which it does not name publicly)."""
    story = verbs.add_parser("story", help="render a story (STORY.json) as one HTML page")
    actions = story.add_subparsers(dest="story_action", required=True, parser_class=type(story))
    render = actions.add_parser(
        "render",
        help="draw each slide's view from the workspace into one HTML page that plays offline",
    )
    render.add_argument("story_file", metavar="STORY.json", help="the story to render")
    render.add_argument(
        "--output",
        "-o",
        required=True,
        help="the HTML file to write; the story's JSON is written beside it (same name, .json)",
    )
    render.add_argument("--png-dir", help="also write a PNG of each slide here (needs Chromium)")


def run_story(args: argparse.Namespace) -> None:
    """Run ``story``'s action (``render``, the one there is)."""
    png_dir = Path(args.png_dir) if args.png_dir else None
    render_story_file(Path(args.story_file), Path(args.output), png_dir)


def _read_story(path: Path) -> Story:
    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_STORY_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"There is no file {str(path)!r}.") from None
    except OSError as error:
        raise InputError(f"{str(path)!r} cannot be read: {error.strerror}.") from None
    return Story.loads(text)


class _Spaces:
    """The workspace's space for each view's dataset and model, embedded if it is not yet,
    each opened once."""

    def __init__(self) -> None:
        from embedding_space.store.workspace import Workspace

        self.workspace = Workspace()
        self._open: dict[tuple[str, str | None], Space] = {}

    def __call__(self, view: View) -> Space:
        found = self._open.get((view.dataset, view.model))
        if found is None:
            found = self._open[(view.dataset, view.model)] = self._space(view)
        return found

    def thumbnail_uris(self, dataset_id: str) -> list[str] | None:
        """A dataset's thumbnails as ``data:`` URIs in row order; ``None`` for texts alone."""
        images = self.workspace.images(dataset_id)
        return None if images is None else images.thumbnail_uris()

    def _space(self, view: View) -> Space:
        from embedding_space.embed.models import load_model
        from embedding_space.embed.sentence import DEFAULT_MODEL

        info = self.workspace.get(view.dataset)
        if view.model is None and info.vectors_model is not None:
            return self.workspace.space(info.id, info.vectors_model)
        if view.model is not None and view.model in self.workspace.embedded_models(info.id):
            return self.workspace.space(info.id, view.model)  # the view names the vectors' key
        from transformers.utils import logging as transformers_logging

        # transformers draws a "Loading weights" bar on stderr; a later error would then not
        # be the one line this command promises.
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        embedder = load_model(view.model or DEFAULT_MODEL)
        with progress_bar(f"Embedding {info.name}") as report:
            self.workspace.embeddings(info.id, embedder, progress=report)
        return self.workspace.space(
            info.id, self.workspace.embedder_for(info.id, embedder).cache_key
        )


def render_story_file(source: Path, output: Path, png_dir: Path | None) -> None:
    """Render a STORY.json into ``output`` (HTML), its JSON beside it, and PNGs in ``png_dir``.

    Nothing is written until every slide is drawn, so a bad slide leaves no half a story.

    Raises:
        InputError: The file is not a story, a view names what its dataset does not have, a
            folder is missing, or no Chromium for the PNGs.
    """
    from embedding_space.views.render import render_story, slide_pngs, story_html

    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--output must name an .html file, not {str(output)!r}.")
    if not output.parent.is_dir():
        raise InputError(f"The folder {str(output.parent)!r} does not exist.")
    story = _read_story(source)
    spaces = _Spaces()
    maps = render_story(story, spaces)
    count = len(story.slides)
    for number, (slide, drawn) in enumerate(zip(story.slides, maps, strict=True), start=1):
        # json.dumps: a title is user text, and must not send control characters to a terminal.
        title = json.dumps(slide.title, ensure_ascii=False)
        print(f"slide {number}/{count} {title}: {drawn.points:,} points")
        for note in drawn.notes:
            say(f"slide {number}: {note}")
    figures = [drawn.figure for drawn in maps]
    pictures = slide_pngs(story, figures) if png_dir is not None else []
    page = story_html(story, figures, spaces.thumbnail_uris)
    output.write_bytes(page)
    beside = output.with_suffix(".json")
    if beside.resolve() != source.resolve():  # the story read is never written over
        beside.write_text(story.dumps(), encoding="utf-8")
    if png_dir is not None:
        png_dir.mkdir(parents=True, exist_ok=True)
        for number, picture in enumerate(pictures, start=1):
            (png_dir / f"slide-{number:02d}.png").write_bytes(picture)
    written = f" and {len(pictures)} PNG(s) in {png_dir}" if png_dir is not None else ""
    say(f"Wrote {output} ({len(page) / 1e6:.1f} MB, {count} slide(s)), {beside}{written}.")
