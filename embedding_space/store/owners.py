"""What each owner of datasets on a shared server may do: quotas, expiry, and session keys.

On one machine for one user nothing here applies. When the app is served to several people,
every browser session without sign-in is an owner known only by a key in its address; that
key must be one the server issued (a key typed into a link is refused), one address gets at
most :data:`NEW_KEYS_PER_HOUR` new keys an hour (a browser keeps its key, so a person needs
one), each owner has a ceiling on datasets and on the bytes everything of theirs takes on disk
(their datasets with every result computed from them, their results on others' datasets, and
their vectors in the embedding cache), and an anonymous owner's datasets expire: an expired
one is neither listed nor opened, whether or not it has been deleted yet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from embedding_space.embed.cache import SHARED_SCOPE

__all__ = [
    "ANONYMOUS_PREFIX",
    "MULTI_USER_VARIABLE",
    "NEW_KEYS_PER_HOUR",
    "SIGNED_IN_PREFIX",
    "KeyIssueLimit",
    "Limits",
    "SessionKeys",
    "cache_scope",
    "has_expired",
    "is_person",
    "multi_user_switched_on",
    "owner_slug",
]

MULTI_USER_VARIABLE = "EMBEDDING_SPACE_MULTI_USER"
"""The operator's switch for a server shared by several people (``1``, ``true`` or ``yes``)."""


def multi_user_switched_on() -> bool:
    """Whether the operator set :data:`MULTI_USER_VARIABLE` (the app also counts a configured
    sign-in as shared)."""
    return os.environ.get(MULTI_USER_VARIABLE, "").lower() in {"1", "true", "yes"}


ANONYMOUS_PREFIX = "session:"
"""Owners known by the key in their address (multi-user mode without sign-in)."""
SIGNED_IN_PREFIX = "user:"
"""Owners known by their sign-in."""


def is_person(owner: str | None) -> bool:
    """Whether ``owner`` is one person among several (limits and privacy apply to them)."""
    return owner is not None and owner.startswith((ANONYMOUS_PREFIX, SIGNED_IN_PREFIX))


def cache_scope(owner: str | None) -> str:
    """The embedding-cache scope of a dataset's texts: its owner's, when it has one of many."""
    return owner if owner is not None and is_person(owner) else SHARED_SCOPE


def owner_slug(owner: str) -> str:
    """A folder name for an owner that says nothing about them."""
    return hashlib.sha256(owner.encode()).hexdigest()[:24]


def has_expired(expires: str | None, now: datetime) -> bool:
    """Whether a dataset whose manifest says ``expires`` (an ISO timestamp in UTC, or
    ``None`` for never) has expired at ``now`` (aware, UTC)."""
    return expires is not None and expires <= now.isoformat(timespec="seconds")


def _setting(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """Per-owner ceilings on a shared server.

    Attributes:
        max_datasets: Datasets one owner may keep.
        max_megabytes: Disk one owner's datasets and results may take.
        expire_days: Days after which an anonymous owner's datasets are deleted; 0 keeps
            them for ever.
    """

    max_datasets: int = 20
    max_megabytes: float = 500.0
    expire_days: float = 7.0

    @classmethod
    def from_environment(cls) -> Limits:
        """``EMBEDDING_SPACE_MAX_DATASETS``, ``EMBEDDING_SPACE_MAX_MB`` and
        ``EMBEDDING_SPACE_EXPIRE_DAYS``, where set (else the defaults)."""
        defaults = cls()
        return cls(
            max_datasets=int(_setting("EMBEDDING_SPACE_MAX_DATASETS", defaults.max_datasets)),
            max_megabytes=_setting("EMBEDDING_SPACE_MAX_MB", defaults.max_megabytes),
            expire_days=_setting("EMBEDDING_SPACE_EXPIRE_DAYS", defaults.expire_days),
        )


_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{44}")


class SessionKeys:
    """Keys for anonymous owners that only this server can make: a random part and its
    HMAC under a secret kept in the workspace (``secret.key``, readable by its owner only).

    Args:
        root: The workspace folder.
    """

    def __init__(self, root: Path) -> None:
        path = root / "secret.key"
        if not path.is_file():
            root.mkdir(parents=True, exist_ok=True)
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(handle, secrets.token_bytes(32))
            finally:
                os.close(handle)
        self._secret = path.read_bytes()

    def _sign(self, token: str) -> str:
        digest = hmac.new(self._secret, token.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:22]

    def issue(self) -> str:
        """A new key: 44 characters of ``[A-Za-z0-9_-]``."""
        token = secrets.token_urlsafe(16)[:22]
        return token + self._sign(token)

    def valid(self, key: str) -> bool:
        """Whether this server issued ``key``."""
        if not _KEY_PATTERN.fullmatch(key):
            return False
        return hmac.compare_digest(key[22:], self._sign(key[:22]))


NEW_KEYS_PER_HOUR = 20
"""New keys one client address may be issued in an hour. A browser keeps its key in a
cookie, so one person needs one; a household or an office behind one address needs a few;
a script that drops the cookie to get a fresh quota on every visit is stopped after this."""


class KeyIssueLimit:
    """How many keys each client address was issued in the last hour, in this server's
    memory (a restart forgets it, which only the operator can cause). Safe to share between
    the sessions' threads.

    Args:
        per_hour: Keys one address may be issued in any hour.
        clock: Seconds, monotonic (tests pass their own).
    """

    def __init__(
        self, per_hour: int = NEW_KEYS_PER_HOUR, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_hour = per_hour
        self._clock = clock
        self._issued: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one key for ``client`` and say yes, or say no when it had ``per_hour``
        already in the last hour."""
        now = self._clock()
        with self._lock:
            for address in list(self._issued):  # forget addresses quiet for an hour
                times = self._issued[address]
                while times and times[0] <= now - 3600:
                    times.popleft()
                if not times:
                    del self._issued[address]
            times = self._issued.setdefault(client, deque())
            if len(times) >= self.per_hour:
                return False
            times.append(now)
            return True
