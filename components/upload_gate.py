"""No upload is kept before sign-in (or, without sign-in on a shared server, before the
visitor holds a key).

Streamlit accepts a file at ``/_stcore/upload_file/<session>/<file>`` from any connected
session and keeps it in the server's memory, whatever the page shows: with sign-in
configured, a visitor who never signed in could fill the server's memory through it, although
no page of theirs has an uploader; so could a visitor refused a key for asking too often.
Streamlit 1.67 has no setting for this, and its supported way to add a check in front of a
route (``st.App`` middleware) needs the app started from an ``st.App`` launcher rather than
``streamlit run app.py``. So this module wraps the one call that keeps an upload, the upload
manager's ``add_file``, on the running server's instance: on a shared server only sessions
the router let in (:func:`admit`: signed in, or holding a key) may keep a file; any other
upload is answered 403 and its bytes dropped. On one machine for one user
(``identity.multi_user()`` false) nothing is installed.

The wrapper is installed by the first run of the router after the server starts (Streamlit
runs no app code before that), so until one page has been opened nothing is refused: a
session that never ran the router cannot have its uploads checked before then.
"""

from __future__ import annotations

import threading
from typing import Any

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

_admitted: set[str] = set()
_lock = threading.Lock()
_installed = False
_PRUNE_ABOVE = 1000
"""Sessions admitted before the ones that have ended are forgotten."""


def _refusal() -> Exception:
    # Starlette answers its own HTTPException with its status; imported here because the
    # app's tests run without a server.
    from starlette.exceptions import HTTPException

    return HTTPException(status_code=403, detail="Sign in before uploading.")


def install() -> None:
    """Check every upload against the admitted sessions, from now on (once per server)."""
    global _installed
    with _lock:
        if _installed or not runtime.exists():
            return
        manager = runtime.get_instance().uploaded_file_mgr
        keep = manager.add_file

        def add_file(session_id: str, file: Any) -> None:
            with _lock:
                admitted = session_id in _admitted
            if not admitted:
                raise _refusal()
            keep(session_id, file)

        manager.add_file = add_file  # type: ignore[method-assign]
        _installed = True


def admit(allowed: bool) -> None:
    """Let this session upload (it signed in), or not (it has not, or no longer)."""
    context = get_script_run_ctx()
    if context is None:
        return
    with _lock:
        if not allowed:
            _admitted.discard(context.session_id)
            return
        _admitted.add(context.session_id)
        if len(_admitted) > _PRUNE_ABOVE and runtime.exists():
            live = runtime.get_instance()
            _admitted.intersection_update(
                {session for session in _admitted if live.is_active_session(session)}
            )
