# elevator_registry: the registry API on 0.0.0.0:8000, migrated on start.
#   docker build -t elevator-registry .
#   docker run -p 8000:8000 -v elevator-registry-data:/data elevator-registry
# SQLite in the /data volume by default; pass ELEVATOR_REGISTRY_DATABASE_URL for PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data

WORKDIR /app
COPY . /app
# A plain install: the migrations (alembic/, mapped into the package) and the sample's reference
# data ship inside the package.
RUN pip install --no-cache-dir .

ENV ELEVATOR_REGISTRY_DATABASE_URL=sqlite:////data/elevator_registry.sqlite3
VOLUME ["/data"]
USER app
EXPOSE 8000

# slim has no curl: ask /health/live with the interpreter we already have.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]

CMD ["sh", "-c", "elevator-registry db upgrade && exec elevator-registry serve --host 0.0.0.0 --port 8000"]
