"""Request body limits as pure ASGI middleware: a declared Content-Length over the limit is
refused before a byte is read, and a chunked body is counted as it arrives and cut off at the
limit, so no route ever buffers more than it allows."""

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


async def _send_too_large(send: Send, path: str, limit: int) -> None:
    body = json.dumps(
        {
            "type": PROBLEM_BASE + "too-large",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the request body is larger than {limit} bytes",
            "instance": path,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
