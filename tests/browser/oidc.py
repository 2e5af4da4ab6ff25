"""A tiny OpenID Connect provider on 127.0.0.1, for signing in to the real app in tests.

It speaks just enough of the protocol for Streamlit's ``st.login`` (Authlib underneath): the
discovery document, an authorization endpoint that signs in whoever :attr:`FakeProvider.user`
names without asking, a token endpoint that returns an RS256-signed ID token carrying the
nonce it was given, and the key set to check that signature.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.browser import support

CLIENT_ID = "embedding-space-tests"
CLIENT_SECRET = "a-secret-for-tests-only"


@dataclass
class FakeProvider:
    """The provider's state: its address, its signing key, and who signs in next.

    Attributes:
        url: Its base address, ``http://127.0.0.1:PORT``.
        user: The claims of the next user to sign in (``sub``, ``email``, ``name``).
        sign_ins: How many ID tokens it has issued.
        issued_ago: Seconds before now its tokens say they were issued (``iat``), as if the
            browser had kept an old sign-in.
    """

    url: str
    user: dict[str, str] = field(default_factory=lambda: {"sub": "alice", "email": "a@x.test"})
    sign_ins: int = 0
    issued_ago: int = 0
    _key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def secrets_toml(self, app_url: str, cookie_secret: str = "cookie-secret-for-tests") -> str:
        """The ``[auth]`` section that points an app at ``app_url`` to this provider."""
        return (
            "[auth]\n"
            f'redirect_uri = "{app_url}/oauth2callback"\n'
            f'cookie_secret = "{cookie_secret}"\n'
            f'client_id = "{CLIENT_ID}"\n'
            f'client_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{self.metadata_url}"\n'
        )

    def _discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def _authorize(self, query: dict[str, str]) -> str:
        code = secrets.token_urlsafe(16)
        self._codes[code] = {"nonce": query.get("nonce", ""), **self.user}
        back = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def _token(self, form: dict[str, str]) -> dict[str, Any] | None:
        claims = self._codes.pop(form.get("code", ""), None)
        if claims is None:
            return None
        now = int(time.time())
        nonce = claims.pop("nonce")
        id_claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "iat": now - self.issued_ago,
            "exp": now + 600,
            **({"nonce": nonce} if nonce else {}),
            **claims,
        }
        header = {"alg": "RS256", "kid": self._key.thumbprint()}
        id_token = jwt.encode(header, id_claims, self._key)
        self.sign_ins += 1
        return {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 600,
            "id_token": id_token,
        }

    def _jwks(self) -> dict[str, Any]:
        public = self._key.as_dict(private=False)
        return {"keys": [{**public, "kid": self._key.thumbprint(), "use": "sig", "alg": "RS256"}]}


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the test prints what matters

        def _json(self, body: object, status: int = 200) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            query = {key: values[0] for key, values in parse_qs(parsed.query).items()}
            if parsed.path == "/.well-known/openid-configuration":
                self._json(provider._discovery())
            elif parsed.path == "/jwks":
                self._json(provider._jwks())
            elif parsed.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider._authorize(query))
                self.end_headers()
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            client = _basic_client(self.headers.get("Authorization", "")) or form.get("client_id")
            if urlparse(self.path).path != "/token" or client != CLIENT_ID:
                self._json({"error": "invalid_client"}, 401)
                return
            tokens = provider._token(form)
            if tokens is None:
                self._json({"error": "invalid_grant"}, 400)
            else:
                self._json(tokens)

    return Handler


def _basic_client(header: str) -> str | None:
    if not header.startswith("Basic "):
        return None
    user, _, _ = base64.b64decode(header[6:]).decode().partition(":")
    return user


@contextmanager
def fake_provider(port: int = 0) -> Iterator[FakeProvider]:
    """Serve a :class:`FakeProvider` on ``port`` of 127.0.0.1 (a free one when 0) until the
    block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
    provider = FakeProvider(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(provider)
    thread = threading.Thread(target=server.serve_forever, name="fake-oidc", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def signed_in_server(
    folder: Path, environment: dict[str, str] | None = None
) -> Iterator[tuple[str, FakeProvider]]:
    """A fresh app server on the workspace ``folder / "workspace"``, with sign-in configured
    against a fake provider (its secrets in ``folder``); yields its URL and the provider."""
    port = support.free_port()
    with (
        fake_provider() as provider,
        server_signing_in_at(folder, provider, port, environment) as url,
    ):
        yield url, provider


@contextmanager
def server_signing_in_at(
    folder: Path,
    provider: FakeProvider,
    port: int,
    environment: dict[str, str] | None = None,
) -> Iterator[str]:
    """A fresh app server on ``port`` and the workspace ``folder / "workspace"``, its sign-in
    configured against ``provider`` (running or not); yields its URL."""
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(provider.secrets_toml(f"http://127.0.0.1:{port}"))
    with support.app_server(
        folder / "workspace",
        folder / "streamlit.log",
        extra_args=["--secrets.files", str(secrets_file)],
        fresh=True,
        port=port,
        environment=environment,
    ) as url:
        yield url
