"""Who is using the app: the signed-in user, a private browser session, or the local user.

With ``[auth]`` in ``.streamlit/secrets.toml`` nobody uses the app anonymously; with
``EMBEDDING_SPACE_MULTI_USER=1`` each browser session sees only its own datasets (and shared
ones); otherwise the one local user sees everything.

Streamlit keeps a sign-in in a cookie for 30 days and cannot take back a copy of it, so the
app judges each sign-in itself on every run (:func:`end_ended_sign_in`): one its person has
signed out of since, or older than ``EMBEDDING_SPACE_SESSION_HOURS``, is signed out here and
now (see :mod:`embedding_space.store.sign_ins`).
"""

from __future__ import annotations

import os
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

import streamlit as st

from components import state
from components.markdown import plain_markdown, safe
from embedding_space.embed.sentence import DEFAULT_MODEL
from embedding_space.embed.static import PREVIEW_MODEL
from embedding_space.embed.traditional import KINDS as TRADITIONAL_KINDS
from embedding_space.store.datasets import default_home
from embedding_space.store.owners import (
    ANONYMOUS_PREFIX,
    SIGNED_IN_PREFIX,
    multi_user_switched_on,
)
from embedding_space.store.sign_ins import SignOuts, ended, session_hours

MODELS_VARIABLE = "EMBEDDING_SPACE_MODELS"
"""Comma-separated model names or folders an operator allows on a shared server."""


def sign_in_configured() -> bool:
    """Whether Streamlit's OIDC sign-in (``[auth]`` in ``.streamlit/secrets.toml``) is set up."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def signed_in_user() -> str | None:
    """The signed-in user's stable id (``sub``, else e-mail), or ``None``."""
    try:
        user = st.user
        if user.get("is_logged_in"):
            return str(user.get("sub") or user.get("email"))
    except Exception:  # st.user raises where no sign-in is configured
        return None
    return None


def signed_in_name() -> str | None:
    """How the signed-in user is shown (e-mail, else name, else id), or ``None``."""
    if signed_in_user() is None:
        return None
    user = st.user
    return str(user.get("email") or user.get("name") or user.get("sub"))


def sign_out_button() -> None:
    """Who is signed in, and a button to sign out (nothing when nobody is)."""
    name = signed_in_name()
    if name is None:
        return
    st.caption(f"Signed in as {plain_markdown(name, 80)}")
    st.button("Sign out", on_click=_sign_out, key=state.SIGN_OUT)


