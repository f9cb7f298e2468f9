# memo-bot: the wheel, installed (not editable) on the official Python slim image, run as
# a user of its own. README "Running in production" says what to set; compose.yaml runs
# it with PostgreSQL.
#   docker build -t memo-bot .
#   docker run --env-file .env -p 3000:3000 memo-bot

FROM python:3.12-slim-bookworm AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY adapters adapters
COPY bot bot
COPY migrations migrations
COPY storage storage
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --system --create-home --home-dir /var/lib/memo-bot --uid 10001 memo-bot
COPY --from=wheel /wheels /tmp/wheels
RUN pip install --no-cache-dir /tmp/wheels/*.whl && rm -rf /tmp/wheels

USER memo-bot
WORKDIR /var/lib/memo-bot
# Defaults for a container; the environment (or --env-file) overrides each one.
# SQLite lives in the home folder: mount a volume there, or use PostgreSQL (compose.yaml).
ENV MEMO_DATABASE_URL=sqlite:////var/lib/memo-bot/memo-bot.db \
    MEMO_HTTP_HOST=0.0.0.0 \
    MEMO_HTTP_PORT=3000 \
    MEMO_HEALTH_HOST=0.0.0.0 \
    MEMO_HEALTH_PORT=8080 \
    MEMO_LOG_FORMAT=json
VOLUME ["/var/lib/memo-bot"]
# 3000: Slack's events and installs (when SLACK_SIGNING_SECRET is set); 8080: /healthz,
# /readyz and /metrics, for the orchestrator and Prometheus (keep it off the internet).
EXPOSE 3000 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["memo-bot", "run"]
