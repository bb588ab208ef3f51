"""Settings: one object, read from the environment (prefix CONFLICTKB_) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONFLICTKB_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./data/conflictkb.db"
    # Origins allowed to call the API from a browser; none unless configured.
    cors_origins: list[str] = Field(default_factory=list)
    # Languages that detection may answer with; a text in another language is stored as None.
    languages: list[str] = Field(default_factory=lambda: ["en", "uk", "bg", "ru"])
    default_page_size: int = 20
    max_page_size: int = 100
    max_query_length: int = 500
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    sqlite_busy_timeout_ms: int = 5000
    log_level: str = "info"
    # sha256 hex digests of the API keys that may write (`conflictkb hash-key` makes one);
    # comma-separated in the environment. No keys: nobody can write through the API.
    api_key_hashes: Annotated[list[str], NoDecode] = Field(default_factory=list)
    read_requires_key: bool = False
    # Bodies above these sizes get 413 before they are read to the end. 4 MiB holds the longest
    # text a field allows (MAX_TEXT_LENGTH) even when every character is JSON-escaped.
    max_body_bytes: int = 4_194_304
    max_batch_bytes: int = 16_777_216
    max_batch_items: int = 1000

    @field_validator("api_key_hashes", mode="before")
    @classmethod
    def _split_hashes(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return [str(v).strip().lower() for v in value if str(v).strip()]
        return value

    @field_validator("api_key_hashes")
    @classmethod
    def _check_hashes(cls, value: list[str]) -> list[str]:
        for digest in value:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ValueError("API key hashes are sha256 hex digests of 64 characters")
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
