"""compose.yaml and the Dockerfile, checked where no Docker engine or compose plugin runs: the
structure `docker compose up` relies on (CI runs the same start-up sequence for real, against a
local PostgreSQL, through `conflictkb start`)."""

from __future__ import annotations

import re

import yaml

from app.config import PROJECT_ROOT

COMPOSE = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_compose_runs_postgres_with_a_healthcheck_and_a_named_volume() -> None:
    db = COMPOSE["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]
    assert "C.UTF-8" in db["environment"]["POSTGRES_INITDB_ARGS"]


def test_compose_api_waits_for_a_healthy_database_and_serves_port_8000() -> None:
    api = COMPOSE["services"]["api"]
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert "8000:8000" in api["ports"]
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    url = api["environment"]["CONFLICTKB_DATABASE_URL"]
    assert url.startswith("postgresql://") and "@db:5432/" in url
    assert "profiles" not in api and "profiles" not in COMPOSE["services"]["db"]


def test_compose_sqlite_profile_runs_the_api_alone() -> None:
    alone = COMPOSE["services"]["api-sqlite"]
    assert alone["profiles"] == ["sqlite"]
    assert "depends_on" not in alone
    assert alone["environment"]["CONFLICTKB_DATABASE_URL"].startswith("sqlite:////data/")
    assert alone["volumes"][0].split(":")[0] in COMPOSE["volumes"]


def test_dockerfile_is_multi_stage_non_root_and_starts_through_the_start_command() -> None:
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\w+))?", DOCKERFILE, flags=re.M)
    assert len(stages) == 2 and stages[0][1] == "build"
    user = re.findall(r"^USER\s+(\S+)", DOCKERFILE, flags=re.M)
    assert user and not user[-1].startswith(("root", "0"))
    assert "COPY --from=build" in DOCKERFILE
    assert re.search(r'^ENTRYPOINT \["conflictkb"\]', DOCKERFILE, flags=re.M)
    assert re.search(r'^CMD \["start"', DOCKERFILE, flags=re.M)
    assert "HEALTHCHECK" in DOCKERFILE and "apt-get" not in DOCKERFILE
