"""One table of settings: every default lies within its bounds, and the command line and the
core read their defaults and bounds from it (the app's widgets: tests/app)."""

from __future__ import annotations

import pytest

from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.parameters import SETTINGS
from embedding_space.errors import InputError
from tests.helpers import run_cli


@pytest.mark.parametrize("name", list(SETTINGS))
def test_every_default_is_allowed_and_a_value_past_the_bounds_is_not(name: str) -> None:
    parameter = SETTINGS[name]
    parameter.check(parameter.default)
    beyond = "no such choice" if parameter.choices else (parameter.high or 0) + 1
    with pytest.raises(InputError, match=f"^{name} must be"):
        parameter.check(beyond)


def test_a_value_outside_a_setting_is_refused_with_the_flag_the_user_typed() -> None:
    with pytest.raises(InputError, match="n_clusters must be between 2 and 100, not 101"):
        ClusterParams(n_clusters=101)
    result = run_cli("outliers", "missing.parquet", "-k", "51")
    assert result.returncode == 2
    assert "error: -k must be between 1 and 50, not 51." in result.stderr
    assert "missing.parquet" not in result.stderr, "the bounds are checked before the file"


def test_the_command_line_defaults_are_the_tables() -> None:
    shown = run_cli("outliers", "--help")
    assert shown.returncode == 0
    assert "(1 to 50) Default: 10." in " ".join(shown.stdout.split())
    duplicates = " ".join(run_cli("duplicates", "--help").stdout.split())
    assert "(0.5 to 1) Default: 0.95." in duplicates
