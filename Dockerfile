# The Yantra image: the Reflex web app (UI and /api/v1 on one port) and the Celery
# worker and beat all run from it; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/srv/yantra \
    REFLEX_USE_SYSTEM_BUN=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    VAR_DIR=/var/lib/yantra \
    PORT=8000

# Bun builds and serves the Reflex front end; Leaflet is served by the app itself
# (assets/vendor/leaflet), so the maps need no CDN.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm curl unzip \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g --no-fund --no-audit --loglevel=error bun@1.4.5 leaflet@1.9 \
 && npm cache clean --force \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin yantra

WORKDIR /srv/yantra

# Dependencies first: this layer changes only when pyproject.toml or the lock does. The
# runtime dependencies install at the versions of requirements.lock (the lock also holds
# the test tools, which the image leaves out). The code itself runs from /srv/yantra
# (PYTHONPATH), where alembic.ini and rxconfig.py live.
COPY pyproject.toml requirements.lock ./
RUN sed -n 's/^\([A-Za-z0-9][^ ]*==[^ ]*\).*/\1/p' requirements.lock > /tmp/locked.txt \
 && pip install -c /tmp/locked.txt . \
 && rm /tmp/locked.txt

COPY --chown=yantra:yantra . .
RUN mkdir -p /var/lib/yantra \
 && chown yantra:yantra /srv/yantra /var/lib/yantra

USER yantra
RUN mkdir -p assets/vendor/leaflet \
 && cp -r "$(npm root -g)/leaflet/dist/leaflet.js" "$(npm root -g)/leaflet/dist/leaflet.css" \
          "$(npm root -g)/leaflet/dist/images" assets/vendor/leaflet/

EXPOSE 8000
# Migrations, then the web app on $PORT.
CMD ["python", "-m", "app.cli", "serve"]
