# advisorybot's image: the bot and its operator's command line (`advisorybot ...`).
#   docker build --build-arg VERSION=0.1.0 --build-arg COMMIT=$(git rev-parse HEAD) -t advisorybot .
# The builder stage installs the package and its dependencies into a virtual environment; the
# final stage gets that environment alone: no compilers, no pip cache, no sources, no tests.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/advisorybot
WORKDIR /src
COPY pyproject.toml README.md ./
COPY core/ core/
COPY storage/ storage/
COPY digest/ digest/
COPY forms/ forms/
COPY outbox/ outbox/
COPY notices/ notices/
COPY reminders/ reminders/
COPY handlers/ handlers/
COPY bot/ bot/
COPY web/ web/
COPY localapi/ localapi/
COPY sandbox/ sandbox/
# Every dependency comes as a wheel for this platform: nothing is compiled here.
RUN /opt/advisorybot/bin/pip install --no-cache-dir --only-binary=:all: --no-binary=advisorybot . \
    && /opt/advisorybot/bin/python -m compileall -q /opt/advisorybot/lib

FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
ARG COMMIT=unknown
LABEL org.opencontainers.image.title="advisorybot" \
      org.opencontainers.image.description="Telegram + e-mail advisory bot for the ORE programme 'Cyfrowy rozwój oświaty w JST'" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}"
# pg_dump and pg_restore for `advisorybot backup` and `restore` (docs/backup.md), of the
# compose stack's PostgreSQL 16: Debian bookworm has only 15, which cannot dump a newer server,
# so PostgreSQL's own apt repository (PGDG, wiki.postgresql.org/wiki/Apt); curl goes again.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
       https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc]" \
       "https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && apt-get purge -y curl \
    && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/*
# A fixed id, so secret files and the volume can be made readable to it from the host.
RUN groupadd --system --gid 10001 advisorybot \
    && useradd --system --uid 10001 --gid advisorybot --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin advisorybot \
    && mkdir /data \
    && chown advisorybot:advisorybot /data
COPY --from=builder /opt/advisorybot /opt/advisorybot
ENV PATH=/opt/advisorybot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    DATABASE_URL=sqlite+aiosqlite:////data/advisorybot.db \
    OPS_LISTEN=0.0.0.0:8081 \
    PG_BIN_DIR=/usr/lib/postgresql/16/bin
# The working directory: a SQLite database when no DATABASE_URL is given, files the operator's
# commands write (exports, invitation lists) and an optional .env file.
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
# Webhook mode (`run --webhook-url ... --listen 0.0.0.0 --port 8443`); polling needs no port.
# 8081: `run`'s /healthz, /readyz and /metrics (docs/monitoring.md); publish it to a private
# network or loopback only.
EXPOSE 8443 8081 8080
# Alive while `run` serves its endpoint; readiness (/readyz: database and Bot API) is the
# orchestrator's or the monitoring's to ask.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/healthz', timeout=4)"]
ENTRYPOINT ["advisorybot"]
CMD ["run"]
