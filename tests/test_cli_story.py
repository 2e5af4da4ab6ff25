"""``python -m embedding_space story render``: a hand-written STORY.json over a dataset in the
(test) workspace becomes one HTML page with the story's JSON beside it; every mistake is one
line on stderr and exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedding_space.views import Story
from tests.helpers import run_cli


def _write_story(folder: Path, *views: str, title: str = "Four topics") -> Path:
    slides = [
        {"title": f"Slide {number}", "caption": "Some **bold** words.", "view": view}
        for number, view in enumerate(views, start=1)
    ]
    path = folder / "STORY.json"
    path.write_text(json.dumps({"title": title, "slides": slides}), encoding="utf-8")
    return path


def test_a_story_renders_to_one_page_with_its_json_beside_it(
    topics_dataset_id: str, tmp_path: Path
) -> None:
    source = _write_story(
        tmp_path,
        f"/map?dataset={topics_dataset_id}&method=pca&dims=2",
        f"/map?dataset={topics_dataset_id}&method=pca&dims=3&color=(clusters)&note.0.4=here",
    )
    output = tmp_path / "out" / "story.html"
    output.parent.mkdir()
    run = run_cli("story", "render", str(source), "--output", str(output))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        'slide 1/2 "Slide 1": 40 points',
        'slide 2/2 "Slide 2": 40 points',
    ]
    page = output.read_text(encoding="utf-8")
    assert page.count('<section class="slide"') == 2 and "<strong>bold</strong>" in page
    beside = output.with_suffix(".json")
    assert Story.loads(beside.read_text()) == Story.loads(source.read_text())
    assert beside.read_text() == Story.loads(source.read_text()).dumps()
    # The JSON written beside it renders again, to the same page.
    again = tmp_path / "again.html"
    assert run_cli("story", "render", str(beside), "-o", str(again)).returncode == 0
    assert again.read_bytes() == output.read_bytes()


@pytest.mark.parametrize(
    ("story", "message"),
    [
        ("/map?dataset=no-such-dataset&method=pca", "Slide 1: There is no dataset with id"),
        ("/map?dataset={id}&method=pca&dims=4", "Slide 1: dims must be one of 2, 3, not 4."),
        ("/map?dataset={id}&method=pca&color=mood", "Slide 1: The view colours by 'mood'"),
        ("/map?dataset={id}&method=pca&sel=0-99", "Slide 1: The view names row 99"),
    ],
)
def test_a_story_naming_what_is_not_there_exits_2_with_one_line(
    topics_dataset_id: str, tmp_path: Path, story: str, message: str
) -> None:
    source = _write_story(tmp_path, story.format(id=topics_dataset_id))
    output = tmp_path / "story.html"
    run = run_cli("story", "render", str(source), "--output", str(output))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), run.stderr
    assert "Traceback" not in run.stderr
    assert not output.exists() and not output.with_suffix(".json").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "The story is not JSON"),
        ('{"title": "t", "slides": "none"}', "The story needs a list of slides"),
        (None, "There is no file"),
    ],
)
def test_a_malformed_or_missing_file_exits_2_with_one_line(
    tmp_path: Path, content: str | None, message: str
) -> None:
    source = tmp_path / "STORY.json"
    if content is not None:
        source.write_text(content)
    run = run_cli("story", "render", str(source), "--output", str(tmp_path / "s.html"))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), run.stderr


def test_the_output_must_be_an_html_file_in_a_folder_that_exists(tmp_path: Path) -> None:
    source = _write_story(tmp_path, "/map?dataset=x")
    not_html = run_cli("story", "render", str(source), "-o", str(tmp_path / "STORY.json"))
    assert not_html.returncode == 2 and "must name an .html file" in not_html.stderr
    nowhere = run_cli("story", "render", str(source), "-o", str(tmp_path / "no" / "s.html"))
    assert nowhere.returncode == 2 and "does not exist" in nowhere.stderr


@pytest.mark.browser  # the PNGs are drawn by Chromium (through kaleido)
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="PNG export needs Chromium")
def test_png_dir_gets_one_picture_per_slide(topics_dataset_id: str, tmp_path: Path) -> None:
    from PIL import Image

    source = _write_story(
        tmp_path,
        f"/map?dataset={topics_dataset_id}&method=pca",
        f"/map?dataset={topics_dataset_id}&method=pca&sel=0-9&fit=1",
    )
    run = run_cli(
        "story", "render", str(source), "-o", str(tmp_path / "s.html"), "--png-dir",
        str(tmp_path / "png"),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    pictures = sorted((tmp_path / "png").glob("*.png"))
    assert [picture.name for picture in pictures] == ["slide-01.png", "slide-02.png"]
    for picture in pictures:
        with Image.open(picture) as image:
            assert image.width == 1400
            assert len(image.convert("RGB").getcolors(maxcolors=100_000) or []) > 20
