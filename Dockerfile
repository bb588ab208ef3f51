# syntax=docker/dockerfile:1
# Build stage: wheels of the project and of every dependency (psycopg[binary] brings its own
# libpq, so the runtime needs no apt packages at all).
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml alembic.ini README.md* ./
COPY app ./app
COPY migrations ./migrations
RUN pip wheel --wheel-dir /wheels .

# Runtime stage: the installed wheels, the seeds, and a user without privileges.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CONFLICTKB_DATABASE_URL=sqlite:////data/conflictkb.db \
    CONFLICTKB_SEEDS_DIR=/app/seeds \
    CONFLICTKB_CACHE_DIR=/app/cache
RUN groupadd --gid 10001 conflictkb \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin conflictkb \
    && mkdir -p /data /app/cache \
    && chown 10001:10001 /data /app/cache
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY seeds /app/seeds
WORKDIR /app
USER 10001:10001
# The gazetteer and the compact lemma indexes, built once into the image: a new container would
# otherwise build them (~5 s of CPU) in its first search or ingest.
RUN conflictkb build-caches
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=5 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"]
# Wait for the database, migrate, seed an empty knowledge base, serve (app/start.py).
ENTRYPOINT ["conflictkb"]
CMD ["start", "--host", "0.0.0.0", "--port", "8000"]
