"""API keys: `Authorization: Bearer <key>`, checked against the sha256 digests in the settings.

Only digests are configured, so a leaked settings file leaks no key; keys are never read from a
query string (which ends up in access logs) and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.config import Settings
from app.services.errors import Unauthorized

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key as a bearer token. Writes always need one; reads only when the "
    "server sets CONFLICTKB_READ_REQUIRES_KEY.",
)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_is_valid(key: str, digests: list[str]) -> bool:
    digest = hash_key(key)
    # Every digest is compared, in constant time each, so timing says nothing about which one.
    matches = [hmac.compare_digest(digest, known) for known in digests]
    return any(matches)


# async: it does no I/O, so it runs on the event loop instead of taking a thread-pool hop.
async def require_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    settings: Settings = request.app.state.settings
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API key as `Authorization: Bearer <key>`")
    if not settings.api_key_hashes:
        raise Unauthorized("this server has no API keys configured; writes are closed")
    if not key_is_valid(credentials.credentials, settings.api_key_hashes):
        raise Unauthorized("the API key is not valid")


WriteKey = Depends(require_key)
