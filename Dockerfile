# syntax=docker/dockerfile:1
# Build stage: compile a wheel of the project and of its dependencies.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Runtime stage: only the wheels, the seeds, and a user without privileges.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CONFLICTKB_DATABASE_URL=sqlite:////data/conflictkb.db \
    CONFLICTKB_SEEDS_DIR=/app/seeds
RUN useradd --create-home --uid 10001 conflictkb \
    && mkdir -p /data /app \
    && chown conflictkb:conflictkb /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY seeds /app/seeds
WORKDIR /app
USER conflictkb
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"]
CMD ["sh", "-c", "conflictkb init-db && conflictkb seed && exec conflictkb serve --host 0.0.0.0 --port 8000"]
