from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.api.problems import problem, problem_responses
from app.db import engine_from_request

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the database answers and is migrated",
    responses=problem_responses(503),
    response_model=None,
)
def readyz(request: Request) -> JSONResponse | dict[str, str]:
    try:
        with engine_from_request(request).connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # any database failure means "not ready", never a 500
        return problem(
            request,
            status=503,
            title="Service Unavailable",
            detail=f"database: {type(exc).__name__}",
        )
    if version is None:
        return problem(request, status=503, title="Service Unavailable", detail="not migrated")
    return {"status": "ready", "schema": str(version)}
