from __future__ import annotations

from fastapi import APIRouter

from app.api.problems import problem_responses
from app.schemas.extract import ExtractionPublic, ExtractRequest
from app.services.extraction import extract_text

router = APIRouter(tags=["extraction"])


@router.post(
    "/extract",
    summary="Extract actors, places and events from a text without storing it",
    response_model=ExtractionPublic,
    responses=problem_responses(400, 413, 415, 422),
)
def extract(request: ExtractRequest) -> ExtractionPublic:
    return extract_text(
        text=request.text,
        published_at=request.published_at,
        language=request.language,
        title=request.title,
    )
