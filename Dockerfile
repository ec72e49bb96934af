FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm curl unzip \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g bun leaflet@1.9 \
 && useradd --create-home --uid 10001 yantra
ENV REFLEX_USE_SYSTEM_BUN=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    PYTHONUNBUFFERED=1

WORKDIR /srv/yantra
COPY pyproject.toml ./
COPY app ./app
COPY pages ./pages
COPY state ./state
COPY services ./services
COPY workers ./workers
RUN pip install --no-cache-dir .
COPY . .
RUN mkdir -p assets/vendor/leaflet /var/lib/yantra \
 && cp -r "$(npm root -g)/leaflet/dist/leaflet.js" "$(npm root -g)/leaflet/dist/leaflet.css" \
          "$(npm root -g)/leaflet/dist/images" assets/vendor/leaflet/ \
 && chown -R yantra /srv/yantra /var/lib/yantra
USER yantra
EXPOSE 8000
CMD ["python", "-m", "app.cli", "serve"]
