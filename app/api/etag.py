"""ETag / If-None-Match for GET answers, as pure ASGI so streaming stays cheap elsewhere."""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"GET", "HEAD"}:
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                if message["status"] != 200:
                    await send(message)
                    start = None
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
            headers = MutableHeaders(scope=start)
            headers["ETag"] = etag
            wanted = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",")}
            if etag in wanted or "*" in wanted:
                for name in ("content-length", "content-type"):
                    if name in headers:
                        del headers[name]
                start["status"] = 304
                await send(start)
                await send({"type": "http.response.body", "body": b""})
                return
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered_send)