def _issued_at() -> float | None:
    """When the sign-in service issued this session's ID token (its ``iat``), or ``None``."""
    try:
        return float(st.user.get("iat"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _sign_outs() -> SignOuts:
    return SignOuts(default_home())  # the workspace of ``cached.workspace()``


def _sign_out() -> None:
    """Sign out here, and note it on the server so no copy of this sign-in counts again."""
    user = signed_in_user()
    if user is not None:
        _sign_outs().record(f"{SIGNED_IN_PREFIX}{user}", _issued_at())
    st.logout()


def end_ended_sign_in() -> None:
    """Sign out a sign-in that no longer counts (its person signed out since, or it is older
    than the session lifetime): Streamlit's cookie would otherwise still open the app."""
    user = signed_in_user()
    if user is None:
        return
    signed_out = _sign_outs().last(f"{SIGNED_IN_PREFIX}{user}")
    if ended(_issued_at(), signed_out, now=time.time(), lifetime_hours=session_hours()):
        # Clears the identity of this session on the server at once; the browser is then
        # sent to drop its cookie.
        st.logout()


def may_use_app() -> bool:
    """Whether this visitor may see the app: always, unless sign-in is configured and they
    have not signed in."""
    return not sign_in_configured() or signed_in_user() is not None


PROVIDER_TIMEOUT = 2.0
"""Seconds the sign-in service gets to answer before the app says it is down."""


def provider_address() -> str | None:
    """The sign-in service's discovery address (``server_metadata_url`` of ``[auth]``, or of
    its first named provider), or ``None`` when the secrets name none."""
    try:
        auth = st.secrets["auth"]
    except Exception:  # no secrets, or no [auth]
        return None
    if "server_metadata_url" in auth:
        return str(auth["server_metadata_url"])
    for value in auth.values():
        if hasattr(value, "get") and value.get("server_metadata_url"):
            return str(value["server_metadata_url"])
    return None


def provider_answers(address: str, timeout: float = PROVIDER_TIMEOUT) -> bool:
    """Whether the sign-in service serves its discovery document within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(address, timeout=timeout) as response:
            return 200 <= int(response.status) < 300
    except (OSError, ValueError):  # refused, timed out (URLError is an OSError), a bad address
        return False


def _sign_in() -> None:
    """Sign in through the provider, unless it does not answer: Streamlit would then end on a
    bare "Authentication error" page, with no way back; the sign-in page says so instead."""
    address = provider_address()
    if address is not None and not provider_answers(address):
        state.put(state.SIGN_IN_DOWN, urlparse(address).netloc or address)
        return
    state.forget(state.SIGN_IN_DOWN)
    st.login()


def sign_in_screen() -> None:
    """The only page an anonymous visitor gets when sign-in is configured."""
    st.title("Embedding Space Explorer")
    down = state.value(state.SIGN_IN_DOWN)
    if down is None:
        st.write("Sign in to see your datasets.")
        st.button("Sign in", on_click=_sign_in, type="primary")
        return
    st.error(
        f"The sign-in service at {safe(down)} did not answer. Try again in a minute; if it "
        "keeps failing, tell whoever runs this app."
    )
    st.button("Retry", on_click=_sign_in, type="primary")


def multi_user() -> bool:
    """Whether the app is served to several people (each then sees only their own datasets)."""
    return multi_user_switched_on() or sign_in_configured()


def allowed_models() -> list[str] | None:
    """The models people may choose on a shared server (the bundled one, its fast preview, those
    the operator lists in ``EMBEDDING_SPACE_MODELS``, then the traditional ones); ``None`` on a
    single-user machine, where any name or folder may be typed."""
    if not multi_user():
        return None
    listed = [name.strip() for name in os.environ.get(MODELS_VARIABLE, "").split(",")]
    # The preview ships with the package and the traditional embedders are fitted per dataset:
    # both run here without loading anything from elsewhere.
    offered = [DEFAULT_MODEL, PREVIEW_MODEL, *filter(None, listed), *TRADITIONAL_KINDS]
    return list(dict.fromkeys(offered))


@dataclass(frozen=True)
class Identity:
    """Who is using this session, for the workspace's ownership rules.

    Attributes:
        owner: Stored as the owner of datasets this session creates.
        viewer: Passed to ``Workspace.list_datasets``; ``None`` sees everything (one user).
    """

    owner: str
    viewer: str | None

    @property
    def acting_user(self) -> str | None:
        """The user a rename or delete is checked against; ``None`` may change anything."""
        return None if self.viewer is None else self.owner

    @property
    def by_session_key(self) -> bool:
        """Whether this identity is the key in the page's address (multi-user, no sign-in)."""
        return self.owner.startswith(ANONYMOUS_PREFIX)


def identity() -> Identity:
    """The signed-in user, else this browser session in multi-user mode, else the local user."""
    user = signed_in_user()
    if user is not None:
        return Identity(owner=f"{SIGNED_IN_PREFIX}{user}", viewer=f"{SIGNED_IN_PREFIX}{user}")
    if multi_user():
        key = state.value(state.SESSION_OWNER)
        if key is None:
            raise RuntimeError("links.load_view_from_url gives every session its key first")
        owner = f"{ANONYMOUS_PREFIX}{key}"
        return Identity(owner=owner, viewer=owner)
    return Identity(owner="local", viewer=None)
