"""The framework floor for bench/api_load.py: FastAPI answering a constant JSON, nothing else."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

# About the size of a small page of results, so that serialising it is not free either.
CONSTANT: dict[str, Any] = {
    "items": [{"id": i, "type": "ASSAULT", "summary": "constant"} for i in range(5)],
    "limit": 5,
    "next_cursor": None,
}

app = FastAPI()


@app.get("/constant-async")
async def constant_async() -> dict[str, Any]:
    return CONSTANT


@app.get("/constant")
def constant() -> dict[str, Any]:
    # A sync endpoint runs in the thread pool, as the API's own endpoints do.
    return CONSTANT
