"""A read that misses the cache reads the change feed's position on the event loop once: the
ReadCacheMiddleware looked already, so the route goes straight to the thread pool."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from app.api.cache import LoopPosition
from tests.conftest import make_client

pytestmark = [pytest.mark.anyio, pytest.mark.sqlite_only("positions are read on the loop")]


async def test_a_miss_reads_the_position_on_the_loop_once(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = []
    read = LoopPosition.__call__

    def counted(self: LoopPosition) -> int | None:
        reads.append(1)
        return read(self)

    monkeypatch.setattr(LoopPosition, "__call__", counted)
    async with make_client(app) as client:
        for path in ("/api/v1/events?limit=3", "/api/v1/events/1", "/api/v1/articles?limit=2"):
            reads.clear()
            assert (await client.get(path)).status_code == 200
            assert len(reads) == 1, path
            assert (await client.get(path)).status_code == 200  # a hit, served before routing
            assert len(reads) == 2, path
