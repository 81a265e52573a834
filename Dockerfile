# The image recipe of all five services. Build from the repository root, naming the
# service (producer, consumer, alerter, api or dashboard):
#   docker build --build-arg SERVICE=api -t coinstream/api:0.1.0 .
# docker-compose.yml passes SERVICE for each. It picks what is installed, the build
# stage's base, and the stage at the end that is the image.
ARG SERVICE

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# What every image runs on.
FROM python:3.11.13-slim-bookworm AS python-slim

# The consumer's and the alerter's builds compile their per-tick modules with mypyc
# (their setup.py), which needs a C compiler: the full image has one. The other services
# build on slim.
FROM python:3.11.13-bookworm AS build-with-compiler
FROM build-with-compiler AS build-base-consumer
FROM build-with-compiler AS build-base-alerter
FROM python-slim AS build-base-producer
FROM python-slim AS build-base-api
FROM python-slim AS build-base-dashboard

# build-base-${SERVICE} is one of the stages above, not an image to pin.
# hadolint ignore=DL3006
FROM build-base-${SERVICE} AS build
ARG SERVICE
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock file or a pyproject changes.
# uv reads every workspace member's pyproject, but installs only what SERVICE needs.
COPY pyproject.toml uv.lock ./
COPY common/pyproject.toml common/
COPY producer/pyproject.toml producer/
COPY consumer/pyproject.toml consumer/
COPY api/pyproject.toml api/
COPY dashboard/pyproject.toml dashboard/
COPY alerter/pyproject.toml alerter/
COPY tools/devstack/pyproject.toml tools/devstack/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "coinstream-${SERVICE}" --no-install-workspace
COPY common/src common/src
COPY tools/compile tools/compile
COPY ${SERVICE} ${SERVICE}
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "coinstream-${SERVICE}" --no-editable

FROM python-slim AS runtime
RUN useradd --system --uid 10001 --user-group --create-home app
WORKDIR /app
COPY --from=build --chown=10001:10001 /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1
USER 10001:10001

# The producer, the consumer and the alerter are healthy while they serve their metrics.
FROM runtime AS metrics-served
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"METRICS_PORT\"]}/metrics', timeout=3)"]

FROM metrics-served AS producer
CMD ["python", "-m", "producer"]

FROM metrics-served AS consumer
CMD ["python", "-m", "consumer"]

FROM metrics-served AS alerter
# The example rules, the default ALERT_RULES_FILE; compose mounts ./deploy over them.
COPY --chown=10001:10001 deploy/alert-rules.example.yml /app/deploy/alert-rules.example.yml
CMD ["python", "-m", "alerter"]

FROM runtime AS api
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"API_PORT\"]}/health', timeout=3)"]
CMD ["python", "-m", "api"]

FROM runtime AS dashboard
# Streamlit runs the app by its path (the command in docker-compose.yml); its imports
# resolve to the installed package.
COPY --from=build --chown=10001:10001 /app/dashboard/src /app/dashboard/src
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"STREAMLIT_SERVER_PORT\"]}/_stcore/health', timeout=3)"]
CMD ["streamlit", "run", "dashboard/src/dashboard/app.py"]

# The image: the stage that SERVICE names.
FROM ${SERVICE}
