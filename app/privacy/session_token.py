"""Session tokens the server issues and can verify: `<id>.<signature>`, so no client can name another's session.

The id (32 hex digits) is what the service stores and keys follow-up memory by; the signature is the first
16 bytes of HMAC-SHA256(secret, id), base64url without padding. A client holding only an id, or a token
signed with another secret, holds nothing: it gets a new session, never the one it named.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid

SIGNATURE_BYTES = 16
_ID = re.compile(r"[0-9a-f]{32}")
# an id, a dot and 22 base64url characters; anything else is not a token and is not hashed at all
_TOKEN = re.compile(r"([0-9a-f]{32})\.([A-Za-z0-9_-]{22})")
TOKEN_CHARS = 32 + 1 + 22


class SessionTokens:
    """Signs session ids with one secret and tells genuine tokens from forged, foreign or malformed ones."""

    def __init__(self, secret: str | bytes | None = None):
        # without a configured secret the tokens hold for this process only (see README, "Privacy")
        key = secret.encode() if isinstance(secret, str) else secret
        self._key = key or secrets.token_bytes(32)

    def _signature(self, session_id: str) -> str:
        # the label keeps these signatures apart from any other use the same secret might be put to
        digest = hmac.new(self._key, b"session:" + session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).rstrip(b"=").decode()

    def sign(self, session_id: str) -> str:
        """The token a client gets back for a session id."""
        if not _ID.fullmatch(session_id):
            raise ValueError("a session id is 32 lowercase hex digits")
        return f"{session_id}.{self._signature(session_id)}"

    def new(self) -> str:
        """A token for a new session."""
        return self.sign(uuid.uuid4().hex)

    def verify(self, token: object) -> str | None:
        """The session id of a token this service signed; None for anything else."""
        if not isinstance(token, str) or len(token) != TOKEN_CHARS:
            return None
        match = _TOKEN.fullmatch(token)
        if match is None:
            return None
        session_id, signature = match.groups()
        return session_id if hmac.compare_digest(signature, self._signature(session_id)) else None
