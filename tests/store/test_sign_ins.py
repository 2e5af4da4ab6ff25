"""A sign-in ends when its person signs out or when it grows older than the session lifetime."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedding_space.store.sign_ins import (
    CLOCK_SKEW_SECONDS,
    DEFAULT_SESSION_HOURS,
    SESSION_HOURS_VARIABLE,
    SignOut,
    SignOuts,
    ended,
    session_hours,
)

ALICE = "user:alice"
HOUR = 3600.0


def test_a_sign_in_counts_until_its_lifetime_is_over() -> None:
    assert ended(1000.0, None, now=1000.0 + 11 * HOUR, lifetime_hours=12) is None
    assert ended(1000.0, None, now=1000.0 + 13 * HOUR, lifetime_hours=12) == "expired"


def test_a_sign_in_without_an_issue_time_does_not_count() -> None:
    assert ended(None, None, now=1000.0, lifetime_hours=12) == "no time"
    assert ended(float("nan"), None, now=1000.0, lifetime_hours=12) == "no time"


def test_the_token_signed_out_ends_even_when_the_services_clock_runs_ahead() -> None:
    # The service's clock is ten minutes ahead of the server's: iat lies in our future.
    signed_out = SignOut(at=1000.0, issued_at=1600.0)
    assert ended(1600.0, signed_out, now=1000.0, lifetime_hours=12) == "signed out"
    assert ended(1700.0, signed_out, now=1100.0, lifetime_hours=12) is None, "a new sign-in"


def test_older_sign_ins_in_other_browsers_end_with_the_sign_out() -> None:
    signed_out = SignOut(at=5000.0, issued_at=4000.0)
    assert ended(4500.0, signed_out, now=5001.0, lifetime_hours=12) == "signed out"
    # A sign-in just after the sign-out, by a service clock a little behind, still counts.
    just_after = 5000.0 - CLOCK_SKEW_SECONDS / 2
    assert ended(just_after, signed_out, now=5010.0, lifetime_hours=12) is None


def test_sign_outs_are_kept_per_person_in_the_workspace(tmp_path: Path) -> None:
    outs = SignOuts(tmp_path)
    assert outs.last(ALICE) is None
    outs.record(ALICE, issued_at=2000.0, now=2100.0)
    assert SignOuts(tmp_path).last(ALICE) == SignOut(at=2100.0, issued_at=2000.0), "survives"
    assert outs.last("user:bob") is None, "Bob's sign-ins are his own"
    outs.record(ALICE, issued_at=1500.0, now=2200.0)  # an older browser signed out later
    assert outs.last(ALICE) == SignOut(at=2200.0, issued_at=2000.0), "the later token stays out"
    assert ALICE not in "".join(str(path) for path in tmp_path.rglob("*")), "no name on disk"


def test_a_damaged_sign_out_record_signs_its_person_out(tmp_path: Path) -> None:
    outs = SignOuts(tmp_path)
    outs.record(ALICE, issued_at=2000.0, now=2100.0)
    next(tmp_path.rglob("signed_out.json")).write_text("{not json")
    damaged = outs.last(ALICE)
    assert damaged is not None
    assert ended(3000.0, damaged, now=3000.0, lifetime_hours=12) == "signed out"


@pytest.mark.parametrize(
    ("value", "hours"),
    [
        ("0.5", 0.5),
        ("48", 48.0),
        ("0", DEFAULT_SESSION_HOURS),
        ("-3", DEFAULT_SESSION_HOURS),
        ("soon", DEFAULT_SESSION_HOURS),
        ("inf", DEFAULT_SESSION_HOURS),
    ],
)
def test_the_operator_sets_the_session_lifetime_in_hours(
    monkeypatch: pytest.MonkeyPatch, value: str, hours: float
) -> None:
    monkeypatch.setenv(SESSION_HOURS_VARIABLE, value)
    assert session_hours() == hours
