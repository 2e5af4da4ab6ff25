"""`embedding-space open FILE` as someone types it: from a folder of their own, a real server
starts and its address opens on that file's map, every row of the file a point on it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import support
from tests.helpers import TOPICS

pytestmark = pytest.mark.browser

NAME = "field notes"
"""The dataset's name, given with --name, so the page's heading names the file's map."""


def _write_notes(path: Path) -> dict[str, str]:
    """Thirty texts of three topics as JSON lines; returns ``{text: topic}``."""
    topic_of = {
        text: topic
        for topic, texts in TOPICS.items()
        if topic in ("cooking", "football", "astronomy")
        for text in texts
    }
    lines = [json.dumps({"note": text, "topic": topic}) for text, topic in topic_of.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return topic_of


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def test_open_from_another_folder_serves_that_files_map(tmp_path: Path) -> None:
    support.require_chromium()
    elsewhere = tmp_path / "my project"  # a space in the path, and not the repository
    elsewhere.mkdir()
    topic_of = _write_notes(elsewhere / "notes.jsonl")
    port = support.free_port()
    env = dict(os.environ)
    env.pop("EMBEDDING_SPACE_MULTI_USER", None)
    env.update(
        EMBEDDING_SPACE_HOME=str(tmp_path / "workspace"),
        HF_HUB_OFFLINE="1",
        # The package under test is this checkout's, as `make run`'s editable install makes it.
        PYTHONPATH=str(support.ROOT),
    )
    venv_python = support.ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    command = [python, "-m", "embedding_space", "open", "notes.jsonl", "--port", str(port)]
    command += ["--name", NAME, "--text-column", "note", "--no-browser"]
    log = tmp_path / "open.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as errors:
        process = subprocess.Popen(
            command,
            cwd=elsewhere,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
        )
        try:
            assert process.stdout is not None
            # The address is printed once the server answers (or the command ends: EOF).
            url = process.stdout.readline().decode().strip()
            assert url.startswith(f"{base}/map?dataset="), f"{url!r}\n{support.tail(log)}"
            with support.chromium() as browser:
                page = support.open_map(browser, url)
                expect(page.get_by_role("heading", name=NAME, exact=True)).to_be_visible()
                drawn = support.base_traces(support.traces(page))
                support.shot(page, "open-file-map.png")
                assert support.errors_on_page(page) is None
            plotted = sum(trace["count"] for trace in drawn)
            assert plotted == len(topic_of), f"{plotted} points for {len(topic_of)} rows"
            assert {row for trace in drawn for row in trace["rows"]} == set(range(len(topic_of)))
            hovers = " ".join(support.plain_text(h) for trace in drawn for h in trace["hover"])
            assert all(text in hovers for text in topic_of), "the points are the file's texts"

            # Ending `open` ends the server it started.
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
            assert not _answers(base)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
