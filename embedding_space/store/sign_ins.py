"""When a sign-in stops counting: its person signed out since, or it is older than the session
lifetime the operator sets.

A sign-in (Streamlit's ``st.login``) lives in a signed cookie that the browser keeps for 30
days, and signing out only asks that browser to drop it: a copy kept before still signs in.
So the server keeps, per person, when they last signed out (``owners/<slug>/signed_out.json``
in the workspace) and judges each sign-in by the moment its ID token was issued (``iat``):
one issued before the person's last sign-out, or longer ago than the lifetime, has ended.

The sign-out is recorded twice, because two clocks are involved: the ID token's ``iat`` comes
from the sign-in service's clock, the moment of signing out from this server's. The token
signed out is ended by its own ``iat`` whatever the clocks say; every other sign-in of that
person (another browser) begun more than :data:`CLOCK_SKEW_SECONDS` before the sign-out ends
too, and a sign-in right after the sign-out is never caught by a service clock a little behind.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

from embedding_space.store.artifacts import write_json
from embedding_space.store.owners import owner_slug

__all__ = [
    "CLOCK_SKEW_SECONDS",
    "DEFAULT_SESSION_HOURS",
    "SESSION_HOURS_VARIABLE",
    "SignOut",
    "SignOuts",
    "ended",
    "session_hours",
]

SESSION_HOURS_VARIABLE = "EMBEDDING_SPACE_SESSION_HOURS"
"""Hours a sign-in lasts before its person must sign in again (a positive number)."""
DEFAULT_SESSION_HOURS = 12.0
"""A working day and its evening: sign in once a day."""
CLOCK_SKEW_SECONDS = 60.0
"""How far the sign-in service's clock may be from this server's."""

FILE_NAME = "signed_out.json"


def session_hours() -> float:
    """``EMBEDDING_SPACE_SESSION_HOURS`` when it is a positive number, else
    :data:`DEFAULT_SESSION_HOURS`."""
    try:
        hours = float(os.environ.get(SESSION_HOURS_VARIABLE, DEFAULT_SESSION_HOURS))
    except ValueError:
        return DEFAULT_SESSION_HOURS
    return hours if math.isfinite(hours) and hours > 0 else DEFAULT_SESSION_HOURS


@dataclass(frozen=True)
class SignOut:
    """A person's last sign-out.

    Attributes:
        at: When, by this server's clock (seconds since the epoch).
        issued_at: The ``iat`` of the sign-in that was signed out (the service's clock), or
            ``None`` when it had none.
    """

    at: float
    issued_at: float | None


class SignOuts:
    """Every person's last sign-out, in the workspace.

    Args:
        root: The workspace folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, owner: str) -> Path:
        return self.root / "owners" / owner_slug(owner) / FILE_NAME

    def record(self, owner: str, issued_at: float | None, now: float | None = None) -> SignOut:
        """Note that ``owner`` signed out of the sign-in issued at ``issued_at``, now."""
        last = self.last(owner)
        # Never forget a later token already signed out (two browsers, in either order).
        earlier = None if last is None else last.issued_at
        issued = [value for value in (issued_at, earlier) if value is not None]
        signed_out = SignOut(
            at=time.time() if now is None else now, issued_at=max(issued) if issued else None
        )
        write_json(self._path(owner), {"at": signed_out.at, "issued_at": signed_out.issued_at})
        return signed_out

    def last(self, owner: str) -> SignOut | None:
        """``owner``'s last sign-out, or ``None`` when they never signed out. A record that
        cannot be read counts as a sign-out now: a damaged file signs a person out rather
        than in."""
        path = self._path(owner)
        try:
            values = json.loads(path.read_text())
            issued = values["issued_at"]
            return SignOut(
                at=float(values["at"]), issued_at=None if issued is None else float(issued)
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError):
            return SignOut(at=time.time(), issued_at=None)


def ended(
    issued_at: float | None,
    signed_out: SignOut | None,
    *,
    now: float,
    lifetime_hours: float,
) -> str | None:
    """Why a sign-in whose ID token was issued at ``issued_at`` no longer counts, or ``None``
    while it does.

    Args:
        issued_at: The token's ``iat`` (seconds since the epoch); ``None`` when the sign-in
            service gave none (its age then cannot be told, so it does not count).
        signed_out: The person's last sign-out (:meth:`SignOuts.last`).
        now: This server's time.
        lifetime_hours: How long a sign-in lasts (:func:`session_hours`).

    Returns:
        ``"no time"``, ``"signed out"`` or ``"expired"``; ``None`` for a sign-in that counts.
    """
    if issued_at is None or not math.isfinite(issued_at):
        return "no time"
    if signed_out is not None:
        if signed_out.issued_at is not None and issued_at <= signed_out.issued_at:
            return "signed out"
        if issued_at < signed_out.at - CLOCK_SKEW_SECONDS:
            return "signed out"
    if now - issued_at > lifetime_hours * 3600:
        return "expired"
    return None
