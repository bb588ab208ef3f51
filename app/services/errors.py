"""Domain errors. Services raise them; app/api/problems.py maps each to one problem+json answer."""

from __future__ import annotations

# Problem types are this base plus the error's slug (RFC 9457 "type").
PROBLEM_BASE = "https://conflictkb.org/problems/"


class DomainError(Exception):
    status = 400
    title = "Bad Request"
    slug = "bad-request"
    headers: dict[str, str] = {}

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    status = 404
    title = "Not Found"
    slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class InvalidQuery(DomainError):
    status = 422
    title = "Invalid Query"
    slug = "invalid-query"


class InvalidInput(DomainError):
    status = 422
    title = "Invalid Input"
    slug = "invalid-input"


class QuerySyntaxError(DomainError):
    status = 400
    title = "Query Syntax Error"
    slug = "query-syntax"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"
    slug = "unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="conflictkb"'}


class TooLarge(DomainError):
    status = 413
    title = "Content Too Large"
    slug = "too-large"


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported Media Type"
    slug = "unsupported-media-type"


class Unavailable(DomainError):
    """The database could not be had in time (another writer holds the lock): try again soon."""

    status = 503
    title = "Service Unavailable"
    slug = "unavailable"

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}
