"""GET routes whose query parameters are validated in one pydantic call.

FastAPI validates each query parameter on its own and re-inspects its annotation on every request:
for the ten parameters of GET /events that took ~0.75 M instructions a request, more than half of
what SQLite spends on the page's SQL. A route declared with `get_with_one_query_model` (its
parameters: the Request and query parameters, nothing else) keeps its signature, and with it the
OpenAPI document and the 422 answers, but its requests are answered by a twin route registered
just before it, which takes only the Request and validates the query string against a model built
from that same signature. The declared route stays in the router for the OpenAPI document; routing
never reaches it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, get_type_hints

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError, create_model

Endpoint = Callable[..., Awaitable[Response]]


def query_model(endpoint: Endpoint) -> type[BaseModel]:
    """A model with a field for each parameter of `endpoint` but the Request, with the same
    annotation (Query(...) constraints included) and default."""
    hints = get_type_hints(endpoint, include_extras=True)
    fields: dict[str, Any] = {}
    for name, param in inspect.signature(endpoint).parameters.items():
        if hints[name] is Request:
            continue
        if param.default is inspect.Parameter.empty:
            raise TypeError(f"{endpoint.__name__}: query parameter {name} needs a default")
        fields[name] = (hints[name], param.default)
    return create_model(f"{endpoint.__name__}_query", **fields)


def get_with_one_query_model(
    router: APIRouter, path: str, **route: Any
) -> Callable[[Endpoint], Endpoint]:
    """As `router.get(path, **route)`, with the query validated as one model."""

    def register(endpoint: Endpoint) -> Endpoint:
        model = query_model(endpoint)

        async def answer(request: Request) -> Response:
            try:
                query = model.model_validate(dict(request.query_params))
            except ValidationError as exc:
                # As FastAPI reports them: each field's errors, in signature order, under "query".
                raise RequestValidationError(
                    [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
                ) from None
            return await endpoint(request, **query.__dict__)

        router.add_api_route(
            path,
            answer,
            methods=["GET"],
            name=f"{endpoint.__name__}_one_query_model",
            include_in_schema=False,
        )
        return router.get(path, **route)(endpoint)

    return register
