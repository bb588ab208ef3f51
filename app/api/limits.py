"""Request limits as pure ASGI middleware.

Body size: a declared Content-Length over the limit is refused before a byte is read, and a
chunked body is counted as it arrives and cut off at the limit, so no route ever buffers more than
it allows. Query strings: a NUL character is refused, whatever the parameter (PostgreSQL cannot
hold one in text, so a NUL reaching a filter was a 500 there, and a different answer on SQLite)."""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.services.errors import PROBLEM_BASE

PROBLEM_MEDIA_TYPE = "application/problem+json"


class BodySizeLimit:
    def __init__(
        self, app: ASGIApp, *, default: int, per_path_suffix: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.default = default
        self.per_path_suffix = per_path_suffix or {}

    def limit_for(self, path: str) -> int:
        for suffix, limit in self.per_path_suffix.items():
            if path.endswith(suffix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_too_large(send, scope["path"], limit)
            return
        received = 0
        exceeded = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    # The app sees a client that went away and stops reading; its answer is
                    # replaced below.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded:
                if not response_started and message["type"] == "http.response.start":
                    response_started = True
                    await _send_too_large(send, scope["path"], limit)
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # A route that meets the cut-off body may fail as on a client disconnect; that is
            # this middleware's doing, and the answer is the 413.
            if not exceeded:
                raise
        if exceeded and not response_started:
            await _send_too_large(send, scope["path"], limit)


class NulInQuery:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if b"%00" in query or b"\x00" in query:
            detail = "query parameters must not contain the NUL character (%00)"
            await _send_problem(send, scope["path"], 422, "Invalid Query", "invalid-query", detail)
            return
        await self.app(scope, receive, send)


async def _send_too_large(send: Send, path: str, limit: int) -> None:
    detail = f"the request body is larger than {limit} bytes"
    await _send_problem(send, path, 413, "Content Too Large", "too-large", detail, close=True)


async def _send_problem(
    send: Send, path: str, status: int, title: str, slug: str, detail: str, *, close: bool = False
) -> None:
    body = json.dumps(
        {
            "type": PROBLEM_BASE + slug,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": path,
        }
    ).encode()
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
